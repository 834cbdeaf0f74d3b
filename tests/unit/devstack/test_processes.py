"""Detached processes with pid and log files (real short-lived child processes)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from idstream.devstack import processes


def _sleeper(seconds: float = 30.0) -> list[str]:
    return [sys.executable, "-c", f"import time; print('up', flush=True); time.sleep({seconds})"]


def test_start_is_idempotent_and_stop_terminates(tmp_path: Path) -> None:
    first = processes.start("sleeper", _sleeper(), run_dir=tmp_path)
    try:
        assert processes.is_running("sleeper", tmp_path)
        assert first.pid_path.read_text().split()[0] == str(first.pid)
        again = processes.start("sleeper", _sleeper(), run_dir=tmp_path)
        assert again.pid == first.pid
    finally:
        assert processes.stop("sleeper", tmp_path, timeout=5.0)
    assert not processes.is_running("sleeper", tmp_path)
    assert not first.pid_path.exists()
    assert not processes.stop("sleeper", tmp_path)


def test_output_goes_to_log(tmp_path: Path) -> None:
    proc = processes.start("echo", [sys.executable, "-c", "print('hello log', flush=True)"], run_dir=tmp_path)
    deadline = time.monotonic() + 10
    while processes.is_running("echo", tmp_path) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not processes.is_running("echo", tmp_path)  # exited: not reported as running (no zombie)
    assert "hello log" in proc.log_path.read_text()
    assert processes.tail_log("echo", tmp_path, lines=1) == "hello log"


def test_sigkill_after_timeout_when_sigterm_ignored(tmp_path: Path) -> None:
    code = (
        "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "print('ready', flush=True); time.sleep(60)"
    )
    proc = processes.start("stubborn", [sys.executable, "-c", code], run_dir=tmp_path)
    deadline = time.monotonic() + 10
    while "ready" not in proc.log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    started = time.monotonic()
    assert processes.stop("stubborn", tmp_path, timeout=0.5)
    assert time.monotonic() - started < 5.0
    assert not processes.is_running("stubborn", tmp_path)


def test_stale_pid_file_is_not_running(tmp_path: Path) -> None:
    # A pid file naming this very process but with another start time: a recycled pid.
    import os

    (tmp_path / "ghost.pid").write_text(f"{os.getpid()} 1\n")
    assert not processes.is_running("ghost", tmp_path)
    (tmp_path / "gone.pid").write_text("999999999 1\n")
    assert not processes.is_running("gone", tmp_path)
    assert not processes.stop("gone", tmp_path)
    assert not (tmp_path / "gone.pid").exists()


@pytest.mark.parametrize("name", ["", "../x", "a/b", ".hidden", "sp ace"])
def test_bad_names_are_rejected(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        processes.start(name, _sleeper(), run_dir=tmp_path)


def test_missing_program(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        processes.start("nothing", [str(tmp_path / "no-such-binary")], run_dir=tmp_path)
    assert not processes.is_running("nothing", tmp_path)
