"""Validate annotation files: the JSON Schema plus the checks a schema cannot express.

Every problem names the file, the line in it and the JSON path (``lines[3].quad``);
messages never repeat field values (they may be personal data).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idstream.annotations.format import IDENTITY_FIELDS, RECEIPT_FIELDS, allowed_labels
from idstream.annotations.jsonpos import JsonPath, format_path, parse_with_lines

__all__ = ["IMAGE_SUFFIXES", "SCHEMA_PATH", "Problem", "validate_data", "validate_file", "validate_tree"]

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "annotation.schema.json"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".webp")

_DATE_FIELDS = {"identity": ("date_of_birth", "date_of_issue", "date_of_expiry"), "receipt": ()}
_SCHEMA_FIELDS = {"identity": IDENTITY_FIELDS, "receipt": RECEIPT_FIELDS}
_COUNTRY = re.compile(r"^[A-Z][A-Z<]{2}$")
_MRZ_SHAPES = {(3, 30), (2, 36), (2, 44)}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: file, 1-based line (0: the file as a whole), JSON path, message."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "path": self.path, "message": self.message}


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


def _signed_area(quad: list[list[float]]) -> float:
    total = 0.0
    for i in range(4):
        x1, y1 = quad[i]
        x2, y2 = quad[(i + 1) % 4]
        total += x1 * y2 - x2 * y1
    return total / 2.0


def _iso_date(text: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def validate_data(data: Any, lines: dict[JsonPath, int], file: str, folder: Path | None) -> list[Problem]:
    """Problems of one parsed annotation.

    Args:
        data: the parsed JSON.
        lines: JSON path -> line, from :func:`~idstream.annotations.jsonpos.parse_with_lines`.
        file: the file name to report.
        folder: the annotation's folder, to check the image (``None``: skip image checks).
    """
    problems: list[Problem] = []

    def report(path: JsonPath, message: str) -> None:
        line = 0
        for cut in range(len(path), -1, -1):  # the deepest path that has a line
            if path[:cut] in lines:
                line = lines[path[:cut]]
                break
        problems.append(Problem(file, line, format_path(path), message))

    for error in sorted(_validator().iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        message = _schema_message(error)
        report(tuple(error.absolute_path), message)
    if problems or not isinstance(data, dict):
        return problems  # the checks below assume the structure is right

    schema = data.get("schema", "identity")
    labels = set(allowed_labels(schema))
    field_names = set(_SCHEMA_FIELDS[schema])
    width, height = data["image_size"]
    fields: dict[str, str] = data["fields"]
    for name, value in fields.items():
        if name not in field_names:
            report(("fields", name), f"unknown field {name!r} for schema {schema!r}")
        elif not value.strip():
            report(("fields", name), "empty value (leave the field out instead)")
        elif name in _DATE_FIELDS[schema] and not _iso_date(value):
            report(("fields", name), "not an ISO 8601 date (YYYY-MM-DD)")
        elif name == "sex" and value not in ("M", "F", "X"):
            report(("fields", name), "sex must be M, F or X")
        elif name in ("nationality", "issuing_country") and not _COUNTRY.match(value):
            report(("fields", name), "not an ICAO 3-letter country code")
    mrz_lines = 0
    for i, line in enumerate(data["lines"]):
        label = line["label"]
        if label not in labels:
            report(("lines", i, "label"), f"unknown label {label!r} for schema {schema!r}")
        elif label == "mrz":
            mrz_lines += 1
        elif label != "other" and label not in fields:
            report(("lines", i, "label"), f"line labelled {label!r} but fields has no {label!r}")
        if not line["text"].strip():
            report(("lines", i, "text"), "blank text")
        quad = line["quad"]
        for j, (x, y) in enumerate(quad):
            if not (-1.0 <= x <= width + 1.0 and -1.0 <= y <= height + 1.0):
                report(("lines", i, "quad", j), f"point lies outside the {width}x{height} image")
                break
        area = _signed_area(quad)
        if abs(area) < 1.0:
            report(("lines", i, "quad"), "degenerate quadrilateral (no area)")
        elif area < 0:
            report(("lines", i, "quad"), "points are counter-clockwise; expected clockwise from the top-left")
    mrz = data.get("mrz")
    if mrz is not None:
        shape = (len(mrz), len(mrz[0]))
        if shape not in _MRZ_SHAPES or any(len(m) != len(mrz[0]) for m in mrz):
            report(("mrz",), "MRZ must be 3 lines of 30, 2 of 36 or 2 of 44 characters")
    elif mrz_lines:
        report(("mrz",), f"{mrz_lines} line(s) labelled 'mrz' but mrz is null")
    distortion = data.get("distortion")
    if isinstance(distortion, dict):
        for j, (x, y) in enumerate(distortion["card_quad"]):
            if not (-1.0 <= x <= width + 1.0 and -1.0 <= y <= height + 1.0):
                report(("distortion", "card_quad", j), "card corner lies outside the image")
                break
    if folder is not None and data["image"] is not None:
        _check_image(folder / data["image"], (width, height), report)
    return problems


def _schema_message(error: Any) -> str:
    """A schema violation in words that name the rule, never the offending value."""
    kind, rule = error.validator, error.validator_value
    if kind in ("required", "additionalProperties"):
        return str(error.message)  # names keys only
    if kind == "type":
        return f"must be of type {rule if isinstance(rule, str) else ' or '.join(rule)}"
    if kind == "const":
        return f"must be {rule!r}"
    if kind == "enum":
        return f"must be one of {rule!r}"
    if kind == "pattern":
        return f"does not match the pattern {rule!r}"
    if kind in ("minItems", "maxItems"):
        return f"must have {'at least' if kind == 'minItems' else 'at most'} {rule} item(s)"
    if kind == "minLength":
        return "must not be empty" if rule == 1 else f"must have at least {rule} characters"
    if kind in ("minimum", "maximum"):
        return f"must be {'>=' if kind == 'minimum' else '<='} {rule}"
    if kind == "oneOf":
        return "matches none of the allowed forms (see the schema)"
    return f"violates the schema rule {kind!r}"


def _check_image(path: Path, size: tuple[int, int], report: Any) -> None:
    if not path.is_file():
        report(("image",), "image file not found next to the annotation")
        return
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as img:
            actual = img.size
    except (UnidentifiedImageError, OSError):
        report(("image",), "image file cannot be decoded")
        return
    if tuple(actual) != tuple(size):
        report(("image_size",), f"image_size {list(size)} differs from the image's {list(actual)}")


def validate_file(path: str | Path, *, check_image: bool = True) -> list[Problem]:
    """Every problem of one annotation file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return [Problem(file, 0, "", "not UTF-8 text")]
    except OSError as exc:
        return [Problem(file, 0, "", f"cannot read ({exc.strerror})")]
    try:
        data, lines = parse_with_lines(text)
    except json.JSONDecodeError as exc:
        return [Problem(file, exc.lineno, "", f"invalid JSON: {exc.msg} (column {exc.colno})")]
    except RecursionError:
        return [Problem(file, 0, "", "invalid JSON: nested too deeply")]
    return validate_data(data, lines, file, Path(path).parent if check_image else None)


def validate_tree(
    paths: Iterable[str | Path], *, check_image: bool = True
) -> Iterator[tuple[str, list[Problem]]]:
    """Validate annotation files and folders (recursively).

    Also reports images in those folders that have no annotation file.

    Yields:
        ``(file, problems)`` per annotation file (and per image without one), sorted by path.
    """
    for root in paths:
        base = Path(root)
        if base.is_file():
            yield str(base), validate_file(base, check_image=check_image)
            continue
        files = sorted(p for p in base.rglob("*") if p.is_file())
        jsons = {p for p in files if p.suffix == ".json"}
        for path in files:
            if path in jsons:
                yield str(path), validate_file(path, check_image=check_image)
            elif path.suffix.lower() in IMAGE_SUFFIXES and path.with_suffix(".json") not in jsons:
                yield (
                    str(path),
                    [Problem(str(path), 0, "", "image has no annotation file (same name, .json)")],
                )
