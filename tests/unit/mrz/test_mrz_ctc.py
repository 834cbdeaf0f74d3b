from __future__ import annotations

import numpy as np

from idstream.mrz.ctc import decode_fixed_length, decode_greedy


def _logp(frames: list[int], k: int = 5, p: float = 0.9) -> np.ndarray:
    probs = np.full((len(frames), k), (1 - p) / (k - 1))
    for t, label in enumerate(frames):
        probs[t, label] = p
    return np.log(probs).astype(np.float32)


def test_greedy_collapses_repeats_and_blanks() -> None:
    path = decode_greedy(_logp([1, 1, 0, 2, 2, 0, 2, 3]))
    assert path.labels == [1, 2, 2, 3]
    assert path.spans == [(0, 1), (3, 4), (6, 6), (7, 7)]


def test_fixed_length_matches_greedy_when_lengths_agree() -> None:
    lp = _logp([1, 1, 0, 2, 2, 0, 2, 3])
    path = decode_fixed_length(lp, 4)
    assert path is not None
    assert path.labels == [1, 2, 2, 3]
    assert path.score >= decode_fixed_length(lp, 3).score  # type: ignore[union-attr]


def test_fixed_length_splits_a_merged_run() -> None:
    # Four frames of "<" (label 4) without a blank between: greedy reads one, the layout needs two.
    lp = _logp([1, 4, 4, 4, 4, 2])
    lp[1:5, 0] = np.log(0.08)  # the blank is the recognizer's second choice inside the run
    assert decode_greedy(lp).labels == [1, 4, 2]
    path = decode_fixed_length(lp, 4)
    assert path is not None
    assert path.labels == [1, 4, 4, 2]
    # the blank that separates the two fillers is placed inside the run
    assert path.spans[1][1] < path.spans[2][0]


def test_fixed_length_impossible() -> None:
    assert decode_fixed_length(_logp([1, 2]), 3) is None
    assert decode_fixed_length(_logp([1, 2]), 0) is None


def test_blank_merging_keeps_the_best_path() -> None:
    rng = np.random.default_rng(0)
    frames: list[int] = []
    for label in rng.integers(1, 5, size=12).tolist():
        frames += [0] * int(rng.integers(1, 6)) + [label] * int(rng.integers(1, 3))
    frames += [0, 0, 0]
    lp = _logp(frames, p=0.9995)
    plain = decode_fixed_length(lp, 12, blank_merge=1.0)
    merged = decode_fixed_length(lp, 12)
    assert plain is not None and merged is not None
    assert merged.labels == plain.labels
    assert merged.spans == plain.spans
