"""CRAFT text detection at a resolution chosen for the document, on the CPU.

Stock EasyOCR runs CRAFT on the full image (up to 2560 px on the long side), in
float32. A rectified identity document does not need that: its text has a known
physical size, so :func:`detection_scale` picks the scale that gives CRAFT a
fixed number of pixels per millimetre, and :func:`detect_lines` runs the
network once at that scale (in bfloat16 where the CPU supports it), then
applies EasyOCR's own box extraction and line grouping. Boxes are returned in
the pixel coordinates of the image given.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

__all__ = [
    "DOCUMENT_WIDTH_MM",
    "DetectionParams",
    "TextBoxes",
    "bf16_supported",
    "craft_input",
    "detect_lines",
    "detection_scale",
    "detection_size",
]

#: Physical width of the ICAO document formats, in millimetres.
DOCUMENT_WIDTH_MM: dict[str, float] = {"ID-1": 85.6, "ID-2": 105.0, "ID-3": 125.0}

#: EasyOCR's ``[x_min, x_max, y_min, y_max]`` boxes and free-form four-point boxes.
TextBoxes = tuple[list[list[int]], list[list[list[float]]]]

_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32) * 255.0
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32) * 255.0


@dataclass(frozen=True, slots=True)
class DetectionParams:
    """Settings of :func:`detect_lines`; the thresholds are EasyOCR's defaults.

    Attributes:
        px_per_mm: detection resolution for documents of known format.
        max_side: long side of the detection input for documents of unknown
            format (and the upper bound for all).
        text_threshold: CRAFT character-region score to keep a box.
        low_text: score bounding a text region.
        link_threshold: affinity score linking characters into words.
        width_ths: merge boxes on a line whose gap is below this many box heights.
        add_margin: margin added around each box, as a share of its height.
        min_size: drop boxes whose longer side is shorter, in input pixels.
        multiple: the detection input's sides are multiples of this: a downscaled image
            is resized straight to such a size (each side rounded to the nearest multiple,
            so the aspect ratio changes by well under 1%), an image used as it is gets
            zero padding. CRAFT halves its input four times, so 16 is the smallest that
            keeps its feature maps aligned; EasyOCR pads to 32, which costs up to 6%
            more convolution work for nothing.
    """

    px_per_mm: float = 8.0
    max_side: int = 1280
    text_threshold: float = 0.7
    low_text: float = 0.4
    link_threshold: float = 0.4
    width_ths: float = 0.5
    add_margin: float = 0.1
    min_size: int = 20
    multiple: int = 16


def bf16_supported() -> bool:
    """Whether oneDNN has fast bfloat16 kernels on this CPU (AVX-512 BF16 or AMX)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def detection_scale(
    width: int, height: int, document_format: str = "unknown", params: DetectionParams | None = None
) -> float:
    """The factor to resize an image by before detection (never above 1).

    Args:
        width: image width in pixels.
        height: image height in pixels.
        document_format: ``"ID-1"``, ``"ID-2"``, ``"ID-3"`` or ``"unknown"``;
            for a known format the image is taken to show exactly the document.
        params: detection settings.

    Returns:
        The scale factor, in ``(0, 1]``.
    """
    p = params or DetectionParams()
    long_side = max(width, height)
    target = float(p.max_side)
    doc_mm = DOCUMENT_WIDTH_MM.get(document_format)
    if doc_mm is not None:
        target = min(target, doc_mm * p.px_per_mm)
    return min(1.0, target / max(long_side, 1))


def craft_input(rgb: npt.NDArray[np.uint8], multiple: int = 32) -> npt.NDArray[np.float32]:
    """CRAFT's input for an RGB image: normalized as EasyOCR does, zero-padded to multiples.

    Args:
        rgb: ``HxWx3`` RGB ``uint8`` image.
        multiple: pad height and width to multiples of this (EasyOCR: 32).

    Returns:
        The ``1x3xHpxWp`` float32 array.
    """
    h, w = rgb.shape[:2]
    hp, wp = -(-h // multiple) * multiple, -(-w // multiple) * multiple
    x = np.zeros((hp, wp, 3), dtype=np.float32)
    x[:h, :w] = (rgb.astype(np.float32) - _MEAN) / _STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])


def detection_size(width: int, height: int, scale: float, multiple: int = 16) -> tuple[int, int]:
    """The ``(width, height)`` to resize an image to before detection, for a scale below 1.

    Each side is ``side * scale`` rounded to the nearest multiple of ``multiple`` (at
    least one multiple, at least 32 px), so that CRAFT needs no padding.

    Args:
        width: image width in pixels.
        height: image height in pixels.
        scale: the factor from :func:`detection_scale`.
        multiple: the size multiple (:attr:`DetectionParams.multiple`).

    Returns:
        The target size, in OpenCV's ``(width, height)`` order.
    """
    m = max(1, int(multiple))
    return tuple(max(32, m, round(side * scale / m) * m) for side in (width, height))  # type: ignore[return-value]


def _heatmaps(
    net: Any, rgb: npt.NDArray[np.uint8], *, bf16: bool, multiple: int = 32
) -> tuple[npt.NDArray[np.float32], ...]:
    x = craft_input(rgb, multiple)
    if hasattr(net, "heatmaps"):  # the ONNX Runtime models (idstream.ocr.onnxrt.OnnxModels)
        out = net.heatmaps(x)
        return out[:, :, 0], out[:, :, 1]
    import torch

    tensor = torch.from_numpy(x)
    with torch.inference_mode():
        if bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                y, _ = net(tensor)
        else:
            y, _ = net(tensor)
        out = y[0].float().numpy()
    return out[:, :, 0], out[:, :, 1]


def detect_lines(
    net: Any,
    image: npt.NDArray[np.uint8],
    scale: float,
    *,
    params: DetectionParams | None = None,
    bf16: bool = False,
) -> TextBoxes:
    """Find text lines with CRAFT and group them as EasyOCR does.

    Args:
        net: the CRAFT module (``reader.detector``), or the ONNX Runtime models
            (:class:`idstream.ocr.onnxrt.OnnxModels`).
        image: BGR ``uint8`` image.
        scale: resize factor from :func:`detection_scale`.
        params: detection settings.
        bf16: run the torch network under bfloat16 autocast.

    Returns:
        ``(horizontal, free)``: axis-aligned ``[x_min, x_max, y_min, y_max]``
        boxes and four-point boxes of slanted text, in ``image`` pixels.
    """
    from easyocr.craft_utils import adjustResultCoordinates, getDetBoxes
    from easyocr.utils import group_text_box

    p = params or DetectionParams()
    h, w = image.shape[:2]
    if scale < 1.0:
        small = cv2.resize(image, detection_size(w, h, scale, p.multiple), interpolation=cv2.INTER_AREA)
    else:
        small = image
    sx, sy = w / small.shape[1], h / small.shape[0]
    rgb = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    score_text, score_link = _heatmaps(net, rgb, bf16=bf16, multiple=p.multiple)
    boxes, _, _ = getDetBoxes(
        score_text, score_link, p.text_threshold, p.link_threshold, p.low_text, False, False
    )
    # getDetBoxes works on the half-resolution heatmap; adjustResultCoordinates doubles it.
    polys = adjustResultCoordinates(boxes, 1.0, 1.0)
    polys = [np.asarray(b, dtype=np.float32) * np.array([sx, sy], dtype=np.float32) for b in polys]
    flat = [np.asarray(b, dtype=np.float64).reshape(-1).astype(np.int32) for b in polys]
    horizontal, free = group_text_box(flat, 0.1, 0.5, 0.5, p.width_ths, p.add_margin, True)
    horizontal = [b for b in horizontal if max(b[1] - b[0], b[3] - b[2]) > p.min_size]
    free = [
        b
        for b in free
        if max(np.ptp([c[0] for c in b]), np.ptp([c[1] for c in b])) > p.min_size  # type: ignore[arg-type]
    ]
    return [[int(v) for v in b] for b in horizontal], [[[float(c[0]), float(c[1])] for c in b] for b in free]
