"""Node features of the document graph: a character encoding of the text and box geometry.

Text is encoded character by character (ids into a fixed vocabulary, so unseen names
and numbers still get a representation) plus a few character-class statistics. The
geometry of a box is given relative to the document size, so that features do not
depend on the scan resolution. Everything here is numpy only.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

from idstream.graph_ie.normalize import strip_diacritics

__all__ = [
    "GEOMETRY_DIM",
    "MAX_CHARS",
    "TEXT_STATS_DIM",
    "VOCAB",
    "box_geometry",
    "encode_chars",
    "text_stats",
]

#: Characters kept; everything else maps to the unknown id 1 (0 is padding).
VOCAB = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:;/-()<>'\"&#%+*=@!?_|\\[]{}$"
_CHAR_ID = {c: i + 2 for i, c in enumerate(VOCAB)}
#: Characters per segment fed to the character encoder (longer texts are cut).
MAX_CHARS = 32
TEXT_STATS_DIM = 12
GEOMETRY_DIM = 9

_DATE_RE = re.compile(
    r"\b\d{1,4}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{2,4}\b|\b\d{1,2}\s?[A-Za-z]{3,9}\.?\s?\d{2,4}\b"
)
_AMOUNT_RE = re.compile(r"\d+[.,]\d{2}\b")
_KEYWORD_RE = re.compile(r"[:]\s*$")


def _fold(text: str) -> str:
    """Strip accents so that ``É`` and ``E`` share a character id."""
    return strip_diacritics(text)


def encode_chars(texts: list[str], max_chars: int = MAX_CHARS) -> npt.NDArray[np.int64]:
    """Encode texts as padded character-id rows.

    Args:
        texts: one text per segment.
        max_chars: row length; longer texts keep their first ``max_chars`` characters.

    Returns:
        ``(len(texts), max_chars)`` int64 array, 0 = padding, 1 = unknown character.
    """
    out = np.zeros((len(texts), max_chars), dtype=np.int64)
    for i, text in enumerate(texts):
        folded = _fold(text)[:max_chars]
        for j, ch in enumerate(folded):
            out[i, j] = _CHAR_ID.get(ch, 1)
    return out


def text_stats(text: str) -> list[float]:
    """Character-class statistics of one text (:data:`TEXT_STATS_DIM` values)."""
    n = max(len(text), 1)
    digits = sum(c.isdigit() for c in text)
    alpha = sum(c.isalpha() for c in text)
    upper = sum(c.isupper() for c in text)
    spaces = text.count(" ")
    punct = n - digits - alpha - spaces
    words = len(text.split())
    return [
        min(len(text), 64) / 32.0,
        digits / n,
        alpha / n,
        upper / max(alpha, 1),
        punct / n,
        min(words, 10) / 5.0,
        1.0 if _DATE_RE.search(text) else 0.0,
        1.0 if _AMOUNT_RE.search(text) else 0.0,
        1.0 if ":" in text else 0.0,
        1.0 if _KEYWORD_RE.search(text) else 0.0,
        1.0 if "<" in text else 0.0,
        1.0 if text[:1].isdigit() else 0.0,
    ]


def box_geometry(
    boxes: npt.NDArray[np.float64], doc_size: tuple[int, int], median_height: float
) -> npt.NDArray[np.float32]:
    """Geometry features of axis-aligned boxes ``(x0, y0, x1, y1)``.

    Args:
        boxes: ``(N, 4)`` boxes in document pixels.
        doc_size: ``(width, height)`` of the document image.
        median_height: median box height, the unit of the text size feature.

    Returns:
        ``(N, GEOMETRY_DIM)`` float32: corners and size relative to the document, log
        aspect ratio, height relative to the median, centre.
    """
    w, h = float(max(doc_size[0], 1)), float(max(doc_size[1], 1))
    bw = np.maximum(boxes[:, 2] - boxes[:, 0], 1.0)
    bh = np.maximum(boxes[:, 3] - boxes[:, 1], 1.0)
    feats = np.stack(
        [
            boxes[:, 0] / w,
            boxes[:, 1] / h,
            boxes[:, 2] / w,
            boxes[:, 3] / h,
            bw / w,
            bh / h * 4.0,
            np.log(bw / bh) / 4.0,
            np.log(bh / max(median_height, 1.0)),
            (boxes[:, 0] + boxes[:, 2]) / (2 * w),
        ],
        axis=1,
    )
    out: npt.NDArray[np.float32] = np.clip(feats, -4.0, 4.0).astype(np.float32)
    return out
