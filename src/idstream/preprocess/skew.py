"""Measure the residual skew of text by projection profiles.

Dark strokes are isolated with a black-hat filter and Otsu's threshold; for each
candidate angle the stroke pixels are projected onto the axis perpendicular to
that angle and the profile's sharpness (sum of squared bin counts) is computed.
Text lines give the sharpest profile when the projection runs along them, so the
best angle is the text's skew. A coarse search (0.5 degree steps) is refined to
0.05 degree.

Angles are in degrees, positive when the text is turned clockwise on screen
(image y axis down); rotating the image by the opposite angle removes it.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from idstream.preprocess._arrays import FloatArray, ImageArray, as_image

__all__ = ["MAX_POINTS", "SkewEstimate", "estimate_skew", "text_axis", "text_mask", "text_points"]

#: Stroke pixels used for the projection search at most (subsampled beyond).
MAX_POINTS = 12_000


@dataclass(frozen=True, slots=True)
class SkewEstimate:
    """A measured text angle.

    Attributes:
        angle_deg: clockwise angle of the text lines, degrees.
        confidence: profile sharpness at the best angle over the median sharpness (>= 1);
            about 1 when there are no text lines to measure.
        points: number of stroke pixels the measure used.
    """

    angle_deg: float
    confidence: float
    points: int


def text_mask(grey: ImageArray, *, stroke_px: int = 9) -> ImageArray:
    """Binary mask (0/255) of dark strokes thinner than about ``stroke_px`` pixels."""
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (stroke_px, stroke_px))
    blackhat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel)
    threshold, mask = cv2.threshold(blackhat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    if threshold < 12:  # a flat image: Otsu would split noise
        mask = (blackhat >= 24).astype(np.uint8) * 255
    return as_image(mask)


def text_points(mask: ImageArray, *, max_points: int = MAX_POINTS, seed: int = 0) -> FloatArray:
    """Centred ``(x, y)`` coordinates of the mask's pixels, subsampled to ``max_points``."""
    ys, xs = np.nonzero(mask)
    pts = np.stack([xs, ys], axis=1).astype(np.float64)
    if len(pts) > max_points:
        pick = np.random.default_rng(seed).choice(len(pts), max_points, replace=False)
        pts = pts[pick]
    if len(pts):
        pts -= np.array([mask.shape[1] / 2.0, mask.shape[0] / 2.0])
    return pts


def _sharpness(points: FloatArray, angles_deg: FloatArray) -> FloatArray:
    radians = np.deg2rad(angles_deg)
    scores = np.empty(len(angles_deg))
    for i, a in enumerate(radians):
        offsets = points[:, 1] * np.cos(a) - points[:, 0] * np.sin(a)
        bins = np.rint(offsets - offsets.min()).astype(np.int64)
        counts = np.bincount(bins).astype(np.float64)
        scores[i] = float(counts @ counts)
    return scores


def _search(points: FloatArray, max_angle: float) -> tuple[float, float]:
    coarse = np.arange(-max_angle, max_angle + 1e-9, 0.5)
    scores = _sharpness(points, coarse)
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    fine_scores = _sharpness(points, fine)
    angle = float(fine[int(np.argmax(fine_scores))])
    confidence = float(fine_scores.max() / max(1e-9, float(np.median(scores))))
    return angle, confidence


def estimate_skew(grey: ImageArray, *, max_angle: float = 15.0, stroke_px: int = 9) -> SkewEstimate:
    """Measure the clockwise angle of the text lines of a grey image.

    Args:
        grey: ``uint8`` grey image, text roughly horizontal (within ``max_angle``).
        max_angle: the search range, degrees either way.
        stroke_px: black-hat kernel size (a little more than the stroke width).

    Returns:
        The angle with its confidence; angle 0 and confidence 1 when there is nothing to measure.
    """
    points = text_points(text_mask(grey, stroke_px=stroke_px))
    if len(points) < 50:
        return SkewEstimate(0.0, 1.0, len(points))
    angle, confidence = _search(points, max_angle)
    return SkewEstimate(angle, confidence, len(points))


def text_axis(grey: ImageArray, *, stroke_px: int = 9) -> tuple[str, float]:
    """Whether the text lines run horizontally or vertically.

    Compares the sharpest row profile (lines horizontal, within 45 degrees) with the
    sharpest column profile.

    Returns:
        ``("horizontal" | "vertical", margin)`` where ``margin`` > 1 is the ratio of the
        winning sharpness to the other one.
    """
    points = text_points(text_mask(grey, stroke_px=stroke_px))
    if len(points) < 50:
        return "horizontal", 1.0
    angles = np.arange(-44.0, 44.0 + 1e-9, 1.0)
    rows = float(_sharpness(points, angles).max())
    cols = float(_sharpness(points[:, ::-1].copy(), angles).max())
    if rows >= cols:
        return "horizontal", rows / max(cols, 1e-9)
    return "vertical", cols / max(rows, 1e-9)
