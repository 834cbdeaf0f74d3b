"""Erasure of one document: images, derived images, results, review records, exported annotations.

:func:`erase_document` deletes, for a document id:

* the original image ``ingest/<id>`` and the normalized image ``normalized/<id>.png``
  (and the original at the ``image_ref`` the results store recorded, if different);
* the rows of the results store: the document, its fields and checks, review actions
  and annotation;
* exported annotations (``<id>.json``, the copied image, its ``manifest.jsonl`` line)
  in the export directories given;

and appends one audit record (who, when, the id and the counts; no field values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from idstream.security.audit import AuditLog

__all__ = ["ErasureReport", "erase_document", "erase_exports", "erase_results"]

_SAFE_ID = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(slots=True)
class ErasureReport:
    """What :func:`erase_document` deleted."""

    document_id: str
    objects: list[str] = field(default_factory=list)
    rows: int = 0
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def erase_results(results: Any, document_id: str) -> tuple[int, str | None]:
    """Delete a document's rows from a :class:`~idstream.sink.store.ResultStore`.

    Returns:
        The number of rows deleted and the document's recorded ``image_ref``.
    """
    from sqlalchemy import delete, select

    from idstream.sink.models import Annotation, CheckRow, Document, FieldRow, ReviewAction

    with results.session() as session:
        image_ref = session.scalar(select(Document.image_ref).where(Document.id == document_id))
        rows = 0
        for table in (ReviewAction, Annotation, FieldRow, CheckRow):
            rows += session.execute(delete(table).where(table.document_id == document_id)).rowcount or 0
        rows += session.execute(delete(Document).where(Document.id == document_id)).rowcount or 0
    return rows, image_ref


def erase_exports(export_dir: Path, document_id: str) -> list[str]:
    """Delete a document's exported annotation, image and manifest line under ``export_dir``."""
    name = _SAFE_ID.sub("_", document_id)
    removed: list[str] = []
    if not export_dir.is_dir():
        return removed
    for path in export_dir.iterdir():
        if path.is_file() and (path.name == f"{name}.json" or (path.stem == name and path.suffix != ".json")):
            path.unlink()
            removed.append(str(path))
    manifest = export_dir / "manifest.jsonl"
    if manifest.is_file():
        lines = manifest.read_text(encoding="utf-8").splitlines()
        kept = [line for line in lines if line and json.loads(line).get("document_id") != document_id]
        if len(kept) != len([line for line in lines if line]):
            tmp = manifest.with_name(".manifest.jsonl.tmp")
            tmp.write_text("".join(line + "\n" for line in kept), encoding="utf-8")
            tmp.replace(manifest)
            removed.append(f"{manifest}#{document_id}")
    return removed


def erase_document(
    document_id: str,
    *,
    store: Any,
    audit: AuditLog,
    actor: str,
    results: Any | None = None,
    export_dirs: Sequence[Path] = (),
) -> ErasureReport:
    """Erase everything idstream keeps about ``document_id`` and audit it.

    Args:
        document_id: the document's id.
        store: the object store of the images.
        audit: where the audit record goes.
        actor: who asked for the erasure.
        results: the results store (``None``: no database to clean).
        export_dirs: directories of exported annotations.

    Returns:
        What was deleted.
    """
    from idstream.store.base import check_key

    check_key(f"ingest/{document_id}")  # refuses ids that could escape the bucket
    report = ErasureReport(document_id)
    refs = [store.ref_for(f"ingest/{document_id}"), store.ref_for(f"normalized/{document_id}.png")]
    if results is not None:
        report.rows, image_ref = erase_results(results, document_id)
        if image_ref and image_ref.startswith("s3://") and image_ref not in refs:
            refs.append(image_ref)
    for ref in refs:
        if store.exists(ref):
            store.delete(ref)
            report.objects.append(ref)
    for directory in export_dirs:
        report.files += erase_exports(Path(directory), document_id)
    audit.record(
        "erase",
        actor,
        document_id=document_id,
        objects=len(report.objects),
        rows=report.rows,
        files=len(report.files),
    )
    return report
