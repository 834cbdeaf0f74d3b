"""Layouts of invented identity documents, as data, and their registry.

A :class:`Layout` places blocks of fields on a card (boxes are fractions of the card's
width and height). Inside a block, rows flow top to bottom; the fields of one row sit
side by side. How a field's label relates to its value is the layout's
:attr:`Layout.label_style`:

* ``above``: a small label line above the value;
* ``left``: labels in a column, values aligned to the right of it;
* ``colon``: ``Label:`` then the value on the same line;
* ``numbered``: only a field number (``1.``, ``4a.``) before the value (EU licences);
* ``numbered_above``: field number and label above the value;
* ``numbered_abbrev``: field number, abbreviated label and value on one line (US licences);
* ``none``: values without labels.

Layouts differ in structure (where things are and how they relate), not only in
colour; colours, fonts, sizes and backgrounds are drawn per document.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["LABEL_STYLES", "LAYOUTS", "Block", "Layout", "get_layout", "layout_names"]

LABEL_STYLES = ("above", "left", "colon", "numbered", "numbered_above", "numbered_abbrev", "none")

Box = tuple[float, float, float, float]


@dataclass(frozen=True, slots=True)
class Block:
    """A rectangle of rows of fields."""

    box: Box
    rows: tuple[tuple[str, ...], ...]


#: EU driving-licence field numbers (Directive 2006/126/EC), reused by numbered layouts.
EU_NUMBERS: dict[str, str] = {
    "surname": "1.",
    "given_names": "2.",
    "date_of_birth": "3.",
    "place_of_birth": "",
    "date_of_issue": "4a.",
    "date_of_expiry": "4b.",
    "authority": "4c.",
    "personal_number": "4d.",
    "document_number": "5.",
    "address": "8.",
    "licence_class": "9.",
    "restrictions": "12.",
}
US_NUMBERS: dict[str, str] = {
    "document_number": "4d",
    "date_of_expiry": "4b",
    "date_of_issue": "4a",
    "surname": "1",
    "given_names": "2",
    "date_of_birth": "3",
    "address": "8",
    "licence_class": "9",
    "restrictions": "12",
    "sex": "15",
}


@dataclass(frozen=True, slots=True)
class Layout:
    """One document design.

    Attributes:
        name: registry name (also written to the annotation's ``layout``).
        kind: ``id_card``, ``passport`` or ``driving_licence``.
        card: ``ID1`` (85.6 x 54 mm) or ``TD3`` (125 x 88 mm passport data page).
        mrz: ``TD1``, ``TD3`` or ``None``.
        label_style: one of :data:`LABEL_STYLES`.
        blocks: the field blocks.
        photo: photo placeholder box or ``None``.
        signature: signature placeholder box or ``None``.
        header: ``center``, ``left`` or ``band``.
        header_height: fraction of the card height the header uses.
        date_style: one of :data:`idstream.synth.values.DATE_STYLES`.
        bilingual: labels in the country's language and English (``Nom / Surname``).
        label_set: ``std`` (full words) or ``us`` (abbreviations ``DOB``, ``EXP``...).
        numbers: field numbers for the numbered styles (missing fields are numbered in order).
        countries: issuing countries allowed (empty: all).
        group_number: print the document number in groups (``C01X 0O8I5``).
        uppercase_values: print names upper case (else title case).
    """

    name: str
    kind: str
    card: str
    mrz: str | None
    label_style: str
    blocks: tuple[Block, ...]
    photo: Box | None = None
    signature: Box | None = None
    header: str = "center"
    header_height: float = 0.17
    date_style: str = "dot"
    bilingual: bool = False
    label_set: str = "std"
    numbers: dict[str, str] = field(default_factory=dict)
    countries: tuple[str, ...] = ()
    group_number: bool = False
    uppercase_values: bool = True

    def field_names(self) -> tuple[str, ...]:
        """The fields the layout prints, in reading order."""
        return tuple(name for block in self.blocks for row in block.rows for name in row)


_BILINGUAL = ("VLD", "KLV", "OSV", "LRV", "MRD", "NVS", "SLV")
_US = ("BRX", "UTO")

_L: list[Layout] = [
    # ---------------------------------------------------------------- ID-1 cards, no MRZ
    Layout(
        "id_above_photo_left",
        "id_card",
        "ID1",
        None,
        "above",
        (
            Block(
                (0.33, 0.21, 0.97, 0.96),
                (
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth", "sex"),
                    ("nationality", "document_number"),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.04, 0.22, 0.29, 0.72),
        signature=(0.04, 0.76, 0.29, 0.95),
        date_style="dot",
    ),
    Layout(
        "id_left_table_photo_right",
        "id_card",
        "ID1",
        None,
        "left",
        (
            Block(
                (0.04, 0.21, 0.69, 0.97),
                (
                    ("document_number",),
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth",),
                    ("place_of_birth",),
                    ("nationality",),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.72, 0.22, 0.96, 0.78),
        signature=(0.72, 0.81, 0.96, 0.96),
        header="left",
        date_style="mon",
    ),
    Layout(
        "id_values_only",
        "id_card",
        "ID1",
        None,
        "none",
        (
            Block(
                (0.04, 0.24, 0.66, 0.96),
                (
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth",),
                    ("document_number",),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.70, 0.22, 0.96, 0.80),
        header="band",
        date_style="dash_dmy",
    ),
    Layout(
        "id_two_column_colon",
        "id_card",
        "ID1",
        None,
        "colon",
        (
            Block(
                (0.04, 0.22, 0.50, 0.97),
                (("surname",), ("given_names",), ("sex",), ("date_of_birth",), ("place_of_birth",)),
            ),
            Block((0.52, 0.50, 0.97, 0.97), (("document_number",), ("date_of_issue",), ("date_of_expiry",))),
        ),
        photo=(0.76, 0.20, 0.96, 0.48),
        header="left",
        date_style="slash_dmy",
    ),
    Layout(
        "id_unusual_order_address",
        "id_card",
        "ID1",
        None,
        "above",
        (
            Block(
                (0.04, 0.20, 0.70, 0.98),
                (
                    ("document_number", "date_of_expiry"),
                    ("address",),
                    ("given_names",),
                    ("surname",),
                    ("date_of_birth", "sex"),
                ),
            ),
        ),
        photo=(0.73, 0.22, 0.96, 0.72),
        signature=(0.73, 0.76, 0.96, 0.95),
        date_style="iso",
    ),
    Layout(
        "id_band_colon_bilingual",
        "id_card",
        "ID1",
        None,
        "colon",
        (
            Block(
                (0.30, 0.24, 0.97, 0.97),
                (
                    ("surname",),
                    ("given_names",),
                    ("nationality",),
                    ("date_of_birth",),
                    ("place_of_birth",),
                    ("document_number",),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.03, 0.24, 0.27, 0.80),
        header="band",
        header_height=0.19,
        bilingual=True,
        countries=_BILINGUAL,
        date_style="mon_bilingual",
    ),
    # ---------------------------------------------------------------- ID-1 cards with a TD1 MRZ
    Layout(
        "id_td1_bilingual_two_column",
        "id_card",
        "ID1",
        "TD1",
        "above",
        (
            Block((0.29, 0.19, 0.63, 0.64), (("surname",), ("given_names",), ("date_of_birth",))),
            Block(
                (0.65, 0.19, 0.98, 0.64), (("document_number",), ("sex", "nationality"), ("date_of_expiry",))
            ),
        ),
        photo=(0.03, 0.20, 0.26, 0.62),
        header_height=0.16,
        bilingual=True,
        countries=_BILINGUAL,
        date_style="dot",
    ),
    Layout(
        "id_td1_numbered",
        "id_card",
        "ID1",
        "TD1",
        "numbered_above",
        (
            Block(
                (0.30, 0.18, 0.97, 0.64),
                (("surname", "given_names"), ("date_of_birth", "sex"), ("document_number", "date_of_expiry")),
            ),
        ),
        photo=(0.03, 0.19, 0.27, 0.62),
        header="left",
        header_height=0.15,
        date_style="space_dmy",
        numbers={
            "surname": "1.",
            "given_names": "2.",
            "date_of_birth": "3.",
            "sex": "4.",
            "document_number": "5.",
            "date_of_expiry": "6.",
        },
    ),
    Layout(
        "id_td1_back_address",
        "id_card",
        "ID1",
        "TD1",
        "left",
        (
            Block(
                (0.04, 0.05, 0.97, 0.62),
                (("address",), ("personal_number",), ("authority",), ("date_of_issue",)),
            ),
        ),
        header="none",
        header_height=0.0,
        date_style="dot",
    ),
    Layout(
        "id_td1_left_table",
        "id_card",
        "ID1",
        "TD1",
        "left",
        (
            Block(
                (0.03, 0.18, 0.70, 0.64),
                (
                    ("document_number",),
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth",),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.74, 0.18, 0.96, 0.62),
        header="band",
        header_height=0.15,
        date_style="mon",
        group_number=True,
    ),
    # ---------------------------------------------------------------- passports (TD3)
    Layout(
        "passport_icao_grid",
        "passport",
        "TD3",
        "TD3",
        "above",
        (
            Block(
                (0.31, 0.13, 0.98, 0.72),
                (
                    ("document_type", "issuing_country", "document_number"),
                    ("surname",),
                    ("given_names",),
                    ("nationality",),
                    ("date_of_birth", "personal_number"),
                    ("sex", "place_of_birth"),
                    ("date_of_issue", "authority"),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.03, 0.16, 0.28, 0.62),
        signature=(0.03, 0.64, 0.28, 0.72),
        header_height=0.12,
        bilingual=True,
        countries=_BILINGUAL,
        date_style="mon_bilingual",
    ),
    Layout(
        "passport_left_table",
        "passport",
        "TD3",
        "TD3",
        "left",
        (
            Block(
                (0.03, 0.14, 0.68, 0.72),
                (
                    ("document_type",),
                    ("issuing_country",),
                    ("document_number",),
                    ("surname",),
                    ("given_names",),
                    ("nationality",),
                    ("date_of_birth",),
                    ("sex",),
                    ("place_of_birth",),
                    ("date_of_issue",),
                    ("date_of_expiry",),
                ),
            ),
        ),
        photo=(0.71, 0.16, 0.97, 0.60),
        signature=(0.71, 0.62, 0.97, 0.71),
        header="left",
        header_height=0.12,
        date_style="dot",
    ),
    Layout(
        "passport_numbered",
        "passport",
        "TD3",
        "TD3",
        "numbered_above",
        (
            Block(
                (0.31, 0.13, 0.98, 0.72),
                (
                    ("surname",),
                    ("given_names",),
                    ("nationality", "date_of_birth"),
                    ("sex", "place_of_birth"),
                    ("date_of_issue", "date_of_expiry"),
                    ("authority",),
                    ("document_number",),
                ),
            ),
        ),
        photo=(0.03, 0.16, 0.28, 0.66),
        header_height=0.12,
        date_style="mon",
    ),
    Layout(
        "passport_two_column_colon",
        "passport",
        "TD3",
        "TD3",
        "colon",
        (
            Block(
                (0.25, 0.14, 0.62, 0.72),
                (
                    ("surname",),
                    ("given_names",),
                    ("nationality",),
                    ("date_of_birth",),
                    ("place_of_birth",),
                    ("sex",),
                ),
            ),
            Block(
                (0.63, 0.14, 0.98, 0.72),
                (
                    ("document_type",),
                    ("document_number",),
                    ("date_of_issue",),
                    ("date_of_expiry",),
                    ("authority",),
                ),
            ),
        ),
        photo=(0.03, 0.16, 0.23, 0.56),
        signature=(0.03, 0.59, 0.23, 0.70),
        header="band",
        header_height=0.11,
        date_style="iso",
    ),
    Layout(
        "passport_unusual_order",
        "passport",
        "TD3",
        "TD3",
        "above",
        (
            Block(
                (0.03, 0.13, 0.70, 0.72),
                (
                    ("date_of_expiry", "date_of_issue"),
                    ("document_number", "sex"),
                    ("place_of_birth", "date_of_birth"),
                    ("given_names",),
                    ("surname",),
                    ("issuing_country", "nationality"),
                ),
            ),
        ),
        photo=(0.73, 0.15, 0.97, 0.62),
        header="left",
        header_height=0.12,
        date_style="month_bilingual_yy",
    ),
    Layout(
        "passport_values_only",
        "passport",
        "TD3",
        "TD3",
        "none",
        (
            Block(
                (0.33, 0.16, 0.97, 0.70),
                (
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth", "sex"),
                    ("place_of_birth",),
                    ("document_number", "date_of_expiry"),
                ),
            ),
        ),
        photo=(0.04, 0.16, 0.30, 0.66),
        header="band",
        header_height=0.12,
        date_style="slash_dmy",
    ),
    # ---------------------------------------------------------------- driving licences
    Layout(
        "dl_eu_numbered",
        "driving_licence",
        "ID1",
        None,
        "numbered",
        (
            Block(
                (0.33, 0.21, 0.97, 0.86),
                (
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth", "place_of_birth"),
                    ("date_of_issue", "authority"),
                    ("date_of_expiry",),
                    ("document_number",),
                ),
            ),
            Block((0.33, 0.86, 0.97, 0.98), (("licence_class",),)),
        ),
        photo=(0.04, 0.22, 0.29, 0.74),
        signature=(0.04, 0.77, 0.29, 0.95),
        header="left",
        date_style="dot",
        numbers=EU_NUMBERS,
    ),
    Layout(
        "dl_eu_numbered_address",
        "driving_licence",
        "ID1",
        None,
        "numbered",
        (
            Block(
                (0.32, 0.20, 0.97, 0.98),
                (
                    ("surname",),
                    ("given_names",),
                    ("date_of_birth", "place_of_birth"),
                    ("date_of_issue", "date_of_expiry"),
                    ("document_number",),
                    ("address",),
                    ("licence_class", "restrictions"),
                ),
            ),
        ),
        photo=(0.04, 0.22, 0.28, 0.72),
        signature=(0.04, 0.76, 0.28, 0.94),
        header="band",
        date_style="dash_dmy",
        numbers=EU_NUMBERS,
    ),
    Layout(
        "dl_numbered_labels_bilingual",
        "driving_licence",
        "ID1",
        None,
        "numbered_above",
        (
            Block(
                (0.30, 0.19, 0.64, 0.98),
                (("surname",), ("given_names",), ("date_of_birth",), ("document_number",)),
            ),
            Block(
                (0.66, 0.19, 0.98, 0.98),
                (("date_of_issue",), ("date_of_expiry",), ("licence_class",), ("restrictions",)),
            ),
        ),
        photo=(0.03, 0.20, 0.27, 0.76),
        header_height=0.16,
        bilingual=True,
        countries=_BILINGUAL,
        date_style="dot",
        numbers=EU_NUMBERS,
    ),
    Layout(
        "dl_us_abbrev",
        "driving_licence",
        "ID1",
        None,
        "colon",
        (
            Block(
                (0.31, 0.19, 0.98, 0.98),
                (
                    ("document_number",),
                    ("date_of_expiry", "date_of_issue"),
                    ("surname",),
                    ("given_names",),
                    ("address",),
                    ("date_of_birth", "sex"),
                    ("licence_class", "restrictions"),
                ),
            ),
        ),
        photo=(0.03, 0.21, 0.28, 0.78),
        signature=(0.03, 0.81, 0.28, 0.96),
        header="band",
        date_style="slash_mdy",
        label_set="us",
        countries=_US,
    ),
    Layout(
        "dl_us_numbered",
        "driving_licence",
        "ID1",
        None,
        "numbered_abbrev",
        (
            Block(
                (0.03, 0.19, 0.66, 0.98),
                (
                    ("document_number",),
                    ("surname",),
                    ("given_names",),
                    ("address",),
                    ("date_of_birth",),
                    ("date_of_expiry", "date_of_issue"),
                    ("licence_class", "sex"),
                    ("restrictions",),
                ),
            ),
        ),
        photo=(0.70, 0.20, 0.96, 0.74),
        signature=(0.70, 0.78, 0.96, 0.95),
        header="left",
        date_style="slash_mdy",
        label_set="us",
        countries=_US,
        numbers=US_NUMBERS,
        uppercase_values=True,
    ),
    Layout(
        "dl_two_column_above",
        "driving_licence",
        "ID1",
        None,
        "above",
        (
            Block(
                (0.03, 0.19, 0.40, 0.98),
                (("surname",), ("given_names",), ("date_of_birth",), ("licence_class",)),
            ),
            Block(
                (0.42, 0.19, 0.74, 0.98),
                (("document_number",), ("date_of_issue",), ("date_of_expiry",), ("restrictions",)),
            ),
        ),
        photo=(0.76, 0.21, 0.97, 0.70),
        header="left",
        date_style="mon",
        group_number=True,
    ),
    Layout(
        "dl_values_only_address",
        "driving_licence",
        "ID1",
        None,
        "none",
        (
            Block(
                (0.31, 0.21, 0.98, 0.98),
                (
                    ("given_names",),
                    ("surname",),
                    ("address",),
                    ("date_of_birth",),
                    ("document_number",),
                    ("licence_class",),
                ),
            ),
        ),
        photo=(0.03, 0.22, 0.28, 0.80),
        header="center",
        date_style="iso",
        uppercase_values=False,
    ),
]

#: Every layout, by name.
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in _L}


def layout_names(kinds: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Names of the layouts of the given document kinds (all when ``None``), sorted."""
    return tuple(sorted(n for n, lay in LAYOUTS.items() if kinds is None or lay.kind in kinds))


def get_layout(name: str) -> Layout:
    """The layout called ``name``.

    Raises:
        ValueError: for an unknown name.
    """
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown layout {name!r}; expected one of {sorted(LAYOUTS)}") from None
