from __future__ import annotations

import json
from pathlib import Path

import pytest

from idstream.cli import main


def test_mrz_command_reports_bad_inputs_in_order(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "not-an-image.jpg"
    bad.write_bytes(b"definitely not an image")
    code = main(["mrz", str(tmp_path / "missing.jpg"), str(bad)])
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 2
    assert [o["file"] for o in out] == [str(tmp_path / "missing.jpg"), str(bad)]
    assert all("error" in o for o in out)


def test_mrz_command_bad_date_argument(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["mrz", "--today", "yesterday", "x.jpg"])
    assert exc.value.code == 2
