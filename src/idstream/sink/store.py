"""The results store: every document result, persisted once.

``ResultStore(url)`` opens a SQLAlchemy engine (SQLite by default, PostgreSQL in
deployments), brings the schema to the latest Alembic revision and saves results
idempotently: :meth:`ResultStore.save` inserts a document only if its id is new
(``INSERT ... ON CONFLICT DO NOTHING``), so a redelivered message never creates a
second record and never overwrites a document a reviewer already worked on.

Example:
    >>> store = ResultStore("sqlite:///results.db")  # doctest: +SKIP
    >>> store.save(result.to_dict(), image_ref="s3://idstream/in/abc.jpg")  # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from idstream.document import DocumentResult
from idstream.errors import ConfigurationError, InvalidMessage, TransientError
from idstream.sink.models import CheckRow, Document, FieldRow, ModelVersion, utcnow

__all__ = ["DEFAULT_DB_URL", "ResultStore", "document_row", "upgrade"]

#: The embedded default: a SQLite file in the working directory.
DEFAULT_DB_URL = "sqlite:///idstream-results.db"
# Advisory lock id serializing migrations on PostgreSQL ("idstrm" in ASCII).
_MIGRATION_LOCK = 0x696473747270


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the Alembic migrations of :mod:`idstream.sink.migrations` to ``engine``.

    Args:
        engine: the database to migrate.
        revision: target revision (``"head"`` for the latest).
    """
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    location = resources.files("idstream.sink").joinpath("migrations")
    cfg.set_main_option("script_location", str(location))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Several sink workers may start at once: one migrates, the others wait, then find it done.
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _enable_sqlite_foreign_keys(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        # Write-ahead log: one fsync per commit instead of several, and readers (the review
        # app) do not block the writer (the sink). synchronous stays FULL: a saved result survives.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()


def document_row(data: Mapping[str, Any], image_ref: str | None, received_at: datetime) -> dict[str, Any]:
    """The ``documents`` row of a result dict (validated through :class:`DocumentResult`)."""
    result = DocumentResult.from_dict(dict(data))
    status = result.review.status if result.review.status in ("auto_approved", "to_review") else "to_review"
    confidences = [fv.confidence for fv in result.fields.values()]
    return {
        "id": result.document_id,
        "document_type": result.document_type,
        "status": status,
        "reasons": list(result.review.reasons),
        "model_version": result.model_version,
        "image_ref": image_ref,
        "min_confidence": min(confidences) if confidences else None,
        "mrz": result.mrz,
        "quality": dict(result.quality),
        "timings_ms": dict(result.timings_ms),
        "result": result.to_dict(),
        "received_at": received_at,
    }


class ResultStore:
    """Results persisted in a SQL database.

    Args:
        url: a SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://user@host/db``).
        migrate: run the migrations up to the latest revision on start.
        echo: log SQL statements (debugging only: statements carry personal data).
    """

    def __init__(self, url: str = DEFAULT_DB_URL, *, migrate: bool = True, echo: bool = False) -> None:
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        try:
            self.engine: Engine = create_engine(url, echo=echo, pool_pre_ping=True)
        except Exception as exc:  # malformed URL, unknown driver
            raise ConfigurationError(f"results store: bad database URL ({type(exc).__name__})") from exc
        if self.engine.dialect.name == "sqlite":
            _enable_sqlite_foreign_keys(self.engine)
            db = self.engine.url.database
            if db and db != ":memory:":
                Path(db).parent.mkdir(parents=True, exist_ok=True)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            try:
                upgrade(self.engine)
            except OperationalError as exc:
                raise TransientError(f"results store unavailable ({type(exc.orig).__name__})") from exc

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return str(self.engine.dialect.name)

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except OperationalError as exc:
                session.rollback()
                raise TransientError(f"results store unavailable ({type(exc.orig).__name__})") from exc
            except BaseException:
                session.rollback()
                raise

    def _insert_ignore(self, table: Any, key: str) -> Any:
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as pg_insert

            return pg_insert(table).on_conflict_do_nothing(index_elements=[key])
        if self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as sqlite_insert

            return sqlite_insert(table).on_conflict_do_nothing(index_elements=[key])
        return insert(table)

    def save(
        self,
        result: Mapping[str, Any] | DocumentResult,
        image_ref: str | None = None,
        *,
        received_at: datetime | None = None,
    ) -> bool:
        """Persist one result unless its document id is already stored.

        Args:
            result: a :class:`DocumentResult` or its ``to_dict()`` JSON.
            image_ref: where the original image is (``s3://bucket/key`` or a file path).
            received_at: when the document arrived (default: now, UTC).

        Returns:
            ``True`` if the document was new, ``False`` if it was a redelivery (nothing changed).

        Raises:
            InvalidMessage: the result does not follow the contract.
            TransientError: the database is unreachable (retry).
        """
        data = result.to_dict() if isinstance(result, DocumentResult) else result
        try:
            row = document_row(data, image_ref, received_at or utcnow())
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidMessage(f"result does not follow the contract ({type(exc).__name__})") from exc
        doc_id = row["id"]
        fields = [
            {
                "document_id": doc_id,
                "name": name,
                "value": fv["value"],
                "raw": fv["raw"],
                "confidence": fv["confidence"],
                "box": fv["box"],
                "source": fv["source"],
                "status": "unreviewed",
                "predicted_value": fv["value"],
            }
            for name, fv in row["result"]["fields"].items()
        ]
        checks = [{"document_id": doc_id, **c} for c in row["result"]["checks"]]
        try:
            with self.engine.begin() as conn:
                try:
                    stmt = self._insert_ignore(Document.__table__, "id").values(**row)
                    # RETURNING tells reliably whether the row was inserted (rowcount is -1 on psycopg).
                    inserted = conn.execute(stmt.returning(Document.__table__.c.id)).first()
                except IntegrityError:  # dialects without ON CONFLICT
                    return False
                if inserted is None:
                    return False
                if fields:
                    conn.execute(insert(FieldRow), fields)
                if checks:
                    conn.execute(insert(CheckRow), checks)
                if row["model_version"]:
                    conn.execute(
                        self._insert_ignore(ModelVersion.__table__, "version").values(
                            version=row["model_version"], first_seen=row["received_at"]
                        )
                    )
        except OperationalError as exc:
            raise TransientError(f"results store unavailable ({type(exc.orig).__name__})") from exc
        except IntegrityError:
            # A concurrent writer inserted the same id between our statements (non-upsert dialects).
            return False
        return True

    def get(self, document_id: str) -> Document | None:
        """The stored document with its fields and checks, or ``None``."""
        with self._sessions() as session:
            stmt = (
                select(Document)
                .where(Document.id == document_id)
                .options(selectinload(Document.fields), selectinload(Document.checks))
            )
            return session.scalars(stmt).first()

    def exists(self, document_id: str) -> bool:
        """Whether a document with this id is stored (a cheap redelivery check)."""
        with self._sessions() as session:
            return session.scalar(select(Document.id).where(Document.id == document_id)) is not None

    def count(self) -> int:
        """How many documents are stored (deleted ones included)."""
        from sqlalchemy import func

        with self._sessions() as session:
            return int(session.scalar(select(func.count()).select_from(Document)) or 0)
