"""The results store on SQLite: idempotent saves, contract validation, stored rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from idstream.document import Check, DocumentResult, FieldValue, Review
from idstream.errors import InvalidMessage
from idstream.sink.models import CheckRow, Document, FieldRow, ModelVersion
from idstream.sink.store import ResultStore

BOX = ((1.0, 2.0), (30.0, 2.0), (30.0, 12.0), (1.0, 12.0))


def make_result(doc_id: str, surname_conf: float = 0.95) -> DocumentResult:
    return DocumentResult(
        document_id=doc_id,
        document_type="passport",
        fields={
            "surname": FieldValue("DOE", "DOE", surname_conf, BOX, "visual+mrz"),
            "document_number": FieldValue("X1234567", "X1234567", 0.99, None, "mrz"),
        },
        mrz={"format": "TD3", "lines": ["P<UTODOE<<JOHN", "X1234567"]},
        checks=[
            Check("mrz_check_digits", "pass", "", ["document_number"]),
            Check("expiry", "fail", "expired"),
        ],
        quality={"blur": 0.1, "quality_flags": []},
        review=Review("to_review", ["check_failed:expiry"]),
        timings_ms={"ocr": 120.0},
        model_version="ie-2026.11",
    )


@pytest.fixture()
def store(tmp_path: Path) -> ResultStore:
    s = ResultStore(f"sqlite:///{tmp_path / 'results.db'}")
    yield s  # type: ignore[misc]
    s.close()


def _count(store: ResultStore, model: type) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_redelivering_the_same_results_three_times_stores_one_record(store: ResultStore) -> None:
    results = [make_result(f"doc-{i}").to_dict() for i in range(5)]
    outcomes = [
        [store.save(r, image_ref=f"s3://in/{r['document_id']}.jpg") for r in results] for _ in range(3)
    ]
    assert outcomes[0] == [True] * 5
    assert outcomes[1] == [False] * 5
    assert outcomes[2] == [False] * 5
    assert _count(store, Document) == 5
    assert _count(store, FieldRow) == 10
    assert _count(store, CheckRow) == 10
    assert _count(store, ModelVersion) == 1
    assert store.exists("doc-0") and not store.exists("doc-5")


def test_redelivery_does_not_overwrite_a_reviewed_document(store: ResultStore) -> None:
    assert store.save(make_result("doc-1"), "a.jpg")
    with store.session() as session:
        doc = session.get(Document, "doc-1")
        assert doc is not None
        doc.status = "approved"
        next(f for f in doc.fields if f.name == "surname").value = "DOE-SMITH"
    changed = make_result("doc-1", surname_conf=0.1)
    assert not store.save(changed, "b.jpg")
    doc2 = store.get("doc-1")
    assert doc2 is not None
    assert doc2.status == "approved"
    assert doc2.image_ref == "a.jpg"
    assert [f.value for f in doc2.fields if f.name == "surname"] == ["DOE-SMITH"]


def test_saved_rows_hold_the_result(store: ResultStore) -> None:
    store.save(make_result("doc-9", surname_conf=0.42).to_dict(), "s3://in/doc-9.jpg")
    doc = store.get("doc-9")
    assert doc is not None
    assert doc.status == "to_review"
    assert doc.reasons == ["check_failed:expiry"]
    assert doc.min_confidence == pytest.approx(0.42)
    assert doc.model_version == "ie-2026.11"
    assert doc.received_at.tzinfo is not None
    surname = next(f for f in doc.fields if f.name == "surname")
    assert surname.box == [[1.0, 2.0], [30.0, 2.0], [30.0, 12.0], [1.0, 12.0]]
    assert surname.source == "visual+mrz"
    assert surname.predicted_value == "DOE"
    assert {c.name: c.status for c in doc.checks} == {"mrz_check_digits": "pass", "expiry": "fail"}
    assert doc.result is not None and doc.result["document_id"] == "doc-9"


def test_unknown_review_status_is_stored_as_to_review(store: ResultStore) -> None:
    result = make_result("doc-2")
    result.review = Review("maybe", [])
    store.save(result)
    doc = store.get("doc-2")
    assert doc is not None and doc.status == "to_review"


@pytest.mark.parametrize(
    "bad",
    [
        {"document_type": "passport"},
        {"document_id": "x", "fields": {"surname": {"confidence": 0.5}}},
        {"document_id": "x", "checks": [{"name": "expiry", "status": "broken"}]},
    ],
)
def test_results_breaking_the_contract_are_invalid_messages(
    store: ResultStore, bad: dict[str, object]
) -> None:
    with pytest.raises(InvalidMessage):
        store.save(bad)
    assert store.count() == 0


def test_store_reopens_existing_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    first = ResultStore(url)
    first.save(make_result("doc-1"))
    first.close()
    second = ResultStore(url)
    assert not second.save(make_result("doc-1"))
    assert second.count() == 1
    second.close()
