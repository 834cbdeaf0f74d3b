"""Array type aliases shared by the preprocess modules (OpenCV returns loosely typed arrays)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

__all__ = ["FloatArray", "ImageArray", "as_image"]

ImageArray = NDArray[np.uint8]
FloatArray = NDArray[np.float64]


def as_image(array: Any) -> ImageArray:
    """Type an OpenCV result as a ``uint8`` image (no copy, no check)."""
    return cast(ImageArray, array)
