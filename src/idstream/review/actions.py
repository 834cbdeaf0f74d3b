"""Reviewer actions on a stored document.

Every action is one function taking an open session, the document id and the
user name; it changes the rows, appends a :class:`~idstream.sink.models.ReviewAction`
(who, when, what, value before and after) and keeps the document's training
annotation (:class:`~idstream.sink.models.Annotation`) in step, so every
correction is training data as soon as it is made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from idstream import metrics
from idstream.annotations.normalize import normalize_field
from idstream.errors import NotFound
from idstream.sink.annotations_export import build_annotation
from idstream.sink.models import Annotation, Document, FieldRow, ReviewAction, utcnow

__all__ = [
    "ActionError",
    "add_field",
    "approve_document",
    "correct_field",
    "delete_document",
    "delete_field",
    "load_document",
    "mark_field",
    "reject_document",
]

_CHANGED = ("wrong", "corrected", "added", "deleted")


class ActionError(ValueError):
    """The action does not apply to the document in its current state."""


def load_document(session: Session, document_id: str, *, for_update: bool = False) -> Document:
    """The document with its fields and checks.

    Raises:
        NotFound: no document has this id.
    """
    stmt = (
        select(Document)
        .where(Document.id == document_id)
        .options(selectinload(Document.fields), selectinload(Document.checks))
    )
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=Document)
    doc = session.scalars(stmt).first()
    if doc is None:
        raise NotFound("no such document")
    return doc


def _editable(session: Session, document_id: str) -> Document:
    doc = load_document(session, document_id, for_update=True)
    if doc.status == "deleted":
        raise ActionError("the document was deleted")
    return doc


def _field(doc: Document, name: str) -> FieldRow:
    for row in doc.fields:
        if row.name == name:
            return row
    raise NotFound(f"the document has no field {name!r}")


def _snapshot(row: FieldRow) -> dict[str, Any]:
    return {"value": row.value, "raw": row.raw, "box": row.box, "status": row.status}


def _log(
    session: Session, doc: Document, user: str, action: str, field: str | None, before: Any, after: Any
) -> None:
    session.add(
        ReviewAction(document_id=doc.id, user=user, action=action, field=field, before=before, after=after)
    )


def _refresh_annotation(
    session: Session, doc: Document, user: str, image_size: tuple[int, int] | None
) -> None:
    data = build_annotation(doc, image_size)
    ann = session.get(Annotation, doc.id)
    if ann is None:
        session.add(Annotation(document_id=doc.id, updated_by=user, data=data, updated_at=utcnow()))
    else:
        ann.data = data
        ann.updated_by = user
        ann.updated_at = utcnow()


def _normalized(name: str, value: str) -> str:
    """The value in the output's conventions (dates ISO 8601, sex M/F/X...), as the training data needs."""
    norm = normalize_field(name, value)
    if norm is None:
        raise ActionError(f"the value cannot be read as {name}")  # never echo the value: personal data
    return norm


def _check_box(box: Sequence[Sequence[float]] | None) -> list[list[float]] | None:
    if box is None:
        return None
    if len(box) != 4 or any(len(p) != 2 for p in box):
        raise ActionError("a box is four [x, y] points")
    return [[round(float(p[0]), 1), round(float(p[1]), 1)] for p in box]


def mark_field(
    session: Session,
    document_id: str,
    name: str,
    user: str,
    correct: bool,
    image_size: tuple[int, int] | None = None,
) -> FieldRow:
    """Mark a field's value correct or wrong."""
    doc = _editable(session, document_id)
    row = _field(doc, name)
    before = _snapshot(row)
    row.status = "correct" if correct else "wrong"
    _log(session, doc, user, "mark_correct" if correct else "mark_wrong", name, before, _snapshot(row))
    _refresh_annotation(session, doc, user, image_size)
    return row


def correct_field(
    session: Session,
    document_id: str,
    name: str,
    user: str,
    value: str,
    raw: str | None = None,
    box: Sequence[Sequence[float]] | None = None,
    image_size: tuple[int, int] | None = None,
) -> FieldRow:
    """Replace a field's value (and optionally its printed text and box).

    The value is normalized like the models' output (``12.08.1974`` becomes ``1974-08-12``);
    the printed text defaults to the value as typed.

    Raises:
        ActionError: the value cannot be read as this field (an impossible date, say).
    """
    doc = _editable(session, document_id)
    row = _field(doc, name)
    before = _snapshot(row)
    row.value = _normalized(name, value)
    row.raw = (raw if raw is not None and raw.strip() else value).strip()
    if box is not None:
        row.box = _check_box(box)
    row.status = "corrected"
    _log(session, doc, user, "correct", name, before, _snapshot(row))
    _refresh_annotation(session, doc, user, image_size)
    return row


def add_field(
    session: Session,
    document_id: str,
    name: str,
    user: str,
    value: str,
    box: Sequence[Sequence[float]],
    raw: str | None = None,
    image_size: tuple[int, int] | None = None,
) -> FieldRow:
    """Fill a field the models missed, with the box the reviewer drew."""
    if not name or not value.strip():
        raise ActionError("a filled field needs a name and a value")
    doc = _editable(session, document_id)
    existing = next((r for r in doc.fields if r.name == name), None)
    if existing is not None and existing.status != "deleted":
        raise ActionError(f"the document already has the field {name!r}")
    checked = _check_box(box)
    norm = _normalized(name, value)
    text = (raw if raw is not None and raw.strip() else value).strip()
    before = _snapshot(existing) if existing is not None else None
    if existing is None:
        row = FieldRow(name=name, value=norm, raw=text, confidence=None, box=checked, source="review")
        row.status = "added"
        doc.fields.append(row)
    else:
        row = existing
        row.value, row.raw, row.box, row.status = norm, text, checked, "corrected"
    _log(session, doc, user, "add_field", name, before, _snapshot(row))
    _refresh_annotation(session, doc, user, image_size)
    return row


def delete_field(
    session: Session, document_id: str, name: str, user: str, image_size: tuple[int, int] | None = None
) -> FieldRow:
    """Mark a field as wrongly extracted: it is not on the document (kept for accuracy statistics)."""
    doc = _editable(session, document_id)
    row = _field(doc, name)
    before = _snapshot(row)
    row.status = "deleted"
    _log(session, doc, user, "delete_field", name, before, _snapshot(row))
    _refresh_annotation(session, doc, user, image_size)
    return row


def approve_document(
    session: Session, document_id: str, user: str, image_size: tuple[int, int] | None = None
) -> Document:
    """Approve the document: ``corrected`` if a reviewer changed a field, else ``approved``."""
    doc = _editable(session, document_id)
    before = {"status": doc.status}
    doc.status = "corrected" if any(r.status in _CHANGED for r in doc.fields) else "approved"
    metrics.REVIEW_DECISIONS.labels(doc.status).inc()
    doc.reviewed_at = utcnow()
    doc.reviewed_by = user
    _log(session, doc, user, "approve", None, before, {"status": doc.status})
    _refresh_annotation(session, doc, user, image_size)
    return doc


def reject_document(session: Session, document_id: str, user: str) -> Document:
    """Reject the document (not a readable identity document); it leaves the training data."""
    doc = _editable(session, document_id)
    before = {"status": doc.status}
    doc.status = "rejected"
    metrics.REVIEW_DECISIONS.labels("rejected").inc()
    doc.reviewed_at = utcnow()
    doc.reviewed_by = user
    ann = session.get(Annotation, doc.id)
    if ann is not None:
        session.delete(ann)
        session.flush()
    _log(session, doc, user, "reject", None, before, {"status": doc.status})
    return doc


def delete_document(session: Session, document_id: str, user: str) -> str | None:
    """Erase the document's data: fields, checks, result, annotation and logged values.

    The row stays with status ``deleted`` (so a redelivered result cannot bring the
    data back) and the action log keeps who did what and when, without values.

    Returns:
        The image reference, for the caller to delete the image from the object store.
    """
    doc = _editable(session, document_id)
    image_ref = doc.image_ref
    before_status = doc.status
    doc.fields.clear()
    doc.checks.clear()
    doc.result = None
    doc.mrz = None
    doc.image_ref = None
    doc.status = "deleted"
    doc.reviewed_at = utcnow()
    doc.reviewed_by = user
    ann = session.get(Annotation, doc.id)
    if ann is not None:
        session.delete(ann)
        session.flush()
    session.execute(
        update(ReviewAction).where(ReviewAction.document_id == doc.id).values(before=None, after=None)
    )
    _log(session, doc, user, "delete_document", None, {"status": before_status}, {"status": "deleted"})
    return image_ref
