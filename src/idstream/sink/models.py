"""SQLAlchemy models of the results store.

Tables: ``documents`` (one row per document id, never two), ``fields`` and
``checks`` (what the models found), ``review_actions`` (who did what, when, with
the value before and after), ``annotations`` (the corrected document in the
training format, one per reviewed document), ``model_versions`` and ``users``.

The schema is created by the Alembic migrations in :mod:`idstream.sink.migrations`;
keep both in step (``tests/unit/sink/test_migrations.py`` compares them).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator, TypeEngine

__all__ = [
    "DOCUMENT_STATUSES",
    "FIELD_STATUSES",
    "ROLES",
    "Annotation",
    "Base",
    "CheckRow",
    "Document",
    "FieldRow",
    "ModelVersion",
    "ReviewAction",
    "User",
    "utcnow",
]

#: Document statuses: routing gives the first two, reviewers the others.
DOCUMENT_STATUSES: tuple[str, ...] = (
    "to_review",
    "auto_approved",
    "approved",
    "corrected",
    "rejected",
    "deleted",
)
#: Field statuses: ``unreviewed`` until a reviewer marks, corrects, adds or deletes it.
FIELD_STATUSES: tuple[str, ...] = ("unreviewed", "correct", "wrong", "corrected", "added", "deleted")
#: User roles.
ROLES: tuple[str, ...] = ("reviewer", "admin")

JSONType: TypeEngine[Any] = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the results store."""


class ModelVersion(Base):
    """A model version seen on at least one result."""

    __tablename__ = "model_versions"

    version: Mapped[str] = mapped_column(String(128), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Document(Base):
    """One processed document (keyed by the pipeline's document id)."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_status_received", "status", "received_at"),
        Index("ix_documents_received", "received_at"),
    )

    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    document_type: Mapped[str] = mapped_column(String(64), default="unknown", index=True)
    status: Mapped[str] = mapped_column(String(16), default="to_review")
    reasons: Mapped[list[str]] = mapped_column(JSONType, default=list)
    model_version: Mapped[str] = mapped_column(String(128), default="", index=True)
    image_ref: Mapped[str | None] = mapped_column(Text, nullable=True)
    min_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    mrz: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    quality: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    timings_ms: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    fields: Mapped[list[FieldRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="FieldRow.id"
    )
    checks: Mapped[list[CheckRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="CheckRow.id"
    )


class FieldRow(Base):
    """One field of a document, as extracted and as reviewed."""

    __tablename__ = "fields"
    __table_args__ = (UniqueConstraint("document_id", "name", name="uq_fields_document_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[str] = mapped_column(Text, default="")
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    box: Mapped[list[list[float]] | None] = mapped_column(JSONType, nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="visual")
    status: Mapped[str] = mapped_column(String(16), default="unreviewed")
    predicted_value: Mapped[str | None] = mapped_column(Text, nullable=True)

    document: Mapped[Document] = relationship(back_populates="fields")


class CheckRow(Base):
    """The outcome of one check on a document."""

    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[list[str]] = mapped_column(JSONType, default=list)

    document: Mapped[Document] = relationship(back_populates="checks")


class ReviewAction(Base):
    """One reviewer action: who, when, what, and the value before and after."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    user: Mapped[str] = mapped_column("username", String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    action: Mapped[str] = mapped_column(String(32))
    field: Mapped[str | None] = mapped_column(String(64), nullable=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)


class Annotation(Base):
    """The reviewed document in the training format (one per document, kept current)."""

    __tablename__ = "annotations"

    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)


class User(Base):
    """A person who may log in to the review application."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(16), default="reviewer")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
