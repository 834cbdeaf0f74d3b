"""Rendered test images for the OCR tests (no data files needed)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

#: (x, y, text, size, bold) of the rendered card.
CARD_LINES: tuple[tuple[int, int, str, int, bool], ...] = (
    (30, 24, "REPUBLIC OF UTOPIA", 30, True),
    (250, 100, "Surname", 16, False),
    (250, 122, "ERIKSSON", 26, True),
    (250, 172, "Date of birth", 16, False),
    (250, 194, "12.08.1974", 26, True),
    (250, 244, "Document No", 16, False),
    (250, 266, "L898902C3", 26, True),
)


def render(lines: Sequence[tuple[int, int, str, int, bool]], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """Render text lines on a light background; returns BGR uint8."""
    img = Image.new("RGB", size, (238, 240, 232))
    draw = ImageDraw.Draw(img)
    for x, y, text, px, bold in lines:
        draw.text((x, y), text, font=ImageFont.truetype(FONT_BOLD if bold else FONT, px), fill=(20, 20, 30))
    return np.ascontiguousarray(np.asarray(img)[:, :, ::-1])


@pytest.fixture(scope="session")
def card_image() -> npt.NDArray[np.uint8]:
    """A small ID-1-shaped card (642 x 405 px, 7.5 px/mm) with labels and values."""
    return render(CARD_LINES, (642, 405))


@pytest.fixture(scope="session")
def line_image() -> npt.NDArray[np.uint8]:
    """One line of text."""
    return render([(20, 20, "IDENTITY CARD 0123456789", 36, False)], (640, 90))
