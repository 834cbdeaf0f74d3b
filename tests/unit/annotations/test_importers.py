"""SROIE and Label Studio importers; round trip generate -> validate -> export -> import -> same fields."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from idstream.annotations.format import Annotation, load_annotation
from idstream.annotations.importers.label_studio import import_label_studio
from idstream.annotations.importers.sroie import import_sroie, label_sroie_lines
from idstream.annotations.validate import validate_file
from idstream.synth import SynthConfig, write_dataset

SROIE = Path("/work/shared/datasets/sroie-train")


def test_sroie_label_matching_rules() -> None:
    key = {
        "company": "BOOK TA .K (TAMAN DAYA) SDN BHD",
        "date": "25/12/2018",
        "address": "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR.",
        "total": "9.00",
    }

    def q(y: float, x: float = 0) -> list[list[float]]:
        return [[x, y], [x + 50, y], [x + 50, y + 10], [x, y + 10]]

    lines = [
        (q(0), "BOOK TA .K(TAMAN DAYA) SDN BND"),  # OCR noise, still the company
        (q(20), "NO.53 55,57 & 59, JALAN SAGU 18,"),
        (q(40), "DATE: 25/12/2018 8:13:39 PM"),
        (q(60), "SUB TOTAL"),
        (q(60, 100), "9.00"),
        (q(80), "TOTAL:"),
        (q(80, 100), "9.00"),
        (q(100), "THANK YOU"),
    ]
    assert label_sroie_lines(lines, key) == [
        "company",
        "address",
        "date",
        "other",
        "other",
        "other",
        "total",
        "other",
    ]


@pytest.mark.skipif(not SROIE.is_dir(), reason="SROIE reference data not available")
def test_sroie_import_of_shared_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for sub, ext in (("box", "csv"), ("key", "json"), ("img", "jpg")):
        (src / sub).mkdir(parents=True)
        for rid in ("000", "001", "002"):
            shutil.copy(SROIE / sub / f"{rid}.{ext}", src / sub / f"{rid}.{ext}")
    shutil.copy(SROIE / "box" / "003.csv", src / "box")
    shutil.copy(SROIE / "key" / "003.json", src / "key")  # no image: image null
    results = list(import_sroie(src, tmp_path / "out"))
    assert [r.id for r in results] == ["000", "001", "002", "003"]
    for r in results:
        assert validate_file(r.path) == [], r.path
        key = json.loads((SROIE / "key" / f"{r.id}.json").read_text())
        labels = {line.label for line in r.annotation.lines}
        assert {"company", "date", "address", "total"} <= labels
        assert r.annotation.fields["total"] == key["total"]
    assert results[3].annotation.image is None and results[0].annotation.image == "000.jpg"
    assert (tmp_path / "out" / "000.jpg").is_file()


def _to_label_studio(ann: Annotation, with_fields: bool) -> dict[str, Any]:
    """Export an annotation the way Label Studio's OCR template does (percent boxes, shared ids)."""
    w, h = ann.image_size
    result: list[dict[str, Any]] = []
    for i, line in enumerate(ann.lines):
        xs, ys = [p[0] for p in line.quad], [p[1] for p in line.quad]
        geo = {
            "x": min(xs) / w * 100,
            "y": min(ys) / h * 100,
            "width": (max(xs) - min(xs)) / w * 100,
            "height": (max(ys) - min(ys)) / h * 100,
            "rotation": 0,
        }
        common = {"id": f"r{i}", "to_name": "image", "original_width": w, "original_height": h}
        result.append({**common, "from_name": "bbox", "type": "rectangle", "value": dict(geo)})
        result.append(
            {**common, "from_name": "label", "type": "labels", "value": {**geo, "labels": [line.label]}}
        )
        result.append(
            {
                **common,
                "from_name": "transcription",
                "type": "textarea",
                "value": {**geo, "text": [line.text]},
            }
        )
    data: dict[str, Any] = {"image": f"/data/upload/1/{ann.image}", "kind": ann.kind}
    if with_fields:
        data["fields"] = ann.fields
    return {"id": 1, "data": data, "annotations": [{"id": 9, "result": result}]}


@pytest.mark.parametrize("with_fields", [True, False])
def test_round_trip_generate_validate_export_import(tmp_path: Path, with_fields: bool) -> None:
    layouts = ["passport_icao_grid", "id_td1_back_address", "dl_eu_numbered_address", "id_values_only"]
    config = SynthConfig.create(21, layouts=layouts, distort="none")
    write_dataset(config, tmp_path / "gen", range(8))
    originals = [load_annotation(p) for p in sorted((tmp_path / "gen").glob("*.json"))]
    for path in sorted((tmp_path / "gen").glob("*.json")):
        assert validate_file(path) == []
    export = tmp_path / "gen" / "export.json"
    export.write_text(json.dumps([_to_label_studio(a, with_fields) for a in originals]))
    results = list(import_label_studio(export, tmp_path / "imported"))
    export.unlink()
    assert len(results) == len(originals)
    for original, result in zip(originals, results, strict=True):
        assert result.unknown_labels == [] and result.unreadable_fields == []
        assert validate_file(result.path) == []
        assert result.annotation.fields == original.fields
        assert result.annotation.mrz == original.mrz
        assert result.annotation.image == original.image
        assert len(result.annotation.lines) == len(original.lines)


def test_label_studio_rotation_polygons_and_unknown_labels(tmp_path: Path) -> None:
    geo = {"x": 10.0, "y": 20.0, "width": 20.0, "height": 10.0, "rotation": 90}
    common = {"id": "a", "original_width": 200, "original_height": 100}
    task = {
        "id": 5,
        "data": {"image": "x.jpg"},
        "annotations": [
            {
                "result": [
                    {
                        **common,
                        "type": "rectanglelabels",
                        "value": {**geo, "rectanglelabels": ["date_of_birth"]},
                    },
                    {**common, "type": "textarea", "value": {**geo, "text": ["12 AUG 1974"]}},
                    {
                        "id": "b",
                        "original_width": 200,
                        "original_height": 100,
                        "type": "polygonlabels",
                        "value": {
                            "points": [[0, 0], [10, 0], [10, 10], [0, 10]],
                            "polygonlabels": ["hair_colour"],
                        },
                    },
                    {"id": "b", "type": "textarea", "value": {"text": ["BROWN"]}},
                ]
            }
        ],
    }
    export = tmp_path / "export.json"
    export.write_text(json.dumps([task]))
    (result,) = import_label_studio(export, tmp_path / "out")
    assert result.annotation.fields == {"date_of_birth": "1974-08-12"}
    assert result.unknown_labels == ["hair_colour"]
    dob = next(line for line in result.annotation.lines if line.label == "date_of_birth")
    # rotated 90 degrees clockwise around the top-left corner (20, 20): width runs downwards
    assert dob.quad[0] == pytest.approx([20, 20]) and dob.quad[1] == pytest.approx([20, 60])
    assert dob.quad[2] == pytest.approx([10, 60]) and dob.quad[3] == pytest.approx([10, 20])
    assert result.annotation.image is None  # x.jpg is not next to the export


def test_import_cli_reports_bad_tasks_and_goes_on(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from idstream.cli import main

    good = {
        "id": 1,
        "data": {"image": "a.jpg"},
        "annotations": [
            {
                "result": [
                    {
                        "id": "r",
                        "type": "rectanglelabels",
                        "original_width": 100,
                        "original_height": 50,
                        "value": {"x": 1, "y": 1, "width": 50, "height": 20, "rectanglelabels": ["surname"]},
                    },
                    {"id": "r", "type": "textarea", "value": {"text": ["ROSSI"]}},
                ]
            }
        ],
    }
    bad = {"id": 2, "data": {}, "annotations": [{"result": [{"id": "q", "type": "textarea", "value": {}}]}]}
    export = tmp_path / "export.json"
    export.write_text(json.dumps([bad, good]))
    assert main(["import", "label-studio", str(export), str(tmp_path / "out")]) == 2
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert "error" in out[0] and out[1]["lines"] == 1
    assert load_annotation(tmp_path / "out" / "a.json").fields == {"surname": "ROSSI"}
    assert main(["import", "label-studio", str(tmp_path / "missing.json"), str(tmp_path / "out")]) == 2
    assert main(["import", "sroie", str(tmp_path), str(tmp_path / "out2")]) == 2  # no box/ key/
