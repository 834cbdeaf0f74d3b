"""Reviewer actions, queue queries, statistics and the annotation export on SQLite."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from idstream.document import Check, DocumentResult, FieldValue, Review
from idstream.errors import NotFound
from idstream.review import actions
from idstream.review.queries import QueueFilter, daily_counts, list_queue, next_document, stats
from idstream.sink.annotations_export import export_annotations
from idstream.sink.models import Annotation, Document, ReviewAction
from idstream.sink.store import ResultStore

BOX = ((10.0, 10.0), (90.0, 10.0), (90.0, 30.0), (10.0, 30.0))


def _result(doc_id: str, conf: float, status: str, reasons: list[str], version: str = "m1") -> DocumentResult:
    return DocumentResult(
        document_id=doc_id,
        document_type="passport" if doc_id.endswith("p") else "id_card",
        fields={
            "surname": FieldValue("DOE", "DOE", conf, BOX),
            "given_names": FieldValue("JANE", "JANE", 0.99, BOX),
        },
        mrz={"lines": ["P<UTODOE<<JANE"]},
        checks=[Check("expiry", "pass")],
        review=Review(status, reasons),
        model_version=version,
    )


@pytest.fixture()
def store(tmp_path: Path) -> ResultStore:
    s = ResultStore(f"sqlite:///{tmp_path / 'r.db'}")
    now = datetime.now(UTC)
    s.save(
        _result("a", 0.5, "to_review", ["low_confidence:surname"]), str(tmp_path / "a.png"), received_at=now
    )
    s.save(
        _result("b", 0.7, "to_review", ["missing:date_of_birth"]), None, received_at=now - timedelta(days=1)
    )
    s.save(_result("c-p", 0.95, "auto_approved", [], "m2"), None, received_at=now - timedelta(days=2))
    s.save(_result("d", 0.6, "to_review", ["audit_sample"], "m2"), None, received_at=now - timedelta(days=3))
    return s


def test_queue_filters_and_sorting(store: ResultStore) -> None:
    with store.session() as s:
        docs, total = list_queue(s, QueueFilter())
        assert [d.id for d in docs] == ["a", "d", "b"] and total == 3  # lowest confidence first
        docs, _ = list_queue(s, QueueFilter(sort="confidence_desc"))
        assert [d.id for d in docs] == ["b", "d", "a"]
        assert [d.id for d in list_queue(s, QueueFilter(status=""))[0]] == ["a", "d", "b", "c-p"]
        assert [d.id for d in list_queue(s, QueueFilter(status="", reason="missing"))[0]] == ["b"]
        assert [d.id for d in list_queue(s, QueueFilter(status="", reason="low_confidence:surname"))[0]] == [
            "a"
        ]
        assert [d.id for d in list_queue(s, QueueFilter(status="", model_version="m2"))[0]] == ["d", "c-p"]
        assert [d.id for d in list_queue(s, QueueFilter(status="", document_type="passport"))[0]] == ["c-p"]
        today = datetime.now(UTC).date()
        two_days = QueueFilter(status="", date_from=today - timedelta(days=1), date_to=today, sort="newest")
        assert [d.id for d in list_queue(s, two_days)[0]] == ["a", "b"]
        assert next_document(s, QueueFilter(), exclude="a") == "d"
    with pytest.raises(ValueError):
        QueueFilter(status="pending")


def test_correct_add_approve_records_actions_and_annotation(store: ResultStore) -> None:
    with store.session() as s:
        actions.correct_field(s, "a", "surname", "rita", "DOE-SMITH", raw="DOE SMITH")
        actions.mark_field(s, "a", "given_names", "rita", correct=True)
        actions.add_field(
            s, "a", "date_of_birth", "rita", "1990-01-02", [[1, 1], [5, 1], [5, 3], [1, 3]], "02.01.1990"
        )
        with pytest.raises(actions.ActionError):
            actions.add_field(s, "a", "surname", "rita", "X", [[1, 1], [5, 1], [5, 3], [1, 3]])
        with pytest.raises(NotFound):
            actions.mark_field(s, "a", "nationality", "rita", correct=False)
        doc = actions.approve_document(s, "a", "rita", (100, 60))
        assert doc.status == "corrected"
    with store.session() as s:
        acts = list(
            s.scalars(select(ReviewAction).where(ReviewAction.document_id == "a").order_by(ReviewAction.id))
        )
        assert [a.action for a in acts] == ["correct", "mark_correct", "add_field", "approve"]
        assert acts[0].before == {
            "value": "DOE",
            "raw": "DOE",
            "box": [list(p) for p in BOX],
            "status": "unreviewed",
        }
        assert acts[0].after is not None and acts[0].after["raw"] == "DOE SMITH"
        ann = s.get(Annotation, "a")
        assert ann is not None
        assert ann.data["fields"] == {
            "surname": "DOE-SMITH",
            "given_names": "JANE",
            "date_of_birth": "1990-01-02",
        }
        assert ann.data["image_size"] == [100, 60]
        assert {line["label"]: line["text"] for line in ann.data["lines"]}["date_of_birth"] == "02.01.1990"
        assert ann.data["mrz"] == ["P<UTODOE<<JANE"]


def test_values_are_normalized_like_the_output(store: ResultStore) -> None:
    with store.session() as s:
        row = actions.add_field(
            s, "a", "date_of_birth", "rita", "12.08.1974", [[1, 1], [5, 1], [5, 3], [1, 3]]
        )
        assert (row.value, row.raw) == ("1974-08-12", "12.08.1974")
        row = actions.correct_field(s, "a", "given_names", "rita", "  ANNA   MARIA ")
        assert row.value == "ANNA MARIA"
        with pytest.raises(actions.ActionError) as exc:
            actions.correct_field(s, "a", "date_of_birth", "rita", "31.02.1990")
        assert "31.02.1990" not in str(exc.value)


def test_plain_approval_and_rejection(store: ResultStore) -> None:
    with store.session() as s:
        assert actions.approve_document(s, "b", "rita").status == "approved"
        actions.correct_field(s, "d", "surname", "rita", "ROE")
        assert actions.reject_document(s, "d", "rita").status == "rejected"
        assert s.get(Annotation, "d") is None


def test_deleted_field_leaves_the_annotation(store: ResultStore) -> None:
    with store.session() as s:
        actions.delete_field(s, "a", "given_names", "rita")
        actions.approve_document(s, "a", "rita")
    with store.session() as s:
        ann = s.get(Annotation, "a")
        assert ann is not None and "given_names" not in ann.data["fields"]


def test_delete_document_erases_data_and_survives_redelivery(store: ResultStore, tmp_path: Path) -> None:
    with store.session() as s:
        actions.correct_field(s, "a", "surname", "rita", "SECRET")
        ref = actions.delete_document(s, "a", "admin")
    assert ref == str(tmp_path / "a.png")
    with store.session() as s:
        doc = actions.load_document(s, "a")
        assert doc.status == "deleted" and doc.fields == [] and doc.checks == [] and doc.result is None
        assert doc.image_ref is None and s.get(Annotation, "a") is None
        for act in s.scalars(select(ReviewAction).where(ReviewAction.document_id == "a")):
            assert "SECRET" not in json.dumps([act.before, act.after])
        with pytest.raises(actions.ActionError):
            actions.approve_document(s, "a", "rita")
    assert not store.save(_result("a", 0.5, "to_review", []))
    doc2 = store.get("a")
    assert doc2 is not None and doc2.status == "deleted" and doc2.fields == []


def test_daily_counts_and_stats(store: ResultStore) -> None:
    with store.session() as s:
        actions.correct_field(s, "a", "surname", "rita", "ROE")
        actions.approve_document(s, "a", "rita")
        actions.approve_document(s, "b", "rita")
    with store.session() as s:
        counts = daily_counts(s, 5)
        assert [c["received"] for c in counts] == [0, 1, 1, 1, 1]
        assert [c["moderated"] for c in counts] == [0, 0, 0, 1, 1]
        assert counts[-1]["day"] == datetime.now(UTC).date().isoformat()
        data = stats(s, 5)
        assert data["corrections_per_field"] == {"surname": 1}
        # m1: a (1 of 2 fields corrected) + b (2 of 2 right) = 3 of 4.
        assert data["accuracy_per_model_version"]["m1"]["accuracy"] == pytest.approx(0.75)
        assert "m2" not in data["accuracy_per_model_version"]
        assert data["per_day"][2]["auto_approval_rate"] == pytest.approx(1.0)


def test_export_annotations_since(store: ResultStore, tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 20)
    with store.session() as s:
        actions.correct_field(s, "a", "surname", "rita", "ROE")
        actions.approve_document(s, "b", "rita")
        s.flush()
        ann = s.get(Annotation, "b")
        assert ann is not None
        ann.updated_at = datetime(2020, 1, 1, tzinfo=UTC)
    out = tmp_path / "out"
    with store.session() as s:
        since = datetime.combine(date(2024, 1, 1), datetime.min.time(), tzinfo=UTC)
        ids, missing = export_annotations(
            s, out, since, fetch_image=lambda ref: Path(ref).read_bytes(), image_size=lambda b: (9, 8)
        )
    assert ids == ["a"] and missing == []
    data = json.loads((out / "a.json").read_text())
    assert data["image"] == "a.png" and (out / "a.png").exists() and data["image_size"] == [9, 8]
    assert data["fields"]["surname"] == "ROE"
    manifest = [json.loads(line) for line in (out / "manifest.jsonl").read_text().splitlines()]
    assert [m["document_id"] for m in manifest] == ["a"]
    with store.session() as s:
        assert sorted(export_annotations(s, tmp_path / "all")[0]) == ["a", "b"]

        def unreachable(ref: str) -> bytes:
            raise NotFound("image not found")

        ids, missing = export_annotations(s, tmp_path / "gone", fetch_image=unreachable)
    assert missing == ["a"]  # b has no image reference at all
    assert json.loads((tmp_path / "gone" / "a.json").read_text())["image"] is None
    doc = store.get("a")
    assert doc is not None and isinstance(doc, Document)
