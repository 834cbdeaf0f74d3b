"""Choice of the detection resolution and input size (no models needed)."""

from __future__ import annotations

import numpy as np
import pytest

from idstream.ocr.detect import DetectionParams, craft_input, detection_scale, detection_size


def test_id1_card_is_detected_at_the_configured_density() -> None:
    params = DetectionParams(px_per_mm=8.0)
    scale = detection_scale(1027, 648, "ID-1", params)
    assert scale * 1027 == pytest.approx(85.6 * 8.0)


def test_passport_page_uses_its_own_width() -> None:
    params = DetectionParams(px_per_mm=8.0)
    assert detection_scale(1500, 1056, "ID-3", params) * 1500 == pytest.approx(125.0 * 8.0)


def test_never_upscales() -> None:
    assert detection_scale(300, 190, "ID-1") == 1.0


def test_unknown_format_caps_the_long_side() -> None:
    params = DetectionParams(max_side=1280)
    assert detection_scale(2400, 1648, "unknown", params) * 2400 == pytest.approx(1280)
    assert detection_scale(900, 1200, "unknown", params) == 1.0


def test_detection_size_is_a_multiple_of_16_close_to_the_scale() -> None:
    params = DetectionParams(px_per_mm=8.0)
    scale = detection_scale(1027, 648, "ID-1", params)
    w, h = detection_size(1027, 648, scale, params.multiple)
    assert (w % 16, h % 16) == (0, 0)
    # rounded to the nearest multiple: the aspect ratio moves by less than one multiple per side
    assert abs(w - 1027 * scale) <= 8 and abs(h - 648 * scale) <= 8
    assert (w, h) == (688, 432)


def test_detection_size_never_below_one_multiple_or_32_px() -> None:
    assert detection_size(100, 40, 0.1, 16) == (32, 32)
    assert detection_size(1000, 40, 0.5, 48) == (480, 48)


def test_craft_input_pads_to_the_multiple_with_zeros() -> None:
    rgb = np.full((20, 40, 3), 255, dtype=np.uint8)
    x16 = craft_input(rgb, 16)
    x32 = craft_input(rgb)
    assert x16.shape == (1, 3, 32, 48) and x32.shape == (1, 3, 32, 64)
    assert np.array_equal(x16[:, :, 20:, :], np.zeros_like(x16[:, :, 20:, :]))
    assert np.allclose(x16[:, :, :20, :40], x32[:, :, :20, :40])
    # EasyOCR's normalization: (value - mean) / std per RGB channel
    assert x16[0, 0, 0, 0] == pytest.approx((255 - 0.485 * 255) / (0.229 * 255), rel=1e-5)
