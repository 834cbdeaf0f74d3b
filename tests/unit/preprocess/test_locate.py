"""Tests of the card locator's building blocks (line runs, side snapping, candidates)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
import pytest
from pp_cardphotos import Photo

from idstream.preprocess import locate


def _longest_run_reference(row: np.ndarray) -> tuple[int, int]:
    hits = np.flatnonzero(row)
    if len(hits) == 0:
        return -1, -1
    breaks = np.flatnonzero(np.diff(hits) > locate.RUN_GAP)
    starts = np.concatenate([[0], breaks + 1])
    ends = np.concatenate([breaks, [len(hits) - 1]])
    best = int(np.argmax(hits[ends] - hits[starts]))
    return int(hits[starts[best]]), int(hits[ends[best]])


def test_longest_runs_bridge_short_gaps_like_a_row_by_row_scan() -> None:
    rng = np.random.default_rng(3)
    for density in (0.0, 0.1, 0.5, 0.9):
        rows = rng.random((200, 150)) < density
        expected = np.array([_longest_run_reference(row) for row in rows])
        assert np.array_equal(locate._longest_runs(rows), expected)


def test_snap_moves_sides_onto_the_edges_to_subpixel_accuracy() -> None:
    image = np.full((400, 600, 3), 40, dtype=np.uint8)
    image[100:300, 150:450] = (220, 225, 215)  # edges at 149.5 / 449.5 and 99.5 / 299.5 (pixel centres)
    image = cv2.GaussianBlur(image, (0, 0), 1.5)
    truth = np.array([[149.5, 99.5], [449.5, 99.5], [449.5, 299.5], [149.5, 299.5]])
    start = truth + np.array([[3.0, -2.0], [-2.5, 2.0], [2.0, 3.0], [-3.0, -2.5]])
    snapped = locate._snap_sides(image, start, radius=8.0, prefer_near=False)
    assert np.abs(snapped - truth).max() < 0.35


def test_snap_keeps_a_side_without_an_edge() -> None:
    flat = np.full((200, 300, 3), 128, dtype=np.uint8)
    quad = np.array([[50.0, 50.0], [250.0, 50.0], [250.0, 150.0], [50.0, 150.0]])
    assert np.array_equal(locate._snap_sides(flat, quad, radius=6.0, prefer_near=True), quad)


def test_candidates_include_the_card(make_photo: Callable[..., Photo]) -> None:
    photo = make_photo(rotation=-6.0, seed=11)
    small, scale = locate.downscale(photo.image, locate.ANALYSIS_SIZE)
    _, quads = locate.candidate_quads(small)
    truth = locate.order_clockwise((photo.quad + 0.5) * scale - 0.5)
    errors = [np.abs(locate.order_clockwise(q) - truth).max() for q in quads]
    assert len(quads) > 0
    assert min(errors) < 0.02 * float(np.hypot(*(truth[2] - truth[0])))


def _pale_card() -> np.ndarray:
    """An ID-1 card at 5 px/mm: pale paper with faint lines, text and a high-contrast photo box."""
    card = np.full((270, 428, 3), 244, dtype=np.uint8)
    for y in range(20, 250, 9):
        cv2.line(card, (0, y), (427, y + 12), (236, 240, 246), 1)  # faint guilloche-like lines
    cv2.rectangle(card, (20, 40), (130, 190), (60, 50, 40), -1)  # the photo box: the strongest edges
    for y in (70, 110, 150, 230):
        cv2.putText(card, "SAMPLE TEXT 123", (150, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (30, 30, 30), 1)
    return card


def _scan(background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pale card laid 2 degrees askew on ``background``, and its corners."""
    card = _pale_card()
    height, width = background.shape[:2]
    corners = np.array([[0, 0], [427, 0], [427, 269], [0, 269]], dtype=np.float32)
    rotation = cv2.getRotationMatrix2D((214.0, 135.0), -2.0, 1.0)
    rotation[:, 2] += (width / 2 - 214.0, height / 2 - 135.0)
    warped = cv2.warpAffine(card, rotation, (width, height), flags=cv2.INTER_LINEAR)
    mask = cv2.warpAffine(np.full(card.shape[:2], 255, np.uint8), rotation, (width, height))
    image = np.where(mask[..., None] > 127, warped, background).astype(np.uint8)
    quad = cv2.transform(corners[None], rotation)[0].astype(np.float64)
    return cv2.GaussianBlur(image, (0, 0), 0.8), quad


def test_a_pale_card_on_a_scanner_bed_is_found_by_its_difference_from_the_bed() -> None:
    image, truth = _scan(np.full((400, 560, 3), 238, dtype=np.uint8))
    assert locate.plain_background_quad(image) is not None
    found = locate.find_card_quad(image)
    assert found is not None
    error = min(np.hypot(*(np.roll(np.array(found), s, axis=0) - truth).T).max() for s in range(4))
    assert error < 0.01 * float(np.hypot(*(truth[2] - truth[0])))


def test_a_textured_background_is_not_taken_for_a_scanner_bed() -> None:
    rng = np.random.default_rng(5)
    table = np.clip(rng.normal(150, 25, size=(400, 560, 3)), 0, 255).astype(np.uint8)
    image, _ = _scan(table)
    assert locate.plain_background_quad(image) is None


def test_an_image_cropped_to_the_card_is_the_card() -> None:
    card = cv2.GaussianBlur(_pale_card(), (0, 0), 0.8)
    found = locate.find_card_quad(card)
    assert found is not None
    expected = np.array([[-0.5, -0.5], [427.5, -0.5], [427.5, 269.5], [-0.5, 269.5]])
    assert np.abs(np.array(found) - expected).max() < 1e-6


def _card_with_inner_line() -> tuple[np.ndarray, np.ndarray]:
    """A pale card on a dark table; a strong dark band runs 14 px inside its left edge."""
    image = np.full((400, 600, 3), 60, dtype=np.uint8)
    image[100:300, 150:450] = (225, 228, 222)
    image[100:300, 164:190] = (40, 40, 40)  # design band: its edges are stronger than the card's
    for y in range(130, 290, 25):
        cv2.putText(image, "TEXT LINE 42", (220, y), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (30, 30, 30), 1)
    truth = np.array([[149.5, 99.5], [449.5, 99.5], [449.5, 299.5], [149.5, 299.5]])
    return cv2.GaussianBlur(image, (0, 0), 1.2), truth


def test_robust_snap_straightens_a_slanted_side() -> None:
    image, truth = _card_with_inner_line()
    start = truth.copy()
    start[0, 0] += 8.0  # the left side slants: its top end 8 px inside the card, its bottom end on the edge
    plain = locate._snap_sides(image, start, radius=12.0, prefer_near=False)
    robust = locate._snap_sides(image, start, radius=12.0, prefer_near=False, robust=True)
    assert np.abs(robust - truth).max() < 0.5
    assert np.abs(plain - truth).max() > 2.0  # the strongest edge of each profile is the band's


def test_consensus_edge_ignores_scattered_strong_maxima() -> None:
    rng = np.random.default_rng(2)
    count, offsets = 40, np.arange(-10.0, 11.0)
    magnitude = np.zeros((count, len(offsets)))
    rows = np.arange(count)
    edge = 10 + np.round(0.1 * (rows - 20)).astype(int)  # a line at a slight slant
    magnitude[rows, edge] = 30.0
    noise = rng.integers(0, len(offsets), size=count)
    magnitude[rows, noise] = np.maximum(magnitude[rows, noise], 50.0)  # stronger, but scattered
    base = np.stack([np.zeros(count), rows.astype(float)], axis=1)
    points = locate._consensus_edge(magnitude, base, np.array([1.0, 0.0]), offsets, tolerance=1.0)
    assert points is not None
    assert len(points) >= 0.8 * count
    assert np.abs(points[:, 0] - offsets[edge[np.asarray(points[:, 1], dtype=int)]]).max() <= 1.0


def test_corner_support_drops_when_a_side_overshoots_the_card() -> None:
    image, truth = _card_with_inner_line()
    small, _ = locate.downscale(image, locate.ANALYSIS_SIZE)
    field, _ = locate.candidate_quads(small)
    overshoot = truth.copy()
    overshoot[1:3, 0] += 40.0  # the right side on a line 40 px beyond the card
    features, _ = locate.quad_features(np.stack([truth, overshoot]), field, 600, 400)
    column = locate.FEATURE_NAMES.index("corner_support_min")
    assert features[0, column] > 0.8
    assert features[1, column] < 0.5 * features[0, column]


def test_preselect_keeps_the_best_covered_candidates(monkeypatch: pytest.MonkeyPatch) -> None:
    image, truth = _card_with_inner_line()
    field, _ = locate.candidate_quads(image)
    rng = np.random.default_rng(4)
    others = truth[None] + rng.uniform(-60, 60, size=(30, 4, 2))
    quads = np.concatenate([others[:10], truth[None], others[10:]])
    assert len(locate._preselect(quads, field)) == len(quads)  # fewer than PRESELECT: all kept
    monkeypatch.setattr(locate, "PRESELECT", 5)
    kept = locate._preselect(quads, field)
    assert len(kept) == 5
    assert any(np.allclose(q, truth) for q in kept)
