"""Tests for idstream.imageio: decoding untrusted bytes and refusing bad ones."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from idstream.errors import EmptyImage, ImageTooLarge, InvalidInput, UnreadableImage
from idstream.imageio import decode_image, encode_jpeg, encode_png, read_image_file


def _save(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    crc = zlib.crc32(kind + payload) & 0xFFFFFFFF
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", crc)


def _rgb_test_image(width: int = 40, height: int = 20) -> Image.Image:
    array = np.zeros((height, width, 3), dtype=np.uint8)
    array[:, : width // 2] = (255, 0, 0)  # left half red (RGB)
    array[:, width // 2 :] = (0, 0, 255)  # right half blue
    return Image.fromarray(array, "RGB")


def test_png_roundtrip_is_bgr() -> None:
    out = decode_image(_save(_rgb_test_image(), "PNG"))
    assert out.shape == (20, 40, 3) and out.dtype == np.uint8 and out.flags["C_CONTIGUOUS"]
    assert tuple(out[10, 5]) == (0, 0, 255)  # red in BGR
    assert tuple(out[10, 35]) == (255, 0, 0)  # blue in BGR


def test_empty_bytes() -> None:
    with pytest.raises(EmptyImage):
        decode_image(b"")


def test_text_file_is_unreadable() -> None:
    with pytest.raises(UnreadableImage, match="not a recognized image"):
        decode_image(b"surname,given_names\nnot,an image\n" * 10)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_image(fmt: str) -> None:
    noise = np.random.default_rng(0).integers(0, 256, (200, 300, 3), dtype=np.uint8)
    data = _save(Image.fromarray(noise, "RGB"), fmt)
    with pytest.raises(UnreadableImage):
        decode_image(data[: len(data) // 2])


@pytest.mark.parametrize("side", [8000, 20000])
def test_bomb_header_refused_before_decoding(side: int) -> None:
    # A PNG whose header claims side x side pixels (64 MP, 400 MP) but holds almost no data:
    # refusing it must not allocate the pixels (that would need 192 MB / 1.2 GB).
    ihdr = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    data = (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(b"\0" * 100))
        + _png_chunk(b"IEND", b"")
    )
    with pytest.raises(ImageTooLarge, match="too large"):
        decode_image(data)


def test_max_pixels_is_configurable() -> None:
    data = _save(_rgb_test_image(100, 100), "PNG")
    with pytest.raises(ImageTooLarge):
        decode_image(data, max_pixels=9_999)
    assert decode_image(data, max_pixels=10_000).shape == (100, 100, 3)


def test_sixteen_bit_png() -> None:
    ramp = (np.arange(64, dtype=np.uint16)[None, :].repeat(8, axis=0) * 1024).astype(np.uint16)
    out = decode_image(_save(Image.fromarray(ramp), "PNG"))
    assert out.shape == (8, 64, 3) and out.dtype == np.uint8
    assert out[0, 0, 0] == 0 and out[0, 63, 0] == round(63 * 1024 / 257)
    assert np.all(out[:, :, 0] == out[:, :, 2])


def test_cmyk_jpeg() -> None:
    cmyk = Image.new("CMYK", (32, 16), (0, 255, 255, 0))  # pure red in CMYK
    out = decode_image(_save(cmyk, "JPEG", quality=95))
    assert out.shape == (16, 32, 3)
    b, g, r = (int(v) for v in out[8, 16])
    assert r > 200 and g < 60 and b < 60


def test_palette_png_with_transparency_over_white() -> None:
    image = Image.new("P", (10, 10), 0)
    image.putpalette([0, 0, 0, 0, 255, 0] + [0] * (254 * 3))
    image.putpixel((5, 5), 1)
    out = decode_image(_save(image, "PNG", transparency=0))
    assert tuple(out[0, 0]) == (255, 255, 255)  # transparent -> white
    assert tuple(out[5, 5]) == (0, 255, 0)


def test_rgba_and_grey() -> None:
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    assert tuple(decode_image(_save(rgba, "PNG"))[0, 0]) == (255, 255, 255)
    grey = Image.new("L", (4, 4), 77)
    assert tuple(decode_image(_save(grey, "PNG"))[0, 0]) == (77, 77, 77)


def test_exif_orientation_is_honoured() -> None:
    image = _rgb_test_image(40, 20)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored image must be rotated 90 degrees clockwise for display
    out = decode_image(_save(image, "JPEG", quality=95, exif=exif.tobytes()))
    assert out.shape == (40, 20, 3)
    # After a clockwise quarter turn, the stored left (red) half is on top.
    assert out[5, 10, 2] > 200 and out[35, 10, 0] > 200


def test_animated_gif_first_frame() -> None:
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 255, 0))]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=100)
    out = decode_image(buffer.getvalue())
    assert out.shape == (8, 8, 3)
    assert tuple(out[4, 4]) == (0, 0, 255)


def test_read_image_file_names_the_file(tmp_path: Path) -> None:
    good = tmp_path / "card.png"
    good.write_bytes(_save(_rgb_test_image(), "PNG"))
    assert read_image_file(good).shape == (20, 40, 3)
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    with pytest.raises(UnreadableImage, match=r"notes\.txt"):
        read_image_file(bad)
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    with pytest.raises(EmptyImage, match=r"empty\.jpg"):
        read_image_file(empty)
    with pytest.raises(InvalidInput, match=r"missing\.jpg"):
        read_image_file(tmp_path / "missing.jpg")


def test_encoders_roundtrip() -> None:
    image = np.random.default_rng(1).integers(0, 256, (30, 50, 3), dtype=np.uint8)
    assert np.array_equal(decode_image(encode_png(image)), image)
    decoded = decode_image(encode_jpeg(image, quality=95))
    assert decoded.shape == image.shape
    with pytest.raises(ValueError):
        encode_jpeg(image, quality=0)
    with pytest.raises(ValueError):
        encode_png(image.astype(np.float32))  # type: ignore[arg-type]
