"""Build ONNX Runtime models of CRAFT and the CRNN recognizer from the official weights.

``python -m idstream.ocr.export [--out DIR]`` (``make ocr-models``) writes, into the
ONNX directory (:func:`idstream.ocr.onnxrt.onnx_dir`, an ignored cache folder):

* ``craft-int8.onnx``: CRAFT exported from ``craft_mlt_25k.pth`` (float), then
  statically quantized to int8 (QDQ, per-channel weights), its activation ranges
  calibrated on documents of the synthetic generator (a fixed seed, not the
  benchmark's) at the detection resolution;
* ``english_g2.onnx``: the English CRNN exported from ``english_g2.pth`` (float),
  its LSTM and classifier dynamically quantized to int8 as EasyOCR does in torch;
* ``manifest.json``: the MD5 sums of the source weights (verified before the
  export), the SHA-256 of every file written, the recipe version and the tool
  versions. The loader refuses files that do not match it.

The export is deterministic for given weights, generator and tool versions, and is
run by the build (``make run``/``make test`` call it; it does nothing when the
manifest is up to date). Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from idstream.ocr.models import DETECTOR_FILE, RECOGNIZER_FILE, expected_md5, model_dir, verify_weights

__all__ = [
    "DETECTOR_ONNX",
    "EXPORT_VERSION",
    "MANIFEST",
    "RECOGNIZER_ONNX",
    "export_models",
    "main",
    "sha256",
]

log = logging.getLogger(__name__)

#: Bumped whenever the recipe below changes; the loader rejects other versions (2: calibration
#: inputs sized to multiples of 16 as at run time, no padding to 32).
EXPORT_VERSION = 2
#: File names in the ONNX directory.
DETECTOR_ONNX = "craft-int8.onnx"
RECOGNIZER_ONNX = "english_g2.onnx"
MANIFEST = "manifest.json"

#: Seed of the calibration documents (the OCR benchmark uses 515151).
CALIBRATION_SEED = 20260101
#: English generation-2 recognizer shape (as in ``easyocr.easyocr.Reader``).
_RECOGNIZER_PARAMS = {"input_channel": 1, "output_channel": 256, "hidden_size": 256}
_OPSET = 17


def sha256(path: str | os.PathLike[str]) -> str:
    """The hexadecimal SHA-256 of a file."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _has_vnni() -> bool:
    """Whether the CPU has VNNI (int8 dot products without the u8*s8 saturation of older AVX2/512)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags or "amx_int8" in flags


# --------------------------------------------------------------------------- torch modules


def float_detector(weights: Path) -> Any:
    """CRAFT in float32 with the official weights, in eval mode (exactly EasyOCR's CPU detector)."""
    import torch
    from easyocr.craft import CRAFT
    from easyocr.detection import copyStateDict

    net = CRAFT()
    net.load_state_dict(copyStateDict(torch.load(weights, map_location="cpu", weights_only=False)))
    return net.eval()


def float_recognizer(weights: Path, num_class: int) -> Any:
    """The English CRNN in float32 (EasyOCR quantizes its LSTM dynamically after this)."""
    import torch
    from easyocr.model.vgg_model import Model

    model = Model(num_class=num_class, **_RECOGNIZER_PARAMS)
    state = torch.load(weights, map_location="cpu", weights_only=False)
    model.load_state_dict({k.removeprefix("module."): v for k, v in state.items()})
    return model.eval()


def _detector_heatmaps(net: Any) -> Any:
    """CRAFT returning only its score maps (``(1, H/2, W/2, 2)``), not the feature tensor."""
    import torch

    class Heatmaps(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.net = net

        def forward(self, x: Any) -> Any:
            return self.net(x)[0]

    return Heatmaps().eval()


def _recognizer_logits(model: Any) -> Any:
    """The CRNN as ``image -> logits``; the adaptive pooling to width 1 written as a mean (equal)."""
    import torch

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = model

        def forward(self, x: Any) -> Any:
            m = self.m
            visual = m.FeatureExtraction(x).permute(0, 3, 1, 2).mean(dim=3)
            return m.Prediction(m.SequenceModeling(visual).contiguous())

    return Logits().eval()


# --------------------------------------------------------------------------- calibration


def calibration_documents(n: int, seed: int = CALIBRATION_SEED) -> Iterator[tuple[Any, str, list[Any]]]:
    """Generated documents for calibration: ``(BGR image, format, text-line quads)``.

    ID cards, driving licences and passports in turn, alternately clean and scanned.
    """
    from idstream.synth import SynthConfig, generate_document

    kinds = ["id_card", "driving_licence", "passport"]
    for i in range(n):
        kind = kinds[i % len(kinds)]
        config = SynthConfig.create(seed=seed, kinds=[kind], distort="scan" if i % 2 else "none")
        doc = generate_document(config, i)
        bgr = np.ascontiguousarray(np.asarray(doc.image)[:, :, ::-1])
        quads = [line.quad for line in doc.annotation.lines if line.text.strip()]
        yield bgr, ("ID-3" if kind == "passport" else "ID-1"), quads


def detector_inputs(documents: Sequence[tuple[Any, str, list[Any]]]) -> list[npt.NDArray[np.float32]]:
    """CRAFT inputs (``1x3xHxW``) of the documents at the detection resolution."""
    import cv2

    from idstream.ocr.detect import DetectionParams, craft_input, detection_scale, detection_size

    params = DetectionParams()
    out: list[npt.NDArray[np.float32]] = []
    for bgr, fmt, _ in documents:
        h, w = bgr.shape[:2]
        scale = detection_scale(w, h, fmt, params)
        small = bgr
        if scale < 1.0:
            size = detection_size(w, h, scale, params.multiple)
            small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
        rgb = np.asarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB), dtype=np.uint8)
        out.append(craft_input(rgb, params.multiple))
    return out


def recognizer_inputs(documents: Sequence[tuple[Any, str, list[Any]]]) -> list[npt.NDArray[np.float32]]:
    """Recognizer batches of the documents' text lines, built as at run time."""
    import math
    from collections import defaultdict

    import cv2
    from easyocr.utils import get_image_list

    from idstream.ocr.recognize import crop_batch

    out: list[npt.NDArray[np.float32]] = []
    for bgr, _, quads in documents:
        grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
        boxes = []
        for quad in quads:
            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
            boxes.append([int(min(xs)), int(max(xs)), int(min(ys)), int(max(ys))])
        crops = [crop for _, crop in get_image_list(boxes, [], grey, model_height=64)[0]]
        groups: dict[int, list[Any]] = defaultdict(list)
        for crop in crops:
            groups[max(1, math.ceil(crop.shape[1] / max(crop.shape[0], 1)))].append(crop)
        out.extend(crop_batch(group, 64, ratio * 64) for ratio, group in sorted(groups.items()))
    return out


class _Feed:
    """Calibration data for ONNX Runtime's quantizer."""

    def __init__(self, inputs: Sequence[npt.NDArray[np.float32]]) -> None:
        self._it = iter([{"x": x} for x in inputs])

    def get_next(self) -> dict[str, npt.NDArray[np.float32]] | None:
        return next(self._it, None)


# --------------------------------------------------------------------------- export


def _export(module: Any, example: Any, path: Path, dynamic: dict[str, dict[int, str]]) -> None:
    import warnings

    import torch

    with warnings.catch_warnings(), torch.inference_mode(False), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            module,
            (example,),
            str(path),
            input_names=["x"],
            output_names=["y"],
            dynamic_axes=dynamic,
            opset_version=_OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def export_detector(weights: Path, out: Path, inputs: Sequence[npt.NDArray[np.float32]]) -> dict[str, Any]:
    """Export CRAFT to ONNX and quantize it statically to int8 (see the module docstring).

    Args:
        weights: ``craft_mlt_25k.pth``.
        out: the int8 model to write.
        inputs: calibration inputs (:func:`detector_inputs`).

    Returns:
        The recipe details recorded in the manifest.
    """
    import torch
    from onnxruntime.quantization import QuantFormat, QuantType, quant_pre_process, quantize_static

    net = _detector_heatmaps(float_detector(weights))
    reduce_range = not _has_vnni()
    with tempfile.TemporaryDirectory(prefix="idstream-onnx-") as tmp:
        fp32, pre = Path(tmp) / "craft.onnx", Path(tmp) / "craft-pre.onnx"
        _export(net, torch.from_numpy(inputs[0]), fp32, {"x": {2: "h", 3: "w"}, "y": {1: "h2", 2: "w2"}})
        quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
        quantize_static(
            str(pre),
            str(out),
            _Feed(inputs),
            quant_format=QuantFormat.QDQ,
            per_channel=True,
            reduce_range=reduce_range,
            activation_type=QuantType.QUInt8,
            weight_type=QuantType.QInt8,
        )
    return {
        "calibration": {"inputs": len(inputs), "method": "minmax"},
        "quantization": "static int8 QDQ, per-channel weights" + (", reduced range" if reduce_range else ""),
    }


def export_recognizer(
    weights: Path, out: Path, num_class: int, inputs: Sequence[npt.NDArray[np.float32]]
) -> dict[str, Any]:
    """Export the CRNN to ONNX; int8 convolutions (static) and LSTM/classifier (dynamic).

    Args:
        weights: ``english_g2.pth``.
        out: the model to write.
        num_class: classes of the recognizer (characters + the CTC blank).
        inputs: calibration batches (:func:`recognizer_inputs`); empty: convolutions stay float.

    Returns:
        The recipe details recorded in the manifest.
    """
    import torch
    from onnxruntime.quantization import (
        QuantFormat,
        QuantType,
        quant_pre_process,
        quantize_dynamic,
        quantize_static,
    )

    model = _recognizer_logits(float_recognizer(weights, num_class))
    reduce_range = not _has_vnni()
    with tempfile.TemporaryDirectory(prefix="idstream-onnx-") as tmp:
        fp32, pre, conv8 = (Path(tmp) / n for n in ("rec.onnx", "rec-pre.onnx", "rec-conv8.onnx"))
        _export(model, torch.zeros(2, 1, 64, 256), fp32, {"x": {0: "n", 3: "w"}, "y": {0: "n", 1: "t"}})
        source = fp32
        if inputs:
            quant_pre_process(str(fp32), str(pre), skip_symbolic_shape=True)
            quantize_static(
                str(pre),
                str(conv8),
                _Feed(inputs),
                quant_format=QuantFormat.QDQ,
                op_types_to_quantize=["Conv"],
                per_channel=True,
                reduce_range=reduce_range,
                activation_type=QuantType.QUInt8,
                weight_type=QuantType.QInt8,
            )
            source = conv8
        quantize_dynamic(
            str(source),
            str(out),
            op_types_to_quantize=["LSTM", "MatMul", "Gemm"],
            per_channel=False,
            reduce_range=reduce_range,
            weight_type=QuantType.QInt8,
        )
    conv = "static int8 QDQ per-channel" if inputs else "float32"
    return {
        "calibration": {"inputs": len(inputs), "method": "minmax"},
        "quantization": f"convolutions {conv}; LSTM and classifier dynamic int8",
    }


def _versions() -> dict[str, str]:
    import onnxruntime
    import torch

    return {"onnxruntime": onnxruntime.__version__, "torch": torch.__version__}


def manifest_is_current(out_dir: Path, weights_dir: Path) -> bool:
    """Whether ``out_dir`` holds a complete export of these weights by this recipe."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if manifest.get("version") != EXPORT_VERSION:
        return False
    if manifest.get("versions") != _versions():
        return False
    sources = manifest.get("sources", {})
    for name in (DETECTOR_FILE, RECOGNIZER_FILE):
        if sources.get(name) != expected_md5(name):
            return False
    if sources.get("model_dir") != str(weights_dir):
        return False
    files = manifest.get("files", {})
    return all(
        (out_dir / f).is_file() and (out_dir / f).stat().st_size == s["bytes"] for f, s in files.items()
    )


def export_models(
    out_dir: str | os.PathLike[str],
    weights_dir: str | os.PathLike[str] | None = None,
    *,
    force: bool = False,
    calibration: int = 12,
    quantize_convolutions: bool = True,
) -> Path:
    """Export both models into ``out_dir`` unless an up-to-date export is there.

    Args:
        out_dir: the ONNX directory to fill.
        weights_dir: directory of the official EasyOCR weights (default: :func:`model_dir`).
        force: export even when the manifest is current.
        calibration: generated documents to calibrate the int8 activation ranges on.
        quantize_convolutions: also quantize the recognizer's convolutions to int8.

    Returns:
        The manifest's path.

    Raises:
        ModelError: when the source weights are missing or their MD5 sums differ.
    """
    from easyocr.config import recognition_models

    out = Path(out_dir)
    src = Path(weights_dir).resolve() if weights_dir is not None else model_dir()
    if not force and manifest_is_current(out, src):
        log.info("ONNX models in %s are up to date", out)
        return out / MANIFEST
    verify_weights(src, (DETECTOR_FILE, RECOGNIZER_FILE))
    out.mkdir(parents=True, exist_ok=True)
    # the manifest goes last: an interrupted export leaves no manifest, so nothing is used
    (out / MANIFEST).unlink(missing_ok=True)
    started = time.perf_counter()
    num_class = len(recognition_models["gen2"]["english_g2"]["characters"]) + 1
    documents = list(calibration_documents(calibration))
    details = {
        DETECTOR_ONNX: export_detector(src / DETECTOR_FILE, out / DETECTOR_ONNX, detector_inputs(documents)),
        RECOGNIZER_ONNX: export_recognizer(
            src / RECOGNIZER_FILE,
            out / RECOGNIZER_ONNX,
            num_class,
            recognizer_inputs(documents) if quantize_convolutions else [],
        ),
    }
    for info in details.values():
        info["calibration"].update(generator_seed=CALIBRATION_SEED, documents=calibration)
    manifest = {
        "version": EXPORT_VERSION,
        "sources": {
            "model_dir": str(src),
            DETECTOR_FILE: expected_md5(DETECTOR_FILE),
            RECOGNIZER_FILE: expected_md5(RECOGNIZER_FILE),
        },
        "files": {
            name: {"sha256": sha256(out / name), "bytes": (out / name).stat().st_size, "from": source, **info}
            for (name, info), source in zip(details.items(), (DETECTOR_FILE, RECOGNIZER_FILE), strict=True)
        },
        "versions": _versions(),
        "opset": _OPSET,
    }
    tmp = out / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out / MANIFEST)
    log.info("exported ONNX models to %s in %.1f s", out, time.perf_counter() - started)
    return out / MANIFEST


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: ``python -m idstream.ocr.export [--out DIR] [--force]``."""
    from idstream.ocr.onnxrt import onnx_dir

    parser = argparse.ArgumentParser(description="Export EasyOCR's CRAFT and CRNN to ONNX (int8).")
    parser.add_argument("--out", type=Path, default=None, help="ONNX directory (default: the configured one)")
    parser.add_argument("--force", action="store_true", help="export even when up to date")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out = args.out if args.out is not None else onnx_dir()
    path = export_models(out, force=args.force)
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
