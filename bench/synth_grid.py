"""Draw the sample grid of the documentation: ``docs/img/synth-grid.png``.

Usage::

    PYTHONPATH=src:. .venv/bin/python -m bench.synth_grid [--out docs/img/synth-grid.png] [--boxes]

One document per layout kind and distortion (seed 2024), thumbnails in a grid; with
``--boxes`` the annotated line quads are drawn (field lines red, ``other`` green,
``mrz`` blue) with the card's corners.
"""

from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", default="docs/img/synth-grid.png")
    parser.add_argument("--boxes", action="store_true", help="draw the annotated quads")
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument("--cell", type=int, default=330, help="cell width in pixels")
    args = parser.parse_args(argv)

    from PIL import Image, ImageDraw

    from idstream.synth.generate import SynthConfig, generate_document
    from idstream.synth.layouts import layout_names

    cells: list[tuple[str, str]] = []
    names = layout_names()
    for i, name in enumerate(names[::2]):  # every other layout: all kinds and label styles show up
        cells.append((name, ("none", "none", "scan", "photo")[i % 4]))
    cw = args.cell
    ch = int(cw * 0.72)
    rows = (len(cells) + args.columns - 1) // args.columns
    grid = Image.new("RGB", (cw * args.columns, (ch + 16) * rows), "white")
    draw_grid = ImageDraw.Draw(grid)
    for k, (name, distortion) in enumerate(cells):
        doc = generate_document(SynthConfig.create(2024, layouts=[name], distort=distortion), k)
        img = Image.fromarray(doc.image)
        if args.boxes:
            draw = ImageDraw.Draw(img)
            colours = {"other": (0, 170, 0), "mrz": (0, 0, 255)}
            for line in doc.annotation.lines:
                draw.polygon([tuple(p) for p in line.quad], outline=colours.get(line.label, (230, 0, 0)))
        img.thumbnail((cw - 8, ch - 8))
        x, y = (k % args.columns) * cw + 4, (k // args.columns) * (ch + 16) + 4
        grid.paste(img, (x, y))
        draw_grid.text((x, y + ch - 4), f"{name} ({distortion})", fill=(40, 40, 40))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    grid.quantize(colors=192, method=Image.Quantize.MEDIANCUT).save(args.out, optimize=True)
    print(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
