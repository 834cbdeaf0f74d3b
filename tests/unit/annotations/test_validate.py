"""The validator reports every problem with file, line and JSON path."""

from __future__ import annotations

import json
from pathlib import Path

from idstream.annotations.format import AnnotatedLine, Annotation, dump_annotation, load_annotation
from idstream.annotations.validate import validate_file, validate_tree
from idstream.cli import main


def _good() -> Annotation:
    return Annotation(
        image=None,
        image_size=(400, 200),
        kind="id_card",
        schema="identity",
        lines=[
            AnnotatedLine([[10, 10], [100, 10], [100, 30], [10, 30]], "Surname", "other"),
            AnnotatedLine([[10, 40], [120, 40], [120, 60], [10, 60]], "MÜLLER", "surname"),
            AnnotatedLine([[10, 70], [120, 70], [120, 90], [10, 90]], "12.08.1974", "date_of_birth"),
        ],
        fields={"surname": "MÜLLER", "date_of_birth": "1974-08-12"},
    )


def test_a_good_file_has_no_problem(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_text(dump_annotation(_good()))
    assert validate_file(path) == []
    assert load_annotation(path).to_dict() == _good().to_dict()


def test_problems_name_file_line_and_path(tmp_path: Path) -> None:
    text = dump_annotation(_good())
    text = text.replace('"label": "surname"', '"label": "surnam"')
    text = text.replace('"1974-08-12"}', '"12.08.1974"}')
    text = text.replace(
        "[[10.0, 70.0], [120.0, 70.0], [120.0, 90.0], [10.0, 90.0]]",
        "[[10.0, 70.0], [10.0, 90.0], [120.0, 90.0], [120.0, 70.0]]",
    )
    text = text.replace("[[10.0, 10.0], [100.0, 10.0]", "[[10.0, 10.0], [500.0, 10.0]")
    path = tmp_path / "bad.json"
    path.write_text(text)
    problems = validate_file(path)
    lines = text.splitlines()
    found = {(p.path, p.line) for p in problems}
    assert ("lines[1].label", next(i for i, ln in enumerate(lines, 1) if "surnam" in ln)) in found
    assert (
        "lines[2].quad",
        next(i for i, ln in enumerate(lines, 1) if "[10.0, 70.0], [10.0, 90.0]" in ln),
    ) in found
    assert ("lines[0].quad[1]", next(i for i, ln in enumerate(lines, 1) if "[500.0, 10.0]" in ln)) in found
    assert ("fields.date_of_birth", next(i for i, ln in enumerate(lines, 1) if '"fields"' in ln)) in found
    assert all(str(path) in str(p) for p in problems)
    assert not any("MÜLLER" in p.message or "12.08.1974" in p.message for p in problems)  # no personal data


def test_schema_errors_and_broken_json(tmp_path: Path) -> None:
    data = _good().to_dict()
    data["version"] = 2
    data["lines"][0].pop("text")
    (tmp_path / "schema.json").write_text(json.dumps(data, indent=1))
    paths = {p.path for p in validate_file(tmp_path / "schema.json")}
    assert {"version", "lines[0]"} <= paths
    (tmp_path / "broken.json").write_text('{\n "version": 1,\n "image": nope\n}')
    (problem,) = validate_file(tmp_path / "broken.json")
    assert problem.line == 3 and "invalid JSON" in problem.message


def test_images_are_checked(tmp_path: Path) -> None:
    from PIL import Image

    ann = _good()
    ann.image = "a.png"
    (tmp_path / "a.json").write_text(dump_annotation(ann))
    assert [p.path for p in validate_file(tmp_path / "a.json")] == ["image"]
    Image.new("RGB", (300, 200)).save(tmp_path / "a.png")
    assert [p.path for p in validate_file(tmp_path / "a.json")] == ["image_size"]
    Image.new("RGB", (400, 200)).save(tmp_path / "a.png")
    Image.new("RGB", (10, 10)).save(tmp_path / "orphan.png")
    results = dict(validate_tree([tmp_path]))
    assert results[str(tmp_path / "a.json")] == []
    assert "no annotation" in results[str(tmp_path / "orphan.png")][0].message


def test_cli_exit_codes(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "a.json").write_text(dump_annotation(_good()))
    assert main(["validate-annotations", str(tmp_path)]) == 0
    bad = _good()
    bad.fields["sex"] = "male"
    bad.lines.append(AnnotatedLine([[1, 1], [5, 1], [5, 5], [1, 5]], "M", "sex"))
    (tmp_path / "b.json").write_text(dump_annotation(bad))
    assert main(["validate-annotations", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'b.json'}:" in out and "fields.sex" in out
    assert main(["validate-annotations", str(tmp_path / "missing")]) == 2


def test_schema_messages_do_not_repeat_values(tmp_path: Path) -> None:
    data = _good().to_dict()
    data["fields"]["surname"] = 12345678
    data["lines"][1]["text"] = ["ROSSI"]
    data["kind"] = "Passport SECRETNAME"
    (tmp_path / "a.json").write_text(json.dumps(data, indent=1))
    problems = validate_file(tmp_path / "a.json")
    assert {"fields.surname", "lines[1].text", "kind"} <= {p.path for p in problems}
    text = " ".join(str(p) for p in problems)
    assert "12345678" not in text and "ROSSI" not in text and "SECRETNAME" not in text
