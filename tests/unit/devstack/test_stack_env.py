"""The environment the local stack gives its service processes."""

from __future__ import annotations

import pytest

from idstream.settings import load_settings
from idstream.stack import SERVICES, LocalStack


def _stack(max_in_flight: int) -> LocalStack:
    settings = load_settings({}, max_in_flight=max_in_flight, run_dir="/tmp/idstream-stack-env")
    return LocalStack(settings, metrics_ports={s.name: 9000 + i for i, s in enumerate(SERVICES)})


@pytest.mark.parametrize(("cores", "in_flight", "expected"), [(2, 2, 1), (8, 2, 4), (1, 4, 1), (16, 1, 16)])
def test_each_document_gets_an_equal_share_of_the_cores(
    monkeypatch: pytest.MonkeyPatch, cores: int, in_flight: int, expected: int
) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: cores)
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    stack = _stack(in_flight)
    assert stack.threads_per_document() == expected
    assert stack.service_env("ocr")["OMP_NUM_THREADS"] == str(expected)


def test_an_explicit_thread_count_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert "OMP_NUM_THREADS" not in _stack(2).service_env("ocr")
