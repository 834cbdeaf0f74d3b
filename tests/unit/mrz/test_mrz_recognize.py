"""The MRZ recognizer's runtimes: the ONNX model at 64 px, the torch fallback at other heights."""

from __future__ import annotations

import numpy as np
import torch

from idstream.mrz.recognize import MrzRecognizer

CHARACTERS = ["[blank]", *"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ<"]


class _Onnxish:
    """Called like EasyOCR's model, but not a torch module (as the ONNX Runtime recognizer)."""

    def __init__(self) -> None:
        self.heights: list[int] = []

    def __call__(self, images: torch.Tensor, text: object = None) -> torch.Tensor:
        self.heights.append(int(images.shape[2]))
        if images.shape[2] != 64:
            raise ValueError("fixed height 64")
        return torch.zeros(images.shape[0], images.shape[3] // 4, len(CHARACTERS))


class _Torchish(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def forward(self, images: torch.Tensor, text: object = None) -> torch.Tensor:
        self.calls += 1
        return torch.zeros(images.shape[0], images.shape[3] // 4, len(CHARACTERS))


def test_onnx_model_reads_64_px_and_the_torch_fallback_other_heights() -> None:
    fast, slow = _Onnxish(), _Torchish()
    rec = MrzRecognizer(fast, CHARACTERS, fallback=slow)
    assert rec.backend == "onnxruntime"
    out = rec.frame_logprobs([np.full((64, 200), 200, np.uint8)])
    assert out[0].shape == (50, 38) and fast.heights == [64]
    rec.frame_logprobs([np.full((32, 100), 200, np.uint8)])
    assert fast.heights == [64]  # the 32 px crop went to the fallback (a private copy of it)
    assert np.allclose(np.exp(out[0]).sum(axis=1), 1.0, atol=1e-4)


def test_torch_model_is_copied_not_changed() -> None:
    model = _Torchish()
    rec = MrzRecognizer(model, CHARACTERS)
    assert rec.backend == "torch"
    rec.frame_logprobs([np.full((64, 120), 90, np.uint8)])
    assert model.calls == 0  # the shared model of the OCR engine is never called or converted
