"""The OCR JSON format: written by ``idstream ocr``, read by :func:`load_ocr_json` and ``idstream ie``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from idstream.document import PreprocessReport, Segment
from idstream.errors import InvalidInput
from idstream.ocr.io import OcrDocument, load_ocr_json


def _doc() -> OcrDocument:
    report = PreprocessReport(
        input_size=(2000, 1500),
        output_size=(1027, 648),
        document_format="ID-1",
        transform=[[2.0, 0.0, 10.0], [0.0, 2.0, 20.0], [0.0, 0.0, 1.0]],
    )
    doc_quad = ((10.0, 20.0), (110.0, 20.0), (110.0, 40.0), (10.0, 40.0))
    seg = Segment(text="Surname", quad=report.to_original(doc_quad), confidence=0.93, doc_quad=doc_quad)
    return OcrDocument(
        file="card.jpg",
        image_size=(2000, 1500),
        doc_size=(1027, 648),
        segments=[seg],
        preprocess=report,
        engine="easyocr-fast",
        timings_ms={"ocr": 123.4},
    )


def test_round_trip(tmp_path: Path) -> None:
    doc = _doc()
    path = tmp_path / "card.json"
    path.write_text(json.dumps(doc.to_dict()))
    back = load_ocr_json(path)
    assert back.to_dict() == doc.to_dict()
    assert back.segments[0].quad[0] == (30.0, 60.0)
    assert back.segments[0].doc_quad == doc.segments[0].doc_quad


def test_reads_the_first_line_of_cli_output(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_text(json.dumps(_doc().to_dict()) + "\n" + json.dumps({"file": "b", "segments": []}) + "\n")
    assert load_ocr_json(path).file == "card.jpg"


def test_minimal_document_gets_sizes_from_boxes(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    seg = {"text": "A", "box": [[0, 0], [99, 0], [99, 49], [0, 49]], "confidence": 0.5}
    path.write_text(json.dumps({"segments": [seg]}))
    doc = load_ocr_json(path)
    assert doc.doc_size == (100, 50) and doc.image_size == (100, 50) and doc.preprocess is None


@pytest.mark.parametrize("content", ["", "not json", '{"no": "segments"}', '{"segments": [{"text": "x"}]}'])
def test_malformed_input_is_invalid(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InvalidInput):
        load_ocr_json(path)


def test_ie_command_reads_this_format() -> None:
    from idstream.cli.ie import parse_ocr_json

    doc = _doc()
    segments, size = parse_ocr_json(json.dumps(doc.to_dict()).encode())
    assert size == doc.doc_size
    assert segments == doc.segments
