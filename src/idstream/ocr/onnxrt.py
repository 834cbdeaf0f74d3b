"""The ONNX Runtime models of the fast engine: where they are, checking them, loading them.

The models are derived from the official weights by :mod:`idstream.ocr.export`
(``make ocr-models``; ``make run`` and ``make test`` run it) into an ignored cache
directory, never the user's home: ``$IDSTREAM_OCR_ONNX_DIR`` when set, else
``.cache/ocr-onnx`` of the source checkout. :func:`load_onnx_models` checks them
against their manifest (recipe version, SHA-256 of every file, the weights
directory they come from) and returns ``None``, with a log line saying why, when
they are absent or do not match; the fast engine then runs on torch.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = [
    "ONNX_DIR_ENV",
    "OnnxModels",
    "OnnxRecognizer",
    "load_onnx_models",
    "onnx_dir",
]

log = logging.getLogger(__name__)

#: Environment variable naming the directory of the exported ONNX models.
ONNX_DIR_ENV = "IDSTREAM_OCR_ONNX_DIR"


def onnx_dir() -> Path:
    """The directory of the exported ONNX models.

    Returns:
        ``$IDSTREAM_OCR_ONNX_DIR`` when set, else ``.cache/ocr-onnx`` at the root of
        the source tree this package runs from.
    """
    configured = os.environ.get(ONNX_DIR_ENV, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    return Path(__file__).resolve().parents[3] / ".cache" / "ocr-onnx"


_shared_arena: bool | None = None


def _shared_arena_registered() -> bool:
    """Register, once per process, the CPU memory arena the detector session allocates from.

    It grows by exactly what is requested (``arena_extend_strategy`` 1, not ONNX Runtime's
    default of doubling) and, with the session's memory pattern off, holds about the peak of
    the largest image seen, no more (489 MB against 494 MB peak without an arena, 800 MB with
    the session's default arena, after ID-1 cards and passport pages). Without an arena every
    run page-faults its activations in afresh: about 34,000 faults and 70-80 ms of system CPU
    time per ID-1 card, some 13% of CRAFT's CPU time.

    Returns:
        Whether the arena is there (``False``, logged, when ONNX Runtime refuses it).
    """
    global _shared_arena
    if _shared_arena is None:
        import onnxruntime as ort

        try:
            info = ort.OrtMemoryInfo(
                "Cpu", ort.OrtAllocatorType.ORT_ARENA_ALLOCATOR, 0, ort.OrtMemType.DEFAULT
            )
            config = ort.OrtArenaCfg({"arena_extend_strategy": 1})
            ort.create_and_register_allocator(info, config)
            _shared_arena = True
        except Exception as exc:  # onnxruntime raises its own untyped errors
            log.warning("OCR detector runs without a memory arena: %s", exc)
            _shared_arena = False
    return _shared_arena


def _session(path: Path, threads: int | None, *, shared_arena: bool = False) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    if shared_arena:
        # CRAFT's activations are large and change shape with every image: its own default
        # arena keeps doubling (peak RSS 1.59 GB instead of 1.27 GB after a few passports),
        # no arena costs a page fault per 4 KiB of activations on every run. The shared
        # arena of _shared_arena_registered grows by what is asked; memory patterns (one
        # planned block per input shape) are off, as shapes rarely repeat.
        if _shared_arena_registered():
            options.add_session_config_entry("session.use_env_allocators", "1")
            options.enable_mem_pattern = False
        else:
            options.enable_cpu_mem_arena = False
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.inter_op_num_threads = 1
    if threads is not None:
        options.intra_op_num_threads = max(1, int(threads))
    # Idle worker threads would spin on the cores the rest of the pipeline (torch) needs next.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxRecognizer:
    """The CRNN as ONNX Runtime session, callable like EasyOCR's torch recognizer.

    ``model(images, text)`` takes the ``(N, 1, 64, W)`` float tensor EasyOCR's
    ``get_text`` builds and returns the ``(N, T, classes)`` logits as a torch
    tensor, so EasyOCR's own pre- and post-processing stay unchanged.
    """

    def __init__(self, session: Any) -> None:
        self.session = session

    def eval(self) -> OnnxRecognizer:
        """No-op (``get_text`` calls it on torch modules)."""
        return self

    def logits(self, images: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Logits for a ``(N, 1, 64, W)`` float32 batch."""
        out = self.session.run(None, {"x": np.ascontiguousarray(images, dtype=np.float32)})[0]
        return np.asarray(out, dtype=np.float32)

    def __call__(self, images: Any, text: Any = None) -> Any:
        import torch

        return torch.from_numpy(self.logits(images.numpy()))


@dataclass(frozen=True, slots=True)
class OnnxModels:
    """ONNX Runtime sessions of CRAFT and of the recognizer.

    Attributes:
        detector: the CRAFT session (``x``: ``(1, 3, H, W)`` normalized RGB, ``y``: score maps).
        recognizer: the recognizer, callable like EasyOCR's torch model.
        directory: where the models were loaded from.
    """

    detector: Any
    recognizer: OnnxRecognizer
    directory: Path

    def heatmaps(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """CRAFT's ``(H/2, W/2, 2)`` text and link scores for one normalized ``1x3xHxW`` input."""
        return np.asarray(self.detector.run(None, {"x": x})[0][0], dtype=np.float32)


def _check(directory: Path, weights_dir: Path) -> str | None:
    """Why the directory cannot be used, or ``None`` when it can."""
    from idstream.ocr.export import DETECTOR_ONNX, EXPORT_VERSION, MANIFEST, RECOGNIZER_ONNX, sha256

    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return f"no ONNX models in {directory} (run `make ocr-models`)"
    except (OSError, ValueError) as exc:
        return f"unreadable {MANIFEST} in {directory}: {exc}"
    if manifest.get("version") != EXPORT_VERSION:
        return f"ONNX models in {directory} are from another export recipe (run `make ocr-models`)"
    if manifest.get("sources", {}).get("model_dir") != str(weights_dir):
        return f"ONNX models in {directory} were exported from other weights than {weights_dir}"
    files = manifest.get("files", {})
    for name in (DETECTOR_ONNX, RECOGNIZER_ONNX):
        entry = files.get(name)
        if entry is None or not (directory / name).is_file():
            return f"{name} is missing from {directory} (run `make ocr-models`)"
        if sha256(directory / name) != entry.get("sha256"):
            return f"{name} in {directory} does not match its manifest (run `make ocr-models`)"
    return None


def load_onnx_models(
    directory: str | os.PathLike[str] | None = None,
    *,
    weights_dir: str | os.PathLike[str] | None = None,
    threads: int | None = None,
) -> OnnxModels | None:
    """Load the exported models if they are there and match their manifest.

    Args:
        directory: the ONNX directory (default: :func:`onnx_dir`).
        weights_dir: the weights directory the engine would use (default:
            :func:`idstream.ocr.models.model_dir`); models exported from other
            weights are not used.
        threads: intra-op threads of each session (``None``: ONNX Runtime's default).

    Returns:
        The sessions, or ``None`` (logged at warning level with the reason) when
        the models are absent, stale, or onnxruntime is not installed.
    """
    from idstream.ocr.export import DETECTOR_ONNX, RECOGNIZER_ONNX
    from idstream.ocr.models import model_dir

    root = Path(directory) if directory is not None else onnx_dir()
    source = Path(weights_dir).resolve() if weights_dir is not None else model_dir()
    reason = _check(root, source)
    if reason is None:
        try:
            detector = _session(root / DETECTOR_ONNX, threads, shared_arena=True)
            recognizer = OnnxRecognizer(_session(root / RECOGNIZER_ONNX, threads))
        except ImportError:
            reason = "onnxruntime is not installed"
        except Exception as exc:  # onnxruntime raises its own untyped errors
            reason = f"ONNX Runtime cannot load the models in {root}: {exc}"
        else:
            return OnnxModels(detector=detector, recognizer=recognizer, directory=root)
    log.warning("OCR fast engine falls back to torch: %s", reason)
    return None
