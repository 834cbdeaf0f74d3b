"""The metrics of idstream.metrics follow Prometheus conventions and carry no personal data."""

from __future__ import annotations

import re

from deploy_manifests import ROOT
from prometheus_client import REGISTRY

from idstream import metrics

#: Metrics defined for the dashboards and alerts that no service sets yet (empty now:
#: the stages set MODEL_INFO and BATCH_SIZE, the sink END_TO_END_LATENCY, the review
#: application REVIEW_* on /metrics).
PENDING_INSTRUMENTATION: set[str] = set()
ALLOWED_LABELS = {"stage", "reason", "review_status", "model_version", "decision"}
UNIT_SUFFIXES = ("_seconds", "_bytes", "_messages", "_documents", "_ratio", "_info")


def _idstream_metrics() -> list[object]:
    return [m for m in REGISTRY.collect() if m.name.startswith("idstream_")]


def test_every_metric_object_is_registered_with_the_prefix() -> None:
    names = {getattr(metrics, n)._name for n in metrics.__all__ if n.isupper()}
    assert all(n.startswith("idstream_") for n in names)
    assert names <= {m.name for m in _idstream_metrics()}  # type: ignore[attr-defined]


def test_names_and_units_follow_prometheus_conventions() -> None:
    for family in _idstream_metrics():
        name, kind = family.name, family.type  # type: ignore[attr-defined]
        assert re.fullmatch(r"idstream_[a-z][a-z0-9_]*", name), name
        if kind == "counter":
            # prometheus_client strips _total from the family name and adds it to the samples
            assert not name.endswith("_total"), name
            samples = {s.name for s in family.samples}  # type: ignore[attr-defined]
            assert samples <= {f"{name}_total", f"{name}_created"}, samples
        else:
            assert name.endswith(UNIT_SUFFIXES), f"{name}: no unit suffix"
        assert not re.search(r"_(milliseconds|ms|minutes|hours|kb|mb)(_|$)", name), f"{name}: not a base unit"


def test_labels_are_bounded_and_free_of_personal_data() -> None:
    for name in metrics.__all__:
        metric = getattr(metrics, name)
        labels = set(getattr(metric, "_labelnames", ()))
        assert labels <= ALLOWED_LABELS, f"{name}: labels {labels - ALLOWED_LABELS}"


def test_pending_instrumentation_is_tracked() -> None:
    """Every metric is set by some service, or listed in PENDING_INSTRUMENTATION.

    When a service starts setting one of these, drop it from the list.
    """
    sources = [
        p.read_text()
        for base in ("src/idstream", "services")
        for p in (ROOT / base).rglob("*.py")
        if p.name != "metrics.py"
    ]
    code = "\n".join(sources)
    unobserved = {
        name
        for name in metrics.__all__
        if name.isupper() and not re.search(rf"\b{name}\.(labels|inc|dec|set|observe)\b", code)
    }
    assert unobserved <= PENDING_INSTRUMENTATION, (
        f"metrics nobody sets: {unobserved - PENDING_INSTRUMENTATION}"
    )
    done = PENDING_INSTRUMENTATION - unobserved
    assert not done, f"now set by the services; remove from PENDING_INSTRUMENTATION: {done}"
