"""The OCR benchmark's measurement helpers (bench/ocr.py)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:  # `python -m pytest` has it; the `pytest` script does not
    sys.path.insert(0, ROOT)

from bench import ocr as bench_ocr  # noqa: E402


def test_process_cpu_counts_the_cpu_a_process_uses() -> None:
    before = bench_ocr.process_cpu_s(os.getpid())
    end = time.process_time() + 0.05
    while time.process_time() < end:
        pass
    used = bench_ocr.process_cpu_s(os.getpid()) - before
    assert 0.04 <= used < 5.0, used


def test_process_cpu_of_a_missing_process_is_zero() -> None:
    assert bench_ocr.process_cpu_s(2**22 + 12345) == 0.0


def test_line_and_bag_cer() -> None:
    truth = [{"text": "ERIKSSON", "quad": [[0, 0], [100, 0], [100, 20], [0, 20]]}]
    segs = [{"text": "ERIKSS0N", "box": [[2, 1], [98, 1], [98, 19], [2, 19]]}]
    assert bench_ocr.line_cer(truth, segs) == (1, 8)
    assert bench_ocr.bag_cer(truth, segs) == (1, 8)
    assert bench_ocr.line_cer(truth, []) == (8, 8)
