"""The alerting rules pass ``promtool check rules`` and their unit tests (``promtool test rules``),
and the dashboards are what deploy/grafana/dashboards.py writes."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_manifests import DEPLOY
from promql import alert_expressions, dashboard_expressions, leaf_operands

PROMETHEUS = DEPLOY / "prometheus"
GRAFANA = DEPLOY / "grafana"


def _promtool() -> str:
    found = shutil.which("promtool")
    if found is None:
        pytest.fail("promtool not found: run `make system` (Debian package prometheus)", pytrace=False)
    return found


def test_promtool_check_rules() -> None:
    rules = sorted((PROMETHEUS / "rules").glob("*.yml"))
    assert rules
    proc = subprocess.run([_promtool(), "check", "rules", *map(str, rules)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_promtool_test_rules() -> None:
    tests = sorted(p.relative_to(PROMETHEUS) for p in (PROMETHEUS / "tests").glob("*.yml"))
    assert tests
    proc = subprocess.run(
        [_promtool(), "test", "rules", *map(str, tests)], capture_output=True, text=True, cwd=PROMETHEUS
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_every_alert_has_a_unit_test_that_fires_it() -> None:
    import yaml

    fired = set()
    for path in (PROMETHEUS / "tests").glob("*.yml"):
        for case in yaml.safe_load(path.read_text())["tests"]:
            for check in case.get("alert_rule_test", []):
                if check.get("exp_alerts"):
                    fired.add(check["alertname"])
    alerts = {name for name, _ in alert_expressions(PROMETHEUS / "rules" / "idstream.rules.yml")}
    assert alerts == fired, f"alerts without a firing unit test: {alerts - fired}"


def test_dashboards_are_generated_from_dashboards_py(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("idstream_dashboards", GRAFANA / "dashboards.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    written = module.write(tmp_path)
    committed = sorted(p.name for p in (GRAFANA / "dashboards").glob("*.json"))
    assert sorted(p.name for p in written) == committed
    for path in written:
        assert path.read_text() == (GRAFANA / "dashboards" / path.name).read_text(), (
            f"{path.name} is stale: run python deploy/grafana/dashboards.py"
        )


def test_dashboards_cover_the_pipeline() -> None:
    boards = {p.name: json.loads(p.read_text()) for p in (GRAFANA / "dashboards").glob("*.json")}
    assert {"overview.json", "review.json"} <= boards.keys()
    assert {f"stage-{s}.json" for s in ("preprocess", "ocr", "graph-ie", "sink")} <= boards.keys()
    uids = [b["uid"] for b in boards.values()]
    assert len(set(uids)) == len(uids)
    exprs = " ".join(e for _, e in dashboard_expressions(GRAFANA / "dashboards"))
    for metric in (
        "idstream_end_to_end_latency_seconds_bucket",
        "idstream_dead_letters_total",
        "idstream_consumer_lag_messages",
        'idstream_results_total{review_status="auto_approved"}',
        "idstream_stage_latency_seconds_bucket",
        "idstream_batch_size_messages_bucket",
        "idstream_documents_failed_total",
        "idstream_model_info",
        "idstream_review_backlog_oldest_age_seconds",
    ):
        assert metric in exprs, metric
    for board in boards.values():
        for panel in board["panels"]:
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
            assert {"x", "y", "w", "h"} <= panel["gridPos"].keys()


def test_grafana_provisioning_points_at_the_dashboards() -> None:
    import yaml

    providers = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "idstream.yml").read_text())
    assert providers["apiVersion"] == 1 and providers["providers"][0]["type"] == "file"
    sources = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert sources["datasources"][0]["type"] == "prometheus"


@pytest.mark.parametrize(
    ("expr", "operands"),
    [
        ("a > 100 and (b or c)", ["a", "100", "b", "c"]),
        ("sum(rate(x[5m])) / sum(rate(y[5m])) > 0.05", ["sum(rate(x[5m]))", "sum(rate(y[5m]))", "0.05"]),
        ('up{job="a>b"} == 0', ['up{job="a>b"}', "0"]),
        ("(x or vector(0)) == 0 and on () (y > 0)", ["x", "vector(0)", "0", "y", "0"]),
        (
            "histogram_quantile(0.95, sum by (le) (rate(h[1m])))",
            ["histogram_quantile(0.95, sum by (le) (rate(h[1m])))"],
        ),
        ("rate(a[1m]) - 1e-9", ["rate(a[1m])", "1e-9"]),
        ("max(a) > 4 * 3600", ["max(a)", "4", "3600"]),
    ],
)
def test_leaf_operands(expr: str, operands: list[str]) -> None:
    assert [" ".join(o.split()) for o in leaf_operands(expr)] == operands
