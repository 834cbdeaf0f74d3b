"""Read-side queries of the review application: the queue, daily counts and statistics."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, Text, cast, func, select
from sqlalchemy.orm import Session

from idstream.sink.models import DOCUMENT_STATUSES, Document, FieldRow, ReviewAction, utcnow
from idstream.sink.store import ResultStore

__all__ = [
    "MODERATED",
    "SORTS",
    "QueueFilter",
    "daily_counts",
    "facets",
    "list_queue",
    "next_document",
    "stats",
]

#: Statuses set by a person (the others are set by routing).
MODERATED: tuple[str, ...] = ("approved", "corrected", "rejected", "deleted")
#: Queue orders.
SORTS: tuple[str, ...] = ("confidence_asc", "confidence_desc", "newest", "oldest")


@dataclass(slots=True)
class QueueFilter:
    """What the queue shows.

    Attributes:
        status: a document status (``""`` for all).
        date_from: first day received (inclusive), UTC.
        date_to: last day received (inclusive), UTC.
        document_type: only this type.
        reason: only documents with a review reason starting with this (``low_confidence``,
            ``missing:surname``...).
        model_version: only documents from this model version.
        sort: one of :data:`SORTS`.
    """

    status: str = "to_review"
    date_from: date | None = None
    date_to: date | None = None
    document_type: str = ""
    reason: str = ""
    model_version: str = ""
    sort: str = "confidence_asc"

    def __post_init__(self) -> None:
        if self.status and self.status not in DOCUMENT_STATUSES:
            raise ValueError(f"unknown status {self.status!r}")
        if self.sort not in SORTS:
            raise ValueError(f"unknown sort {self.sort!r}")

    def apply(self, stmt: Select[Any]) -> Select[Any]:
        """Add the filter's conditions and order to ``stmt`` (a select over :class:`Document`)."""
        if self.status:
            stmt = stmt.where(Document.status == self.status)
        if self.date_from is not None:
            stmt = stmt.where(Document.received_at >= datetime.combine(self.date_from, time.min, tzinfo=UTC))
        if self.date_to is not None:
            end = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)
            stmt = stmt.where(Document.received_at < end)
        if self.document_type:
            stmt = stmt.where(Document.document_type == self.document_type)
        if self.model_version:
            stmt = stmt.where(Document.model_version == self.model_version)
        if self.reason:
            # JSON arrays are stored as text in both dialects' plain JSON; match the quoted reason.
            pattern = f'%"{_escape_like(self.reason)}%'
            stmt = stmt.where(cast(Document.reasons, Text).like(pattern, escape="\\"))
        conf = func.coalesce(Document.min_confidence, -1.0)
        order = {
            "confidence_asc": (conf.asc(), Document.received_at.asc()),
            "confidence_desc": (conf.desc(), Document.received_at.asc()),
            "newest": (Document.received_at.desc(),),
            "oldest": (Document.received_at.asc(),),
        }[self.sort]
        return stmt.order_by(*order, Document.id)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_queue(
    session: Session, flt: QueueFilter, limit: int = 50, offset: int = 0
) -> tuple[list[Document], int]:
    """One page of the queue and the total number of matching documents."""
    total = session.scalar(flt.apply(select(func.count(Document.id))).order_by(None)) or 0
    docs = list(session.scalars(flt.apply(select(Document)).limit(limit).offset(offset)))
    return docs, int(total)


def next_document(session: Session, flt: QueueFilter, exclude: str = "") -> str | None:
    """The id of the first document still to review in the queue ``flt`` (other than ``exclude``)."""
    to_review = QueueFilter(
        status="to_review",
        date_from=flt.date_from,
        date_to=flt.date_to,
        document_type=flt.document_type,
        reason=flt.reason,
        model_version=flt.model_version,
        sort=flt.sort,
    )
    stmt = to_review.apply(select(Document.id))
    if exclude:
        stmt = stmt.where(Document.id != exclude)
    return session.scalars(stmt.limit(1)).first()


def facets(session: Session) -> dict[str, list[str]]:
    """The distinct document types and model versions, for the filter menus."""
    types = session.scalars(select(Document.document_type).distinct().order_by(Document.document_type))
    versions = session.scalars(select(Document.model_version).distinct().order_by(Document.model_version))
    return {"document_types": list(types), "model_versions": [v for v in versions if v]}


def daily_counts(session: Session, days: int = 14, today: date | None = None) -> list[dict[str, Any]]:
    """Per day received (UTC): documents moderated by a person, and not (to review or auto-approved)."""
    today = today or utcnow().date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, time.min, tzinfo=UTC)
    rows = session.execute(
        select(Document.received_at, Document.status).where(Document.received_at >= start)
    ).all()
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for received, status in rows:
        per_day[received.date()][status] += 1
    out = []
    for i in range(days):
        day = first + timedelta(days=i)
        c = per_day.get(day, Counter())
        moderated = sum(c[s] for s in MODERATED)
        out.append(
            {
                "day": day.isoformat(),
                "received": sum(c.values()),
                "moderated": moderated,
                "not_moderated": sum(c.values()) - moderated,
                "auto_approved": c["auto_approved"],
                "to_review": c["to_review"],
            }
        )
    return out


def stats(session: Session, days: int = 14) -> dict[str, Any]:
    """Throughput, auto-approval rate, corrections per field and accuracy per model version.

    Accuracy is measured on documents a person approved or corrected: a predicted field
    counts as right unless the reviewer marked it wrong, corrected or deleted it; a field the
    reviewer had to fill counts as an error (a miss).
    """
    per_day = daily_counts(session, days)
    for row in per_day:
        row["auto_approval_rate"] = row["auto_approved"] / row["received"] if row["received"] else None
    reviewed_per_day: Counter[str] = Counter()
    since = datetime.combine(utcnow().date() - timedelta(days=days - 1), time.min, tzinfo=UTC)
    for (at,) in session.execute(
        select(ReviewAction.at).where(ReviewAction.action == "approve", ReviewAction.at >= since)
    ):
        reviewed_per_day[at.date().isoformat()] += 1
    for row in per_day:
        row["reviewed"] = reviewed_per_day.get(row["day"], 0)
    corrections: Counter[str] = Counter()
    for name, n in session.execute(
        select(FieldRow.name, func.count())
        .where(FieldRow.status.in_(("wrong", "corrected", "added", "deleted")))
        .group_by(FieldRow.name)
    ):
        corrections[str(name)] = int(n)
    accuracy: dict[str, dict[str, float | int]] = {}
    rows = session.execute(
        select(Document.model_version, FieldRow.status)
        .join(FieldRow, FieldRow.document_id == Document.id)
        .where(Document.status.in_(("approved", "corrected")))
    ).all()
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    for version, status in rows:
        tally[version or "unknown"][status] += 1
    for version, c in sorted(tally.items()):
        total = sum(c.values())
        right = c["unreviewed"] + c["correct"]
        accuracy[version] = {"fields": total, "right": right, "accuracy": right / total if total else 0.0}
    return {
        "per_day": per_day,
        "corrections_per_field": dict(corrections.most_common()),
        "accuracy_per_model_version": accuracy,
    }


def review_backlog(store: ResultStore) -> tuple[int, float]:
    """Documents waiting for a reviewer, and the age in seconds of the oldest (0 when none)."""
    with store.session() as session:
        count, oldest = session.execute(
            select(func.count(Document.id), func.min(Document.received_at)).where(
                Document.status == "to_review"
            )
        ).one()
    if not count or oldest is None:
        return 0, 0.0
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return int(count), max(0.0, (datetime.now(UTC) - oldest).total_seconds())
