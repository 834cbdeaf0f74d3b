"""The Grafana dashboards of idstream, as code.

``python deploy/grafana/dashboards.py`` writes ``deploy/grafana/dashboards/*.json``
(the files Grafana's provisioning loads, see ``provisioning/``); a test checks
that the committed JSON is what this script writes, and evaluates every query
against a real Prometheus. Metric names: ``src/idstream/metrics.py``.

Dashboards: the pipeline overview, one per stage, and the review workload.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["STAGES", "build_all", "overview", "review", "stage", "write"]

STAGES = ("preprocess", "ocr", "graph_ie", "sink")
OUT = Path(__file__).resolve().parent / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
RATE = "$__rate_interval"

Panel = dict[str, Any]


class _Grid:
    """Places panels left to right, 24 columns wide."""

    def __init__(self) -> None:
        self.x = self.y = self.row_h = 0
        self.next_id = 1

    def place(self, panel: Panel, w: int, h: int) -> Panel:
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel["gridPos"] = {"x": self.x, "y": self.y, "w": w, "h": h}
        panel["id"] = self.next_id
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)
        return panel


def _targets(queries: list[tuple[str, str]], instant: bool = False) -> list[dict[str, Any]]:
    return [
        {
            "datasource": DATASOURCE,
            "expr": expr,
            "legendFormat": legend,
            "refId": chr(ord("A") + i),
            **({"instant": True, "range": False} if instant else {}),
        }
        for i, (expr, legend) in enumerate(queries)
    ]


def timeseries(title: str, queries: list[tuple[str, str]], unit: str, description: str = "") -> Panel:
    """A time-series panel of ``(PromQL, legend)`` queries."""
    return {
        "type": "timeseries",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit, "min": 0}, "overrides": []},
        "options": {"legend": {"displayMode": "list", "placement": "bottom"}, "tooltip": {"mode": "multi"}},
        "targets": _targets(queries),
    }


def stat(title: str, query: str, unit: str, description: str = "", legend: str = "") -> Panel:
    """A single-value panel."""
    return {
        "type": "stat",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "options": {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}},
        "targets": _targets([(query, legend)], instant=True),
    }


def heatmap(title: str, query: str, description: str = "") -> Panel:
    """A heatmap of a histogram's bucket rates."""
    return {
        "type": "heatmap",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "options": {"calculate": False, "yAxis": {"unit": "s"}, "cellGap": 1},
        "targets": [{**_targets([(query, "{{le}}")])[0], "format": "heatmap"}],
    }


def table(title: str, query: str, description: str = "") -> Panel:
    """A table of an instant query (label values as columns)."""
    return {
        "type": "table",
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": [{**_targets([(query, "")], instant=True)[0], "format": "table"}],
        "transformations": [{"id": "organize", "options": {"excludeByName": {"Time": True, "Value": True}}}],
    }


def dashboard(uid: str, title: str, panels: list[tuple[Panel, int, int]], tags: list[str]) -> dict[str, Any]:
    """A dashboard with a Prometheus data-source variable; panels are ``(panel, width, height)``."""
    grid = _Grid()
    return {
        "uid": uid,
        "title": title,
        "tags": ["idstream", *tags],
        "timezone": "utc",
        "editable": False,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Data source",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                }
            ]
        },
        "annotations": {"list": []},
        "links": [{"type": "dashboards", "tags": ["idstream"], "title": "idstream", "asDropdown": True}],
        "panels": [grid.place(panel, w, h) for panel, w, h in panels],
    }


def _quantiles(metric: str, by: str = "") -> list[tuple[str, str]]:
    group = f"{by}, le" if by else "le"
    prefix = f"{{{{{by}}}}} " if by else ""
    return [
        (
            f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket[{RATE}])))",
            f"{prefix}p{int(q * 100)}",
        )
        for q in (0.5, 0.95, 0.99)
    ]


def overview() -> dict[str, Any]:
    """The pipeline at a glance: flow per stage, latency, dead letters, lag, auto-approval."""
    auto = (
        f'sum(rate(idstream_results_total{{review_status="auto_approved"}}[{RATE}]))'
        f" / sum(rate(idstream_results_total[{RATE}]))"
    )
    panels: list[tuple[Panel, int, int]] = [
        (
            stat(
                "Documents in (ingest)",
                f'sum(rate(idstream_stage_latency_seconds_count{{stage="preprocess"}}[{RATE}]))',
                "reqps",
            ),
            6,
            4,
        ),
        (stat("Results out", f"sum(rate(idstream_results_total[{RATE}]))", "reqps"), 6, 4),
        (stat("Auto-approval rate", auto, "percentunit", "Share of results that needed no review."), 6, 4),
        (stat("Dead letters / s", f"sum(rate(idstream_dead_letters_total[{RATE}]))", "reqps"), 6, 4),
        (
            timeseries(
                "Documents in per stage",
                [(f"sum by (stage) (rate(idstream_stage_latency_seconds_count[{RATE}]))", "{{stage}}")],
                "reqps",
                "Messages each stage took from its input topic (successes, failures and dead letters).",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Documents out per stage",
                [(f"sum by (stage) (rate(idstream_documents_processed_total[{RATE}]))", "{{stage}}")],
                "reqps",
                "Documents each stage finished and passed on.",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "End-to-end latency",
                _quantiles("idstream_end_to_end_latency_seconds"),
                "s",
                "From submission to the stored result (observed by the sink).",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Consumer lag per stage",
                [("sum by (stage) (idstream_consumer_lag_messages)", "{{stage}}")],
                "short",
                "Messages waiting in each stage's input topic; KEDA scales the stage on this lag.",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Dead letters per stage",
                [(f"sum by (stage) (rate(idstream_dead_letters_total[{RATE}]))", "{{stage}}")],
                "reqps",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Results by review status",
                [(f"sum by (review_status) (rate(idstream_results_total[{RATE}]))", "{{review_status}}")],
                "reqps",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Stage latency p95",
                [
                    (
                        "histogram_quantile(0.95, sum by (stage, le) "
                        f"(rate(idstream_stage_latency_seconds_bucket[{RATE}])))",
                        "{{stage}}",
                    )
                ],
                "s",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Replicas reporting per stage",
                [("count by (stage) (idstream_in_flight_documents)", "{{stage}}")],
                "short",
                "Processes reporting metrics, per stage.",
            ),
            12,
            8,
        ),
    ]
    return dashboard("idstream-overview", "idstream / pipeline overview", panels, ["overview"])


def stage(name: str) -> dict[str, Any]:
    """One stage: latency histogram, throughput, batch sizes, errors by reason, lag, model version."""
    sel = f'stage="{name}"'
    panels: list[tuple[Panel, int, int]] = [
        (
            stat("Throughput", f"sum(rate(idstream_documents_processed_total{{{sel}}}[{RATE}]))", "reqps"),
            6,
            4,
        ),
        (stat("In flight", f"sum(idstream_in_flight_documents{{{sel}}})", "short"), 6, 4),
        (stat("Consumer lag", f"sum(idstream_consumer_lag_messages{{{sel}}})", "short"), 6, 4),
        (
            table(
                "Model version in use",
                f"count by (model_version) (idstream_model_info{{{sel}}} == 1)",
                "Model versions reported by the replicas (more than one row during a rollout).",
            ),
            6,
            4,
        ),
        (
            heatmap(
                "Latency histogram",
                f"sum by (le) (rate(idstream_stage_latency_seconds_bucket{{{sel}}}[{RATE}]))",
                "Time per document, retries included.",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Latency percentiles",
                [
                    (
                        f"histogram_quantile({q}, sum by (le) "
                        f"(rate(idstream_stage_latency_seconds_bucket{{{sel}}}[{RATE}])))",
                        f"p{int(q * 100)}",
                    )
                    for q in (0.5, 0.95, 0.99)
                ],
                "s",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Batch size",
                [
                    (
                        f"sum(rate(idstream_batch_size_messages_sum{{{sel}}}[{RATE}]))"
                        f" / sum(rate(idstream_batch_size_messages_count{{{sel}}}[{RATE}]))",
                        "mean",
                    ),
                    (
                        "histogram_quantile(0.95, sum by (le) "
                        f"(rate(idstream_batch_size_messages_bucket{{{sel}}}[{RATE}])))",
                        "p95",
                    ),
                ],
                "short",
                "Messages the stage takes from its input at once.",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Errors by reason",
                [
                    (
                        f"sum by (reason) (rate(idstream_documents_failed_total{{{sel}}}[{RATE}]))",
                        "{{reason}}",
                    ),
                    (f"sum(rate(idstream_retries_total{{{sel}}}[{RATE}]))", "retried"),
                    (f"sum(rate(idstream_dead_letters_total{{{sel}}}[{RATE}]))", "dead letters"),
                ],
                "reqps",
                "Failed documents by error class, transient failures retried, dead letters sent.",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Throughput per replica",
                [
                    (
                        f"sum by (instance) (rate(idstream_documents_processed_total{{{sel}}}[{RATE}]))",
                        "{{instance}}",
                    )
                ],
                "reqps",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Consumer lag per replica",
                [(f"sum by (instance) (idstream_consumer_lag_messages{{{sel}}})", "{{instance}}")],
                "short",
                "Each replica reports the lag of the partitions assigned to it.",
            ),
            12,
            8,
        ),
    ]
    return dashboard(
        f"idstream-stage-{name.replace('_', '-')}", f"idstream / stage {name}", panels, ["stage"]
    )


def review() -> dict[str, Any]:
    """The review workload: backlog, its age, decisions, inflow."""
    panels: list[tuple[Panel, int, int]] = [
        (stat("Waiting for review", "max(idstream_review_backlog_documents)", "short"), 6, 4),
        (stat("Oldest waiting", "max(idstream_review_backlog_oldest_age_seconds)", "s"), 6, 4),
        (
            stat(
                "Sent to review / h",
                f'sum(rate(idstream_results_total{{review_status="to_review"}}[{RATE}])) * 3600',
                "short",
            ),
            6,
            4,
        ),
        (stat("Decisions / h", f"sum(rate(idstream_review_decisions_total[{RATE}])) * 3600", "short"), 6, 4),
        (
            timeseries(
                "Backlog",
                [("max(idstream_review_backlog_documents)", "waiting")],
                "short",
                "Documents whose status is to_review.",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Age of the oldest waiting document",
                [("max(idstream_review_backlog_oldest_age_seconds)", "oldest")],
                "s",
            ),
            12,
            8,
        ),
        (
            timeseries(
                "Inflow and decisions",
                [
                    (
                        f'sum(rate(idstream_results_total{{review_status="to_review"}}[{RATE}]))',
                        "sent to review",
                    ),
                    (f"sum by (decision) (rate(idstream_review_decisions_total[{RATE}]))", "{{decision}}"),
                ],
                "reqps",
            ),
            24,
            8,
        ),
    ]
    return dashboard("idstream-review", "idstream / review workload", panels, ["review"])


def build_all() -> dict[str, dict[str, Any]]:
    """Every dashboard by file name."""
    out = {"overview.json": overview(), "review.json": review()}
    for name in STAGES:
        out[f"stage-{name.replace('_', '-')}.json"] = stage(name)
    return out


def write(directory: Path = OUT) -> list[Path]:
    """Write every dashboard as indented JSON; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for filename, board in build_all().items():
        path = directory / filename
        path.write_text(json.dumps(board, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT):
        print(written)
