"""An append-only audit log of privileged operations (erasure, retention purges).

Each record is one JSON line: ``at`` (UTC, ISO 8601), ``actor``, ``action`` and the
details given (document ids and counts, never field values). Lines are appended
with ``O_APPEND`` under an exclusive lock, so concurrent writers do not interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["AuditLog", "current_actor"]


def current_actor() -> str:
    """The operating-system user running the command (``unknown`` if it cannot be told)."""
    with contextlib.suppress(Exception):
        return getpass.getuser()
    return "unknown"


class AuditLog:
    """Append-only JSON-lines audit records.

    Args:
        path: the log file (its directory is created).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def record(self, action: str, actor: str, **details: Any) -> dict[str, Any]:
        """Append one record and return it.

        Args:
            action: what was done (``erase``, ``purge``...).
            actor: who did it.
            **details: JSON-serializable details (ids and counts only).
        """
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "actor": actor,
            "action": action,
            **details,
        }
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
        return entry

    def read(self) -> list[dict[str, Any]]:
        """Every record, oldest first (empty if the log does not exist)."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]
