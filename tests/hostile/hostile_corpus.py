"""A generated corpus of hostile, broken and odd image inputs (never committed).

:func:`build_corpus` returns :class:`Case` records; :func:`write_corpus` writes them
under a directory with their (sometimes non-ASCII) file names. Every case says what
the decoder must do with it:

* ``"reject"``: refused with an :class:`~idstream.errors.InvalidInput` (empty,
  truncated, not an image, decompression bomb, zero-sized...);
* ``"accept"``: a valid but unusual image that must decode, and ``check`` verifies the
  pixels (first frame of animations, EXIF orientation honoured, 16-bit/CMYK/palette
  converted);
* ``"either"``: randomly bit-flipped files, which may still be decodable images
  (a flipped bit in JPEG entropy data is just noise): refused cleanly or decoded
  into a valid array, never another exception.

Decompression bombs are built by hand from their headers, so generating them never
allocates the pixels they claim.
"""

from __future__ import annotations

import functools
import io
import random
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image

__all__ = ["Case", "build_corpus", "write_corpus"]

Check = Callable[[NDArray[np.uint8]], None]

RED = (255, 0, 0)
GREEN = (0, 255, 0)
BLUE = (0, 0, 255)


@dataclass(frozen=True)
class Case:
    """One corpus input.

    Attributes:
        name: the file name (unique; may be non-ASCII).
        category: the family it belongs to (``truncated-jpeg``, ``bomb-png``...).
        data: the bytes.
        expect: ``"reject"``, ``"accept"`` or ``"either"``.
        check: for accepted cases, verifies the decoded BGR array.
    """

    name: str
    category: str
    data: bytes
    expect: str
    check: Check | None = None


# -- helpers -------------------------------------------------------------------------------------------
def upright(width: int = 64, height: int = 40) -> Image.Image:
    """An asymmetric RGB image: grey background, red block top-left, blue block bottom-right."""
    arr = np.full((height, width, 3), 128, np.uint8)
    arr[: height // 3, : width // 3] = RED
    arr[-height // 3 :, -width // 3 :] = BLUE
    return Image.fromarray(arr, "RGB")


def save(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format=fmt, **params)
    return buf.getvalue()


def near(bgr: NDArray[np.uint8], rgb: tuple[int, int, int], tol: int = 40) -> bool:
    return bool(np.all(np.abs(bgr.astype(int) - np.array(rgb[::-1])) <= tol))


def expect_shape(width: int, height: int) -> Check:
    def check(img: NDArray[np.uint8]) -> None:
        assert img.shape == (height, width, 3), img.shape

    return check


def expect_upright(width: int, height: int) -> Check:
    """The decoded image is the upright one: red top-left, blue bottom-right."""

    def check(img: NDArray[np.uint8]) -> None:
        assert img.shape == (height, width, 3), img.shape
        assert near(img[2, 2], RED), img[2, 2]
        assert near(img[-3, -3], BLUE), img[-3, -3]

    return check


def expect_colour(rgb: tuple[int, int, int], tol: int = 40) -> Check:
    def check(img: NDArray[np.uint8]) -> None:
        assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.uint8
        centre = img[img.shape[0] // 2, img.shape[1] // 2]
        assert near(centre, rgb, tol), (centre, rgb)

    return check


def chunk(kind: bytes, payload: bytes) -> bytes:
    """A PNG chunk with its CRC."""
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


PNG_SIG = b"\x89PNG\r\n\x1a\n"


def png_header_only(
    width: int, height: int, colour_type: int = 2, depth: int = 8, idat: bytes = b""
) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, depth, colour_type, 0, 0, 0)
    return (
        PNG_SIG
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", idat or zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def png_zlib_bomb(width: int, height: int) -> bytes:
    """A real grey PNG whose IDAT inflates to ``width * height`` bytes (compressed in pieces)."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    parts = [comp.compress(row) for _ in range(height)]
    parts.append(comp.flush())
    return png_header_only(width, height, colour_type=0, idat=b"".join(parts))


def jpeg_header_only(width: int, height: int, sof: int = 0xC0, components: int = 3) -> bytes:
    soi = b"\xff\xd8"
    comps = b"".join(bytes([i + 1, 0x11, 0]) for i in range(components))
    sof_payload = bytes([8]) + struct.pack(">HH", height, width) + bytes([components]) + comps
    sof_seg = bytes([0xFF, sof]) + struct.pack(">H", len(sof_payload) + 2) + sof_payload
    dqt = b"\xff\xdb" + struct.pack(">H", 67) + b"\x00" + bytes(range(1, 65))
    return soi + dqt + sof_seg + b"\xff\xd9"


def gif_header_only(width: int, height: int, frame: tuple[int, int] | None = None) -> bytes:
    fw, fh = frame or (width, height)
    head = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
    desc = b"\x2c" + struct.pack("<HHHHB", 0, 0, fw, fh, 0)
    return head + desc + b"\x02\x02\x44\x01\x00" + b"\x3b"


def tiff_header_only(width: int, height: int, bits: int = 8, samples: int = 3) -> bytes:
    entries = [
        (256, 4, 1, width),  # ImageWidth LONG
        (257, 4, 1, height),  # ImageLength LONG
        (258, 3, 1, bits),  # BitsPerSample
        (259, 3, 1, 1),  # Compression none
        (262, 3, 1, 2 if samples == 3 else 1),  # Photometric
        (273, 4, 1, 8 + 2 + 12 * 9 + 4),  # StripOffsets: right after the IFD
        (277, 3, 1, samples),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, width * height * samples & 0xFFFFFFFF),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, typ, count, value in entries:
        packed = struct.pack("<HHI", tag, typ, count)
        packed += struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value)
        ifd += packed
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x00\x00\x00\x00" + b"\x00" * 64


def webp_vp8x_header_only(width: int, height: int) -> bytes:
    vp8x = b"\x00\x00\x00\x00" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    body = b"WEBP" + b"VP8X" + struct.pack("<I", len(vp8x)) + vp8x
    return b"RIFF" + struct.pack("<I", len(body)) + body


def bmp_header_only(width: int, height: int) -> bytes:
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, 0, 2835, 2835, 0, 0)
    return b"BM" + struct.pack("<IHHI", 14 + len(info) + 16, 0, 0, 14 + len(info)) + info + b"\x00" * 16


# -- families -------------------------------------------------------------------------------------------
def _base_files() -> dict[str, bytes]:
    img = upright()
    return {
        "jpg": save(img, "JPEG", quality=90),
        "png": save(img, "PNG"),
        "tif": save(img, "TIFF", compression="tiff_deflate"),
        "webp": save(img, "WEBP", quality=80),
        "gif": save(img.convert("P", palette=Image.Palette.ADAPTIVE), "GIF"),
        "bmp": save(img, "BMP"),
    }


def _empty() -> list[Case]:
    blobs = [b"", b"\x00", b" ", b"\n", b"\r\n", b"\x00" * 1024, b"\xff" * 16]
    return [Case(f"empty-{i}.jpg", "empty", blob, "reject") for i, blob in enumerate(blobs)]


def _truncated(bases: dict[str, bytes], rng: random.Random) -> list[Case]:
    cases = []
    for ext, data in bases.items():
        n = len(data)
        points = {1, 2, 4, 8, 12, 16, 24, 32, 64, n // 4, n // 2, (3 * n) // 4, n - 64, n - 16}
        points |= {rng.randrange(1, n - 16) for _ in range(14)}
        # Cutting only a PNG's trailing checksums and IEND leaves every pixel: Pillow decodes it.
        complete = _png_pixels_end(data) if ext == "png" else n
        for cut in sorted(p for p in points if 0 < p < n - 8):
            expect = "reject" if cut < complete else "either"
            cases.append(Case(f"truncated-{ext}-{cut}.{ext}", f"truncated-{ext}", data[:cut], expect))
    return cases


def _png_pixels_end(data: bytes) -> int:
    """Offset where the last IDAT's deflate stream (before its Adler-32 and chunk CRC) ends."""
    end, pos = len(data), 8
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"IDAT":
            end = pos + 8 + length - 4
        pos += 12 + length
    return end


def _bit_flips(bases: dict[str, bytes], rng: random.Random) -> list[Case]:
    cases = []
    for ext, data in bases.items():
        for i in range(20):
            blob = bytearray(data)
            for _ in range(1 + i % 4):
                pos = rng.randrange(len(blob))
                blob[pos] ^= 1 << rng.randrange(8)
            cases.append(Case(f"bitflip-{ext}-{i}.{ext}", f"bitflip-{ext}", bytes(blob), "either"))
        # A broken signature is never an image.
        cases.append(Case(f"badmagic-{ext}.{ext}", "bad-magic", b"\x00\x00\x00\x00" + data[4:], "reject"))
    return cases


def _bombs() -> list[Case]:
    over = 50_000_001
    specs: list[tuple[str, str, bytes]] = []
    for w, h in [
        (10_000, 10_000),
        (65_535, 65_535),
        (over, 1),
        (1, over),
        (7_072, 7_072),
        (2**31 - 1, 2**31 - 1),
    ]:
        for ct, depth in [(2, 8), (0, 16), (3, 8), (6, 8)]:
            specs.append(
                (f"bomb-png-{w}x{h}-c{ct}-{depth}.png", "bomb-png", png_header_only(w, h, ct, depth))
            )
    for w, h in [(65_535, 65_535), (10_000, 5_001), (50_000, 50_000), (65_535, 1_000)]:
        for sof in (0xC0, 0xC2):
            data = jpeg_header_only(w, h, sof)
            specs.append((f"bomb-jpeg-{w}x{h}-{sof:x}.jpg", "bomb-jpeg", data))
        specs.append((f"bomb-jpeg-{w}x{h}-grey.jpg", "bomb-jpeg", jpeg_header_only(w, h, components=1)))
    for w, h in [(65_535, 65_535), (10_000, 5_001), (65_535, 800)]:
        specs.append((f"bomb-gif-{w}x{h}.gif", "bomb-gif", gif_header_only(w, h)))
        specs.append((f"bomb-gif-{w}x{h}-smallframe.gif", "bomb-gif", gif_header_only(w, h, frame=(2, 2))))
    for w, h in [(100_000, 100_000), (10_000, 5_001), (2**32 - 1, 2**32 - 1), (over, 1)]:
        for bits, samples in [(8, 3), (16, 1), (1, 1)]:
            specs.append(
                (
                    f"bomb-tiff-{w}x{h}-{bits}x{samples}.tif",
                    "bomb-tiff",
                    tiff_header_only(w, h, bits, samples),
                )
            )
    for w, h in [(16_383, 16_383), (16_777_216, 16_777_216), (10_000, 5_001)]:
        specs.append((f"bomb-webp-{w}x{h}.webp", "bomb-webp", webp_vp8x_header_only(w, h)))
    for w, h in [(100_000, 100_000), (10_000, -5_001), (2**31 - 1, 1)]:
        specs.append((f"bomb-bmp-{w}x{h}.bmp", "bomb-bmp", bmp_header_only(w, h)))
    # A real zlib bomb: 64 megapixels of zeros in a 60 kB file.
    specs.append(("bomb-png-zlib-8000x8000.png", "bomb-zlib", png_zlib_bomb(8_000, 8_000)))
    # No pixels at all.
    specs.append(("zero-width.png", "zero-size", png_header_only(0, 10)))
    specs.append(("zero-height.png", "zero-size", png_header_only(10, 0)))
    specs.append(("zero-size.gif", "zero-size", gif_header_only(0, 0)))
    specs.append(("zero-size.jpg", "zero-size", jpeg_header_only(0, 0)))
    return [Case(name, cat, data, "reject") for name, cat, data in specs]


def _not_images(rng: random.Random) -> list[Case]:
    blobs = {
        "hello.jpg": b"hello world\n",
        "page.html": b"<!doctype html><html><body><img src=x onerror=alert(1)></body></html>",
        "page.png": b"<html><head><title>PNG</title></head></html>",
        "script.jpg": b"#!/bin/sh\nrm -rf /\n",
        "data.json": b'{"image": "not really"}',
        "table.csv": b"surname,given_names\nA,B\n",
        "doc.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        "archive.zip": b"PK\x03\x04" + b"\x00" * 60,
        "blob.gz": zlib.compress(b"x" * 1000),
        "elf.tif": b"\x7fELF\x02\x01\x01" + b"\x00" * 57,
        "vector.svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "xml.webp": b'<?xml version="1.0"?><a>&lt;</a>',
        "bom.txt": "\ufeffdocument".encode(),
        "utf16.jpg": "photo".encode("utf-16"),
        "emoji.png": "🪪 identity".encode(),
        "riff-wav.webp": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 28,
        "png-sig-only.png": PNG_SIG,
        "jpeg-soi-only.jpg": b"\xff\xd8",
        "gif-sig-only.gif": b"GIF89a",
        "tiff-sig-only.tif": b"II*\x00",
    }
    cases = [Case(name, "not-an-image", data, "reject") for name, data in blobs.items()]
    for i in range(12):
        size = rng.choice([3, 17, 256, 4096, 65536])
        cases.append(Case(f"random-{i}.jpg", "random-bytes", rng.randbytes(size), "reject"))
    return cases


def _wrong_extension(bases: dict[str, bytes]) -> list[Case]:
    exts = list(bases)
    cases = []
    for i, (ext, data) in enumerate(bases.items()):
        wrong = exts[(i + 1) % len(exts)]
        cases.append(Case(f"really-{ext}.{wrong}", "wrong-extension", data, "accept", expect_upright(64, 40)))
        cases.append(Case(f"really-{ext}.txt", "wrong-extension", data, "accept", expect_upright(64, 40)))
    return cases


def _sizes() -> list[Case]:
    cases = []
    for w, h in [(1, 1), (1, 3), (3, 1), (2, 2), (7, 5)]:
        img = Image.new("RGB", (w, h), GREEN)
        for fmt, ext, params in [
            ("PNG", "png", {}),
            ("JPEG", "jpg", {"quality": 95}),
            ("GIF", "gif", {}),
            ("TIFF", "tif", {}),
            ("BMP", "bmp", {}),
            ("WEBP", "webp", {"lossless": True}),
        ]:
            data = save(img, fmt, **params)
            cases.append(Case(f"tiny-{w}x{h}.{ext}", "tiny", data, "accept", expect_shape(w, h)))
    # Very large but under the limit: 7000 x 7000 = 49 megapixels (grey PNG, ~50 kB).
    big = png_zlib_bomb(7_000, 7_000)
    cases.append(Case("large-7000x7000.png", "large", big, "accept", expect_shape(7_000, 7_000)))
    # 4000 x 3000 colour JPEG (12 megapixels, a phone photo).
    arr = np.zeros((3_000, 4_000, 3), np.uint8)
    arr[:, :, 1] = 200
    ok, jpg = cv2.imencode(".jpg", arr, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    cases.append(Case("large-4000x3000.jpg", "large", jpg.tobytes(), "accept", expect_shape(4_000, 3_000)))
    return cases


def _animated() -> list[Case]:
    frames = [Image.new("RGB", (32, 24), c) for c in (RED, GREEN, BLUE)]
    first = expect_colour(RED)
    cases = [
        Case(
            "anim.gif",
            "animated",
            save(frames[0], "GIF", save_all=True, append_images=frames[1:]),
            "accept",
            first,
        ),
        Case(
            "anim.png",
            "animated",
            save(frames[0], "PNG", save_all=True, append_images=frames[1:]),
            "accept",
            first,
        ),
        Case(
            "anim.webp",
            "animated",
            save(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True),
            "accept",
            first,
        ),
        Case(
            "pages.tif",
            "multi-page",
            save(frames[0], "TIFF", save_all=True, append_images=frames[1:]),
            "accept",
            first,
        ),
        Case(
            "pages-deflate.tif",
            "multi-page",
            save(frames[0], "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate"),
            "accept",
            first,
        ),
    ]
    many = [Image.new("RGB", (16, 16), (i * 2, 0, 0)) for i in range(100)]
    many[0] = Image.new("RGB", (16, 16), GREEN)
    cases.append(
        Case(
            "anim-100.gif",
            "animated",
            save(many[0], "GIF", save_all=True, append_images=many[1:]),
            "accept",
            expect_colour(GREEN),
        )
    )
    return cases


def _modes() -> list[Case]:
    cases: list[Case] = []
    grey16 = np.full((20, 30), 40_000, np.uint16)  # 40000 / 257 ≈ 156
    ok, png16 = cv2.imencode(".png", grey16)
    assert ok
    cases.append(Case("grey16.png", "16-bit", png16.tobytes(), "accept", expect_colour((156, 156, 156), 3)))
    bgr16 = np.zeros((20, 30, 3), np.uint16)
    bgr16[:, :, 2] = 65_535  # red in BGR order
    for ext in ("png", "tif"):
        ok, blob = cv2.imencode(f".{ext}", bgr16)
        assert ok
        cases.append(Case(f"rgb16.{ext}", "16-bit", blob.tobytes(), "accept", expect_colour(RED, 3)))
    ok, tif16 = cv2.imencode(".tif", grey16)
    assert ok
    cases.append(Case("grey16.tif", "16-bit", tif16.tobytes(), "accept", expect_colour((156, 156, 156), 3)))
    flt = Image.fromarray(np.full((20, 30), 0.5, np.float32), "F")
    cases.append(Case("float.tif", "float", save(flt, "TIFF"), "accept", expect_colour((128, 128, 128), 2)))
    i32 = Image.fromarray(np.full((20, 30), 200, np.int32), "I")
    cases.append(Case("int32.tif", "32-bit", save(i32, "TIFF"), "accept", expect_colour((200, 200, 200), 2)))
    red = Image.new("RGB", (30, 20), RED)
    cmyk = red.convert("CMYK")
    cases.append(Case("cmyk.jpg", "cmyk", save(cmyk, "JPEG", quality=95), "accept", expect_colour(RED)))
    cases.append(Case("cmyk.tif", "cmyk", save(cmyk, "TIFF"), "accept", expect_colour(RED)))
    pal = red.convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    cases.append(Case("palette.png", "palette", save(pal, "PNG"), "accept", expect_colour(RED, 2)))
    cases.append(Case("palette.gif", "palette", save(pal, "GIF"), "accept", expect_colour(RED, 2)))
    cases.append(Case("palette.bmp", "palette", save(pal, "BMP"), "accept", expect_colour(RED, 2)))
    transparent = pal.copy()
    transparent.info["transparency"] = 0
    cases.append(
        Case("palette-transparent.png", "palette", save(transparent, "PNG"), "accept", expect_shape(30, 20))
    )
    clear = Image.new("RGBA", (30, 20), (255, 0, 0, 0))
    cases.append(
        Case("rgba-clear.png", "alpha", save(clear, "PNG"), "accept", expect_colour((255, 255, 255), 2))
    )
    half = Image.new("LA", (30, 20), (0, 255))
    cases.append(Case("la.png", "alpha", save(half, "PNG"), "accept", expect_colour((0, 0, 0), 2)))
    cases.append(
        Case(
            "rgba.webp",
            "alpha",
            save(Image.new("RGBA", (30, 20), (0, 0, 255, 255)), "WEBP", lossless=True),
            "accept",
            expect_colour(BLUE, 2),
        )
    )
    bilevel = Image.new("1", (30, 20), 1)
    cases.append(
        Case("bilevel.png", "1-bit", save(bilevel, "PNG"), "accept", expect_colour((255, 255, 255), 2))
    )
    cases.append(
        Case(
            "bilevel-g4.tif",
            "1-bit",
            save(bilevel, "TIFF", compression="group4"),
            "accept",
            expect_colour((255, 255, 255), 2),
        )
    )
    cases.append(
        Case(
            "grey.jpg",
            "grey",
            save(Image.new("L", (30, 20), 77), "JPEG"),
            "accept",
            expect_colour((77, 77, 77), 3),
        )
    )
    ycc = Image.new("RGB", (30, 20), GREEN).convert("YCbCr")
    cases.append(Case("ycbcr.jpg", "ycbcr", save(ycc, "JPEG", quality=95), "accept", expect_colour(GREEN)))
    lab = Image.new("RGB", (30, 20), BLUE).convert("LAB")
    cases.append(Case("lab.tif", "lab", save(lab, "TIFF"), "accept", expect_shape(30, 20)))
    return cases


#: Transpose that undoes EXIF orientation ``o`` (so saving ``U.transpose(INVERSE[o])`` tagged ``o``
#: displays ``U``).
INVERSE = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def _exif() -> list[Case]:
    up = upright(60, 36)
    cases = []
    for orientation in range(1, 9):
        stored = up if orientation == 1 else up.transpose(INVERSE[orientation])
        exif = Image.Exif()
        exif[0x0112] = orientation
        for fmt, ext, params in [
            ("JPEG", "jpg", {"quality": 95}),
            ("PNG", "png", {}),
            ("WEBP", "webp", {"lossless": True}),
            ("TIFF", "tif", {}),
        ]:
            data = save(stored, fmt, exif=exif, **params)
            cases.append(
                Case(f"exif-{orientation}.{ext}", f"exif-{ext}", data, "accept", expect_upright(60, 36))
            )
    return cases


def _names(bases: dict[str, bytes]) -> list[Case]:
    """Odd file names: decoding must not care, the CLI must print them on one line."""
    names = [
        "ünïcødé-Ausweis.jpg",
        "パスポート.jpg",
        "паспорт.jpg",
        "جواز.jpg",
        "emoji-🪪.jpg",
        "space name .jpg",
        "-dash-first.jpg",
        "semi;colon&amp.jpg",
        "quote'\"name.jpg",
        "new\nline.jpg",
        "tab\tname.jpg",
        "back\\slash.jpg",
        "a" * 200 + ".jpg",
    ]
    cases = []
    for i, name in enumerate(names):
        data = bases["jpg"] if i % 2 == 0 else b"not an image " + name.encode()
        expect = "accept" if i % 2 == 0 else "reject"
        cases.append(
            Case(name, "odd-name", data, expect, expect_upright(64, 40) if expect == "accept" else None)
        )
    return cases


@functools.cache
def build_corpus(seed: int = 20261125) -> tuple[Case, ...]:
    """Every case of the corpus, deterministic for a given ``seed`` (built once per process)."""
    rng = random.Random(seed)
    bases = _base_files()
    cases = (
        _empty()
        + _truncated(bases, rng)
        + _bit_flips(bases, rng)
        + _bombs()
        + _not_images(rng)
        + _wrong_extension(bases)
        + _sizes()
        + _animated()
        + _modes()
        + _exif()
        + _names(bases)
    )
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "corpus file names must be unique"
    return tuple(cases)


def write_corpus(cases: tuple[Case, ...], directory: Path) -> dict[str, Path]:
    """Write every case under ``directory``; returns name → path."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in cases:
        path = directory / case.name
        path.write_bytes(case.data)
        out[case.name] = path
    return out
