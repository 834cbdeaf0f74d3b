"""``idstream preprocess``: one JSON line per input, in order; bad inputs give exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest
from pp_cardphotos import photograph, render_card

from idstream.cli import main


def test_preprocess_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    photo = photograph(render_card(856, seed=7), rotation=4.0, seed=7)
    good = tmp_path / "card.jpg"
    cv2.imwrite(str(good), photo.image)
    bad = tmp_path / "notes.txt"
    bad.write_text("not an image")
    out_dir = tmp_path / "out"
    code = main(["preprocess", str(good), str(bad), str(good), "--out-dir", str(out_dir)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 2
    assert [line["file"] for line in lines] == [str(good), str(bad), str(good)]
    assert "error" in lines[1] and "error" not in lines[0]
    assert lines[0]["output"] != lines[2]["output"]
    assert Path(lines[0]["output"]).is_file()
    assert lines[0]["card_quad"] is not None and len(lines[0]["transform"]) == 3
