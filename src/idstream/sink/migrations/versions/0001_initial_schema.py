"""Initial schema: documents, fields, checks, review actions, annotations, model versions, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

__all__ = ["downgrade", "upgrade"]

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _json() -> sa.types.TypeEngine[object]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _ts() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "documents",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("document_type", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reasons", _json(), nullable=False),
        sa.Column("model_version", sa.String(length=128), nullable=False),
        sa.Column("image_ref", sa.Text(), nullable=True),
        sa.Column("min_confidence", sa.Float(), nullable=True),
        sa.Column("mrz", _json(), nullable=True),
        sa.Column("quality", _json(), nullable=False),
        sa.Column("timings_ms", _json(), nullable=False),
        sa.Column("result", _json(), nullable=True),
        sa.Column("received_at", _ts(), nullable=False),
        sa.Column("reviewed_at", _ts(), nullable=True),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_documents_document_type", "documents", ["document_type"])
    op.create_index("ix_documents_model_version", "documents", ["model_version"])
    op.create_index("ix_documents_received", "documents", ["received_at"])
    op.create_index("ix_documents_status_received", "documents", ["status", "received_at"])
    op.create_table(
        "model_versions",
        sa.Column("version", sa.String(length=128), nullable=False),
        sa.Column("first_seen", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("version"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _ts(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "annotations",
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("updated_at", _ts(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("data", _json(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("document_id"),
    )
    op.create_index("ix_annotations_updated_at", "annotations", ["updated_at"])
    op.create_table(
        "checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("fields", _json(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_checks_document_id", "checks", ["document_id"])
    op.create_table(
        "fields",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("box", _json(), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("predicted_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "name", name="uq_fields_document_name"),
    )
    op.create_index("ix_fields_document_id", "fields", ["document_id"])
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("document_id", sa.String(length=128), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at", _ts(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("before", _json(), nullable=True),
        sa.Column("after", _json(), nullable=True),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_review_actions_at", "review_actions", ["at"])
    op.create_index("ix_review_actions_document_id", "review_actions", ["document_id"])


def downgrade() -> None:
    """Drop every table."""
    for table in (
        "review_actions",
        "fields",
        "checks",
        "annotations",
        "users",
        "model_versions",
        "documents",
    ):
        op.drop_table(table)
