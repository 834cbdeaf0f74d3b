"""Debian's Prometheus scrapes running idstream metrics endpoints and answers every
PromQL expression of the dashboards and alerting rules with data.

Five processes (tests/deploy/stage_driver.py: the four stages and the review
workload) serve the real ``/metrics`` endpoint and move their counters through
the real ``process_message``; a ``prometheus`` binary scrapes them every second
with the alerting rules loaded. Then every dashboard query must return data,
every alerting rule must load and evaluate without error, and every operand of
every alert condition must return data (the condition itself does only while the
alert fires).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_manifests import DEPLOY, ROOT
from promql import alert_expressions, dashboard_expressions, leaf_operands

from idstream.devstack.ports import free_port
from idstream.topics import STAGES

pytestmark = pytest.mark.integration

RULES = DEPLOY / "prometheus" / "rules" / "idstream.rules.yml"
DASHBOARDS = DEPLOY / "grafana" / "dashboards"
DRIVER = Path(__file__).with_name("stage_driver.py")


def _get(url: str, timeout: float = 2.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return json.loads(resp.read())


def _wait(predicate: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a Prometheus scraping the five drivers, after it has enough samples."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus not found: run `make system` (Debian package prometheus)", pytrace=False)
    tmp = tmp_path_factory.mktemp("prometheus")
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    drivers = {}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for stage in (*STAGES, "review"):
            port = free_port()
            drivers[stage] = port
            with (tmp / f"{stage}.log").open("wb") as log:
                command = [sys.executable, str(DRIVER), stage, str(port)]
                procs.append(subprocess.Popen(command, env=env, stderr=log, stdout=log))
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [str(RULES)],
            "scrape_configs": [
                {
                    "job_name": "idstream",
                    "static_configs": [{"targets": [f"127.0.0.1:{port}" for port in drivers.values()]}],
                }
            ],
        }
        (tmp / "prometheus.yml").write_text(yaml.safe_dump(config))
        web = free_port()
        with (tmp / "prometheus.log").open("wb") as log:
            procs.append(
                subprocess.Popen(
                    [
                        binary,
                        f"--config.file={tmp / 'prometheus.yml'}",
                        f"--storage.tsdb.path={tmp / 'data'}",
                        f"--web.listen-address=127.0.0.1:{web}",
                        "--log.level=warn",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
            )
        url = f"http://127.0.0.1:{web}"
        _wait(
            lambda: urllib.request.urlopen(f"{url}/-/ready", timeout=1).status == 200, 30, "Prometheus ready"
        )
        for proc in procs:
            assert proc.poll() is None, f"{proc.args} exited; logs in {tmp}"

        def enough_samples() -> bool:
            q = urllib.parse.quote('count(count_over_time(up{job="idstream"}[1m]) >= 5)')
            result = _get(f"{url}/api/v1/query?query={q}")["data"]["result"]
            return bool(result) and int(float(result[0]["value"][1])) == len(drivers)

        _wait(enough_samples, 30, "five scrapes of every target")
        yield url
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _query(url: str, expr: str) -> dict[str, Any]:
    try:
        body: dict[str, Any] = _get(f"{url}/api/v1/query?query={urllib.parse.quote(expr)}")
    except urllib.error.HTTPError as exc:
        body = json.loads(exc.read())
    return body


def _has_data(body: dict[str, Any]) -> bool:
    data = body.get("data", {})
    result = data.get("result")
    if data.get("resultType") == "scalar":
        return result is not None
    return bool(result)


DASHBOARD_QUERIES = dashboard_expressions(DASHBOARDS)
ALERTS = alert_expressions(RULES)


def test_expressions_were_found() -> None:
    assert len(DASHBOARD_QUERIES) >= 40
    assert len(ALERTS) >= 5


@pytest.mark.parametrize(
    ("where", "expr"), DASHBOARD_QUERIES, ids=[f"{w} | {e}" for w, e in DASHBOARD_QUERIES]
)
def test_dashboard_query_returns_data(prometheus: str, where: str, expr: str) -> None:
    body = _query(prometheus, expr)
    assert body["status"] == "success", f"{where}: {body.get('error')}"
    assert _has_data(body), f"{where}: no data for {expr}"


@pytest.mark.parametrize(("alert", "expr"), ALERTS, ids=[a for a, _ in ALERTS])
def test_alert_expression_parses_and_its_operands_return_data(prometheus: str, alert: str, expr: str) -> None:
    body = _query(prometheus, expr)
    assert body["status"] == "success", f"{alert}: {body.get('error')}"
    for operand in leaf_operands(expr):
        body = _query(prometheus, operand)
        assert body["status"] == "success", f"{alert}: {operand}: {body.get('error')}"
        assert _has_data(body), f"{alert}: no data for {' '.join(operand.split())}"


def test_prometheus_loaded_and_evaluated_every_rule(prometheus: str) -> None:
    def evaluated() -> bool:
        groups = _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
        return all(rule["lastEvaluation"] > "2000" for group in groups for rule in group["rules"])

    _wait(evaluated, 10, "an evaluation of every rule")
    groups = _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
    rules = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert set(rules) == {alert for alert, _ in ALERTS}
    for name, rule in rules.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"
