"""CTC decoding for MRZ lines: greedy, and best path with an exact character count.

MRZ lines have a fixed length per layout, and long runs of ``<`` are where CTC
recognizers fail (two equal characters need a blank frame between them). Decoding
the best path *with exactly* ``n`` characters re-aligns such runs: the decoder
places the blanks where they cost least instead of merging fillers.

Arrays are ``(T, K)`` log-probabilities, class 0 being the CTC blank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["CtcPath", "decode_fixed_length", "decode_greedy"]

FloatArray = NDArray[np.float32]

_NEG = np.float32(-1e30)


@dataclass(slots=True)
class CtcPath:
    """A decoded label sequence.

    Attributes:
        labels: class indices of the emitted characters (never 0).
        spans: ``(first_frame, last_frame)`` of each emitted character.
        score: log-probability of the best path.
    """

    labels: list[int]
    spans: list[tuple[int, int]]
    score: float


def decode_greedy(logp: FloatArray) -> CtcPath:
    """Best-frame decoding: argmax per frame, repeats collapsed, blanks removed."""
    best = logp.argmax(axis=1)
    labels: list[int] = []
    spans: list[tuple[int, int]] = []
    prev = 0
    for t, k in enumerate(best.tolist()):
        if k != 0 and k == prev:
            spans[-1] = (spans[-1][0], t)
        elif k != 0:
            labels.append(k)
            spans.append((t, t))
        prev = k
    return CtcPath(labels, spans, float(logp.max(axis=1).sum()))


IndexArray = NDArray[np.int64]


def _compress_blanks(logp: FloatArray, threshold: float) -> tuple[FloatArray, IndexArray, IndexArray]:
    """Merge runs of frames that are confidently blank into one frame each.

    A merged frame's blank score is the sum over the run; a character's score is the
    best "one frame of this character, blanks elsewhere" path through the run. Returns
    the new array and, per new frame, the first and last original frame.
    """
    sure = logp[:, 0] > np.log(threshold)
    starts: list[int] = []
    ends: list[int] = []
    rows: list[FloatArray] = []
    t, total = 0, logp.shape[0]
    while t < total:
        u = t + 1
        if sure[t]:
            while u < total and sure[u]:
                u += 1
        run = logp[t:u]
        if u - t == 1:
            rows.append(run[0])
        else:
            blank_sum = run[:, 0].sum()
            row = (run + (blank_sum - run[:, :1])).max(axis=0)
            row[0] = blank_sum
            rows.append(row.astype(np.float32))
        starts.append(t)
        ends.append(u - 1)
        t = u
    return np.stack(rows).astype(np.float32), np.asarray(starts), np.asarray(ends)


def decode_fixed_length(logp: FloatArray, n: int, *, blank_merge: float = 0.999) -> CtcPath | None:
    """Best CTC path emitting exactly ``n`` characters (Viterbi over ``(frames, count, class)``).

    Args:
        logp: ``(T, K)`` log-probabilities, blank at index 0.
        n: the number of characters to emit.
        blank_merge: runs of frames whose blank probability exceeds this are merged
            first (fewer frames, same best path in practice); 1.0 disables it.

    Returns:
        The path, or ``None`` when ``T`` frames cannot hold ``n`` characters.
    """
    if n <= 0 or logp.shape[0] < n:
        return None
    starts = ends = None
    if blank_merge < 1.0:
        merged, starts, ends = _compress_blanks(logp, blank_merge)
        if merged.shape[0] >= n:
            logp = merged
        else:
            starts = ends = None
    t_max, k = logp.shape
    lp = logp.astype(np.float32, copy=False)
    blank = np.full(n + 1, _NEG, dtype=np.float32)
    char = np.full((n + 1, k), _NEG, dtype=np.float32)
    blank[0] = lp[0, 0]
    char[1, 1:] = lp[0, 1:]
    # back-pointers: blank_from[t, m] in {0: blank, 1: char (which: blank_arg)}; char_from[t, m, c] in
    # {0: same char, 1: blank at m-1, 2: other char at m-1 (which: char_arg)}
    blank_from = np.zeros((t_max, n + 1), dtype=np.int8)
    blank_arg = np.zeros((t_max, n + 1), dtype=np.int16)
    char_from = np.zeros((t_max, n + 1, k), dtype=np.int8)
    char_arg = np.zeros((t_max, n + 1, k), dtype=np.int16)
    cols = np.arange(k)
    rows = np.arange(n + 1)
    # buffers reused across frames (row 0 of the shifted arrays stays "impossible")
    prev_blank = np.full((n + 1, 1), _NEG, dtype=np.float32)
    prev_other = np.full((n + 1, k), _NEG, dtype=np.float32)
    prev_other_arg = np.zeros((n + 1, k), dtype=np.int16)
    for t in range(1, t_max):
        # best and second-best character per count, for "another character" transitions
        top1 = char.argmax(axis=1)
        best1 = char[rows, top1]
        masked = char.copy()
        masked[rows, top1] = -np.inf
        top2 = masked.argmax(axis=1)
        best2 = char[rows, top2]
        # blank at count m: from blank m or from the best char at m
        from_char = best1 > blank
        new_blank = np.where(from_char, best1, blank) + lp[t, 0]
        blank_from[t] = from_char
        blank_arg[t] = top1
        # char c at count m: stay (char[m, c]), from blank[m-1], from another char at m-1
        prev_blank[1:, 0] = blank[:-1]
        is_top = cols[None, :] == top1[:, None]
        prev_other[1:] = np.where(is_top, best2[:, None], best1[:, None])[:-1]
        prev_other_arg[1:] = np.where(is_top, top2[:, None], top1[:, None])[:-1]
        choice = (prev_blank > char).astype(np.int8)
        best = np.maximum(char, prev_blank)
        other_wins = prev_other > best
        choice[other_wins] = 2
        new_char = np.maximum(best, prev_other) + lp[t][None, :]
        new_char[:, 0] = _NEG
        new_char[0] = _NEG
        char_from[t] = choice
        char_arg[t] = prev_other_arg
        blank, char = new_blank, new_char
    end_char = int(char[n].argmax())
    if blank[n] <= _NEG / 2 and char[n, end_char] <= _NEG / 2:
        return None
    state_blank = bool(blank[n] >= char[n, end_char])
    score = float(blank[n] if state_blank else char[n, end_char])
    # backtrack
    frame_labels = np.zeros(t_max, dtype=np.int64)
    m, c = n, end_char
    for t in range(t_max - 1, -1, -1):
        if state_blank:
            frame_labels[t] = 0
            if t == 0:
                break
            if blank_from[t, m]:
                state_blank, c = False, int(blank_arg[t, m])
        else:
            frame_labels[t] = c
            if t == 0:
                break
            src = int(char_from[t, m, c])
            if src == 1:
                state_blank, m = True, m - 1
            elif src == 2:
                c, m = int(char_arg[t, m, c]), m - 1
    labels: list[int] = []
    spans: list[tuple[int, int]] = []
    prev = 0
    for t, lab in enumerate(frame_labels.tolist()):
        if lab != 0 and lab == prev:
            spans[-1] = (spans[-1][0], t)
        elif lab != 0:
            labels.append(lab)
            spans.append((t, t))
        prev = lab
    if starts is not None and ends is not None:
        spans = [(int(starts[a]), int(ends[b])) for a, b in spans]
    return CtcPath(labels, spans, score)
