"""Batched CRNN recognition of detected text boxes.

Stock EasyOCR recognizes the crops one at a time on the CPU. Here the crops of
one document are grouped by the padded width EasyOCR would give each of them
(``ceil(width / height)`` times the model height), and each group goes through
the recognizer as one batch: every crop sees the same input tensor as in stock
EasyOCR, with fewer, larger matrix products. EasyOCR's own second pass with
raised contrast for low-confidence crops is kept.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Recognition", "bf16_recognizer", "recognize_boxes"]

# EasyOCR's DataLoader asks for pinned memory, which a CPU-only torch warns about on every call.
warnings.filterwarnings("ignore", message="'pin_memory' argument is set as true", category=UserWarning)

#: ``(four-point box, text, confidence)`` in the coordinates of the image given.
Recognition = tuple[list[list[float]], str, float]


def bf16_recognizer(model: Any) -> Any:
    """Wrap an EasyOCR CRNN so that its convolutional feature extractor runs in bfloat16.

    The feature extractor is about 80% of the recognizer's time; the (int8
    dynamically quantized) LSTM and the classifier stay in float32. The wrapped
    model is left unchanged, so stock EasyOCR sharing it is unaffected.

    Args:
        model: ``reader.recognizer`` (EasyOCR's ``vgg_model.Model``).

    Returns:
        A module with the same call signature, or ``model`` itself when its
        structure is not the expected one.
    """
    import torch

    parts = ("FeatureExtraction", "AdaptiveAvgPool", "SequenceModeling", "Prediction")
    if not all(hasattr(model, p) for p in parts):
        return model

    class _Bf16Features(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, image: Any, text: Any) -> Any:
            m = self.inner
            with torch.autocast("cpu", dtype=torch.bfloat16):
                visual = m.FeatureExtraction(image)
            visual = m.AdaptiveAvgPool(visual.float().permute(0, 3, 1, 2)).squeeze(3)
            return m.Prediction(m.SequenceModeling(visual).contiguous())

    return _Bf16Features(model).eval()


def _ignore_chars(reader: Any, allowlist: str | None) -> str:
    if allowlist:
        return "".join(set(reader.character) - set(allowlist))
    return "".join(set(reader.character) - set(reader.lang_char))


def recognize_boxes(
    reader: Any,
    grey: npt.NDArray[np.uint8],
    horizontal: Sequence[Sequence[int]],
    free: Sequence[Sequence[Sequence[float]]] = (),
    *,
    allowlist: str | None = None,
    max_batch: int = 32,
    recognizer: Any = None,
) -> list[Recognition]:
    """Read the text in each box, batching crops of equal padded width.

    Args:
        reader: an ``easyocr.Reader`` (its recognizer and converter are used).
        grey: the greyscale image the boxes refer to.
        horizontal: ``[x_min, x_max, y_min, y_max]`` boxes.
        free: four-point boxes of slanted text.
        allowlist: restrict decoding to these characters (e.g. the MRZ alphabet).
        max_batch: the most crops per forward pass.
        recognizer: the CRNN to use instead of ``reader.recognizer`` (e.g. from
            :func:`bf16_recognizer`).

    Returns:
        One ``(box, text, confidence)`` per readable box, top to bottom as
        EasyOCR orders them.
    """
    from easyocr.easyocr import imgH
    from easyocr.recognition import get_text
    from easyocr.utils import get_image_list

    if not horizontal and not free:
        return []
    image_list, _ = get_image_list(
        [list(b) for b in horizontal], [list(b) for b in free], grey, model_height=imgH
    )
    groups: dict[int, list[int]] = defaultdict(list)
    for i, (_, crop) in enumerate(image_list):
        h, w = crop.shape[:2]
        groups[max(1, math.ceil(w / max(h, 1)))].append(i)
    ignore = _ignore_chars(reader, allowlist)
    results: list[Recognition | None] = [None] * len(image_list)
    for ratio, idx in groups.items():
        for start in range(0, len(idx), max_batch):
            chunk = idx[start : start + max_batch]
            items = [image_list[i] for i in chunk]
            out = get_text(
                reader.character,
                imgH,
                ratio * imgH,
                recognizer if recognizer is not None else reader.recognizer,
                reader.converter,
                items,
                ignore,
                "greedy",
                5,
                len(items),
                0.1,
                0.5,
                0.003,
                0,
                "cpu",
            )
            for i, (box, text, conf) in zip(chunk, out, strict=True):
                quad = [[float(p[0]), float(p[1])] for p in box]
                results[i] = (quad, str(text), float(conf))
    return [r for r in results if r is not None]
