"""The generator: determinism, coverage of layouts and kinds, exact boxes, MRZ check digits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from idstream.annotations.validate import validate_file
from idstream.mrz.checkdigit import check_digit
from idstream.synth import LAYOUTS, SynthConfig, generate_document, layout_names, write_dataset
from idstream.synth.recipes import heldout_layouts, load_recipe, recipe_names


def _td3_ok(lines: list[str]) -> bool:
    l2 = lines[1]
    return (
        len(lines) == 2
        and all(len(x) == 44 for x in lines)
        and check_digit(l2[0:9]) == l2[9]
        and check_digit(l2[13:19]) == l2[19]
        and check_digit(l2[21:27]) == l2[27]
        and check_digit(l2[28:42]) == l2[42]
        and check_digit(l2[0:10] + l2[13:20] + l2[21:43]) == l2[43]
    )


def _td1_ok(lines: list[str]) -> bool:
    l1, l2 = lines[0], lines[1]
    return (
        len(lines) == 3
        and all(len(x) == 30 for x in lines)
        and check_digit(l1[5:14]) == l1[14]
        and check_digit(l2[0:6]) == l2[6]
        and check_digit(l2[8:14]) == l2[14]
        and check_digit(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]) == l2[29]
    )


def test_at_least_20_layouts_of_every_kind() -> None:
    assert len(LAYOUTS) >= 20
    kinds = {layout.kind for layout in LAYOUTS.values()}
    assert kinds == {"id_card", "passport", "driving_licence"}
    assert {layout.mrz for layout in LAYOUTS.values()} == {None, "TD1", "TD3"}
    assert len({layout.label_style for layout in LAYOUTS.values()}) >= 6


def test_same_seed_same_document_different_seed_different() -> None:
    config = SynthConfig.create(7, distort={"none": 1, "scan": 1, "photo": 1})
    a, b = generate_document(config, 3), generate_document(config, 3)
    assert np.array_equal(a.image, b.image)
    assert a.annotation.to_dict() == b.annotation.to_dict()
    c = generate_document(SynthConfig.create(8, distort={"none": 1, "scan": 1, "photo": 1}), 3)
    assert c.annotation.to_dict() != a.annotation.to_dict()


@pytest.mark.parametrize("distort", ["none", "scan", "photo"])
def test_documents_do_not_depend_on_workers_or_start(tmp_path, distort: str) -> None:  # type: ignore[no-untyped-def]
    config = SynthConfig.create(5, kinds=["passport"], distort=distort)
    write_dataset(config, tmp_path / "one", range(4))
    write_dataset(config, tmp_path / "two", range(2, 4), workers=2)
    for name in ("000002", "000003"):
        one = json.loads((tmp_path / "one" / f"{name}.json").read_text())
        two = json.loads((tmp_path / "two" / f"{name}.json").read_text())
        assert one == two
        assert (tmp_path / "one" / f"{name}.jpg").read_bytes() == (
            tmp_path / "two" / f"{name}.jpg"
        ).read_bytes()


@pytest.mark.parametrize("name", layout_names())
def test_every_layout_mrz_fields_and_ink_inside_boxes(name: str) -> None:
    config = SynthConfig.create(11, layouts=[name])
    for index in range(2):
        doc = generate_document(config, index)
        ann = doc.annotation
        assert ann.layout == name
        layout = LAYOUTS[name]
        if layout.mrz == "TD3":
            assert ann.mrz is not None and _td3_ok(ann.mrz)
        elif layout.mrz == "TD1":
            assert ann.mrz is not None and _td1_ok(ann.mrz)
        else:
            assert ann.mrz is None
        assert set(ann.fields) == set(layout.field_names())
        labelled = {line.label for line in ann.lines}
        assert set(ann.fields) <= labelled  # every field value is printed somewhere
        # Every box lies inside the image and holds contrast (the ink test is below).
        gray = doc.image.astype(np.int32).sum(axis=2)
        h, w = gray.shape
        for line in ann.lines:
            xs, ys = [p[0] for p in line.quad], [p[1] for p in line.quad]
            assert min(xs) >= 0 and max(xs) <= w and min(ys) >= 0 and max(ys) <= h
            x0, x1, y0, y1 = int(min(xs)), int(np.ceil(max(xs))), int(min(ys)), int(np.ceil(max(ys)))
            box = gray[y0 : y1 + 1, x0 : x1 + 1]
            assert box.min() < box.max() - 60, line.label  # some contrast inside every box


@pytest.mark.parametrize("name", layout_names())
def test_text_ink_lies_inside_the_boxes(name: str) -> None:
    """Render the same card twice, with and without text: every changed pixel is inside a box."""
    from idstream.synth import render
    from idstream.synth.layouts import get_layout
    from idstream.synth.values import make_holder

    layout = get_layout(name)
    card = render.render_card(layout, make_holder(np.random.default_rng(1)), np.random.default_rng(2))
    original = render._Canvas.text

    def no_ink(self, x, baseline, text, fnt, fill, label):  # type: ignore[no-untyped-def]
        return x

    try:
        render._Canvas.text = no_ink  # type: ignore[method-assign]
        blank = render.render_card(layout, make_holder(np.random.default_rng(1)), np.random.default_rng(2))
    finally:
        render._Canvas.text = original  # type: ignore[method-assign]
    changed = np.abs(card.image.astype(np.int16) - blank.image.astype(np.int16)).max(axis=2) > 0
    inside = np.zeros_like(changed)
    for line in card.lines:
        xs, ys = [p[0] for p in line.quad], [p[1] for p in line.quad]
        inside[int(min(ys)) : int(np.ceil(max(ys))) + 1, int(min(xs)) : int(np.ceil(max(xs))) + 1] = True
    assert changed.any()
    assert not (changed & ~inside).any()
    # and the boxes are tight: every box has ink in its first and last column
    for line in card.lines:
        xs, ys = [p[0] for p in line.quad], [p[1] for p in line.quad]
        x0, x1, y0, y1 = int(min(xs)), int(np.ceil(max(xs))), int(min(ys)), int(np.ceil(max(ys)))
        box = changed[y0 : y1 + 1, x0 : x1 + 1]
        assert box[:, :3].any() and box[:, -3:].any() and box[:3].any() and box[-3:].any(), line.label


def test_generated_files_validate(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = SynthConfig.create(3, distort={"none": 1, "scan": 1, "photo": 1})
    write_dataset(config, tmp_path, range(9))
    for path in sorted(tmp_path.glob("*.json")):
        assert validate_file(path) == [], path


def test_recipe_holds_out_layouts() -> None:
    assert set(recipe_names()) >= {"train", "val", "test-heldout-scan", "test-heldout-photo"}
    held = set(heldout_layouts())
    assert held and held <= set(LAYOUTS)
    assert not held & set(load_recipe("train").layouts)
    assert set(load_recipe("test-heldout-photo").layouts) == held
    with pytest.raises(ValueError):
        load_recipe("nope")


def test_bad_configuration_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        SynthConfig.create(1, kinds=["receipt"])
    with pytest.raises(ValueError):
        SynthConfig.create(1, layouts=["nope"])
    with pytest.raises(ValueError):
        SynthConfig.create(1, distort="fisheye")


def test_cli_synth_and_recipe_stamp(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from idstream.cli import main
    from idstream.synth.recipes import STAMP_NAME, Recipe

    out = tmp_path / "cli"
    args = ["synth", "--out", str(out), "--n", "3", "--seed", "4", "--kinds", "id_card", "--distort", "scan"]
    assert main(args) == 0
    expected = [f"00000{i}.{e}" for i in range(3) for e in ("jpg", "json")]
    assert sorted(p.name for p in out.iterdir()) == expected
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["n"] == 3
    assert main(["synth", "--out", str(out), "--n", "1", "--kinds", "receipt"]) == 2
    assert main(["synth", "--out", str(out), "--distort", "photo=x"]) == 2

    recipe = Recipe("tiny", 1, 9, 2, ("id_values_only",), {"none": 1.0})
    folder = tmp_path / "tiny"
    assert not recipe.is_built(folder)
    write_dataset(recipe.config(), folder, range(recipe.n))
    (folder / STAMP_NAME).write_text(recipe.stamp() + "\n")
    assert recipe.is_built(folder)
    assert not Recipe("tiny", 2, 9, 2, ("id_values_only",), {"none": 1.0}).is_built(folder)
    (folder / "000001.json").unlink()
    assert not recipe.is_built(folder)
