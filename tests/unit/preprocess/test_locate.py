"""Tests of the card locator's building blocks (line runs, side snapping, candidates)."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np
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
