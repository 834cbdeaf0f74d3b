"""Field schemas: the set of fields a graph model extracts, declared as data.

A schema is a small JSON file. The canonical ``identity`` schema and the ``receipt``
worked example ship in :mod:`idstream.schemas`; users declare their own field set in
the same format and pass the file path wherever a schema name is accepted::

    {
      "name": "invoice",
      "date_order": "DMY",
      "fields": [
        {"name": "supplier", "type": "text", "multi_segment": true, "required": true},
        {"name": "due_date", "type": "date", "date_role": "future"},
        {"name": "amount", "type": "amount", "normalize": false}
      ]
    }

Field types select how a value is cut out of its segments and normalized:
``text`` (joined as printed), ``code`` (document numbers: spaces removed), ``date``
(ISO 8601), ``sex`` (``M``/``F``/``X``), ``country`` (ISO 3166 alpha-3) and
``amount`` (the last number of the segment). ``"normalize": false`` keeps the cut
value as printed (the SROIE protocol compares printed strings).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FIELD_TYPES", "OTHER", "SCHEMA_DIR", "FieldSpec", "Schema", "load_schema", "shipped_schemas"]

#: Where the shipped schemas live.
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

#: The label of segments that belong to no field.
OTHER = "other"
#: Field types known to post-processing.
FIELD_TYPES: tuple[str, ...] = ("text", "code", "date", "sex", "country", "amount", "list")
_DATE_ROLES = ("past", "future", "any")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One field of a schema.

    Attributes:
        name: the field name (a key of the output ``fields``).
        type: one of :data:`FIELD_TYPES`.
        multi_segment: whether a value may span several segments (two-line addresses).
        required: whether a document without it should go to review.
        normalize: whether the value is normalized (else kept as printed).
        date_role: for dates, ``past`` (birth, issue), ``future`` (expiry) or ``any``;
            resolves two-digit years.
        strip: a regular expression removed from the value before normalization
            (``""``: none), e.g. a company registration number printed after the name.
        join: what joins the lines of a multi-line value (segments of one line are
            joined by a space; no separator is added after a line ending with it).
    """

    name: str
    type: str = "text"
    multi_segment: bool = False
    required: bool = False
    normalize: bool = True
    date_role: str = "any"
    strip: str = ""
    join: str = " "


@dataclass(frozen=True, slots=True)
class Schema:
    """A set of fields and the labels a model predicts for it.

    Attributes:
        name: schema name.
        fields: the fields, in output order.
        extra_labels: segment labels that are not fields (``mrz``: the MRZ lines, read
            by the MRZ reader, not by the graph model).
        document_types: document classes the model also predicts (may be empty).
        date_order: ``DMY``, ``MDY`` or ``YMD``: how ambiguous numeric dates are read.
        date_sequence: date fields in chronological order on every document (birth,
            issue, expiry): post-processing assigns the dates found to these fields
            consistently with it.
        locale_hints: date order to words (``{"MDY": ["DLN", "DOB"]}``): a document
            printing one of the words reads its ambiguous dates in that order.
        description: free text.
    """

    name: str
    fields: tuple[FieldSpec, ...]
    extra_labels: tuple[str, ...] = ()
    document_types: tuple[str, ...] = ()
    date_order: str = "DMY"
    locale_hints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    date_sequence: tuple[str, ...] = ()
    description: str = ""
    _by_name: dict[str, FieldSpec] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for spec in self.fields:
            self._by_name[spec.name] = spec

    @property
    def labels(self) -> tuple[str, ...]:
        """Segment classes: ``other``, then the fields, then the extra labels."""
        return (OTHER, *(f.name for f in self.fields), *self.extra_labels)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def spec(self, name: str) -> FieldSpec:
        """Return the spec of field ``name`` (``KeyError`` when unknown)."""
        return self._by_name[name]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "date_order": self.date_order,
            "locale_hints": {k: list(v) for k, v in self.locale_hints.items()},
            "date_sequence": list(self.date_sequence),
            "document_types": list(self.document_types),
            "extra_labels": list(self.extra_labels),
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    "multi_segment": f.multi_segment,
                    "required": f.required,
                    "normalize": f.normalize,
                    "date_role": f.date_role,
                    "strip": f.strip,
                    "join": f.join,
                }
                for f in self.fields
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schema:
        """Validate and build a schema from its JSON form.

        Args:
            data: the parsed JSON object.

        Raises:
            ValueError: a missing name, no fields, an unknown type, duplicate names.
        """
        if not isinstance(data, dict) or not data.get("name"):
            raise ValueError("a schema needs a 'name'")
        raw_fields = data.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise ValueError("a schema needs a non-empty 'fields' list")
        specs: list[FieldSpec] = []
        for item in raw_fields:
            if not isinstance(item, dict) or not item.get("name"):
                raise ValueError("every field needs a 'name'")
            ftype = str(item.get("type", "text"))
            if ftype not in FIELD_TYPES:
                raise ValueError(f"unknown field type {ftype!r} (known: {', '.join(FIELD_TYPES)})")
            role = str(item.get("date_role", "any"))
            if role not in _DATE_ROLES:
                raise ValueError(f"unknown date_role {role!r}")
            strip = str(item.get("strip", ""))
            try:
                re.compile(strip)
            except re.error as exc:
                raise ValueError(f"invalid 'strip' pattern of field {item['name']!r}: {exc}") from exc
            specs.append(
                FieldSpec(
                    name=str(item["name"]),
                    type=ftype,
                    multi_segment=bool(item.get("multi_segment", False)),
                    required=bool(item.get("required", False)),
                    normalize=bool(item.get("normalize", True)),
                    date_role=role,
                    strip=strip,
                    join=str(item.get("join", " ")),
                )
            )
        names = [s.name for s in specs] + [str(x) for x in data.get("extra_labels", [])]
        if len(set(names)) != len(names) or OTHER in names:
            raise ValueError("field and label names must be unique and not 'other'")
        order = str(data.get("date_order", "DMY")).upper()
        if order not in ("DMY", "MDY", "YMD"):
            raise ValueError(f"unknown date_order {order!r}")
        hints = data.get("locale_hints", {})
        if not isinstance(hints, dict) or any(str(k).upper() not in ("DMY", "MDY", "YMD") for k in hints):
            raise ValueError("'locale_hints' maps DMY/MDY/YMD to lists of words")
        sequence = tuple(str(x) for x in data.get("date_sequence", []))
        dates = {sp.name for sp in specs if sp.type == "date"}
        if any(name not in dates for name in sequence):
            raise ValueError("'date_sequence' lists date fields of the schema")
        return cls(
            name=str(data["name"]),
            date_sequence=sequence,
            fields=tuple(specs),
            locale_hints={str(k).upper(): tuple(str(w).upper() for w in v) for k, v in hints.items()},
            extra_labels=tuple(str(x) for x in data.get("extra_labels", [])),
            document_types=tuple(str(x) for x in data.get("document_types", [])),
            date_order=order,
            description=str(data.get("description", "")),
        )


def load_schema(name_or_path: str | Path) -> Schema:
    """Load a shipped schema by name (``identity``, ``receipt``) or a user file by path.

    Args:
        name_or_path: a shipped schema name, or the path of a JSON schema file.

    Raises:
        ValueError: unknown name, or an invalid schema file.
    """
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".json") or path.is_file():
        if not path.is_file():
            raise ValueError(f"schema file not found: {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"schema file {path} is not valid JSON: {exc.msg}") from exc
        return Schema.from_dict(data)
    shipped = SCHEMA_DIR / f"{text}.json"
    if not shipped.is_file():
        raise ValueError(f"unknown schema {text!r} (shipped: {', '.join(shipped_schemas())})")
    return Schema.from_dict(json.loads(shipped.read_text(encoding="utf-8")))


def shipped_schemas() -> list[str]:
    """Names of the schemas that ship with the package."""
    return sorted(p.stem for p in SCHEMA_DIR.glob("*.json") if "." not in p.stem)  # not *.schema.json
