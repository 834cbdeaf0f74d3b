"""PromQL expressions of the dashboards and alerting rules, and their operands."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

__all__ = ["GRAFANA_VARIABLES", "alert_expressions", "dashboard_expressions", "leaf_operands"]

#: Grafana's built-in variables as the live test substitutes them (scrapes every second).
GRAFANA_VARIABLES = {"$__rate_interval": "30s", "$__interval": "5s", "$__range": "1m"}

_BINARY = re.compile(
    r"(?:==|!=|>=|<=|>|<|\band\b|\bor\b|\bunless\b|[-+*/%^](?=\s))(?:\s+bool\b)?"
    r"(?:\s+(?:on|ignoring)\s*\([^)]*\))?(?:\s+group_(?:left|right)\s*(?:\([^)]*\))?)?"
)


def dashboard_expressions(directory: Path) -> list[tuple[str, str]]:
    """``(where, expr)`` of every query target of every dashboard, variables substituted."""
    out = []
    for path in sorted(directory.glob("*.json")):
        board = json.loads(path.read_text())
        for panel in board["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"]
                for name, value in GRAFANA_VARIABLES.items():
                    expr = expr.replace(name, value)
                assert "$" not in expr, f"{path.name}: unsubstituted variable in {expr}"
                out.append((f"{path.name}: {panel['title']}", expr))
    return out


def alert_expressions(rules_file: Path) -> list[tuple[str, str]]:
    """``(alert, expr)`` of every rule of a Prometheus rules file."""
    doc: dict[str, Any] = yaml.safe_load(rules_file.read_text())
    return [
        (rule.get("alert") or rule["record"], rule["expr"].strip())
        for group in doc["groups"]
        for rule in group["rules"]
    ]


def _top_level_spans(expr: str) -> list[tuple[int, int]]:
    """Spans of the binary operators outside brackets and strings (arithmetic ones need a space
    after them, so that ``1e-9`` and ``-1`` stay whole)."""
    depth, quote, spans, i = 0, "", [], 0
    while i < len(expr):
        ch = expr[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and (m := _BINARY.match(expr, i)) and (ch in "=!<>" or not expr[i - 1 : i].isalnum()):
            spans.append((m.start(), m.end()))
            i = m.end()
            continue
        i += 1
    return spans


def _unwrap(expr: str) -> str:
    """``expr`` without parentheses around the whole of it."""
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        depth = 0
        for i, ch in enumerate(expr):
            depth += ch == "("
            depth -= ch == ")"
            if depth == 0 and i < len(expr) - 1:
                return expr
        expr = expr[1:-1].strip()
    return expr


def leaf_operands(expr: str) -> list[str]:
    """The operands of an expression: ``a / b > 100 and (c or d)`` → ``[a, b, 100, c, d]``.

    The condition itself returns data only while the alert fires; its operands
    must return data whenever the services run.
    """
    expr = _unwrap(expr)
    spans = _top_level_spans(expr)
    if not spans:
        return [expr]
    parts, start = [], 0
    for a, b in spans:
        parts.append(expr[start:a])
        start = b
    parts.append(expr[start:])
    return [leaf for part in parts for leaf in leaf_operands(part)]
