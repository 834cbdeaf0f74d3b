"""The JSON API behind the review pages (documented at ``/openapi.json`` and ``/api``).

Every route needs a logged-in user; routes that change state also need the
session's CSRF token in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from idstream.errors import NotFound
from idstream.review import actions
from idstream.review.deps import ReviewContext, context, csrf_checked, current_user, db_session, require_admin
from idstream.review.queries import QueueFilter, daily_counts, list_queue, next_document, stats
from idstream.sink.annotations_export import image_suffix
from idstream.sink.models import Document, FieldRow, User

__all__ = ["BadRequest", "document_json", "queue_filter", "router"]

router = APIRouter(prefix="/api", tags=["review"])

Box = list[list[float]]
_MEDIA = {".jpg": "image/jpeg", ".png": "image/png", ".tif": "image/tiff", ".webp": "image/webp"}


class BadRequest(ValueError):
    """A query parameter is malformed (400)."""


class MarkBody(BaseModel):
    """Mark a field's value correct or wrong."""

    correct: bool


class CorrectBody(BaseModel):
    """A corrected value; ``raw`` (the printed text) defaults to ``value``."""

    value: str = Field(max_length=512)
    raw: str | None = Field(default=None, max_length=512)
    box: Box | None = None


class AddFieldBody(BaseModel):
    """A field the models missed, with the box drawn on the image (original-image pixels)."""

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    value: str = Field(min_length=1, max_length=512)
    raw: str | None = Field(default=None, max_length=512)
    box: Box


class DocumentStatus(BaseModel):
    """A document's status after an action, and the next document to review."""

    id: str
    status: str
    next: str | None = None


def _day(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise BadRequest(f"{name} must be YYYY-MM-DD") from exc


def queue_filter(
    status: str = "to_review",
    date_from: str = Query("", description="first day received, YYYY-MM-DD (UTC)"),
    date_to: str = Query("", description="last day received, YYYY-MM-DD (UTC)"),
    document_type: str = "",
    reason: str = Query("", description="review reason or its prefix: low_confidence, missing:surname..."),
    model_version: str = "",
    sort: Literal["confidence_asc", "confidence_desc", "newest", "oldest"] = "confidence_asc",
) -> QueueFilter:
    """The queue filter from query parameters (``status=""`` for every status; empty values mean any)."""
    try:
        return QueueFilter(
            status,
            _day(date_from, "date_from"),
            _day(date_to, "date_to"),
            document_type,
            reason,
            model_version,
            sort,
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from exc


def _field_json(row: FieldRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "value": row.value,
        "raw": row.raw,
        "confidence": row.confidence,
        "box": row.box,
        "source": row.source,
        "status": row.status,
        "predicted_value": row.predicted_value,
    }


def document_json(doc: Document, full: bool = True) -> dict[str, Any]:
    """A stored document as JSON (``full``: with fields, checks, MRZ and quality)."""
    out: dict[str, Any] = {
        "id": doc.id,
        "document_type": doc.document_type,
        "status": doc.status,
        "reasons": doc.reasons,
        "model_version": doc.model_version,
        "min_confidence": doc.min_confidence,
        "received_at": doc.received_at.isoformat(),
        "reviewed_at": doc.reviewed_at.isoformat() if doc.reviewed_at else None,
        "reviewed_by": doc.reviewed_by,
        "has_image": bool(doc.image_ref),
    }
    if full:
        out["fields"] = [_field_json(r) for r in doc.fields]
        out["checks"] = [
            {"name": c.name, "status": c.status, "detail": c.detail, "fields": c.fields} for c in doc.checks
        ]
        out["mrz"] = doc.mrz
        out["quality"] = doc.quality
    return out


@router.get("/documents", summary="List the queue")
def get_queue(
    flt: QueueFilter = Depends(queue_filter),  # noqa: B008
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    _user: User = Depends(current_user),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> dict[str, Any]:
    """Documents matching the filters, in the requested order, with the total count."""
    docs, total = list_queue(session, flt, limit, offset)
    return {"total": total, "documents": [document_json(d, full=False) for d in docs]}


@router.get("/next", summary="Next document to review")
def get_next(
    exclude: str = "",
    flt: QueueFilter = Depends(queue_filter),  # noqa: B008
    _user: User = Depends(current_user),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> dict[str, str | None]:
    """The first document still to review under the same filters (``null`` when the queue is empty)."""
    return {"next": next_document(session, flt, exclude)}


@router.get("/documents/{document_id}", summary="One document")
def get_document(
    document_id: str,
    _user: User = Depends(current_user),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> dict[str, Any]:
    """The document with its fields (value, raw text, confidence, box, source, review status) and checks."""
    return document_json(actions.load_document(session, document_id))


@router.get("/documents/{document_id}/image", summary="The document's image", response_class=Response)
def get_image(
    document_id: str,
    _user: User = Depends(current_user),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> Response:
    """The original image bytes, from the object store."""
    doc = actions.load_document(session, document_id)
    if not doc.image_ref:
        raise NotFound("the document has no image")
    data = ctx.images.get(doc.image_ref)
    media = _MEDIA.get(image_suffix(data), "application/octet-stream")
    return Response(data, media_type=media, headers={"Cache-Control": "private, max-age=300"})


def _status(doc: Document, session: Session) -> DocumentStatus:
    return DocumentStatus(id=doc.id, status=doc.status, next=next_document(session, QueueFilter(), doc.id))


@router.post("/documents/{document_id}/fields/{name}/mark", summary="Mark a field correct or wrong")
def mark_field(
    document_id: str,
    name: str,
    body: MarkBody,
    user: User = Depends(csrf_checked),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Record the reviewer's verdict on a field's value."""
    size = ctx.size_of(actions.load_document(session, document_id).image_ref)
    return _field_json(actions.mark_field(session, document_id, name, user.username, body.correct, size))


@router.put("/documents/{document_id}/fields/{name}", summary="Correct a field")
def correct_field(
    document_id: str,
    name: str,
    body: CorrectBody,
    user: User = Depends(csrf_checked),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Replace a field's value (and optionally its printed text and box)."""
    size = ctx.size_of(actions.load_document(session, document_id).image_ref)
    row = actions.correct_field(
        session, document_id, name, user.username, body.value, body.raw, body.box, size
    )
    return _field_json(row)


@router.post("/documents/{document_id}/fields", summary="Fill a missing field", status_code=201)
def add_field(
    document_id: str,
    body: AddFieldBody,
    user: User = Depends(csrf_checked),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Add a field the models missed, with the box the reviewer drew."""
    size = ctx.size_of(actions.load_document(session, document_id).image_ref)
    row = actions.add_field(
        session, document_id, body.name, user.username, body.value, body.box, body.raw, size
    )
    return _field_json(row)


@router.delete("/documents/{document_id}/fields/{name}", summary="Delete a wrong field")
def delete_field(
    document_id: str,
    name: str,
    user: User = Depends(csrf_checked),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> dict[str, Any]:
    """Mark a field as not on the document (a false detection)."""
    size = ctx.size_of(actions.load_document(session, document_id).image_ref)
    return _field_json(actions.delete_field(session, document_id, name, user.username, size))


@router.post("/documents/{document_id}/approve", summary="Approve a document")
def approve(
    document_id: str,
    user: User = Depends(csrf_checked),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> DocumentStatus:
    """Approve: status ``corrected`` if a field was changed, ``approved`` otherwise."""
    size = ctx.size_of(actions.load_document(session, document_id).image_ref)
    doc = actions.approve_document(session, document_id, user.username, size)
    session.flush()
    return _status(doc, session)


@router.post("/documents/{document_id}/reject", summary="Reject a document")
def reject(
    document_id: str,
    user: User = Depends(csrf_checked),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> DocumentStatus:
    """Reject: not a usable identity document."""
    doc = actions.reject_document(session, document_id, user.username)
    session.flush()
    return _status(doc, session)


@router.delete("/documents/{document_id}", summary="Delete a document (admin)")
def delete_document(
    document_id: str,
    user: User = Depends(require_admin),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
    ctx: ReviewContext = Depends(context),  # noqa: B008
) -> DocumentStatus:
    """Erase the image and the extracted data; the row stays, marked ``deleted``."""
    ref = actions.delete_document(session, document_id, user.username)
    if ref:
        ctx.images.delete(ref)
    session.flush()
    return DocumentStatus(
        id=document_id, status="deleted", next=next_document(session, QueueFilter(), document_id)
    )


@router.get("/counts", summary="Moderated and not moderated documents per day")
def get_counts(
    days: int = Query(14, ge=1, le=366),
    _user: User = Depends(current_user),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> list[dict[str, Any]]:
    """Per day received (UTC): documents moderated by a person and not."""
    return daily_counts(session, days)


@router.get("/stats", summary="Statistics")
def get_stats(
    days: int = Query(14, ge=1, le=366),
    _user: User = Depends(current_user),  # noqa: B008
    session: Session = Depends(db_session, scope="function"),  # noqa: B008
) -> dict[str, Any]:
    """Throughput and auto-approval rate per day, corrections per field, accuracy per model version."""
    return stats(session, days)
