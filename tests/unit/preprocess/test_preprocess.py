"""Tests of the preprocess stage on synthetic cards (no torch, a few seconds)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from pp_cardphotos import Photo, render_card

from idstream.document import PreprocessReport
from idstream.errors import EmptyImage
from idstream.preprocess import find_card_quad, normalize_document, rectify_card
from idstream.preprocess.formats import ID1, closest_format, get_format
from idstream.preprocess.orient import quarter_turn, rotate_quarter, text_axis
from idstream.preprocess.quality import (
    BLUR_THRESHOLD,
    GLARE_THRESHOLD,
    assess_quality,
    blur_score,
    glare_score,
)
from idstream.preprocess.skew import estimate_skew


def _corner_error(found: object, truth: np.ndarray) -> float:
    quad = np.asarray(found, dtype=np.float64)
    diagonal = float(np.hypot(*(truth[2] - truth[0])))
    return min(float(np.hypot(*(np.roll(quad, s, axis=0) - truth).T).max()) for s in range(4)) / diagonal


def test_card_found_on_cluttered_photo(make_photo: Callable[..., Photo]) -> None:
    photo = make_photo(rotation=8.0, seed=4)
    quad = find_card_quad(photo.image)
    assert quad is not None
    assert _corner_error(quad, photo.quad) < 0.02


def test_plain_background_gives_no_card() -> None:
    rng = np.random.default_rng(0)
    noise = rng.normal(128, 4, (480, 640, 3)).clip(0, 255).astype(np.uint8)
    assert find_card_quad(noise) is None


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_text_axis_of_each_quarter_turn(turn: int) -> None:
    card = rotate_quarter(render_card(856, seed=1), turn)
    axis, margin = text_axis(cv2.cvtColor(card, cv2.COLOR_BGR2GRAY))
    assert axis == ("horizontal" if turn in (0, 180) else "vertical")
    assert margin > 1.2


def test_quarter_turns_of_generated_documents_are_undone() -> None:
    from idstream.synth.generate import SynthConfig, generate_document

    config = SynthConfig.create(9090, distort="none")
    right = 0
    for index in range(6):
        card = cv2.cvtColor(generate_document(config, index).image, cv2.COLOR_RGB2BGR)
        for turn in (0, 90, 180, 270):
            found, _ = quarter_turn(rotate_quarter(card, turn))
            right += (found + turn) % 360 == 0
    assert right >= 21  # of 24 (whole image, no card edge: the hardest case for the stage)


@pytest.mark.parametrize("angle", [-6.0, 3.5])
def test_skew_measured(angle: float) -> None:
    card = cv2.cvtColor(render_card(856, seed=2), cv2.COLOR_BGR2GRAY)
    h, w = card.shape
    rotation = cv2.getRotationMatrix2D((w / 2, h / 2), -angle, 1.0)  # clockwise by `angle`
    skewed = cv2.warpAffine(card, rotation, (w, h), borderMode=cv2.BORDER_REPLICATE)
    estimate = estimate_skew(skewed)
    assert abs(estimate.angle_deg - angle) < 0.5
    assert estimate.confidence > 1.5


def test_transform_maps_back_to_original(make_photo: Callable[..., Photo]) -> None:
    photo = make_photo(rotation=97.0, seed=5)
    doc = normalize_document(photo.image)
    report = doc.report
    assert report.card_quad is not None
    w, h = report.output_size
    corners = ((0.0, 0.0), (float(w), 0.0), (float(w), float(h)), (0.0, float(h)))
    mapped = np.asarray(report.to_original(corners))
    assert _corner_error(mapped, photo.quad) < 0.03
    # The report survives JSON and maps the same way afterwards.
    again = PreprocessReport.from_dict(report.to_dict())
    assert np.allclose(np.asarray(again.to_original(corners)), mapped, atol=0.5)


def test_rectify_card_homography_maps_corners() -> None:
    card = render_card(856)
    quad = ((100.0, 50.0), (700.0, 80.0), (690.0, 470.0), (90.0, 430.0))
    out, homography = rectify_card(card, quad, "ID-1")
    assert out.shape[:2] == (ID1.size_px()[1], ID1.size_px()[0])
    mapped = cv2.perspectiveTransform(np.asarray([quad], dtype=np.float64), homography)[0]
    assert np.allclose(
        mapped, [[0, 0], [out.shape[1], 0], [out.shape[1], out.shape[0]], [0, out.shape[0]]], atol=1e-3
    )


def test_formats() -> None:
    assert closest_format(1.58).name == "ID-1"
    assert closest_format(1.40).name == "ID-3"
    with pytest.raises(ValueError):
        get_format("ID-9")


def test_quality_flags_blur_and_glare() -> None:
    card = render_card(1027, seed=3)
    sharp_scores, sharp_flags = assess_quality(card, pixels_per_mm=12.0)
    assert "blurry" not in sharp_flags and "glare" not in sharp_flags
    blurred = cv2.GaussianBlur(card, (0, 0), 4)
    assert blur_score(cv2.cvtColor(blurred, cv2.COLOR_BGR2GRAY)) < BLUR_THRESHOLD < sharp_scores["blur"]
    assert "blurry" in assess_quality(blurred, pixels_per_mm=12.0)[1]
    glared = card.copy()
    cv2.circle(glared, (500, 300), 120, (255, 255, 255), -1)
    assert glare_score(glared) > GLARE_THRESHOLD
    assert "glare" in assess_quality(glared, pixels_per_mm=12.0)[1]
    assert "low_resolution" in assess_quality(card, pixels_per_mm=3.0)[1]


def test_empty_image_refused() -> None:
    with pytest.raises(EmptyImage):
        normalize_document(np.zeros((0, 0, 3), np.uint8))


def test_ranker_positives_are_the_closest_candidates_only() -> None:
    from idstream.preprocess.train import POSITIVE_SLACK, positive_labels

    errors = np.array([0.009, 0.012, 0.009 + 2 * POSITIVE_SLACK, 0.2])
    assert positive_labels(errors).tolist() == [1.0, 1.0, 0.0, 0.0]
    assert positive_labels(np.array([0.05, 0.3])).tolist() == [0.0, 0.0]
    assert positive_labels(np.zeros(0)).shape == (0,)
