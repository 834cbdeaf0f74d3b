"""Helpers of the deployment checks: kustomize rendering and walking the rendered objects.

(A module of its own, not conftest.py: test modules import these by name, and
``conftest`` is ambiguous when pytest collects several test directories.)"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
OVERLAYS = ("dev", "prod")

Manifest = dict[str, Any]


def kustomize_command() -> list[str]:
    """The kustomize to use: .cache/bin/kustomize (scripts/install-kustomize.sh), a kustomize
    on PATH, or ``kubectl kustomize``."""
    local = ROOT / ".cache" / "bin" / "kustomize"
    if os.access(local, os.X_OK):
        return [str(local), "build"]
    if found := shutil.which("kustomize"):
        return [found, "build"]
    if found := shutil.which("kubectl"):
        return [found, "kustomize"]
    pytest.fail("no kustomize: run scripts/install-kustomize.sh (or `make system`)")


def render(overlay: str) -> list[Manifest]:
    """``kustomize build deploy/k8s/overlays/<overlay>`` as a list of objects."""
    path = DEPLOY / "k8s" / "overlays" / overlay
    proc = subprocess.run(
        [*kustomize_command(), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, f"kustomize build {overlay} failed:\n{proc.stderr}"
    return [doc for doc in yaml.safe_load_all(proc.stdout) if doc]


def objects_of(objects: list[Manifest], kind: str) -> list[Manifest]:
    return [o for o in objects if o["kind"] == kind]


def by_name(objects: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {o["metadata"]["name"]: o for o in objects_of(objects, kind)}


def pod_specs(objects: list[Manifest]) -> Iterator[tuple[Manifest, Manifest]]:
    """(owner object, pod spec) of every Deployment and Job."""
    for obj in objects:
        if obj["kind"] in ("Deployment", "Job"):
            yield obj, obj["spec"]["template"]["spec"]


def container_env(container: Manifest, objects: list[Manifest]) -> dict[str, Any]:
    """A container's environment: ``envFrom`` ConfigMaps resolved, then ``env`` (values or
    the ``valueFrom`` reference)."""
    config_maps = by_name(objects, "ConfigMap")
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        ref = source.get("configMapRef")
        assert ref is not None, f"{container['name']}: only ConfigMaps may be used in envFrom"
        assert ref["name"] in config_maps, f"{container['name']}: ConfigMap {ref['name']} is not rendered"
        env.update(config_maps[ref["name"]].get("data", {}))
    for var in container.get("env", []):
        env[var["name"]] = var.get("value", var.get("valueFrom"))
    return env


def stage_of(container: Manifest) -> str | None:
    """The idstream service a container runs (``python -m services.<stage>``), else None."""
    command = [*container.get("command", []), *container.get("args", [])]
    for i, word in enumerate(command[:-1]):
        if word == "-m" and command[i + 1].startswith("services."):
            return str(command[i + 1].removeprefix("services."))
    if command[:3] == ["idstream", "serve", "review"]:
        return "review"
    return None
