"""The exported int8 ONNX models agree with the float torch models they come from.

The models are the ones ``make ocr-models`` built (``make test`` builds them first);
the tests skip, saying so, when there are none. Tolerances are those of int8
quantization: the CRAFT score maps within a few hundredths and the same text
regions; the recognizer's readings equal, its logits close.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from idstream.ocr.export import MANIFEST, float_detector, float_recognizer
from idstream.ocr.models import DETECTOR_FILE, RECOGNIZER_FILE, load_reader, model_dir
from idstream.ocr.onnxrt import OnnxModels, load_onnx_models, onnx_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models() -> OnnxModels:
    if not (onnx_dir() / MANIFEST).is_file():
        pytest.skip(f"no exported models in {onnx_dir()} (make ocr-models)")
    loaded = load_onnx_models(threads=2)
    assert loaded is not None
    return loaded


def test_craft_int8_matches_torch(models: OnnxModels, card_image: npt.NDArray[np.uint8]) -> None:
    import cv2
    import torch

    from idstream.ocr.detect import craft_input

    top = np.ascontiguousarray(card_image[:160, :416])  # the title, a label and its value: enough, and fast
    x = craft_input(np.asarray(cv2.cvtColor(top, cv2.COLOR_BGR2RGB), dtype=np.uint8))
    with torch.inference_mode():
        ref = float_detector(model_dir() / DETECTOR_FILE)(torch.from_numpy(x))[0][0].numpy()
    got = models.heatmaps(x)
    assert got.shape == ref.shape
    err = np.abs(got - ref)
    assert float(err.mean()) < 0.01, float(err.mean())
    assert float(np.percentile(err, 99.9)) < 0.1, float(np.percentile(err, 99.9))
    # the same text regions at EasyOCR's thresholds (low_text 0.4 on the character map)
    a, b = ref[:, :, 0] > 0.4, got[:, :, 0] > 0.4
    iou = (a & b).sum() / max((a | b).sum(), 1)
    assert iou > 0.9, iou


def test_recognizer_int8_matches_torch(models: OnnxModels, card_image: npt.NDArray[np.uint8]) -> None:
    import cv2
    import torch
    from easyocr.utils import get_image_list

    from idstream.ocr.detect import detect_lines
    from idstream.ocr.recognize import crop_batch

    reader = load_reader(detector=False)
    grey = cv2.cvtColor(card_image, cv2.COLOR_BGR2GRAY)
    horizontal, _ = detect_lines(models, card_image, 1.0)
    crops = [crop for _, crop in get_image_list(horizontal, [], grey, model_height=64)[0]]
    width = 64 * max(-(-c.shape[1] // c.shape[0]) for c in crops)
    batch = crop_batch(crops, 64, width)
    net = float_recognizer(model_dir() / RECOGNIZER_FILE, len(reader.character) + 1)
    with torch.inference_mode():
        ref = net(torch.from_numpy(batch), None).numpy()
    got = models.recognizer.logits(batch)
    assert got.shape == ref.shape
    texts = [
        reader.converter.decode_greedy(y.argmax(axis=2).reshape(-1), [y.shape[1]] * len(crops))
        for y in (ref, got)
    ]
    assert texts[0] == texts[1], texts
    assert {"REPUBLIC OF UTOPIA", "Surname", "ERIKSSON", "12.08.1974"} <= set(texts[0]), texts

    def softmax(v: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        e = np.exp(v - v.max(axis=2, keepdims=True))
        return e / e.sum(axis=2, keepdims=True)

    p_ref, p_got = softmax(ref), softmax(got)
    agree = float((p_ref.argmax(axis=2) == p_got.argmax(axis=2)).mean())
    assert agree > 0.97, agree  # frames on character boundaries may flip between blank and character
    assert float(np.abs(p_got - p_ref).max(axis=2).mean()) < 0.02


def test_numpy_reading_equals_easyocrs_get_text(
    models: OnnxModels, card_image: npt.NDArray[np.uint8]
) -> None:
    import cv2

    from idstream.ocr.detect import detect_lines
    from idstream.ocr.recognize import recognize_boxes

    reader = load_reader(detector=False)
    grey = cv2.cvtColor(card_image, cv2.COLOR_BGR2GRAY)
    horizontal, free = detect_lines(models, card_image, 1.0)

    class TorchCallable:  # the same ONNX model, called through EasyOCR's torch get_text
        def eval(self) -> TorchCallable:
            return self

        def __call__(self, images: object, text: object = None) -> object:
            return models.recognizer(images, text)

    ours = recognize_boxes(reader, grey, horizontal, free, recognizer=models.recognizer)
    easyocr = recognize_boxes(reader, grey, horizontal, free, recognizer=TorchCallable())
    assert [(b, t) for b, t, _ in ours] == [(b, t) for b, t, _ in easyocr]
    assert np.allclose([c for _, _, c in ours], [c for _, _, c in easyocr], atol=1e-5)
    assert len(ours) == 7


def test_detector_reuses_its_memory_between_runs(
    models: OnnxModels, card_image: npt.NDArray[np.uint8]
) -> None:
    """CRAFT's activations come from an arena kept between runs: a repeated run of the same size
    page-faults almost nothing (none measured; without an arena, one fault per 4 KiB of fresh
    activations: about 34,000 per run on this card)."""
    import resource

    import cv2

    from idstream.ocr.detect import craft_input

    options = models.detector.get_session_options()
    assert options.get_session_config_entry("session.use_env_allocators") == "1"
    assert options.enable_cpu_mem_arena and not options.enable_mem_pattern
    x = craft_input(np.asarray(cv2.cvtColor(card_image, cv2.COLOR_BGR2RGB), dtype=np.uint8), 16)
    models.heatmaps(x)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(3):
        models.heatmaps(x)
    faults = (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 3
    assert faults < 300, faults
