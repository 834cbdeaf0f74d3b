"""The preprocess stage: locate, rectify, orient, deskew and assess a document image."""

from __future__ import annotations

from idstream.preprocess.formats import FORMATS, ID1, ID3, PIXELS_PER_MM, DocumentFormat
from idstream.preprocess.locate import find_card_quad
from idstream.preprocess.normalize import NormalizedDocument, normalize_document
from idstream.preprocess.rectify import rectify_card

__all__ = [
    "FORMATS",
    "ID1",
    "ID3",
    "PIXELS_PER_MM",
    "DocumentFormat",
    "NormalizedDocument",
    "find_card_quad",
    "normalize_document",
    "rectify_card",
]
