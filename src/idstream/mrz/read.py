"""Read the MRZ of a document image: locate the band, recognize, parse and repair."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from idstream.document import FieldValue, Quad
from idstream.mrz.ctc import decode_greedy
from idstream.mrz.fields import mrz_fields
from idstream.mrz.glyphs import GlyphEvidence, compare_glyphs, line_glyphs
from idstream.mrz.locate import LineBox, MrzBand, crop_line, crop_margin, locate_mrz
from idstream.mrz.parse import MrzParse, parse_mrz
from idstream.mrz.recognize import LineReading, MrzRecognizer, get_recognizer
from idstream.mrz.validate import resolve_checks

__all__ = ["LINE_HEIGHT", "MIN_FILLERS", "MrzReading", "looks_like_mrz", "read_mrz"]

FloatArray = NDArray[np.float32]

#: Height in pixels of the line crops fed to the recognizer.
LINE_HEIGHT = 64
#: Horizontal squeeze of the line crops (fewer recognizer frames, faster).
X_SCALE = 1.0

_LENGTHS = {3: (30,), 2: (44, 36)}
#: A line length whose best path is less probable than the best length's by more than
#: this (natural log) is not read.
_LENGTH_MARGIN = 10.0
#: Characters that greedy decoding may invent (noise at the ends of a crop).
_GREEDY_SLACK = 3


@dataclass(slots=True)
class MrzReading:
    """An MRZ read from an image.

    Attributes:
        parse: parsed lines, checks before and after repair.
        confidences: per line and character, the recognizer's probability.
        boxes: each line's quadrilateral in the pixel coordinates of the image read.
        rotation: quarter turns (degrees, clockwise) applied to the image before reading.
    """

    parse: MrzParse
    confidences: list[list[float]]
    boxes: list[Quad]
    rotation: int = 0

    def to_dict(self, today: date | None = None) -> dict[str, Any]:
        """The output's ``mrz`` object (see ``docs/mrz.md``)."""
        data = self.parse.to_dict(today=today)
        data["confidence"] = round(float(min((min(c) for c in self.confidences if c), default=0.0)), 4)
        return data

    def fields(self, today: date | None = None) -> dict[str, FieldValue]:
        """Canonical fields with ``source="mrz"`` and confidences from the recognizer."""
        return mrz_fields(self.parse, today=today, char_confidences=self.confidences)


def _grey(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if image.ndim == 3:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return image


def _rank(parse: MrzParse, readings: list[LineReading]) -> tuple[float, ...]:
    passed = sum(parse.checks.values())
    chars = sum(len(r.text) for r in readings)
    return (
        float(parse.valid),
        passed / max(1, len(parse.checks)),
        sum(r.score for r in readings) / max(1, chars),
    )


def _read_band(
    grey: NDArray[np.uint8], band: MrzBand, recognizer: MrzRecognizer, line_height: int = LINE_HEIGHT
) -> tuple[tuple[float, ...], MrzParse, list[LineReading]] | None:
    crops = [crop_line(grey, line, height=line_height, x_scale=X_SCALE) for line in band.lines]
    logps = recognizer.frame_logprobs(crops)
    # The line length of a 2-line band (TD3 44, TD2 36): the more probable fixed-length
    # path is read first; the other only when the first does not validate and its path is
    # nearly as probable (a line forced to the wrong length drops or invents characters,
    # and a reading of garbage can pass its check digits by chance after repair).
    decoded: list[tuple[float, list[LineReading]]] = []
    # greedy decoding merges repeated fillers but seldom invents characters: a line
    # with clearly more characters than a layout's length is not of that layout
    greedy = max((len(decode_greedy(lp).labels) for lp in logps), default=0)
    margin = crop_margin(line_height, x_scale=X_SCALE)
    for length in _LENGTHS.get(len(band.lines), ()):
        if greedy > length + _GREEDY_SLACK:
            continue
        readings = [
            recognizer.decode(_mask_margins(lp, crop.shape[1], margin, length), length)
            for lp, crop in zip(logps, crops, strict=True)
        ]
        rs = [r for r in readings if r is not None]
        if len(rs) == len(readings):
            decoded.append((sum(r.score for r in rs), rs))
    top = max((d[0] for d in decoded), default=0.0)
    best: tuple[tuple[float, ...], MrzParse, list[LineReading]] | None = None
    for score, rs in sorted(decoded, key=lambda d: -d[0]):
        if score < top - _LENGTH_MARGIN:
            break
        parse = _parse_readings(rs, crops, recognizer)
        if parse is None:
            continue
        found = (_rank(parse, rs), parse, rs)
        if best is None or found[0] > best[0]:
            best = found
        if parse.valid:
            break
    return best


#: Characters may start this far (in character pitches) into a crop's padding.
_MARGIN_TOLERANCE = 0.25


def _mask_margins(logp: FloatArray, width: int, margin: float, length: int) -> FloatArray:
    """Frame log-probabilities with the outer padding of the crop forced to blank.

    The crop adds ``margin`` pixels on each side of the located line; the first and
    last characters start and end within a few hundredths of a pitch of the line's
    box on the development pages. Whatever the recognizer sees further out (a card
    edge, a shadow, the replicated image border) is not one of the line's ``length``
    characters, and a fixed-length decoding that counts it must drop a real one.
    """
    frames = logp.shape[0]
    if frames == 0 or width <= 0 or length <= 0:
        return logp
    px = width / frames
    pitch = max(width - 2 * margin, 1.0) / length
    centres = (np.arange(frames) + 0.5) * px
    outside = (centres < margin - _MARGIN_TOLERANCE * pitch) | (
        centres > width - margin + _MARGIN_TOLERANCE * pitch
    )
    if not outside.any():
        return logp
    out = logp.copy()
    out[outside, 1:] = _IMPOSSIBLE
    out[outside, 0] = 0.0
    return out


_IMPOSSIBLE = np.float32(-30.0)


def _parse_readings(
    rs: list[LineReading], crops: list[NDArray[np.uint8]], recognizer: MrzRecognizer
) -> MrzParse | None:
    """Parse and repair recognized lines; for failing checks, weigh glyphs and read fields again."""
    try:
        parse = parse_mrz([r.text for r in rs], alternatives=[r.alternatives for r in rs])
    except ValueError:
        return None
    verified: frozenset[tuple[int, int]] = frozenset()
    if not parse.valid:
        evidence = _compare_glyphs(parse, rs, crops)
        if evidence is not None:
            second = parse_mrz(
                [r.text for r in rs],
                fmt=parse.format,
                alternatives=evidence.alternatives,
                verified=frozenset(evidence.verified),
            )
            if sum(second.checks.values()) > sum(parse.checks.values()):
                parse = second
                verified = frozenset(evidence.verified)
                for r, line in zip(rs, evidence.alternatives, strict=True):
                    r.alternatives = line
    if not parse.valid:
        merged = _reread_failed_fields(parse, rs, crops, recognizer)
        if merged is not None:
            second = parse_mrz([r.text for r in rs], fmt=parse.format, alternatives=merged, verified=verified)
            if sum(second.checks.values()) > sum(parse.checks.values()):
                parse = second
    return parse


def _compare_glyphs(
    parse: MrzParse, readings: list[LineReading], crops: list[NDArray[np.uint8]]
) -> GlyphEvidence | None:
    """Weigh the candidates of the positions under failing checks by same-document glyphs."""
    layout = parse.layout
    lines = parse.repaired_lines
    checks = resolve_checks(layout, lines)
    passing = [c for c in checks if c.name != "composite" and parse.checks.get(c.name, False)]
    locked = {p for c in passing for p in c.positions}
    positions = sorted(
        {p for c in checks if not parse.checks.get(c.name, True) for p in c.positions if p not in locked}
    )
    if not positions:
        return None
    glyphs = [line_glyphs(crop, r.spans, r.frames) for crop, r in zip(crops, readings, strict=True)]
    return compare_glyphs(
        layout,
        lines,
        [r.text for r in readings],
        [r.alternatives for r in readings],
        [r.confidences for r in readings],
        glyphs,
        positions,
    )


def _reread_failed_fields(
    parse: MrzParse, readings: list[LineReading], crops: list[NDArray[np.uint8]], recognizer: MrzRecognizer
) -> list[list[list[tuple[str, float]]]] | None:
    """Recognize each field whose check digit failed again, cut out of its line.

    The recognizer's choice between look-alikes (``Z``/``2``, ``S``/``5``, ``O``/``0``)
    leans on the neighbouring characters; read without them, the field gives a second
    opinion. The two opinions are averaged per character.
    """
    layout = parse.layout
    alts = [[list(a) for a in r.alternatives] for r in readings]
    changed = False
    for chk in resolve_checks(layout, parse.repaired_lines):
        if parse.checks.get(chk.name, True) or chk.name == "composite":
            continue
        cols = sorted({c for _, c in chk.positions})
        line = chk.digit[0]
        if any(r != line for r, _ in chk.positions):
            continue
        reading, crop = readings[line], crops[line]
        if not reading.spans or reading.frames <= 0 or cols[-1] >= len(reading.spans):
            continue
        px = crop.shape[1] / reading.frames
        pitch = (reading.spans[-1][1] - reading.spans[0][0]) * px / max(1, len(reading.spans) - 1)
        x0 = max(0, round(reading.spans[cols[0]][0] * px - 0.8 * pitch))
        x1 = min(crop.shape[1], round((reading.spans[cols[-1]][1] + 1) * px + 0.8 * pitch))
        if x1 - x0 < 4:
            continue
        logp = recognizer.frame_logprobs([np.ascontiguousarray(crop[:, x0:x1])])[0]
        again = recognizer.decode(logp, len(cols))
        if again is None:
            continue
        for i, col in enumerate(cols):
            alts[line][col] = _average(alts[line][col], again.alternatives[i])
        changed = True
        # look-alikes once more, each alone (one character of context on either side is cut away)
        lookalike = [c for c in cols if reading.text[c] in _LOOKALIKES]
        pieces = []
        for col in lookalike:
            t0, t1 = reading.spans[col]
            a = max(0, round(t0 * px - 0.45 * pitch))
            b = min(crop.shape[1], round((t1 + 1) * px + 0.45 * pitch))
            pieces.append(np.ascontiguousarray(crop[:, a:b]))
        if pieces:
            width = max(p.shape[1] for p in pieces)
            padded = [np.pad(p, ((0, 0), (0, width - p.shape[1])), mode="edge") for p in pieces]
            for col, lp in zip(lookalike, recognizer.frame_logprobs(padded), strict=True):
                single = recognizer.decode(lp, 1)
                if single is not None:
                    alts[line][col] = _average(alts[line][col], single.alternatives[0])
    return alts if changed else None


MIN_FILLERS = 2
"""Fillers (``<``) a reading needs to count as an MRZ when most of its checks fail."""


def looks_like_mrz(parse: MrzParse) -> bool:
    """Whether a reading is an MRZ at all, read well or badly, rather than other text.

    Printed lines of a card without an MRZ (``DATE OF EXPIRY 01.07.2031``) also come
    out of the constrained recognizer as MRZ-alphabet strings of some layout's length,
    but with no fillers and with check digits passing only by chance (one in ten
    each). Every ICAO layout carries fillers: the ``<<`` between primary and
    secondary identifier and the padding of names and optional data. A reading
    counts as an MRZ when it has at least :data:`MIN_FILLERS` fillers or when more
    than half of its check digits pass (after repair); otherwise there is no MRZ
    reading, and the ``mrz_check_digits`` check is skipped instead of failed.
    """
    fillers = sum(line.count("<") for line in parse.lines)
    passed = sum(parse.checks.values())
    return fillers >= MIN_FILLERS or passed * 2 > len(parse.checks)


_LOOKALIKES = frozenset("0OQD1I5S8B2Z6G")


def _average(a: list[tuple[str, float]], b: list[tuple[str, float]]) -> list[tuple[str, float]]:
    probs: dict[str, float] = {}
    for ch, p in a:
        probs[ch] = probs.get(ch, 0.0) + p / 2
    for ch, p in b:
        probs[ch] = probs.get(ch, 0.0) + p / 2
    return sorted(probs.items(), key=lambda kv: -kv[1])


def _box_quad(box: LineBox, rotation: int, size: tuple[int, int]) -> Quad:
    """The box's corners mapped back through a quarter-turn rotation of the original image."""
    w, h = size  # original image size
    pts: list[tuple[float, float]] = []
    for x, y in box.corners():
        if rotation == 90:
            pts.append((y, h - 1 - x))
        elif rotation == 180:
            pts.append((w - 1 - x, h - 1 - y))
        elif rotation == 270:
            pts.append((w - 1 - y, x))
        else:
            pts.append((x, y))
    return (pts[0], pts[1], pts[2], pts[3])


_ROTATE = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}


def read_mrz(
    image: NDArray[np.uint8],
    *,
    recognizer: MrzRecognizer | None = None,
    try_rotations: bool = True,
    max_bands: int = 2,
    line_height: int = LINE_HEIGHT,
) -> MrzReading | None:
    """Find and read the MRZ of an (ideally rectified, upright) document image.

    Args:
        image: BGR or grey ``uint8`` image.
        recognizer: the line recognizer (the shared EasyOCR one by default).
        try_rotations: when no valid MRZ is found upright, also try the image turned
            by 180, 90 and 270 degrees.
        max_bands: candidate bands tried per orientation.
        line_height: height of the line crops fed to the recognizer: 64 (its training
            height) is the most accurate, 32 is about four times faster.

    Returns:
        The best reading (all check digits valid if any candidate is), or ``None``
        when no MRZ-like band was found or no band's reading looks like an MRZ
        (see :func:`looks_like_mrz`).
    """
    rec = recognizer or get_recognizer()
    grey = _grey(image)
    size = (int(grey.shape[1]), int(grey.shape[0]))
    best: tuple[tuple[float, ...], MrzParse, list[LineReading], MrzBand, int] | None = None
    for rotation in (0, 180, 90, 270) if try_rotations else (0,):
        view = grey if rotation == 0 else np.asarray(cv2.rotate(grey, _ROTATE[rotation]), dtype=np.uint8)
        for band in locate_mrz(view, max_bands=max_bands):
            found = _read_band(view, band, rec, line_height)
            if found is None:
                continue
            rank, parse, readings = found
            if not looks_like_mrz(parse):
                continue  # text read through the MRZ alphabet, not an MRZ
            # A turned image replaces an upright reading only when all its check digits pass.
            if best is None or (rank > best[0] and (rotation == best[4] or parse.valid)):
                best = (rank, parse, readings, band, rotation)
            if parse.valid:
                break
        if best is not None and (best[1].valid or best[0][1] >= 0.5):
            break  # most checks pass: a rotation will not do better
    if best is None:
        return None
    _, parse, readings, band, rotation = best
    boxes = [_box_quad(line, rotation, size) for line in band.lines]
    confidences = [list(r.confidences) for r in readings]
    if any(math.isnan(c) for row in confidences for c in row):
        confidences = [[0.0] * len(row) for row in confidences]
    return MrzReading(parse=parse, confidences=confidences, boxes=boxes, rotation=rotation)
