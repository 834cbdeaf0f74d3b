"""Physical document formats (ISO/IEC 7810) and the canonical output resolution.

The normalized image of a document has a fixed resolution of
:data:`PIXELS_PER_MM` pixels per millimetre, so an ID-1 card (85.6 x 54 mm)
becomes a 1027 x 648 image and an ID-3 passport page (125 x 88 mm) a
1500 x 1056 image: OCR always sees text of the same pixel height, whatever
the camera distance.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FORMATS", "ID1", "ID3", "PIXELS_PER_MM", "DocumentFormat", "closest_format", "get_format"]

#: Resolution of the normalized image (about 305 dpi).
PIXELS_PER_MM = 12.0


@dataclass(frozen=True, slots=True)
class DocumentFormat:
    """A landscape document format.

    Attributes:
        name: ISO/IEC 7810 name (``"ID-1"``, ``"ID-3"``).
        width_mm: long side, millimetres.
        height_mm: short side, millimetres.
    """

    name: str
    width_mm: float
    height_mm: float

    @property
    def aspect(self) -> float:
        """Width over height (> 1)."""
        return self.width_mm / self.height_mm

    def size_px(self, pixels_per_mm: float = PIXELS_PER_MM) -> tuple[int, int]:
        """``(width, height)`` of the normalized image, in pixels."""
        return round(self.width_mm * pixels_per_mm), round(self.height_mm * pixels_per_mm)


ID1 = DocumentFormat("ID-1", 85.6, 54.0)
ID3 = DocumentFormat("ID-3", 125.0, 88.0)

#: Formats the stage rectifies to, by name.
FORMATS: dict[str, DocumentFormat] = {f.name: f for f in (ID1, ID3)}


def get_format(name: str) -> DocumentFormat:
    """Return the format called ``name``.

    Raises:
        ValueError: unknown format name.
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown document format {name!r}; known: {sorted(FORMATS)}") from None


def closest_format(aspect: float) -> DocumentFormat:
    """The format whose aspect ratio (long over short side) is closest to ``aspect`` (log scale)."""
    import math

    aspect = max(aspect, 1.0 / aspect) if aspect > 0 else 1.0
    return min(FORMATS.values(), key=lambda f: abs(math.log(aspect / f.aspect)))
