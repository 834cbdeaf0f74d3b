"""Perspective rectification of a located document to its format's canonical size."""

from __future__ import annotations

import math

import cv2
import numpy as np

from idstream.document import Quad
from idstream.preprocess._arrays import FloatArray, ImageArray, as_image
from idstream.preprocess.formats import FORMATS, PIXELS_PER_MM, DocumentFormat, closest_format, get_format
from idstream.preprocess.locate import shrink_by

__all__ = ["estimate_aspect", "guess_format", "rectify_card"]


def estimate_aspect(quad: Quad, image_size: tuple[int, int]) -> float:
    """Estimate the true width/height ratio of the rectangle seen as ``quad``.

    Uses the rectangle-under-perspective method of Zhang & He ("Whiteboard scanning and
    image enhancement", 2007): the focal length is recovered from the two vanishing points
    with the principal point at the image centre; when the quadrilateral is (nearly) a
    parallelogram the plain ratio of mean side lengths is used.

    Args:
        quad: corners clockwise from the document's top-left, in image pixels.
        image_size: ``(width, height)`` of the image.

    Returns:
        Width (first side) over height (second side).
    """
    pts = np.asarray(quad, dtype=np.float64).reshape(4, 2)
    width_px = (np.hypot(*(pts[1] - pts[0])) + np.hypot(*(pts[2] - pts[3]))) / 2
    height_px = (np.hypot(*(pts[3] - pts[0])) + np.hypot(*(pts[2] - pts[1]))) / 2
    simple = float(width_px / max(height_px, 1e-6))
    u0, v0 = image_size[0] / 2.0, image_size[1] / 2.0
    # Zhang & He notation: m1 top-left, m2 top-right, m3 bottom-left, m4 bottom-right.
    m1, m2, m4, m3 = (np.array([p[0] - u0, p[1] - v0, 1.0]) for p in pts)
    denom2 = float(np.cross(m2, m4) @ m3)
    denom3 = float(np.cross(m3, m4) @ m2)
    if abs(denom2) < 1e-9 or abs(denom3) < 1e-9:
        return simple
    k2 = float(np.cross(m1, m4) @ m3) / denom2
    k3 = float(np.cross(m1, m4) @ m2) / denom3
    n2 = k2 * m2 - m1
    n3 = k3 * m3 - m1
    if abs(n2[2]) < 1e-9 or abs(n3[2]) < 1e-9:
        return simple
    f_squared = -(n2[0] * n3[0] + n2[1] * n3[1]) / (n2[2] * n3[2])
    if not f_squared > 0:
        return simple
    f = math.sqrt(f_squared)
    if not 0.3 * max(image_size) < f < 10.0 * max(image_size):
        return simple
    a_inv = np.diag([1.0 / f_squared, 1.0 / f_squared, 1.0])
    num = float(n2 @ a_inv @ n2)
    den = float(n3 @ a_inv @ n3)
    if num <= 0 or den <= 0:
        return simple
    return math.sqrt(num / den)


def guess_format(quad: Quad, image_size: tuple[int, int]) -> DocumentFormat:
    """The document format whose aspect ratio best matches ``quad`` (see :func:`estimate_aspect`)."""
    return closest_format(estimate_aspect(quad, image_size))


def rectify_card(
    image: ImageArray,
    quad: Quad,
    format: DocumentFormat | str | None = None,
    *,
    pixels_per_mm: float = PIXELS_PER_MM,
) -> tuple[ImageArray, FloatArray]:
    """Warp the document seen as ``quad`` to an upright rectangle of its format's size.

    The output has ``format.size_px(pixels_per_mm)`` pixels; ``quad[0]`` goes to its top-left
    corner. When the document is seen much larger than the output, the source is first
    reduced by Gaussian pyramid steps so that the warp does not alias.

    Args:
        image: BGR (or grey) ``uint8`` image.
        quad: corners clockwise from the document's own top-left, in image pixels.
        format: the document format (``"ID-1"``, ``"ID-3"``) or ``None`` to guess it
            from the quadrilateral's shape.
        pixels_per_mm: output resolution.

    Returns:
        The rectified image and the 3x3 homography mapping input pixels to output pixels.
    """
    height, width = image.shape[:2]
    if format is None:
        fmt = guess_format(quad, (width, height))
    elif isinstance(format, str):
        fmt = get_format(format)
    else:
        fmt = format
    if fmt.name not in FORMATS:
        raise ValueError(f"unknown document format {fmt.name!r}")
    out_w, out_h = fmt.size_px(pixels_per_mm)
    src = np.asarray(quad, dtype=np.float64).reshape(4, 2)
    dst = np.array([[0, 0], [out_w, 0], [out_w, out_h], [0, out_h]], dtype=np.float64)
    homography = cv2.getPerspectiveTransform(src.astype(np.float32), dst.astype(np.float32)).astype(
        np.float64
    )
    source, pre = _reduce_source(image, src, out_w, out_h)
    warped = cv2.warpPerspective(
        source,
        homography @ np.linalg.inv(pre),
        (out_w, out_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return as_image(warped), homography


def _reduce_source(
    image: ImageArray, src: FloatArray, out_w: int, out_h: int
) -> tuple[ImageArray, FloatArray]:
    """Crop to the document and halve it while it stays at least as large as the output.

    Returns:
        The reduced crop and the 3x3 transform from input pixels to crop pixels.
    """
    height, width = image.shape[:2]
    x0 = max(0, math.floor(src[:, 0].min()) - 4)
    y0 = max(0, math.floor(src[:, 1].min()) - 4)
    x1 = min(width, math.ceil(src[:, 0].max()) + 5)
    y1 = min(height, math.ceil(src[:, 1].max()) + 5)
    if x1 - x0 < 2 or y1 - y0 < 2:
        return image, np.eye(3)
    crop = image[y0:y1, x0:x1]
    seen = max(
        np.hypot(*(src[1] - src[0])) / out_w,
        np.hypot(*(src[2] - src[3])) / out_w,
        np.hypot(*(src[3] - src[0])) / out_h,
        np.hypot(*(src[2] - src[1])) / out_h,
    )
    factor = 1
    while seen / (2 * factor) >= 1.0 and min(crop.shape[:2]) >= 16:
        crop = shrink_by(crop, 2)  # OpenCV's fast 2x2 box average
        factor *= 2
    # After shrinking by k, input pixel x sits at (x - (k - 1) / 2) / k.
    scale = 1.0 / factor
    offset = -(factor - 1) / 2.0 * scale
    transform = np.array(
        [[scale, 0.0, -x0 * scale + offset], [0.0, scale, -y0 * scale + offset], [0.0, 0.0, 1.0]]
    )
    return np.ascontiguousarray(crop), transform
