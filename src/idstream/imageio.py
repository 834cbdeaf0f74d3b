"""Decode untrusted image bytes into BGR arrays, and encode arrays for the object store.

:func:`decode_image` is the one entry point for image bytes coming from outside
(CLI files, object-store objects, gRPC requests). It refuses what cannot be
processed with an :class:`~idstream.errors.InvalidInput` subclass:

* :class:`~idstream.errors.EmptyImage`: no bytes, or an image without pixels;
* :class:`~idstream.errors.ImageTooLarge`: the header claims more than
  ``max_pixels`` pixels (checked from the header, before any pixel is decoded);
* :class:`~idstream.errors.UnreadableImage`: not an image, truncated, corrupt.

Whatever the source format, the result is a C-contiguous ``(H, W, 3)`` BGR
``uint8`` array (the OpenCV convention): the EXIF orientation is applied,
16-bit and float images are scaled to 8 bits, CMYK, palette, grey and
colour-with-alpha images are converted (alpha is composited over white), and
only the first frame of an animated or multi-page file is kept.
"""

from __future__ import annotations

import functools
import io
import warnings
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from idstream.errors import EmptyImage, IdstreamError, ImageTooLarge, UnreadableImage

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "decode_image",
    "encode_jpeg",
    "encode_png",
    "read_image_file",
]

#: Largest image accepted by default (decompression-bomb guard), in pixels.
DEFAULT_MAX_PIXELS = 50_000_000

_ALPHA_MODES = frozenset({"RGBA", "LA", "PA", "RGBa", "La"})


def decode_image(data: bytes, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> NDArray[np.uint8]:
    """Decode image bytes into an upright BGR ``uint8`` array.

    Args:
        data: the encoded image (JPEG, PNG, TIFF, WebP, GIF, BMP, ... anything Pillow reads).
        max_pixels: the largest ``width * height`` accepted; larger images are refused
            from their header, without decoding their pixels.

    Returns:
        A C-contiguous ``(height, width, 3)`` BGR ``uint8`` array, EXIF orientation applied.

    Raises:
        EmptyImage: ``data`` is empty, or the image has no pixels.
        ImageTooLarge: the image has more than ``max_pixels`` pixels.
        UnreadableImage: the bytes are not an image, or it is truncated or corrupt.
    """
    if not data:
        raise EmptyImage("empty input (0 bytes)")
    _silence_libtiff()
    try:
        with warnings.catch_warnings():
            # Our own limit below replaces Pillow's warning; its hard error is mapped to ImageTooLarge.
            # Pillow's other warnings (corrupt EXIF, truncated tags...) would print extra stderr lines
            # in the CLI: the outcome is decided by the exceptions below, so they are silenced too.
            warnings.simplefilter("ignore")
            opened = Image.open(io.BytesIO(data))
            opened.seek(0)
            _check_size(opened.size, max_pixels)
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except IdstreamError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"image too large (decompression bomb guard, limit {max_pixels} pixels)") from exc
    except UnidentifiedImageError as exc:
        raise UnreadableImage("not a recognized image format") from exc
    except Exception as exc:  # Pillow plugins raise OSError, SyntaxError, ValueError, EOFError, zlib.error...
        raise UnreadableImage(f"corrupt or truncated image ({type(exc).__name__})") from exc
    return _to_bgr(image)


def read_image_file(path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> NDArray[np.uint8]:
    """Read and decode an image file (see :func:`decode_image`).

    Args:
        path: the file to read.
        max_pixels: the largest ``width * height`` accepted.

    Returns:
        The image as a BGR ``uint8`` array.

    Raises:
        EmptyImage, ImageTooLarge, UnreadableImage: as :func:`decode_image`, with the file
            name in the message; :class:`UnreadableImage` also when the file cannot be read.
    """
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UnreadableImage(f"{name}: cannot read file ({reason})") from exc
    try:
        return decode_image(data, max_pixels=max_pixels)
    except (EmptyImage, ImageTooLarge, UnreadableImage) as exc:
        raise type(exc)(f"{name}: {exc.reason}") from exc


def encode_png(image: NDArray[np.uint8], *, compression: int = 3) -> bytes:
    """Encode a BGR (or grey) ``uint8`` image as PNG bytes (lossless).

    Args:
        image: ``(H, W, 3)`` BGR or ``(H, W)`` grey ``uint8`` array.
        compression: zlib level 0-9 (3 is a good speed/size trade-off).
    """
    return _encode(image, ".png", [cv2.IMWRITE_PNG_COMPRESSION, int(compression)])


def encode_jpeg(image: NDArray[np.uint8], quality: int = 92) -> bytes:
    """Encode a BGR (or grey) ``uint8`` image as JPEG bytes.

    Args:
        image: ``(H, W, 3)`` BGR or ``(H, W)`` grey ``uint8`` array.
        quality: JPEG quality, 1-100.
    """
    if not 1 <= quality <= 100:
        raise ValueError(f"JPEG quality must be in 1..100, got {quality}")
    return _encode(image, ".jpg", [cv2.IMWRITE_JPEG_QUALITY, int(quality)])


@functools.cache
def _silence_libtiff() -> None:
    """Stop libtiff printing diagnostics of corrupt files on stderr (once per process).

    Pillow's bundled libtiff writes warnings and errors straight to file descriptor 2,
    which would add lines to the CLI's one-line reasons; the outcome of a decode is
    decided by the exception Pillow raises anyway. Best effort: Linux, Pillow's libtiff.
    """
    try:
        import ctypes

        from PIL import _imaging  # noqa: F401  (loads libtiff)

        with open("/proc/self/maps", encoding="utf-8") as maps:
            path = next((line.split()[-1] for line in maps if "/libtiff" in line), None)
        if path is None:
            return
        lib = ctypes.CDLL(path)
        lib.TIFFSetErrorHandler.restype = ctypes.c_void_p
        lib.TIFFSetErrorHandler.argtypes = [ctypes.c_void_p]
        lib.TIFFSetWarningHandler.restype = ctypes.c_void_p
        lib.TIFFSetWarningHandler.argtypes = [ctypes.c_void_p]
        lib.TIFFSetErrorHandler(None)
        lib.TIFFSetWarningHandler(None)
    except (OSError, AttributeError, ImportError):
        return


def _check_size(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise EmptyImage(f"image has no pixels ({width}x{height})")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"image too large: {width}x{height} = {width * height} pixels, limit {max_pixels}"
        )


def _to_bgr(image: Image.Image) -> NDArray[np.uint8]:
    """Convert any Pillow mode to a C-contiguous BGR uint8 array."""
    mode = image.mode
    if mode in ("I", "F") or mode.startswith("I;16"):
        grey = _scale_to_uint8(np.asarray(image), sixteen_bit=mode.startswith("I;16"))
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    if mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif mode not in ("RGB", "RGBA", "LA", "L") and mode not in _ALPHA_MODES:
        image = image.convert("RGB")  # CMYK, YCbCr, LAB, HSV, 1, ...
    if image.mode in _ALPHA_MODES:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba).convert("RGB")
    if image.mode == "L":
        grey = np.asarray(image, dtype=np.uint8)
        return np.ascontiguousarray(np.repeat(grey[:, :, None], 3, axis=2))
    rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _scale_to_uint8(values: NDArray[np.generic], *, sixteen_bit: bool) -> NDArray[np.uint8]:
    """Scale a 16-bit / 32-bit / float grey image to 8 bits."""
    array = values.astype(np.float64)
    if values.dtype.kind == "f":
        finite = array[np.isfinite(array)]
        top = float(finite.max()) if finite.size else 1.0
        scale = 255.0 if top <= 1.0 else 255.0 / top
        array = np.nan_to_num(array, nan=0.0, posinf=top, neginf=0.0) * scale
    else:
        top = float(array.max()) if array.size else 0.0
        if sixteen_bit or 255.0 < top <= 65535.0:
            array = array / 257.0  # 16-bit range -> 8-bit
        elif top > 65535.0:
            array = array * (255.0 / top)
    return np.clip(np.rint(array), 0, 255).astype(np.uint8)


def _encode(image: NDArray[np.uint8], ext: str, params: list[int]) -> bytes:
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or image.size == 0:
        raise ValueError(f"expected a non-empty uint8 image, got {image.dtype} {image.shape}")
    ok, buffer = cv2.imencode(ext, image, params)
    if not ok:
        raise ValueError(f"OpenCV could not encode the image as {ext}")
    return bytes(buffer.tobytes())
