"""``idstream synth``: generate synthetic identity documents with annotations."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from idstream.errors import InvalidInput

__all__ = ["parse_distort", "register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "synth",
        help="generate synthetic identity documents (image + annotation JSON each)",
        description="Generate N documents into DIR: NNNNNN.jpg and NNNNNN.json (see docs/annotations.md). "
        "Document i of seed S is always the same, whatever N, --start or --workers.",
    )
    parser.add_argument("--out", required=False, metavar="DIR", help="output folder")
    parser.add_argument("--n", type=int, default=100, metavar="N", help="number of documents (default 100)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the set (default 0)")
    parser.add_argument("--start", type=int, default=0, help="index of the first document (default 0)")
    parser.add_argument(
        "--kinds",
        default=None,
        help="comma-separated kinds: id_card, passport, driving_licence (default: all)",
    )
    parser.add_argument(
        "--layouts", default=None, help="comma-separated layout names (default: all of the kinds)"
    )
    parser.add_argument("--exclude-layouts", default="", help="comma-separated layout names to leave out")
    parser.add_argument(
        "--distort", default="none", help="none, scan, photo, or a mix with weights like 'scan=0.4,photo=0.6'"
    )
    parser.add_argument("--image-format", default="jpg", choices=("jpg", "png"))
    parser.add_argument("--workers", type=int, default=1, help="processes (default 1)")
    parser.add_argument(
        "--recipe", default=None, help="generate a named set of the recipe file (see `make data`)"
    )
    parser.add_argument("--list-layouts", action="store_true", help="print the layout names and exit")
    parser.set_defaults(func=run)


def parse_distort(text: str) -> dict[str, float]:
    """``"photo"`` -> ``{"photo": 1.0}``; ``"scan=0.4,photo=0.6"`` -> weights.

    Raises:
        ValueError: on a malformed weight.
    """
    out: dict[str, float] = {}
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, weight = part.partition("=")
        try:
            out[name.strip()] = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"malformed distortion weight {part!r}") from None
    if not out:
        raise ValueError("--distort is empty")
    return out


def _split(text: str | None) -> list[str] | None:
    if text is None:
        return None
    return [t.strip() for t in text.split(",") if t.strip()]


def run(args: argparse.Namespace) -> int:
    from idstream.synth.generate import SynthConfig, write_dataset
    from idstream.synth.layouts import LAYOUTS
    from idstream.synth.recipes import STAMP_NAME, load_recipe

    if args.list_layouts:
        for name, layout in sorted(LAYOUTS.items()):
            print(f"{name}\t{layout.kind}\t{layout.mrz or '-'}\t{layout.label_style}")
        return 0
    if args.out is None:
        raise InvalidInput("--out DIR is required")
    stamp: str | None = None
    try:
        if args.recipe is not None:
            recipe = load_recipe(args.recipe)
            if recipe.is_built(args.out):
                print(json.dumps({"out": args.out, "n": recipe.n, "recipe": recipe.name, "up_to_date": True}))
                return 0
            config, n, stamp = recipe.config(), recipe.n, recipe.stamp()
            (Path(args.out) / STAMP_NAME).unlink(missing_ok=True)
        else:
            if args.n < 0 or args.start < 0:
                raise ValueError("--n and --start must be >= 0")
            config = SynthConfig.create(
                args.seed,
                kinds=_split(args.kinds),
                layouts=_split(args.layouts),
                exclude_layouts=_split(args.exclude_layouts) or [],
                distort=parse_distort(args.distort),
                image_format=args.image_format,
            )
            n = args.n
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    paths = write_dataset(config, args.out, range(args.start, args.start + n), workers=max(args.workers, 1))
    if stamp is not None:
        (Path(args.out) / STAMP_NAME).write_text(stamp + "\n", encoding="utf-8")
    summary = {"out": args.out, "n": len(paths), "seed": config.seed, "layouts": len(config.layouts)}
    print(json.dumps(summary), file=sys.stdout)
    return 0
