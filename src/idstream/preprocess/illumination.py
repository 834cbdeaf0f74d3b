"""Shading correction: flatten uneven lighting (lamps, shadows, vignetting).

The background illumination is estimated as a large-scale *maximum* of the
lightness (a grey-level closing removes the dark print, a blur smooths what is
left), on a copy shrunk 8 times for speed; dividing each channel by it makes the
paper white everywhere while keeping the print's colours. An optional CLAHE pass
on the lightness then raises local contrast.
"""

from __future__ import annotations

import cv2
import numpy as np

from idstream.preprocess._arrays import ImageArray, as_image

__all__ = ["correct_shading"]


def correct_shading(image: ImageArray, *, target: float = 235.0, clahe: bool = False) -> ImageArray:
    """Divide out the slowly varying illumination of a document image.

    Args:
        image: BGR ``uint8`` document image.
        target: grey level the estimated background is mapped to.
        clahe: also apply CLAHE (clip 2.0, 8x8 tiles) to the lightness.

    Returns:
        The corrected BGR ``uint8`` image, same size.
    """
    height, width = image.shape[:2]
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    small = cv2.resize(grey, (max(8, width // 8), max(8, height // 8)), interpolation=cv2.INTER_AREA)
    side = max(3, (min(small.shape) // 10) | 1)
    background = cv2.morphologyEx(
        small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (side, side))
    )
    background = cv2.GaussianBlur(background, (0, 0), side / 2.0)
    background = cv2.resize(
        cv2.max(background, np.full_like(background, 16)), (width, height), interpolation=cv2.INTER_LINEAR
    )
    # One saturating uint8 pass: image * target / background (no float copy of the whole image).
    result = as_image(cv2.divide(image, cv2.merge([background] * 3), scale=float(target)))
    if clahe:
        lab = cv2.cvtColor(result, cv2.COLOR_BGR2LAB)
        equalizer = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8))
        lab[:, :, 0] = equalizer.apply(lab[:, :, 0])
        result = as_image(cv2.cvtColor(lab, cv2.COLOR_LAB2BGR))
    return result
