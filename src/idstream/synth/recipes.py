"""The fixed, versioned recipe of the synthetic sets (``recipes.json`` beside this module).

``layouts`` of a set is ``train`` (every layout except the held-out ones), ``heldout``
(only the held-out layouts, never seen in training) or an explicit list of names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from idstream.synth.generate import GENERATOR_VERSION, SynthConfig
from idstream.synth.layouts import layout_names

__all__ = ["RECIPE_PATH", "STAMP_NAME", "Recipe", "heldout_layouts", "load_recipe", "recipe_names"]

#: File written into a generated set's folder: the recipe it was made from.
STAMP_NAME = "recipe.stamp"

RECIPE_PATH = Path(__file__).with_name("recipes.json")


def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RECIPE_PATH.read_text(encoding="utf-8"))
    return data


def heldout_layouts() -> tuple[str, ...]:
    """Layouts never used in the training and validation sets."""
    return tuple(_data()["heldout_layouts"])


def recipe_names() -> tuple[str, ...]:
    """Names of the sets of the recipe."""
    return tuple(_data()["sets"])


@dataclass(frozen=True, slots=True)
class Recipe:
    """One set of the recipe."""

    name: str
    version: int
    seed: int
    n: int
    layouts: tuple[str, ...]
    distort: dict[str, float]

    def config(self) -> SynthConfig:
        """The generator configuration of the set."""
        return SynthConfig.create(self.seed, layouts=self.layouts, distort=self.distort)

    def stamp(self) -> str:
        """What identifies the set's content (recipe and generator versions, parameters)."""
        return json.dumps(
            {"set": self.name, "recipe_version": self.version, "generator_version": GENERATOR_VERSION,
             "seed": self.seed, "n": self.n, "layouts": list(self.layouts), "distort": self.distort},
            sort_keys=True,
        )  # fmt: skip

    def is_built(self, folder: str | Path) -> bool:
        """Whether ``folder`` already holds this exact set (stamp matches, every file present)."""
        stamp = Path(folder) / STAMP_NAME
        if not stamp.is_file() or stamp.read_text(encoding="utf-8").strip() != self.stamp():
            return False
        return all((Path(folder) / f"{i:06d}.json").is_file() for i in range(self.n))


def load_recipe(name: str) -> Recipe:
    """The set called ``name``.

    Raises:
        ValueError: for an unknown set.
    """
    data = _data()
    sets = data["sets"]
    if name not in sets:
        raise ValueError(f"unknown recipe set {name!r}; expected one of {sorted(sets)}")
    spec = sets[name]
    heldout = tuple(data["heldout_layouts"])
    if spec["layouts"] == "train":
        layouts = tuple(n for n in layout_names() if n not in heldout)
    elif spec["layouts"] == "heldout":
        layouts = heldout
    else:
        layouts = tuple(spec["layouts"])
    return Recipe(
        name, int(data["version"]), int(spec["seed"]), int(spec["n"]), layouts, dict(spec["distort"])
    )
