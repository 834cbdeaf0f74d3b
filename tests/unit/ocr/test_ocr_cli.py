"""``idstream ocr``: one JSON line per input, in input order; failures do not stop the others."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from idstream.cli import main

pytestmark = pytest.mark.slow


def test_ocr_prints_one_line_per_input(
    tmp_path: Path, line_image: npt.NDArray[np.uint8], capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "line.png"
    cv2.imwrite(str(good), line_image)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"not an image")
    code = main(["ocr", "--raw", "--threads", "2", str(good), str(bad), str(good)])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 2
    assert [line["file"] for line in lines] == [str(good), str(bad), str(good)]
    assert "error" in lines[1] and "segments" not in lines[1]
    first = lines[0]
    assert first["engine"] == "easyocr-fast"
    assert first["image_size"] == [640, 90] and first["doc_size"] == [640, 90]
    assert "IDENTITY" in " ".join(s["text"] for s in first["segments"])
    assert all({"text", "box", "confidence", "doc_box"} <= set(s) for s in first["segments"])
    assert first["segments"] == lines[2]["segments"]


def test_bad_threads_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ocr", "--threads", "0", str(tmp_path / "x.png")]) == 2
    err = capsys.readouterr().err
    assert "threads" in err and "Traceback" not in err
