"""The results store on a real PostgreSQL server: migrations and idempotent saves."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from idstream.document import Check, DocumentResult, FieldValue, Review
from idstream.sink.models import Base, CheckRow, Document, FieldRow, ModelVersion
from idstream.sink.store import ResultStore

pytestmark = pytest.mark.integration


def _result(doc_id: str) -> DocumentResult:
    return DocumentResult(
        document_id=doc_id,
        document_type="id_card",
        fields={
            "surname": FieldValue("DOE", "DOE", 0.7, ((0, 0), (9, 0), (9, 3), (0, 3))),
            "date_of_birth": FieldValue("1990-01-02", "02.01.1990", 0.95),
        },
        checks=[Check("mrz_check_digits", "fail", "document number", ["document_number"])],
        review=Review("to_review", ["check_failed:mrz_check_digits"]),
        model_version="ie-1",
    )


def _counts(store: ResultStore) -> tuple[int, ...]:
    with store.session() as s:
        return tuple(
            int(s.scalar(select(func.count()).select_from(m)) or 0)
            for m in (Document, FieldRow, CheckRow, ModelVersion)
        )


def test_migrations_on_postgres_match_models(postgres_url: str) -> None:
    store = ResultStore(postgres_url)
    assert store.dialect == "postgresql"
    with store.engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0001"
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    store.close()


def test_redelivered_results_are_stored_once(postgres_url: str) -> None:
    store = ResultStore(postgres_url)
    results = [_result(f"pg-{i}").to_dict() for i in range(10)]
    assert [store.save(r, f"s3://in/{r['document_id']}") for r in results] == [True] * 10
    for _ in range(3):
        assert [store.save(r, "other") for r in results] == [False] * 10
    assert _counts(store) == (10, 20, 10, 1)
    doc = store.get("pg-3")
    assert (
        doc is not None
        and doc.image_ref == "s3://in/pg-3"
        and doc.reasons == ["check_failed:mrz_check_digits"]
    )
    store.close()


def test_concurrent_redelivery_creates_one_record(postgres_url: str) -> None:
    """Several sink workers receiving the same message at once: exactly one insert wins."""
    store = ResultStore(postgres_url)
    payload = _result("pg-race").to_dict()
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: store.save(payload), range(16)))
    assert outcomes.count(True) == 1
    assert _counts(store) == (1, 2, 1, 1)
    store.close()


def test_reopening_runs_no_migration_twice(postgres_url: str) -> None:
    ResultStore(postgres_url).close()
    store = ResultStore(postgres_url)
    assert store.save(_result("pg-x"))
    store.close()


@pytest.mark.timeout(120)
def test_concurrent_first_starts_migrate_once(postgres_url: str) -> None:
    """Sink workers starting together on an empty database: all succeed, the schema is created once."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        stores = list(pool.map(lambda _: ResultStore(postgres_url), range(4)))
    assert [s.save(_result("pg-m")) for s in stores].count(True) == 1
    with stores[0].engine.connect() as conn:
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1
    for s in stores:
        s.close()
