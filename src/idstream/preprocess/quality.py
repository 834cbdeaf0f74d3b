"""Image-quality scores of a normalized document and the flags that send it to review.

Scores (all computed on the normalized document, at the canonical resolution, so
that they are comparable between documents):

* ``blur``: variance of the Laplacian of the grey image (higher is sharper);
* ``glare``: fraction of the document covered by blown-out, colourless blobs
  (specular reflections of a lamp or flash);
* ``resolution``: pixels per millimetre of the document in the *input* image;
* ``contrast``: spread (5th to 95th percentile) of the grey levels.

A score beyond its threshold adds a flag (``"blurry"``, ``"glare"``,
``"low_resolution"``, ``"low_contrast"``) that the review routing uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from idstream.preprocess._arrays import ImageArray, as_image

__all__ = [
    "BLUR_THRESHOLD",
    "CONTRAST_THRESHOLD",
    "GLARE_THRESHOLD",
    "RESOLUTION_THRESHOLD",
    "QualityThresholds",
    "assess_quality",
    "blur_score",
    "contrast_score",
    "glare_score",
]

#: Variance of the Laplacian below which the document is "blurry" (canonical 12 px/mm image).
BLUR_THRESHOLD = 120.0
#: Share of the document area under glare above which the document has "glare".
GLARE_THRESHOLD = 0.01
#: Input pixels per millimetre of document below which it is "low_resolution" (about 150 dpi).
RESOLUTION_THRESHOLD = 6.0
#: Grey-level spread (p95 - p5) below which the document is "low_contrast".
CONTRAST_THRESHOLD = 60.0


@dataclass(frozen=True, slots=True)
class QualityThresholds:
    """Thresholds of the quality flags (defaults: the module constants)."""

    blur: float = BLUR_THRESHOLD
    glare: float = GLARE_THRESHOLD
    resolution: float = RESOLUTION_THRESHOLD
    contrast: float = CONTRAST_THRESHOLD


def blur_score(grey: ImageArray) -> float:
    """Variance of the Laplacian (3x3) of a grey image; low values mean blur."""
    return float(cv2.Laplacian(grey, cv2.CV_32F, ksize=3).var())


def glare_score(image: ImageArray, *, min_blob_fraction: float = 0.0005) -> float:
    """Fraction of the image covered by saturated, colourless blobs.

    Args:
        image: BGR ``uint8`` document image (before illumination correction).
        min_blob_fraction: blobs smaller than this share of the image are ignored (white print).
    """
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    blown = ((hsv[:, :, 2] >= 250) & (hsv[:, :, 1] <= 40)).astype(np.uint8)
    if not blown.any():
        return 0.0
    blown = as_image(cv2.morphologyEx(blown, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8)))
    count, _, stats, _ = cv2.connectedComponentsWithStats(blown, connectivity=8)
    total = float(image.shape[0] * image.shape[1])
    minimum = min_blob_fraction * total
    areas = stats[1:count, cv2.CC_STAT_AREA].astype(np.float64)
    return float(areas[areas >= minimum].sum() / total)


def contrast_score(grey: ImageArray) -> float:
    """Spread of the grey levels, 95th minus 5th percentile."""
    counts = cv2.calcHist([grey], [0], None, [256], [0, 256]).ravel().cumsum()
    total = float(counts[-1])
    if total == 0:
        return 0.0
    low = int(np.searchsorted(counts, 0.05 * total))
    high = int(np.searchsorted(counts, 0.95 * total))
    return float(high - low)


def assess_quality(
    image: ImageArray,
    *,
    pixels_per_mm: float | None,
    thresholds: QualityThresholds | None = None,
) -> tuple[dict[str, float], list[str]]:
    """Score a normalized document and flag its problems.

    Args:
        image: the rectified BGR document, before illumination correction.
        pixels_per_mm: resolution of the document in the input (``None`` when unknown).
        thresholds: flag thresholds; the module defaults when ``None``.

    Returns:
        ``(scores, flags)``.
    """
    limits = thresholds or QualityThresholds()
    grey = as_image(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    scores = {
        "blur": blur_score(grey),
        "glare": glare_score(image),
        "contrast": contrast_score(grey),
    }
    flags: list[str] = []
    if scores["blur"] < limits.blur:
        flags.append("blurry")
    if scores["glare"] > limits.glare:
        flags.append("glare")
    if pixels_per_mm is not None:
        scores["resolution"] = float(pixels_per_mm)
        if pixels_per_mm < limits.resolution:
            flags.append("low_resolution")
    if scores["contrast"] < limits.contrast:
        flags.append("low_contrast")
    return scores, flags
