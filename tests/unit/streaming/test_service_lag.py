"""The consumer-lag gauge counts from the committed offset, so a burst fetched ahead still shows."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from idstream.streaming.service import _lag


class FakeConsumer:
    def __init__(self, high: dict[str, int], committed: dict[str, int | None]) -> None:
        self._high = high
        self._committed_offset: defaultdict[str, int | None] = defaultdict(lambda: None, committed)
        self._read_offset = dict.fromkeys(high, max(high.values()) - 1)  # everything fetched

    def assignment(self) -> set[str]:
        return set(self._high)

    def highwater(self, tp: str) -> int:
        return self._high[tp]


def test_lag_is_high_water_mark_minus_committed_offset() -> None:
    app = SimpleNamespace(consumer=FakeConsumer({"t0": 2000, "t1": 10}, {"t0": 141, "t1": 10}))
    assert _lag(app) == 1859.0


def test_nothing_committed_yet_counts_from_the_start() -> None:
    app = SimpleNamespace(consumer=FakeConsumer({"t0": 2000}, {}))
    assert _lag(app) == 2000.0


def test_a_broken_consumer_gives_zero() -> None:
    assert _lag(SimpleNamespace()) == 0.0
