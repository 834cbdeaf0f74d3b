"""Draw an identity document from a layout and values, recording the exact box of every line.

A line's quadrilateral is the ink bounding box of the text as drawn (the pixels the
glyphs cover, not the font's line height), padded by :data:`BOX_PAD` pixels, clockwise
from the top-left, in continuous pixel coordinates (ink pixel columns ``c0..c1-1`` give
``x`` from ``c0 - pad`` to ``c1 + pad``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from idstream.synth import decor
from idstream.synth.fieldtext import PrintedField, printed_fields
from idstream.synth.fonts import font, font_pool, supports
from idstream.synth.labels import DOCUMENT_TITLES, field_label
from idstream.synth.layouts import Block, Layout
from idstream.synth.mrz import compose_td1, compose_td3
from idstream.synth.values import Holder

__all__ = ["BOX_PAD", "CARD_SIZES", "RenderedCard", "RenderedLine", "render_card"]

#: Card pixel sizes (10 px/mm): ID-1 85.6 x 54 mm, TD3 data page 125 x 88 mm.
CARD_SIZES: dict[str, tuple[int, int]] = {"ID1": (856, 540), "TD3": (1250, 880)}
#: Padding added around the ink box of every line, pixels.
BOX_PAD = 1

Colour = tuple[int, int, int]
Quad = list[list[float]]


@dataclass(slots=True)
class RenderedLine:
    """One drawn line: quad (card pixels), text and field label."""

    quad: Quad
    text: str
    label: str


@dataclass(slots=True)
class RenderedCard:
    """The drawn card and its ground truth."""

    image: np.ndarray
    lines: list[RenderedLine]
    fields: dict[str, str]
    mrz: list[str] | None
    layout: str
    kind: str
    style: dict[str, object] = field(default_factory=dict)


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


class _Canvas:
    def __init__(self, image: Image.Image) -> None:
        self.image = image
        self.draw = ImageDraw.Draw(image)
        self.lines: list[RenderedLine] = []

    def text(
        self, x: float, baseline: float, text: str, fnt: ImageFont.FreeTypeFont, fill: Colour, label: str
    ) -> float:
        """Draw ``text`` with its left end at ``x`` and record its line; return the right end."""
        if not text.strip():
            return x
        self.draw.text((x, baseline), text, font=fnt, fill=fill, anchor="ls")
        # The ink box: rasterize the way ImageDraw.text does (same sub-pixel start) and
        # take the bounding box of the coverage mask.
        start = (x - math.floor(x), baseline - math.floor(baseline))
        mask, offset = fnt.getmask2(text, "L", anchor="ls", start=start)
        ink = mask.getbbox()
        if ink is None:
            return x + float(fnt.getlength(text))
        ox, oy = math.floor(x) + offset[0], math.floor(baseline) + offset[1]
        w, h = self.image.size
        left, right = max(ox + ink[0] - BOX_PAD, 0.0), min(ox + ink[2] + BOX_PAD, float(w))
        top, bottom = max(oy + ink[1] - BOX_PAD, 0.0), min(oy + ink[3] + BOX_PAD, float(h))
        quad = [[left, top], [right, top], [right, bottom], [left, bottom]]
        self.lines.append(RenderedLine([[float(a), float(b)] for a, b in quad], text, label))
        return x + float(fnt.getlength(text))


@dataclass(slots=True)
class _Style:
    value_font: str
    label_font: str
    header_font: str
    mono_font: str
    value_size: int
    label_ratio: float
    value_colour: Colour
    label_colour: Colour
    header_colour: Colour
    band_colour: Colour
    upper_labels: bool
    wrap: float


def _choose_style(rng: np.random.Generator, layout: Layout, text: str) -> _Style:
    def choose(role: str) -> str:
        pool = [p for p in font_pool(role) if supports(p, text)] or list(font_pool("sans"))
        return _pick(rng, pool)

    base = 24 if layout.card == "ID1" else 30
    darks: list[Colour] = [(15, 15, 20), (20, 25, 70), (50, 30, 20), (10, 40, 40), (35, 35, 35)]
    accents: list[Colour] = [
        (30, 60, 140),
        (140, 30, 40),
        (30, 100, 60),
        (90, 40, 120),
        (90, 90, 90),
        (20, 20, 20),
    ]
    return _Style(
        value_font=choose(_pick(rng, ["sans_bold", "sans", "serif", "sans_bold"])),
        label_font=choose(_pick(rng, ["sans", "italic", "sans"])),
        header_font=choose(_pick(rng, ["sans_bold", "serif"])),
        mono_font=choose("mono"),
        value_size=int(base * rng.uniform(0.85, 1.15)),
        label_ratio=float(rng.uniform(0.55, 0.72)),
        value_colour=darks[int(rng.integers(len(darks)))],
        label_colour=accents[int(rng.integers(len(accents)))],
        header_colour=accents[int(rng.integers(len(accents)))],
        band_colour=accents[int(rng.integers(len(accents) - 1))],
        upper_labels=bool(rng.random() < 0.5),
        wrap=float(rng.uniform(0.45, 1.0)),
    )


def _fit(text: str, path: str, size: int, width: float) -> ImageFont.FreeTypeFont:
    fnt = font(path, size)
    length = fnt.getlength(text)
    if length > width > 0:
        fnt = font(path, max(int(size * width / length), 6))
    return fnt


def _pack(parts: tuple[str, ...], fnt: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for part in parts:
        if lines and fnt.getlength(lines[-1] + ", " + part) <= width:
            lines[-1] = lines[-1] + ", " + part
        else:
            lines.append(part)
    return lines


def _label_text(layout: Layout, name: str, languages: tuple[str, ...], style: _Style) -> tuple[str, str]:
    """(number, label) for a field; either may be empty."""
    number = ""
    if layout.label_style.startswith("numbered"):
        number = layout.numbers.get(name, "")
        if not layout.numbers:
            number = f"{layout.field_names().index(name) + 1}."
    label = ""
    if layout.label_style not in ("none", "numbered"):
        label = field_label(name, languages, bilingual=layout.bilingual, label_set=layout.label_set)
        if style.upper_labels or layout.label_set == "us":
            label = label.upper()
    return number, label


def _draw_block(
    canvas: _Canvas,
    block: Block,
    layout: Layout,
    printed: dict[str, PrintedField],
    languages: tuple[str, ...],
    style: _Style,
    size: int,
) -> None:
    w, h = canvas.image.size
    bx0, by0, bx1, by1 = block.box[0] * w, block.box[1] * h, block.box[2] * w, block.box[3] * h
    lsize = max(int(size * style.label_ratio), 8)
    vfont, lfont = font(style.value_font, size), font(style.label_font, lsize)
    above = layout.label_style in ("above", "numbered_above")
    cell_gap = 0.025 * w
    # Width of the label column for single-cell rows (left / numbered styles).
    column = 0.0
    if layout.label_style in ("left", "numbered", "numbered_abbrev"):
        for row in block.rows:
            if len(row) == 1:
                number, label = _label_text(layout, row[0], languages, style)
                head = " ".join(t for t in (number, label) if t)
                font_ = vfont if layout.label_style == "numbered" else lfont
                column = max(column, font_.getlength(head) + 0.4 * size if head else 0.0)
    # Lay out rows: list of (cells, height).
    plans: list[list[tuple[str, str, list[str], float]]] = []
    heights: list[float] = []
    for row in block.rows:
        cell_w = (bx1 - bx0 - cell_gap * (len(row) - 1)) / len(row)
        cells = []
        row_h = 0.0
        for name in row:
            number, label = _label_text(layout, name, languages, style)
            head = " ".join(t for t in (number, label) if t)
            if layout.label_style == "colon" and head:
                head += ":"
            head_font = vfont if layout.label_style == "numbered" else lfont
            inline = (
                0.0
                if above or not head
                else (column if len(row) == 1 and column else head_font.getlength(head) + 0.4 * size)
            )
            avail = cell_w - inline
            parts = printed[name].parts
            texts = _pack(parts, vfont, avail * style.wrap) if name == "address" else list(parts)
            cells.append((name, head, texts, inline))
            lines_h = size * 1.2 * len(texts)
            row_h = max(row_h, lines_h + (lsize * 1.2 if above and head else 0.0))
        plans.append(cells)
        heights.append(row_h)
    gap = min(max((by1 - by0 - sum(heights)) / max(len(heights), 1), 0.0), size * 0.9)
    y = by0
    for row, cells, row_h in zip(block.rows, plans, heights, strict=True):
        cell_w = (bx1 - bx0 - cell_gap * (len(row) - 1)) / len(row)
        for i, (name, head, texts, inline) in enumerate(cells):
            x = bx0 + i * (cell_w + cell_gap)
            baseline = y + size * 0.95
            if head:
                head_font = vfont if layout.label_style == "numbered" else lfont
                if above:
                    canvas.text(
                        x,
                        y + lsize * 0.95,
                        head,
                        _fit(head, style.label_font, lsize, cell_w),
                        style.label_colour,
                        "other",
                    )
                    baseline = y + lsize * 1.2 + size * 0.95
                else:
                    canvas.text(x, baseline, head, head_font, style.label_colour, "other")
            for text in texts:
                fnt = _fit(text, style.value_font, size, cell_w - inline)
                canvas.text(x + inline, baseline, text, fnt, style.value_colour, name)
                baseline += size * 1.2
        y += row_h + gap


def _block_height(block: Block, layout: Layout, size: int, style: _Style) -> float:
    per_row = size * 1.2 + (size * style.label_ratio * 1.2 if layout.label_style.endswith("above") else 0.0)
    extra = sum(1 for row in block.rows for name in row if name == "address") * size * 1.2
    return per_row * len(block.rows) + extra


def _draw_header(
    canvas: _Canvas, layout: Layout, holder: Holder, style: _Style, rng: np.random.Generator
) -> None:
    if layout.header == "none" or layout.header_height <= 0:
        return
    w, h = canvas.image.size
    country = holder.country
    lang = country.languages[0]
    titles = DOCUMENT_TITLES[layout.kind]
    lines = [country.name_local]
    if layout.label_set == "us":
        lines = [country.name_en, titles["us"]]
    else:
        if country.name_en != country.name_local and (layout.bilingual or rng.random() < 0.5):
            lines.append(country.name_en)
        title = titles.get(lang, titles["en"])
        if lang != "en" and (layout.bilingual or rng.random() < 0.4):
            title = f"{title} / {titles['en']}"
        lines.append(title)
    top, height = 0.02 * h, layout.header_height * h - 0.02 * h
    colour = style.header_colour
    if layout.header == "band":
        canvas.draw.rectangle((0, 0, w, layout.header_height * h), fill=style.band_colour)
        colour = (250, 250, 250)
    size = int(min(height / (len(lines) * 1.22), style.value_size * 1.3))
    y = top
    for line in lines:
        fnt = _fit(line, style.header_font, size, 0.92 * w)
        width = fnt.getlength(line)
        x = 0.04 * w if layout.header == "left" else (w - width) / 2
        canvas.text(x, y + size * 0.95, line, fnt, colour, "other")
        y += size * 1.22


def _compose_mrz(layout: Layout, holder: Holder) -> list[str]:
    common = {
        "issuing_country": holder.country.code, "surname": holder.surname, "given_names": holder.given_names,
        "document_number": holder.document_number, "nationality": holder.nationality,
        "date_of_birth": holder.date_of_birth, "sex": holder.sex, "date_of_expiry": holder.date_of_expiry,
    }  # fmt: skip
    if layout.mrz == "TD3":
        return compose_td3(**common, personal_number=holder.personal_number)  # type: ignore[arg-type]
    return compose_td1(**common, optional_data=holder.personal_number)  # type: ignore[arg-type]


def _draw_mrz(canvas: _Canvas, mrz: list[str], style: _Style) -> None:
    w, h = canvas.image.size
    width = 0.92 * w
    probe = font(style.mono_font, 100)
    size = int(100 * width / probe.getlength(mrz[0]))
    fnt = font(style.mono_font, size)
    pitch = size * 1.18
    baseline = h - 0.045 * h - pitch * (len(mrz) - 1)
    x = (w - fnt.getlength(mrz[0])) / 2
    for line in mrz:
        canvas.text(x, baseline, line, fnt, (10, 10, 10), "mrz")
        baseline += pitch


def render_card(layout: Layout, holder: Holder, rng: np.random.Generator) -> RenderedCard:
    """Draw the card of ``holder`` in ``layout``.

    Args:
        layout: the design.
        holder: the values.
        rng: the document's random generator (style, decoration).
    """
    w, h = CARD_SIZES[layout.card]
    printed = printed_fields(layout, holder, rng)
    languages = ("us",) if layout.label_set == "us" else holder.country.languages
    all_text = " ".join(p for f in printed.values() for p in f.parts) + holder.country.name_local
    style = _choose_style(rng, layout, all_text)
    img = decor.background(w, h, int(rng.integers(decor.BACKGROUND_VARIANTS)))
    if layout.photo is not None:
        x0, y0, x1, y1 = layout.photo
        decor.draw_photo(img, (int(x0 * w), int(y0 * h), int(x1 * w), int(y1 * h)), rng)
    if layout.signature is not None:
        x0, y0, x1, y1 = layout.signature
        decor.draw_signature(img, (int(x0 * w), int(y0 * h), int(x1 * w), int(y1 * h)), rng)
    canvas = _Canvas(Image.fromarray(img))
    _draw_header(canvas, layout, holder, style, rng)
    for block in layout.blocks:
        avail = (block.box[3] - block.box[1]) * h
        size = style.value_size
        need = _block_height(block, layout, size, style)
        if need > avail:
            size = max(int(size * avail / need), 9)
        _draw_block(canvas, block, layout, printed, languages, style, size)
    mrz: list[str] | None = None
    if layout.mrz is not None:
        mrz = _compose_mrz(layout, holder)
        _draw_mrz(canvas, mrz, style)
    return RenderedCard(
        image=np.asarray(canvas.image),
        lines=canvas.lines,
        fields={name: printed[name].value for name in layout.field_names()},
        mrz=mrz,
        layout=layout.name,
        kind=layout.kind,
        style={
            "value_font": style.value_font.rsplit("/", 1)[-1],
            "mono_font": style.mono_font.rsplit("/", 1)[-1],
        },
    )
