"""The OCR engines on rendered text: correct reading, and fast agrees with stock."""

from __future__ import annotations

import difflib
import logging
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from idstream.ocr.engine import OcrEngine, ocr_engine

pytestmark = pytest.mark.slow


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate via difflib's matching blocks (an upper bound on edit distance)."""
    matcher = difflib.SequenceMatcher(a=reference, b=hypothesis, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return (max(len(reference), len(hypothesis)) - matched) / max(len(reference), 1)


@pytest.fixture(scope="module")
def fast() -> OcrEngine:
    return ocr_engine("fast", threads=2)


@pytest.fixture(scope="module")
def stock() -> OcrEngine:
    return ocr_engine("stock", threads=2)


def test_factory_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown OCR engine"):
        ocr_engine("tesseract")


def test_fast_reads_a_line(fast: OcrEngine, line_image: npt.NDArray[np.uint8]) -> None:
    result = fast.run(line_image)
    text = " ".join(s.text for s in result.segments)
    assert cer("IDENTITY CARD 0123456789", text) <= 0.05, text
    assert {"detect", "recognize", "ocr"} <= set(result.timings_ms)
    seg = result.segments[0]
    assert seg.doc_quad == seg.quad
    xs = [p[0] for p in seg.quad]
    ys = [p[1] for p in seg.quad]
    assert 0 <= min(xs) < 40 and max(xs) <= 640 and 0 <= min(ys) < 30 and max(ys) <= 90
    assert 0.0 <= seg.confidence <= 1.0


def test_fast_agrees_with_stock_on_a_card(
    fast: OcrEngine, stock: OcrEngine, card_image: npt.NDArray[np.uint8]
) -> None:
    got = fast.read(card_image, document_format="ID-1")
    ref = stock.read(card_image)
    fast_texts = sorted(s.text for s in got)
    stock_texts = sorted(s.text for s in ref)
    assert len(fast_texts) == len(stock_texts), (fast_texts, stock_texts)
    total = cer(" ".join(stock_texts), " ".join(fast_texts))
    assert total <= 0.05, (fast_texts, stock_texts)
    # values and their labels stay separate segments
    assert any("ERIKSSON" in t for t in fast_texts)
    assert "ERIKSSON" not in " ".join(t for t in fast_texts if "Surname" in t)


def test_rejects_non_images(fast: OcrEngine) -> None:
    from idstream.errors import InvalidInput

    with pytest.raises(InvalidInput):
        fast.read(np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(InvalidInput):
        fast.read(np.zeros((50, 50, 3), dtype=np.float32))  # type: ignore[arg-type]


def test_blank_image_gives_no_segments(fast: OcrEngine) -> None:
    assert fast.read(np.full((200, 300, 3), 255, dtype=np.uint8)) == []


def test_fast_engine_runs_on_onnx_runtime_when_the_models_are_built(fast: OcrEngine) -> None:
    from idstream.ocr.export import MANIFEST
    from idstream.ocr.onnxrt import onnx_dir

    if not (onnx_dir() / MANIFEST).is_file():
        pytest.skip(f"no exported models in {onnx_dir()} (make ocr-models)")
    assert getattr(fast, "backend", None) == "onnxruntime"


def test_fast_engine_falls_back_to_torch_saying_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, line_image: npt.NDArray[np.uint8]
) -> None:
    from idstream.ocr.engine import FastEngine

    with caplog.at_level(logging.WARNING, logger="idstream.ocr.onnxrt"):
        engine = FastEngine(onnx_dir=tmp_path, threads=2)
    assert engine.backend == "torch"
    assert "falls back to torch: no ONNX models in" in caplog.text
    assert "IDENTITY" in " ".join(s.text for s in engine.read(line_image))


def test_default_threads_follow_omp_num_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    from idstream.ocr.engine import default_threads

    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert default_threads() >= 1
