"""Domain code is importable without faust, aiokafka, grpc or the object-store client."""

from __future__ import annotations

import subprocess
import sys

import pytest

ADAPTER_MODULES = ("faust", "aiokafka", "grpc", "minio", "mode")

DOMAIN_MODULES = (
    "idstream.document",
    "idstream.errors",
    "idstream.pipeline",
    "idstream.imageio",
    "idstream.preprocess",
    "idstream.ocr",
    "idstream.mrz",
    "idstream.checks",
    "idstream.graph_ie",
    "idstream.sink.routing",
    "idstream.synth",
    "idstream.annotations",
)


@pytest.mark.parametrize("module", DOMAIN_MODULES)
def test_domain_module_does_not_import_adapters(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"bad = [m for m in {ADAPTER_MODULES!r} if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"{module} imports {out.stdout.strip()}"
