"""Import a Label Studio JSON export (OCR template: rectangles + transcription + labels).

Label Studio's OCR labelling config gives, per region, results that share one ``id``: a
``rectangle`` (or ``rectanglelabels`` / 4-point ``polygon``) in percent of the original
image, a ``textarea`` with the transcription, and ``labels`` with the field label.
Rectangles rotate clockwise (degrees) around their top-left corner.

Normalized values: from the task's ``data.fields`` when the task carries them (with
``data.kind``, ``data.mrz``, ``data.layout``); otherwise derived from the labelled lines
in reading order (:mod:`idstream.annotations.normalize`).
"""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from idstream.annotations.format import AnnotatedLine, Annotation, allowed_labels, save_annotation
from idstream.annotations.normalize import join_lines, normalize_field

__all__ = ["LabelStudioResult", "import_label_studio", "task_to_annotation"]

_IMAGE_KEYS = ("image", "ocr", "img", "url")


@dataclass(slots=True)
class LabelStudioResult:
    """What one task became, and what could not be imported."""

    task: str
    annotation: Annotation | None
    path: Path | None
    unknown_labels: list[str] = field(default_factory=list)
    unreadable_fields: list[str] = field(default_factory=list)
    error: str = ""


def _quad(value: dict[str, Any], kind: str, width: int, height: int) -> list[list[float]] | None:
    if kind == "polygon":
        points = value.get("points") or []
        if len(points) != 4:
            return None
        return [[float(x) * width / 100.0, float(y) * height / 100.0] for x, y in points]
    x, y = float(value["x"]) * width / 100.0, float(value["y"]) * height / 100.0
    w, h = float(value["width"]) * width / 100.0, float(value["height"]) * height / 100.0
    r = math.radians(float(value.get("rotation", 0.0)))
    c, s = math.cos(r), math.sin(r)
    return [[x, y], [x + w * c, y + w * s], [x + w * c - h * s, y + w * s + h * c], [x - h * s, y + h * c]]


def _image_name(data: dict[str, Any]) -> str | None:
    for key in (*_IMAGE_KEYS, *data):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value.rsplit("/", 1)[-1].split("?", 1)[0]
    return None


def task_to_annotation(
    task: dict[str, Any], *, kind: str = "id_card", schema: str = "identity", date_order: str = "DMY"
) -> tuple[Annotation, list[str], list[str]]:
    """Convert one exported task.

    Returns:
        The annotation (``image`` is the bare file name), the unknown labels (imported
        as ``other``), the fields whose value could not be normalized (left out).

    Raises:
        ValueError: when the task has no annotation with regions or no image size.
    """
    data = task.get("data") or {}
    runs = [a for a in task.get("annotations") or task.get("completions") or [] if not a.get("was_cancelled")]
    results: list[dict[str, Any]] = runs[-1].get("result", []) if runs else []
    regions: dict[str, dict[str, Any]] = {}
    size: tuple[int, int] | None = None
    for item in results:
        rid = str(item.get("id", len(regions)))
        region = regions.setdefault(rid, {})
        value = item.get("value") or {}
        rtype = item.get("type", "")
        if "original_width" in item and "original_height" in item:
            size = (int(item["original_width"]), int(item["original_height"]))
            region["size"] = size
        if rtype in ("rectangle", "rectanglelabels", "polygon", "polygonlabels") or "x" in value:
            region["value"], region["type"] = value, "polygon" if rtype.startswith("polygon") else "rectangle"
        if "text" in value:
            texts = value["text"]
            region["text"] = " ".join(texts) if isinstance(texts, list) else str(texts)
        for key in ("labels", "rectanglelabels", "polygonlabels"):
            if value.get(key):
                region["label"] = str(value[key][0])
    if size is None:
        raise ValueError("task has no region with original_width/original_height")
    kind = str(data.get("kind", kind))
    allowed = set(allowed_labels(schema))
    lines: list[AnnotatedLine] = []
    unknown: list[str] = []
    for region in regions.values():
        if "value" not in region or not region.get("text", "").strip():
            continue
        w, h = region.get("size", size)
        quad = _quad(region["value"], region["type"], w, h)
        if quad is None:
            continue
        label = region.get("label", "other")
        if label not in allowed:
            unknown.append(label)
            label = "other"
        lines.append(AnnotatedLine(quad, " ".join(region["text"].split()), label))
    lines.sort(key=lambda ln: (min(p[1] for p in ln.quad), min(p[0] for p in ln.quad)))
    unreadable: list[str] = []
    if isinstance(data.get("fields"), dict):
        fields = {str(k): str(v) for k, v in data["fields"].items()}
    else:
        fields = {}
        for name in dict.fromkeys(
            ln.label for ln in _reading_order(lines) if ln.label not in ("other", "mrz")
        ):
            text = join_lines(name, [ln.text for ln in _reading_order(lines) if ln.label == name])
            value = normalize_field(name, text, date_order=date_order) if schema == "identity" else text
            if value is None:
                unreadable.append(name)
            else:
                fields[name] = value
    mrz = data.get("mrz")
    if mrz is None:
        mrz_lines = [ln.text.replace(" ", "") for ln in lines if ln.label == "mrz"]
        mrz = mrz_lines or None
    annotation = Annotation(
        image=_image_name(data),
        image_size=size,
        kind=kind,
        schema=schema,
        lines=lines,
        fields=fields,
        mrz=mrz,
        layout=data.get("layout"),
        meta={"source": "label-studio", "task": task.get("id")},
    )
    return annotation, sorted(set(unknown)), unreadable


def _reading_order(lines: list[AnnotatedLine]) -> list[AnnotatedLine]:
    """Top to bottom; lines whose vertical centres are within half a line height count as one row."""

    def key(ln: AnnotatedLine) -> tuple[float, float]:
        ys = [p[1] for p in ln.quad]
        return ((min(ys) + max(ys)) / 2, min(p[0] for p in ln.quad))

    ordered = sorted(lines, key=key)
    rows: list[list[AnnotatedLine]] = []
    for ln in ordered:
        ys = [p[1] for p in ln.quad]
        centre, height = (min(ys) + max(ys)) / 2, max(ys) - min(ys)
        if rows:
            last = rows[-1][-1]
            lys = [p[1] for p in last.quad]
            if abs(centre - (min(lys) + max(lys)) / 2) < 0.5 * min(height, max(lys) - min(lys)):
                rows[-1].append(ln)
                continue
        rows.append([ln])
    return [ln for row in rows for ln in sorted(row, key=lambda r: min(p[0] for p in r.quad))]


def import_label_studio(
    export: str | Path,
    dst: str | Path,
    *,
    images: str | Path | None = None,
    kind: str = "id_card",
    schema: str = "identity",
    date_order: str = "DMY",
) -> Iterator[LabelStudioResult]:
    """Convert every task of a Label Studio JSON export.

    Args:
        export: the export file (a JSON list of tasks).
        dst: output folder (created); images found are copied there.
        images: folder holding the task images (default: the export's folder).
        kind: document kind when a task does not say (``data.kind``).
        schema: ``identity`` or ``receipt``.
        date_order: ``DMY`` or ``MDY`` for all-numeric printed dates.

    Yields:
        One :class:`LabelStudioResult` per task (with ``error`` for a task that cannot be converted).

    Raises:
        ValueError: when the export is not a JSON list of tasks.
    """
    export = Path(export)
    try:
        tasks = json.loads(export.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{export}: not JSON (line {exc.lineno})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ValueError(f"{export}: expected a JSON list of tasks")
    allowed_labels(schema)
    folder = Path(images) if images is not None else export.parent
    dst = Path(dst)
    dst.mkdir(parents=True, exist_ok=True)
    for number, task in enumerate(tasks):
        if not isinstance(task, dict):
            yield LabelStudioResult(str(number), None, None, error="task is not a JSON object")
            continue
        name = str(task.get("id", number))
        try:
            annotation, unknown, unreadable = task_to_annotation(
                task, kind=kind, schema=schema, date_order=date_order
            )
        except (ValueError, KeyError, TypeError) as exc:
            reason = str(exc) if isinstance(exc, ValueError) else f"malformed region ({type(exc).__name__})"
            yield LabelStudioResult(name, None, None, error=reason)
            continue
        stem = Path(annotation.image).stem if annotation.image else f"task-{name}"
        if annotation.image is not None:
            source = folder / annotation.image
            if source.is_file():
                shutil.copyfile(source, dst / annotation.image)
            else:
                annotation.image = None
        out = dst / f"{stem}.json"
        save_annotation(annotation, out)
        yield LabelStudioResult(name, annotation, out, unknown, unreadable)
