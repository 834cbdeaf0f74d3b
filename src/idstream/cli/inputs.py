"""Shared handling of per-file inputs for commands that print one JSON line per input."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from idstream.errors import IdstreamError, InvalidInput

__all__ = ["printable", "read_input", "run_per_file"]

#: Inputs larger than this are refused before reading (a phone photo is ~5-15 MB).
MAX_INPUT_BYTES = 64 * 1024 * 1024


def read_input(path: str) -> bytes:
    """Read an input file, turning OS errors into one-line :class:`InvalidInput` reasons."""
    p = Path(path)
    try:
        if p.is_dir():
            raise InvalidInput("is a directory")
        size = p.stat().st_size
        if size > MAX_INPUT_BYTES:
            raise InvalidInput(f"file too large ({size} bytes, limit {MAX_INPUT_BYTES})")
        return p.read_bytes()
    except FileNotFoundError as exc:
        raise InvalidInput("no such file") from exc
    except PermissionError as exc:
        raise InvalidInput("permission denied") from exc
    except OSError as exc:
        raise InvalidInput(f"cannot read file ({exc.strerror or type(exc).__name__})") from exc


def printable(name: str) -> str:
    """A file name for a one-line message: control characters (newlines...) escaped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in name)


def run_per_file(command: str, files: Sequence[str], handle: Callable[[str, bytes], dict[str, Any]]) -> int:
    """Run ``handle`` on every file, printing one JSON line each, in input order.

    A file that fails prints ``{"file", "error"}`` on stdout and a one-line reason on
    stderr; the others still run. Returns 2 if any failed, else 0.
    """
    failed = False
    for name in files:
        try:
            data = read_input(name)
            out = {"file": name, **handle(name, data)}
        except IdstreamError as exc:
            failed = True
            out = {"file": name, "error": exc.reason}
            print(f"idstream {command}: {printable(name)}: {exc.reason}", file=sys.stderr)
        print(json.dumps(out, ensure_ascii=False), flush=True)
    return 2 if failed else 0
