"""Import the ICDAR 2019 SROIE task-3 layout: ``box/NNN.csv`` + ``key/NNN.json`` (+ ``img/NNN.jpg``).

Each box line ``x1,y1,x2,y2,x3,y3,x4,y4,text`` (clockwise from the top-left) becomes a
line; its label comes from matching the key values, as the SROIE task-3 literature does:

* ``company`` / ``address``: the line's text (upper case, whitespace collapsed) occurs in
  the key value (for ``company``, also: contains it), or matches a run of its words with
  a similarity of at least 0.85 (OCR noise such as ``SDN BND`` for ``SDN BHD``); a line
  found in both goes to the value it covers the larger share of;
* ``date``: the line contains the key date;
* ``total``: the line contains the total amount as a number; when several lines do,
  those whose text or row neighbours say ``TOTAL`` (not ``SUBTOTAL``) win;
* everything else: ``other``.

Key values are kept as printed (the ``receipt`` schema does not normalize them).
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from idstream.annotations.format import AnnotatedLine, Annotation, save_annotation

__all__ = ["SroieResult", "import_sroie", "label_sroie_lines", "read_sroie_boxes"]

_KEYS = ("company", "date", "address", "total")


@dataclass(slots=True)
class SroieResult:
    """What one imported receipt became (``error`` set and no annotation when it failed)."""

    id: str
    annotation: Annotation | None
    path: Path | None
    error: str = ""


def read_sroie_boxes(path: Path) -> list[tuple[list[list[float]], str]]:
    """The ``(quad, text)`` lines of one SROIE box file."""
    out: list[tuple[list[list[float]], str]] = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = raw.strip().split(",", 8)
        if len(parts) < 9 or not parts[8].strip():
            continue
        try:
            coords = [float(v) for v in parts[:8]]
        except ValueError:
            continue
        quad = [[coords[i], coords[i + 1]] for i in range(0, 8, 2)]
        out.append((quad, " ".join(parts[8].split())))
    return out


def _norm(text: str) -> str:
    return " ".join(text.upper().split())


def _fuzzy_in(text: str, value: str, threshold: float = 0.85) -> float:
    """How well ``text`` matches a run of whole words of ``value`` (1.0: a substring)."""
    if not value or len(text) < 3:
        return 0.0
    if text in value:
        return 1.0
    if len(text) < 5:
        return 0.0
    words = value.split()
    best = 0.0
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            window = " ".join(words[i:j])
            if len(window) > 1.3 * len(text):
                break
            if len(window) >= 0.7 * len(text):
                best = max(best, difflib.SequenceMatcher(None, text, window).ratio())
    return best if best >= threshold else 0.0


def _amount(text: str) -> str:
    return text.replace("RM", "").replace(",", "").strip()


def label_sroie_lines(lines: list[tuple[list[list[float]], str]], key: dict[str, str]) -> list[str]:
    """The label of every line, matched against the key values."""
    company, address = _norm(key.get("company", "")), _norm(key.get("address", ""))
    date, total = _norm(key.get("date", "")), _amount(key.get("total", ""))
    labels = ["other"] * len(lines)
    total_hits: list[int] = []
    for i, (_quad, text) in enumerate(lines):
        t = _norm(text).strip(" ,.")
        if not t:
            continue
        in_company = 1.0 if company and len(company) >= 3 and company in t else _fuzzy_in(t, company)
        in_address = _fuzzy_in(t, address)
        if in_company and in_address:
            share_c, share_a = in_company * len(t) / len(company), in_address * len(t) / len(address)
            labels[i] = "company" if share_c >= share_a else "address"
        elif in_company:
            labels[i] = "company"
        elif in_address:
            labels[i] = "address"
        elif date and date in _norm(text):
            labels[i] = "date"
        elif total and re.search(rf"(?<![\d.]){re.escape(total)}(?!\d)", _amount(text)):
            total_hits.append(i)
    if total_hits:
        keyed = [i for i in total_hits if _says_total(i, lines)]
        for i in keyed or total_hits:
            labels[i] = "total"
    return labels


def _says_total(i: int, lines: list[tuple[list[list[float]], str]]) -> bool:
    def words(text: str) -> bool:
        t = text.upper()
        return "TOTAL" in t and "SUB" not in t

    if words(lines[i][1]):
        return True
    quad = lines[i][0]
    top, bottom = min(p[1] for p in quad), max(p[1] for p in quad)
    for j, (other, text) in enumerate(lines):
        if j == i:
            continue
        o_top, o_bottom = min(p[1] for p in other), max(p[1] for p in other)
        overlap = min(bottom, o_bottom) - max(top, o_top)
        if overlap > 0.5 * min(bottom - top, o_bottom - o_top) and words(text):
            return True
    return False


def import_sroie(src: str | Path, dst: str | Path) -> Iterator[SroieResult]:
    """Convert every receipt of a SROIE folder; images are copied when present.

    Args:
        src: folder with ``box/`` and ``key/`` (and optionally ``img/``).
        dst: output folder (created).

    Yields:
        One :class:`SroieResult` per receipt, sorted by id (with ``error`` for a broken key file).

    Raises:
        FileNotFoundError: when ``src`` has no ``box/`` or ``key/`` folder.
    """
    src, dst = Path(src), Path(dst)
    for sub in ("box", "key"):
        if not (src / sub).is_dir():
            raise FileNotFoundError(f"{src}: no {sub}/ folder (expected the SROIE layout box/ key/ img/)")
    dst.mkdir(parents=True, exist_ok=True)
    for key_path in sorted((src / "key").glob("*.json")):
        rid = key_path.stem
        box_path = src / "box" / f"{rid}.csv"
        if not box_path.is_file():
            continue
        try:
            raw = json.loads(key_path.read_text(encoding="utf-8", errors="replace"))
            key = {str(k): str(v) for k, v in raw.items()}
        except (json.JSONDecodeError, AttributeError):
            yield SroieResult(rid, None, None, f"{key_path.name}: not a JSON object")
            continue
        lines = read_sroie_boxes(box_path)
        labels = label_sroie_lines(lines, key)
        image: str | None = None
        width = int(max((p[0] for q, _ in lines for p in q), default=0)) + 1
        height = int(max((p[1] for q, _ in lines for p in q), default=0)) + 1
        for suffix in (".jpg", ".png", ".jpeg"):
            img_path = src / "img" / f"{rid}{suffix}"
            if img_path.is_file():
                from PIL import Image

                with Image.open(img_path) as img:
                    width, height = img.size
                image = img_path.name
                shutil.copyfile(img_path, dst / image)
                break
        clipped = [
            [[min(max(x, 0.0), width - 1.0), min(max(y, 0.0), height - 1.0)] for x, y in q] for q, _ in lines
        ]
        annotation = Annotation(
            image=image,
            image_size=(width, height),
            kind="receipt",
            schema="receipt",
            lines=[
                AnnotatedLine(q, text, label)
                for q, (_, text), label in zip(clipped, lines, labels, strict=True)
            ],
            fields={k: " ".join(key[k].split()) for k in _KEYS if key.get(k, "").strip()},
            meta={"source": "sroie", "id": rid},
        )
        out = dst / f"{rid}.json"
        save_annotation(annotation, out)
        yield SroieResult(rid, annotation, out)
