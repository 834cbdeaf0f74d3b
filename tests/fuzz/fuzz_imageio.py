"""Fuzz :func:`idstream.imageio.decode_image`: it refuses with ``InvalidInput`` or returns a BGR array.

Run: ``PYTHONPATH=src:. python tests/fuzz/fuzz_imageio.py -max_total_time=30``.
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports(include=["idstream", "PIL"]):
    import numpy as np
    from PIL import Image

    from idstream.errors import InvalidInput
    from idstream.imageio import decode_image

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fuzz_common import run

#: Small enough that a fuzzed header cannot make one input take seconds.
MAX_PIXELS = 4_000_000


def seeds() -> list[bytes]:
    img = Image.new("RGB", (12, 8), (200, 30, 30))
    out = []
    for fmt, params in [
        ("PNG", {}),
        ("JPEG", {"quality": 80}),
        ("GIF", {}),
        ("TIFF", {}),
        ("TIFF", {"compression": "tiff_deflate"}),
        ("WEBP", {"lossless": True}),
        ("BMP", {}),
    ]:
        buf = io.BytesIO()
        img.save(buf, format=fmt, **params)
        out.append(buf.getvalue())
    exif = Image.Exif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    img.save(buf, format="JPEG", exif=exif)
    out.append(buf.getvalue())
    buf = io.BytesIO()
    img.convert("CMYK").save(buf, format="JPEG")
    out.append(buf.getvalue())
    return out


def one_input(data: bytes) -> None:
    try:
        image = decode_image(data, max_pixels=MAX_PIXELS)
    except InvalidInput:
        return
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3, image.shape
    assert image.shape[0] * image.shape[1] <= MAX_PIXELS


if __name__ == "__main__":
    run(seeds, one_input)
