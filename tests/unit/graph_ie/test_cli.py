"""The graph-IE commands: argument handling and OCR JSON parsing (no model needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from idstream.cli import build_parser, main
from idstream.cli.ie import parse_ocr_json
from idstream.errors import InvalidInput


def test_commands_registered() -> None:
    parser = build_parser()
    args = parser.parse_args(["train", "--data", "d", "--out", "m.pt", "--schema", "receipt"])
    assert args.command == "train" and args.schema == "receipt"
    assert parser.parse_args(["eval", "--data", "d", "--json"]).json
    assert parser.parse_args(["ie", "a.json", "b.json"]).files == ["a.json", "b.json"]


def test_parse_ocr_json() -> None:
    seg = {"text": "DOE", "box": [[10, 10], [50, 10], [50, 30], [10, 30]], "confidence": 0.9,
           "doc_box": [[1, 1], [5, 1], [5, 3], [1, 3]]}  # fmt: skip
    segments, size = parse_ocr_json(json.dumps({"segments": [seg], "doc_size": [640, 400]}).encode())
    assert size == (640, 400) and segments[0].text == "DOE" and segments[0].doc_quad is not None
    _, inferred = parse_ocr_json(json.dumps({"segments": [seg]}).encode())
    assert inferred == (6, 4)  # from the document boxes
    for bad in (b"\xff", b"[]", b'{"segments": [{"text": "x"}]}'):
        with pytest.raises(InvalidInput):
            parse_ocr_json(bad)


def test_bad_arguments_give_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "--data", str(tmp_path), "--model", str(tmp_path / "missing.pt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not found" in err
    assert main(["train", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "m.pt")]) == 2
    assert "not found" in capsys.readouterr().err
