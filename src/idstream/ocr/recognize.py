"""Batched CRNN recognition of detected text boxes.

Stock EasyOCR recognizes the crops one at a time on the CPU. Here the crops of
one document are grouped by the padded width EasyOCR would give each of them
(``ceil(width / height)`` times the model height), and each group goes through
the recognizer as one batch: every crop sees the same input tensor as in stock
EasyOCR, with fewer, larger matrix products. EasyOCR's own second pass with
raised contrast for low-confidence crops is kept.

With the ONNX Runtime recognizer (:class:`idstream.ocr.onnxrt.OnnxRecognizer`)
the batches are built and decoded here in numpy (:func:`read_crops`), step for
step as EasyOCR's ``get_text`` does it with torch, without its data loader.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["Recognition", "bf16_recognizer", "crop_batch", "read_crops", "recognize_boxes"]

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


def _contrast(img: npt.NDArray[np.uint8], target: float) -> npt.NDArray[np.uint8]:
    """EasyOCR's ``adjust_contrast_grey``."""
    high = np.percentile(img, 90)
    low = np.percentile(img, 10)
    contrast = (high - low) / np.maximum(10, high + low)
    if contrast < target:
        ratio = 200.0 / np.maximum(10, high - low)
        out = (img.astype(int) - low + 25) * ratio
        clipped = np.maximum(np.full(out.shape, 0), np.minimum(np.full(out.shape, 255), out))
        return np.asarray(clipped, dtype=np.uint8)
    return img


def crop_batch(
    crops: Sequence[npt.NDArray[np.uint8]], height: int, width: int, *, adjust_contrast: float = 0.0
) -> npt.NDArray[np.float32]:
    """The recognizer input for grey crops, as EasyOCR's ``AlignCollate`` builds it.

    Each crop is resized (bicubic, PIL) to ``height`` keeping its aspect ratio (at
    most ``width``), scaled to ``[-1, 1]`` and padded on the right with its last
    column.

    Args:
        crops: grey ``uint8`` crops.
        height: model input height.
        width: padded width of the batch.
        adjust_contrast: EasyOCR's contrast target for its second pass (0: none).

    Returns:
        The ``(N, 1, height, width)`` float32 batch.
    """
    from PIL import Image

    batch = np.zeros((len(crops), 1, height, width), dtype=np.float32)
    for i, crop in enumerate(crops):
        if adjust_contrast > 0:
            crop = _contrast(np.asarray(crop, dtype=np.uint8), adjust_contrast)
        h, w = crop.shape[:2]
        resized_w = min(width, math.ceil(height * (w / float(h))))
        pil = Image.fromarray(np.ascontiguousarray(crop), "L").resize(
            (resized_w, height), Image.Resampling.BICUBIC
        )
        x = np.asarray(pil, dtype=np.float32) / np.float32(255.0)
        x = (x - np.float32(0.5)) / np.float32(0.5)
        batch[i, 0, :, :resized_w] = x
        if resized_w < width:
            batch[i, 0, :, resized_w:] = x[:, -1:]
    return batch


def _decode(reader: Any, logits: npt.NDArray[np.float32], ignore_idx: list[int]) -> list[tuple[str, float]]:
    """EasyOCR's greedy decoding and confidence (``recognizer_predict``), in numpy."""
    z = logits - logits.max(axis=2, keepdims=True)
    probs = np.exp(z)
    probs /= probs.sum(axis=2, keepdims=True)
    probs[:, :, ignore_idx] = 0.0
    probs /= np.expand_dims(probs.sum(axis=2), axis=-1)
    indices = probs.argmax(axis=2)
    values = probs.max(axis=2)
    texts = reader.converter.decode_greedy(indices.reshape(-1), [probs.shape[1]] * probs.shape[0])
    out: list[tuple[str, float]] = []
    for text, v, i in zip(texts, values, indices, strict=True):
        max_probs = v[i != 0]
        if len(max_probs) == 0:
            max_probs = np.array([0.0])
        out.append((str(text), float(max_probs.prod() ** (2.0 / np.sqrt(len(max_probs))))))
    return out


def read_crops(
    reader: Any,
    recognizer: Any,
    crops: Sequence[npt.NDArray[np.uint8]],
    width: int,
    ignore: str,
    *,
    contrast_ths: float = 0.1,
    adjust_contrast: float = 0.5,
) -> list[tuple[str, float]]:
    """Read a batch of crops with a numpy-in, numpy-out recognizer (EasyOCR's ``get_text``).

    Args:
        reader: the ``easyocr.Reader`` (character set and CTC decoder).
        recognizer: an object with ``logits(batch) -> (N, T, classes)``.
        crops: grey crops of the model height.
        width: padded width of the batch.
        ignore: characters never to decode.
        contrast_ths: crops read with a lower confidence are read again with
            raised contrast, keeping the better reading.
        adjust_contrast: contrast target of that second reading.

    Returns:
        ``(text, confidence)`` per crop.
    """
    from easyocr.easyocr import imgH

    ignore_idx = [reader.character.index(c) + 1 for c in ignore if c in reader.character]
    first = _decode(reader, recognizer.logits(crop_batch(crops, imgH, width)), ignore_idx)
    low = [i for i, (_, conf) in enumerate(first) if conf < contrast_ths]
    if low:
        batch = crop_batch([crops[i] for i in low], imgH, width, adjust_contrast=adjust_contrast)
        second = _decode(reader, recognizer.logits(batch), ignore_idx)
        for i, again in zip(low, second, strict=True):
            if again[1] >= first[i][1]:
                first[i] = again
    return first


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
            :func:`bf16_recognizer`), or an ONNX Runtime recognizer (an object
            with a ``logits`` method), read with :func:`read_crops`.

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
            if hasattr(recognizer, "logits"):  # ONNX Runtime: no torch on this path
                read = read_crops(reader, recognizer, [crop for _, crop in items], ratio * imgH, ignore)
                for i, (text, conf) in zip(chunk, read, strict=True):
                    quad = [[float(p[0]), float(p[1])] for p in image_list[i][0]]
                    results[i] = (quad, text, conf)
                continue
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
