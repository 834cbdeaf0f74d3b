"""Choice of the detection resolution (no models needed)."""

from __future__ import annotations

import pytest

from idstream.ocr.detect import DetectionParams, detection_scale


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
