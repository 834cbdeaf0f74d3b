"""Detached local processes with a log file and a pid file under a run directory.

``idstream up``/``down`` and the integration-test fixtures start the broker, the
object store, the stage services and the gateway through this module. Each
process is known by a *name*; under the run directory (default ``.run/``) it has

* ``<name>.pid``: ``"<pid> <start-time>"``; the start time (from ``/proc``) guards
  against a recycled pid being taken for the process;
* ``<name>.log``: its standard output and error (appended to on every start).

Processes run in their own session (``setsid``), so they outlive the command that
started them and :func:`stop` can signal the whole process group.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DEFAULT_RUN_DIR",
    "ManagedProcess",
    "is_running",
    "log_path",
    "read_pid",
    "start",
    "stop",
    "tail_log",
]

DEFAULT_RUN_DIR = Path(".run")

# Children started by this interpreter: kept so that they are reaped (no zombies,
# no ResourceWarning) when they exit while we are still running.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class ManagedProcess:
    """A process started by :func:`start`.

    Args:
        name: The name it is known by under the run directory.
        pid: Its process id (also its process-group id).
        log_path: The file its output goes to.
        pid_path: Its pid file.
    """

    name: str
    pid: int
    log_path: Path
    pid_path: Path


def _check_name(name: str) -> None:
    if not name or not all(ch.isalnum() or ch in "-_." for ch in name) or name.startswith("."):
        raise ValueError(f"invalid process name {name!r}: use letters, digits, '-', '_', '.'")


def _pid_path(name: str, run_dir: Path) -> Path:
    _check_name(name)
    return run_dir / f"{name}.pid"


def log_path(name: str, run_dir: Path = DEFAULT_RUN_DIR) -> Path:
    """Return the log file of process ``name``.

    Args:
        name: The process name.
        run_dir: The run directory.

    Returns:
        ``run_dir / "<name>.log"`` (it may not exist yet).
    """
    _check_name(name)
    return run_dir / f"{name}.log"


def _proc_start_time(pid: int) -> str | None:
    """Start time of ``pid`` in clock ticks since boot, or None if unknown/gone/zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return "?"
    # Field 2 (comm) may hold spaces and parentheses: split after the last ')'.
    fields = stat[stat.rfind(")") + 2 :].split()
    if not fields or fields[0] in ("Z", "X"):
        return None
    return fields[19] if len(fields) > 19 else "?"


def _alive(pid: int, start_time: str | None) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None and child.poll() is not None:
        del _CHILDREN[pid]
        return False
    if Path("/proc").is_dir():
        current = _proc_start_time(pid)
        if current is None:
            return False
        return start_time in (None, "?") or current in ("?", start_time)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_pid(name: str, run_dir: Path = DEFAULT_RUN_DIR) -> int | None:
    """Return the pid of process ``name`` if it is running, else None.

    Args:
        name: The process name.
        run_dir: The run directory.

    Returns:
        The pid, or None when there is no pid file or the process is gone.
    """
    path = _pid_path(name, run_dir)
    try:
        parts = path.read_text().split()
        pid = int(parts[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    start_time = parts[1] if len(parts) > 1 else None
    return pid if _alive(pid, start_time) else None


def is_running(name: str, run_dir: Path = DEFAULT_RUN_DIR) -> bool:
    """Tell whether process ``name`` is running.

    Args:
        name: The process name.
        run_dir: The run directory.

    Returns:
        True when its pid file names a live process.
    """
    return read_pid(name, run_dir) is not None


def start(
    name: str,
    argv: Sequence[str],
    *,
    run_dir: Path = DEFAULT_RUN_DIR,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> ManagedProcess:
    """Start ``argv`` as a detached process called ``name``, unless it already runs.

    Args:
        name: The process name (letters, digits, ``-``, ``_``, ``.``).
        argv: The command line; ``argv[0]`` is looked up on ``PATH``.
        run_dir: The run directory for the pid and log files (created if missing).
        env: Extra environment variables, added to the current environment.
        cwd: The working directory of the process.

    Returns:
        The process, either freshly started or the one already running.

    Raises:
        ValueError: If ``name`` or ``argv`` is empty or invalid.
        FileNotFoundError: If the program does not exist.
    """
    if not argv:
        raise ValueError("argv must not be empty")
    pid_path = _pid_path(name, run_dir)
    out_path = log_path(name, run_dir)
    existing = read_pid(name, run_dir)
    if existing is not None:
        return ManagedProcess(name, existing, out_path, pid_path)
    run_dir.mkdir(parents=True, exist_ok=True)
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    with open(out_path, "ab") as log_file:
        log_file.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S')} starting {name}\n".encode())
        log_file.flush()
        child = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=full_env,
            start_new_session=True,
            close_fds=True,
        )
    _CHILDREN[child.pid] = child
    start_time = _proc_start_time(child.pid) or "?"
    tmp = pid_path.with_suffix(".pid.tmp")
    tmp.write_text(f"{child.pid} {start_time}\n")
    tmp.replace(pid_path)
    return ManagedProcess(name, child.pid, out_path, pid_path)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    except PermissionError:
        os.kill(pid, sig)


def stop(name: str, run_dir: Path = DEFAULT_RUN_DIR, timeout: float = 15.0) -> bool:
    """Stop process ``name``: SIGTERM to its process group, wait, then SIGKILL.

    Args:
        name: The process name.
        run_dir: The run directory.
        timeout: Seconds to wait after SIGTERM before sending SIGKILL.

    Returns:
        True if a running process was stopped, False if none was running. The pid
        file is removed in both cases.
    """
    pid_path = _pid_path(name, run_dir)
    pid = read_pid(name, run_dir)
    if pid is None:
        pid_path.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and is_running(name, run_dir):
        time.sleep(0.05)
    if is_running(name, run_dir):
        _signal_group(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5.0
        while time.monotonic() < deadline and is_running(name, run_dir):
            time.sleep(0.05)
    # Kill what is left of the group (children that ignored SIGTERM).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=1.0)
    pid_path.unlink(missing_ok=True)
    return True


def tail_log(name: str, run_dir: Path = DEFAULT_RUN_DIR, lines: int = 20) -> str:
    """Return the last ``lines`` lines of the log of process ``name``.

    Args:
        name: The process name.
        run_dir: The run directory.
        lines: How many lines to return.

    Returns:
        The lines joined by newlines, or an empty string if there is no log.
    """
    path = log_path(name, run_dir)
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            data = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(data.splitlines()[-lines:])
