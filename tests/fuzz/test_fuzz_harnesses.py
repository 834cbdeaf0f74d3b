"""Run each atheris harness for a bounded time; any crash, timeout or RSS blow-up fails.

``IDSTREAM_FUZZ_SECONDS`` sets the time per harness (default 15 s; CI may raise it).
Each run is capped at 1.5 GB of RSS (``-rss_limit_mb``) and 20 s per input.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("atheris")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HARNESSES = ("fuzz_imageio.py", "fuzz_contracts.py", "fuzz_mrz.py")
SECONDS = int(os.environ.get("IDSTREAM_FUZZ_SECONDS", "15"))


def _fuzz(
    harness: str, tmp_path: Path, *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}", **(env or {})}
    return subprocess.run(
        [
            sys.executable,
            str(HERE / harness),
            f"-artifact_prefix={tmp_path}/",
            "-rss_limit_mb=1536",
            "-timeout=20",
            *extra,
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=base,
        timeout=SECONDS + 120,
    )


@pytest.mark.timeout(SECONDS + 180)
@pytest.mark.parametrize("harness", HARNESSES)
def test_harness_runs_without_a_crash(harness: str, tmp_path: Path) -> None:
    proc = _fuzz(harness, tmp_path, f"-max_total_time={SECONDS}")
    tail = proc.stderr[-3000:]
    assert proc.returncode == 0, tail
    assert not list(tmp_path.glob("crash-*")) and not list(tmp_path.glob("timeout-*")), tail
    runs = re.search(r"Done (\d+) runs", proc.stderr)
    assert runs is not None and int(runs.group(1)) > 100, tail
    print(f"{harness}: {runs.group(1)} runs in {SECONDS} s")


@pytest.mark.timeout(120)
def test_a_crash_in_a_harness_is_noticed(tmp_path: Path) -> None:
    proc = _fuzz("fuzz_mrz.py", tmp_path, "-runs=10", env={"IDSTREAM_FUZZ_PLANT": "1"})
    assert proc.returncode != 0
    assert "planted bug" in proc.stdout + proc.stderr
    assert list(tmp_path.glob("crash-*"))
