"""The preprocess stage: any photo or scan of a document in, an upright, flat, readable image out.

:func:`normalize_document` chains the steps and records what it did in a
:class:`~idstream.document.PreprocessReport`:

1. :func:`~idstream.preprocess.locate.find_card_quad` finds the card's corners
   (on a downscaled copy, then snapped to the card's edges on the full-resolution
   image); when it finds none, the whole image is the document;
2. :func:`~idstream.preprocess.rectify.rectify_card` warps the card, at full
   resolution, to its format's canonical size (:data:`~idstream.preprocess.formats.PIXELS_PER_MM`);
3. :func:`~idstream.preprocess.orient.quarter_turn` decides between the two
   landscape poses (or among four when no edge was found);
4. :func:`~idstream.preprocess.skew.estimate_skew` measures what skew is left and
   removes it when it is clear;
5. :func:`~idstream.preprocess.quality.assess_quality` scores blur, glare,
   resolution and contrast, and :func:`~idstream.preprocess.illumination.correct_shading`
   flattens the lighting.

The report's ``transform`` maps normalized-image pixels to input pixels, so OCR
boxes found on the normalized image are mapped back with
:meth:`PreprocessReport.to_original`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from idstream.document import PreprocessReport, Quad
from idstream.errors import EmptyImage
from idstream.preprocess._arrays import FloatArray, ImageArray, as_image
from idstream.preprocess.formats import DocumentFormat, get_format
from idstream.preprocess.illumination import correct_shading
from idstream.preprocess.locate import downscale, find_card_quad, order_clockwise
from idstream.preprocess.orient import quarter_turn, rotate_quarter
from idstream.preprocess.quality import QualityThresholds, assess_quality
from idstream.preprocess.rectify import guess_format, rectify_card
from idstream.preprocess.skew import estimate_skew

__all__ = [
    "DESKEW_MIN_CONFIDENCE",
    "DESKEW_MIN_DEG",
    "FALLBACK_LONG_SIDE",
    "NormalizedDocument",
    "normalize_document",
    "passthrough_document",
]

#: Residual skew (degrees) below which a rectified card is left as it is.
DESKEW_MIN_DEG = 0.4
#: Profile-sharpness ratio a skew measure needs before it is applied.
DESKEW_MIN_CONFIDENCE = 1.5
#: Long side of the normalized image when no document edge was found.
FALLBACK_LONG_SIDE = 1600
#: Largest skew searched when no document edge was found, degrees.
FALLBACK_MAX_SKEW = 20.0


@dataclass(slots=True)
class NormalizedDocument:
    """The output of the preprocess stage.

    Attributes:
        image: the upright, rectified, illumination-corrected BGR ``uint8`` document.
        report: what was found and done; ``report.transform`` maps ``image`` pixels to input pixels.
    """

    image: ImageArray
    report: PreprocessReport


def normalize_document(
    image: ImageArray,
    *,
    document_format: DocumentFormat | str | None = None,
    correct_illumination: bool = True,
    thresholds: QualityThresholds | None = None,
) -> NormalizedDocument:
    """Turn a photo or scan of a document into a canonical upright image of the document.

    Args:
        image: BGR ``uint8`` image (``(H, W, 3)``; grey ``(H, W)`` is accepted too).
        document_format: force the format (``"ID-1"``, ``"ID-3"``); guessed from the
            card's shape when ``None``.
        correct_illumination: divide out uneven lighting in the output image.
        thresholds: quality-flag thresholds (module defaults when ``None``).

    Returns:
        The normalized image and its :class:`~idstream.document.PreprocessReport`.

    Raises:
        EmptyImage: the image has no pixels.
        ValueError: unknown ``document_format``.
    """
    if image.size == 0 or image.ndim not in (2, 3):
        raise EmptyImage(f"image has no pixels (shape {image.shape})")
    if image.ndim == 2:
        image = as_image(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    fmt = get_format(document_format) if isinstance(document_format, str) else document_format
    height, width = image.shape[:2]
    quad = find_card_quad(image)
    if quad is not None:
        out, forward, card_quad, fmt_name, rotation, skew, ppmm = _normalize_card(image, quad, fmt)
    else:
        out, forward, rotation, skew = _normalize_whole(image)
        card_quad, fmt_name, ppmm = None, "unknown", None
    scores, flags = assess_quality(out, pixels_per_mm=ppmm, thresholds=thresholds)
    if card_quad is None:
        flags.append("no_document_edge")
    if correct_illumination:
        out = correct_shading(out)
    backward = np.linalg.inv(forward)
    backward /= backward[2, 2]
    report = PreprocessReport(
        input_size=(width, height),
        output_size=(int(out.shape[1]), int(out.shape[0])),
        card_quad=card_quad,
        document_format=fmt_name,
        rotation_deg=rotation,
        skew_deg=skew,
        quality=scores,
        quality_flags=flags,
        transform=[[float(v) for v in row] for row in backward],
    )
    return NormalizedDocument(image=out, report=report)


def _normalize_card(
    image: ImageArray, quad: Quad, fmt: DocumentFormat | None
) -> tuple[ImageArray, FloatArray, Quad, str, int, float, float]:
    height, width = image.shape[:2]
    pts = order_clockwise(np.asarray(quad, dtype=np.float64))
    first = np.hypot(*(pts[1] - pts[0])) + np.hypot(*(pts[3] - pts[2]))
    second = np.hypot(*(pts[2] - pts[1])) + np.hypot(*(pts[0] - pts[3]))
    if second > first:  # make the first side a long one (landscape card)
        pts = np.roll(pts, -1, axis=0)
    candidate = _as_quad(pts)
    chosen = fmt or guess_format(candidate, (width, height))
    rectified, forward = rectify_card(image, candidate, chosen)
    turn, _ = quarter_turn(rectified, landscape_only=True)
    if turn == 180:
        pts = np.roll(pts, -2, axis=0)
        rectified = rotate_quarter(rectified, 180)
        forward = _rotation_180(rectified.shape[1], rectified.shape[0]) @ forward
    card_quad = _as_quad(pts)
    rectified, forward, residual = _deskew(rectified, forward, max_angle=5.0, min_deg=DESKEW_MIN_DEG)
    top = pts[1] - pts[0]
    theta = math.degrees(math.atan2(top[1], top[0]))  # clockwise angle of the card's top edge
    rotation = round(-theta / 90.0) * 90 % 360
    skew = (theta + rotation + 180.0) % 360.0 - 180.0 + residual
    long_px = (np.hypot(*(pts[1] - pts[0])) + np.hypot(*(pts[2] - pts[3]))) / 2
    return rectified, forward, card_quad, chosen.name, rotation, float(skew), float(long_px / chosen.width_mm)


def _normalize_whole(image: ImageArray) -> tuple[ImageArray, FloatArray, int, float]:
    small, scale = downscale(image, FALLBACK_LONG_SIDE)
    forward = np.diag([scale, scale, 1.0])
    turn, _ = quarter_turn(small)
    turned = rotate_quarter(small, turn)
    forward = _quarter_matrix(turn, small.shape[1], small.shape[0]) @ forward
    out, forward, skew = _deskew(turned, forward, max_angle=FALLBACK_MAX_SKEW, min_deg=0.2)
    return out, forward, turn, skew


def _deskew(
    image: ImageArray, forward: FloatArray, *, max_angle: float, min_deg: float
) -> tuple[ImageArray, FloatArray, float]:
    """Measure the text skew and rotate it away when it is clear and large enough."""
    grey = as_image(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY))
    small, _ = downscale(grey, 640)
    estimate = estimate_skew(small, max_angle=max_angle, stroke_px=7)
    if abs(estimate.angle_deg) < min_deg or estimate.confidence < DESKEW_MIN_CONFIDENCE:
        return image, forward, 0.0
    h, w = image.shape[:2]
    rotation = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), estimate.angle_deg, 1.0)
    out = cv2.warpAffine(image, rotation, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    matrix = np.vstack([rotation, [0.0, 0.0, 1.0]])
    return as_image(out), matrix @ forward, float(estimate.angle_deg)


def _rotation_180(width: int, height: int) -> FloatArray:
    return np.array([[-1.0, 0.0, width - 1.0], [0.0, -1.0, height - 1.0], [0.0, 0.0, 1.0]])


def _quarter_matrix(turn: int, width: int, height: int) -> FloatArray:
    """Pixel map of :func:`rotate_quarter` (clockwise ``turn``) for a ``width`` x ``height`` image."""
    if turn == 90:
        return np.array([[0.0, -1.0, height - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    if turn == 180:
        return _rotation_180(width, height)
    if turn == 270:
        return np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, width - 1.0], [0.0, 0.0, 1.0]])
    return np.eye(3)


def _as_quad(pts: FloatArray) -> Quad:
    return (
        (float(pts[0, 0]), float(pts[0, 1])),
        (float(pts[1, 0]), float(pts[1, 1])),
        (float(pts[2, 0]), float(pts[2, 1])),
        (float(pts[3, 0]), float(pts[3, 1])),
    )


def passthrough_document(image: ImageArray) -> NormalizedDocument:
    """The input as it is, with an identity transform (the ``--no-preprocess`` baseline).

    Args:
        image: BGR ``uint8`` image.
    """
    if image.ndim == 2:
        image = as_image(cv2.cvtColor(image, cv2.COLOR_GRAY2BGR))
    height, width = image.shape[:2]
    report = PreprocessReport(input_size=(width, height), output_size=(width, height))
    return NormalizedDocument(image=image, report=report)
