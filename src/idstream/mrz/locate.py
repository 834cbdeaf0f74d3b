"""Locate the MRZ band on a document image with morphology.

MRZ lines are long rows of same-size dark characters. On a grey image scaled to a
working width, a black-hat filter keeps dark text, a horizontal gradient and a
horizontal closing fuse each text line into one blob, and the blobs that are long,
thin and stacked at a regular pitch (2 or 3 of them, of similar length and left
edge) form the candidate bands, best (lowest on the page, widest) first.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

__all__ = ["PAD_X", "PAD_Y", "LineBox", "MrzBand", "crop_line", "crop_margin", "locate_mrz"]

_WORK_WIDTH = 1000
_MIN_ASPECT = 8.0
_MIN_WIDTH_FRACTION = 0.22


@dataclass(frozen=True, slots=True)
class LineBox:
    """One MRZ text line as a rotated rectangle in image pixels.

    Attributes:
        center: ``(x, y)``.
        size: ``(width, height)`` along and across the line.
        angle: rotation in degrees (OpenCV ``RotatedRect`` convention, width along the text).
    """

    center: tuple[float, float]
    size: tuple[float, float]
    angle: float

    def corners(self) -> list[tuple[float, float]]:
        """Four corners, clockwise from the top-left of the text."""
        pts = cv2.boxPoints(((self.center[0], self.center[1]), self.size, self.angle))
        # boxPoints: bottom-left, top-left, top-right, bottom-right for our normalized angle
        order = [1, 2, 3, 0]
        return [(float(pts[i][0]), float(pts[i][1])) for i in order]


@dataclass(frozen=True, slots=True)
class MrzBand:
    """A group of 2 or 3 MRZ line boxes, top to bottom, with a ranking score."""

    lines: tuple[LineBox, ...]
    score: float


def _grey(image: NDArray[np.uint8]) -> NDArray[np.uint8]:
    if image.ndim == 3:
        return np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), dtype=np.uint8)
    return image


def _line_blobs(grey: NDArray[np.uint8]) -> list[tuple[float, float, float, float, float]]:
    """Long thin text blobs: ``(cx, cy, length, thickness, angle)`` in working pixels."""
    w = grey.shape[1]
    unit = max(3, round(w / 110))  # about a character height on a TD3 page
    rect = cv2.getStructuringElement(cv2.MORPH_RECT, (unit * 2 + 1, unit | 1))
    blackhat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, rect)
    grad = np.abs(cv2.Sobel(blackhat, cv2.CV_32F, 1, 0, ksize=-1))
    lo, hi = float(grad.min()), float(grad.max())
    grad8 = ((grad - lo) / max(hi - lo, 1e-6) * 255).astype(np.uint8)
    closed = cv2.morphologyEx(
        grad8, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (unit * 2 + 1, 1))
    )
    _, mask = cv2.threshold(closed, 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (unit * 3, 3)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (unit, 3)))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    blobs: list[tuple[float, float, float, float, float]] = []
    for cnt in contours:
        (cx, cy), (bw, bh), ang = cv2.minAreaRect(cnt)
        if bw < bh:
            bw, bh, ang = bh, bw, ang + 90.0
        ang = (ang + 90.0) % 180.0 - 90.0  # direction of the long side, in (-90, 90]
        if bh < 2 or bw / bh < _MIN_ASPECT or bw < _MIN_WIDTH_FRACTION * w:
            continue
        if abs(ang) > 20:
            continue
        fill = cv2.contourArea(cnt) / max(bw * bh, 1.0)
        if fill < 0.35:
            continue
        blobs.append((float(cx), float(cy), float(bw), float(bh), float(ang)))
    return blobs


def _group(blobs: list[tuple[float, float, float, float, float]], height: int) -> list[MrzBand]:
    """Stack blobs into bands of 2-3 lines with similar length, left edge and regular pitch."""
    blobs = sorted(blobs, key=lambda b: b[1])
    bands: list[MrzBand] = []
    for i, first in enumerate(blobs):
        group = [first]
        for other in blobs[i + 1 :]:
            last = group[-1]
            thick = max(last[3], other[3])
            pitch = other[1] - last[1]
            left_last = last[0] - last[2] / 2
            left_other = other[0] - other[2] / 2
            if pitch < thick * 0.8 or pitch > thick * 3.5:
                continue
            # the last line can be shorter than the first when it ends in fillers: allow 35%
            if abs(other[2] - last[2]) > 0.35 * max(other[2], last[2]):
                continue
            if abs(left_other - left_last) > 0.08 * max(other[2], last[2]):
                continue
            group.append(other)
            if len(group) == 3:
                break
        if len(group) < 2:
            continue
        for size in (3, 2) if len(group) == 3 else (2,):
            sub = group[:size]
            width = float(np.mean([b[2] for b in sub]))
            bottom = float(sub[-1][1]) / height
            score = width / 1000.0 + bottom + (0.2 if size == 3 else 0.0)
            lines = tuple(LineBox((b[0], b[1]), (b[2], b[3]), b[4]) for b in sub)
            bands.append(MrzBand(lines, score))
    bands.sort(key=lambda b: -b.score)
    return bands


def locate_mrz(image: NDArray[np.uint8], *, max_bands: int = 3) -> list[MrzBand]:
    """Candidate MRZ bands on an upright document image, best first.

    Args:
        image: BGR or grey ``uint8`` image, text roughly horizontal.
        max_bands: how many candidates to return at most.

    Returns:
        Bands whose line boxes are in the pixel coordinates of ``image``.
    """
    grey = _grey(image)
    h, w = grey.shape
    scale = _WORK_WIDTH / w
    size = (_WORK_WIDTH, max(1, round(h * scale)))
    small = np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), dtype=np.uint8)
    bands = _group(_line_blobs(small), small.shape[0])[:max_bands]
    out: list[MrzBand] = []
    for band in bands:
        lines = tuple(
            LineBox(
                (ln.center[0] / scale, ln.center[1] / scale),
                (ln.size[0] / scale, ln.size[1] / scale),
                ln.angle,
            )
            for ln in band.lines
        )
        out.append(MrzBand(lines, band.score))
    return out


#: Horizontal padding of a line crop on each side, in line thicknesses.
PAD_X = 0.6
#: Vertical padding of a line crop above and below, in line thicknesses.
PAD_Y = 0.25


def crop_margin(height: int, *, pad_x: float = PAD_X, pad_y: float = PAD_Y, x_scale: float = 1.0) -> float:
    """Width in crop pixels of the padding that :func:`crop_line` adds on each side of the line."""
    return pad_x * height / (1 + 2 * pad_y) * x_scale


def crop_line(
    grey: NDArray[np.uint8],
    box: LineBox,
    *,
    height: int,
    pad_x: float = PAD_X,
    pad_y: float = PAD_Y,
    x_scale: float = 1.0,
) -> NDArray[np.uint8]:
    """Cut one line out of ``grey``, deskewed, scaled to ``height`` pixels with padding.

    Args:
        grey: the grey image.
        box: the line's rotated box.
        height: output height in pixels.
        pad_x: horizontal padding on each side, in line thicknesses.
        pad_y: vertical padding above and below, in line thicknesses.
        x_scale: extra horizontal scale (below 1 squeezes the line: fewer recognizer frames).
    """
    (cx, cy), (bw, bh), ang = box.center, box.size, box.angle
    out_w_src = bw + 2 * pad_x * bh
    out_h_src = bh * (1 + 2 * pad_y)
    scale = height / max(out_h_src, 1.0)
    out_w = max(1, round(out_w_src * scale * x_scale))
    rot = cv2.getRotationMatrix2D((cx, cy), ang, scale)
    rot[0] *= x_scale  # the box centre now maps to (x_scale * cx, cy)
    rot[0, 2] += out_w / 2 - x_scale * cx
    rot[1, 2] += height / 2 - cy
    return np.asarray(
        cv2.warpAffine(
            grey,
            rot,
            (out_w, height),
            flags=cv2.INTER_AREA,
            borderMode=cv2.BORDER_REPLICATE,
        ),
        dtype=np.uint8,
    )
