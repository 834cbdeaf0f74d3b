"""Settle look-alike characters by comparing glyphs within the same MRZ.

The line recognizer chooses between look-alikes (``0``/``O``, ``5``/``S``, ``4``/``L``,
``8``/``B``, ...) partly from the neighbouring characters, which carries no information
in a random document number. The MRZ itself holds clean examples of most characters
in the same font, size and print: digits in dates that pass their check digit,
letters in country codes and names. A doubtful character is compared (normalized
cross-correlation) with those same-document references, and the comparison replaces
the recognizer's probabilities among the candidates that have references.

An MRZ is monospaced: the characters of a line sit on a regular grid. The grid is a
robust line fit of the recognizer's character positions (CTC spans); each glyph is
then cut out around its ink centroid, one pitch wide and the height of the text band.

Nothing here knows the truth: references come from positions whose reading is
already confirmed by a passing check digit or forced by the layout's character class.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

from idstream.mrz.formats import CLASS_CHARS, MrzFormat
from idstream.mrz.validate import check_passes, resolve_checks

__all__ = ["GlyphEvidence", "LineGlyphs", "compare_glyphs", "line_glyphs"]

Pos = tuple[int, int]
FloatArray = NDArray[np.float32]

#: Normalized glyph size (height, width) in pixels.
_GLYPH_H, _GLYPH_W = 24, 16
#: How sharply glyph similarities turn into probabilities (per unit of correlation).
_SHARPNESS = 40.0
#: Look-alike groups: each member is a candidate for the others.
_LOOKALIKE_GROUPS = ("0ODQU", "1I", "5S", "8B", "2Z", "6G", "4AL", "7T", "C<", "K<")
_LOOKALIKES: dict[str, set[str]] = {}
for _group in _LOOKALIKE_GROUPS:
    for _ch in _group:
        _LOOKALIKES.setdefault(_ch, set()).update(c for c in _group if c != _ch)
_MAX_REFS = 6
#: How far below the document's same-character similarity an unreferenced candidate scores.
_UNSEEN_GAP = 0.05
#: Recognizer probability that makes an unreferenced character a candidate.
_MIN_PROPOSED = 0.01
_MIN_REF_CONFIDENCE = 0.8


class LineGlyphs:
    """The normalized glyph of every character of one recognized line.

    Attributes:
        glyphs: ``(n, H, W)`` zero-mean, unit-norm ink images (``None`` rows where a cell
            could not be cut).
    """

    def __init__(self, glyphs: list[FloatArray | None]) -> None:
        self.glyphs = glyphs

    def __len__(self) -> int:
        return len(self.glyphs)


def _grid(spans: Sequence[tuple[int, int]], px: float) -> tuple[float, float] | None:
    """``(x0, pitch)`` of the character grid, fitted robustly to the span centres."""
    n = len(spans)
    if n < 4:
        return None
    idx = np.arange(n, dtype=np.float64)
    cen = np.asarray([(a + b + 1) / 2.0 for a, b in spans], dtype=np.float64) * px
    # a robust start (median step and offset), then least squares on the spans near it
    pitch = float(np.median(np.diff(cen)))
    x0 = float(np.median(cen - pitch * idx))
    for _ in range(2):
        keep = np.abs(cen - (x0 + pitch * idx)) < max(0.3 * pitch, 1.0)
        if keep.sum() < 4:
            return None
        pitch, x0 = (float(v) for v in np.polyfit(idx[keep], cen[keep], 1))
    if pitch <= 2.0:
        return None
    return float(x0), float(pitch)


def _normalize(cell: NDArray[np.float32]) -> FloatArray | None:
    img = cv2.resize(cell, (_GLYPH_W, _GLYPH_H), interpolation=cv2.INTER_AREA)
    img = img - img.mean()
    norm = float(np.linalg.norm(img))
    if norm < 1e-3:
        return None
    return np.asarray(img / norm, dtype=np.float32)


def line_glyphs(crop: NDArray[np.uint8], spans: Sequence[tuple[int, int]], frames: int) -> LineGlyphs:
    """Cut and normalize every character of a line crop.

    Args:
        crop: the grey line crop the recognizer read.
        spans: per character, its first and last recognizer frame.
        frames: the recognizer's frame count for the crop.
    """
    n = len(spans)
    if frames <= 0 or n == 0:
        return LineGlyphs([None] * n)
    grid = _grid(spans, crop.shape[1] / frames)
    if grid is None:
        return LineGlyphs([None] * n)
    x0, pitch = grid
    ink = 255.0 - crop.astype(np.float32)
    _, mask = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    rows = (mask > 0).sum(axis=1)
    on = np.flatnonzero(rows > 0.15 * max(1, int(rows.max())))
    if on.size == 0:
        return LineGlyphs([None] * n)
    top, bottom = int(on[0]), int(on[-1]) + 1
    band = ink[top:bottom]
    bmask = mask[top:bottom] > 0
    width = band.shape[1]
    half = 0.5 * pitch
    out: list[FloatArray | None] = []
    for i in range(n):
        cx = x0 + pitch * i
        a, b = max(0, round(cx - half)), min(width, round(cx + half))
        if b - a < 2:
            out.append(None)
            continue
        cols = bmask[:, a:b].sum(axis=0).astype(np.float64)
        if cols.sum() > 0:  # centre the cell on the ink
            cx = a + float((cols * np.arange(b - a)).sum() / cols.sum()) + 0.5
        a, b = max(0, round(cx - 0.55 * pitch)), min(width, round(cx + 0.55 * pitch))
        if b - a < 2:
            out.append(None)
            continue
        cell = np.zeros((band.shape[0], round(1.1 * pitch)), dtype=np.float32)
        off = round(cx - 0.55 * pitch)
        cell[:, a - off : a - off + (b - a)] = band[:, a:b][:, : cell.shape[1] - (a - off)]
        out.append(_normalize(cell))
    return LineGlyphs(out)


def _similarity(a: FloatArray, b: FloatArray) -> float:
    """Best correlation of two normalized glyphs over shifts of one pixel."""
    best = -1.0
    h, w = a.shape
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            ya, yb = max(0, dy), max(0, -dy)
            xa, xb = max(0, dx), max(0, -dx)
            pa = a[ya : h - yb, xa : w - xb]
            pb = b[yb : h - ya, xb : w - xa]
            best = max(best, float((pa * pb).sum()))
    return best


class GlyphEvidence:
    """Alternatives re-weighted by glyph comparison, and the positions it settled.

    Attributes:
        alternatives: per line and column, ``(char, probability)`` best first.
        verified: positions whose candidates all had same-document references.
    """

    def __init__(self, alternatives: list[list[list[tuple[str, float]]]], verified: set[Pos]) -> None:
        self.alternatives = alternatives
        self.verified = verified


def _trusted(
    fmt: MrzFormat, lines: list[str], confidences: Sequence[Sequence[float]]
) -> dict[str, list[Pos]]:
    """Reference positions per character: confirmed by a passing check or forced by the class."""
    classes = fmt.char_classes()
    trusted: dict[str, list[Pos]] = {}
    confirmed: set[Pos] = set()
    for chk in resolve_checks(fmt, lines):
        if check_passes(chk, lines) and any(lines[r][c] != "<" for r, c in chk.data):
            confirmed.update(chk.positions)
    for r, line in enumerate(lines):
        for c, ch in enumerate(line):
            if ch == "<":
                continue
            cls = classes[r][c]
            conf = confidences[r][c] if r < len(confidences) and c < len(confidences[r]) else 0.0
            if (r, c) in confirmed or (cls in ("A", "N") and conf >= _MIN_REF_CONFIDENCE):
                trusted.setdefault(ch, []).append((r, c))
    return trusted


def _same_level(trusted: dict[str, list[Pos]], glyphs: Sequence[LineGlyphs]) -> float | None:
    """Median similarity of two trusted prints of the same character (``None`` without pairs)."""
    sims: list[float] = []
    for positions in trusted.values():
        prints = [glyphs[r].glyphs[c] for r, c in positions[:3] if r < len(glyphs) and c < len(glyphs[r])]
        found = [g for g in prints if g is not None]
        for i in range(len(found)):
            for j in range(i + 1, len(found)):
                sims.append(_similarity(found[i], found[j]))
    return float(np.median(sims)) if len(sims) >= 3 else None


def compare_glyphs(
    fmt: MrzFormat,
    lines: list[str],
    raw: list[str],
    alternatives: Sequence[Sequence[Sequence[tuple[str, float]]]],
    confidences: Sequence[Sequence[float]],
    glyphs: Sequence[LineGlyphs],
    positions: Sequence[Pos],
) -> GlyphEvidence:
    """Re-weight the candidates at ``positions`` by similarity to same-document references.

    Args:
        fmt: the layout.
        lines: the lines after a first repair (references are taken from them).
        raw: the lines as read (the candidates start from them).
        alternatives: the recognizer's candidates per line and column.
        confidences: the recognizer's probability per line and character.
        glyphs: the glyphs of each line.
        positions: the doubtful positions to settle.

    Returns:
        The alternatives (unchanged outside ``positions``) and the settled positions.
    """
    alts = [[list(a) for a in line] for line in alternatives]
    classes = fmt.char_classes()
    trusted = _trusted(fmt, lines, confidences)
    same = _same_level(trusted, glyphs)
    verified: set[Pos] = set()
    for r, c in positions:
        if r >= len(glyphs) or c >= len(glyphs[r]) or c >= len(alts[r]):
            continue
        glyph = glyphs[r].glyphs[c]
        if glyph is None:
            continue
        probs = {ch: p for ch, p in alts[r][c]}
        current = raw[r][c]
        cands = {current, *(ch for ch, p in probs.items() if p >= 0.01), *_LOOKALIKES.get(current, ())}
        cands.update(_LOOKALIKES.get(lines[r][c], ()))
        cands.add(lines[r][c])
        cands &= CLASS_CHARS[classes[r][c]]
        scores: dict[str, float] = {}
        for ch in cands:
            refs: list[FloatArray] = []
            for q in trusted.get(ch, []):
                if q != (r, c) and q[0] < len(glyphs) and q[1] < len(glyphs[q[0]]):
                    ref = glyphs[q[0]].glyphs[q[1]]
                    if ref is not None and len(refs) < _MAX_REFS:
                        refs.append(ref)
            if ch == "<" or not refs:
                continue
            sims = sorted((_similarity(glyph, g) for g in refs), reverse=True)
            scores[ch] = float(np.mean(sims[:2]))
        compared = set(scores)
        # candidates without references count only where the recognizer proposed them
        unseen = {
            ch
            for ch in cands - compared - {"<"}
            if probs.get(ch, 0.0) >= _MIN_PROPOSED or ch in (current, lines[r][c])
        }
        if not scores or same is None:
            unseen = set()
        if len(compared) + (1 if unseen else 0) < 2:
            continue
        # The recognizer's mass on the candidates is redistributed by glyph similarity.
        # Candidates without references form one group that scores as a glyph which
        # matches nothing of this document as well as two prints of one character match
        # each other; the recognizer shares the group's weight among its members.
        mass = max(sum(probs.get(ch, 0.0) for ch in compared | unseen), 1e-3)
        unseen_score = (same if same is not None else 0.0) - _UNSEEN_GAP
        top = max([*scores.values(), unseen_score] if unseen else scores.values())
        weights = {ch: float(np.exp(_SHARPNESS * (sc - top))) for ch, sc in scores.items()}
        if unseen:
            group = float(np.exp(_SHARPNESS * (unseen_score - top)))
            ocr = {ch: probs.get(ch, 0.0) for ch in unseen}
            ocr_total = sum(ocr.values())
            for ch in unseen:
                share = ocr[ch] / ocr_total if ocr_total > 0 else 1.0 / len(unseen)
                weights[ch] = group * share
        total = sum(weights.values())
        for ch, w in weights.items():
            probs[ch] = mass * w / total
        norm = sum(probs.values())
        alts[r][c] = sorted(((ch, p / norm) for ch, p in probs.items()), key=lambda kv: -kv[1])
        settled = lines[r][c]
        if settled in compared and any(ch in compared for ch in _LOOKALIKES.get(settled, ())):
            verified.add((r, c))
    return GlyphEvidence(alts, verified)
