"""Tests of the quality scores and the shading correction."""

from __future__ import annotations

import numpy as np

from idstream.preprocess.illumination import correct_shading
from idstream.preprocess.quality import contrast_score


def test_contrast_is_the_spread_between_the_5th_and_95th_percentiles() -> None:
    grey = np.random.default_rng(5).integers(0, 256, size=(300, 400)).astype(np.uint8)
    low, high = np.percentile(grey, [5, 95], method="inverted_cdf")
    assert abs(contrast_score(grey) - float(high - low)) <= 1.0


def test_shading_correction_flattens_a_lit_page() -> None:
    ramp = np.linspace(120, 230, 600, dtype=np.float32)[None, :, None]
    page = np.broadcast_to(ramp, (400, 600, 3)).astype(np.uint8).copy()
    page[180:200, 100:500] = 40  # a line of print
    out = correct_shading(page)
    paper = out[20:160, 30:570].astype(np.float64)
    assert abs(paper.mean() - 235) < 6
    assert paper.std() < 6
    assert out[185:195, 150:450].mean() < 100  # print stays dark
