"""Parse JSON and remember the line of every value, so problems can be reported as ``file:line``."""

from __future__ import annotations

import json
import re
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

__all__ = ["JsonPath", "format_path", "parse_with_lines"]

JsonPath = tuple[str | int, ...]

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.lines: dict[JsonPath, int] = {}
        self._newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(self, pos: int) -> int:
        lo, hi = 0, len(self._newlines)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._newlines[mid] < pos:
                lo = mid + 1
            else:
                hi = mid
        return lo + 1

    def error(self, message: str) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, self.pos)

    def skip(self) -> None:
        match = _WS.match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()

    def value(self, path: JsonPath) -> Any:
        self.skip()
        self.lines[path] = self.line_of(self.pos)
        if self.pos >= len(self.text):
            raise self.error("unexpected end of file")
        ch = self.text[self.pos]
        if ch == "{":
            return self.obj(path)
        if ch == "[":
            return self.arr(path)
        if ch == '"':
            text, self.pos = scanstring(self.text, self.pos + 1)
            return text
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return val
        match = _NUMBER.match(self.text, self.pos)
        if match is None:
            raise self.error("expecting a value")
        self.pos = match.end()
        number = match.group()
        return float(number) if any(c in number for c in ".eE") else int(number)

    def obj(self, path: JsonPath) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        self.skip()
        if self.text.startswith("}", self.pos):
            self.pos += 1
            return out
        while True:
            self.skip()
            if not self.text.startswith('"', self.pos):
                raise self.error("expecting a property name in double quotes")
            key, self.pos = scanstring(self.text, self.pos + 1)
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.error("expecting ':'")
            self.pos += 1
            out[key] = self.value((*path, key))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("}", self.pos):
                self.pos += 1
                return out
            raise self.error("expecting ',' or '}'")

    def arr(self, path: JsonPath) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return out
        while True:
            out.append(self.value((*path, len(out))))
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if self.text.startswith("]", self.pos):
                self.pos += 1
                return out
            raise self.error("expecting ',' or ']'")


def parse_with_lines(text: str) -> tuple[Any, dict[JsonPath, int]]:
    """Parse JSON ``text``; return the value and the 1-based line where each value starts.

    Raises:
        json.JSONDecodeError: on malformed JSON (with ``lineno``).
    """
    parser = _Parser(text)
    value = parser.value(())
    parser.skip()
    if parser.pos != len(text):
        raise parser.error("extra data after the JSON value")
    return value, parser.lines


def format_path(path: JsonPath) -> str:
    """``("lines", 3, "quad")`` -> ``lines[3].quad``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(root)"
