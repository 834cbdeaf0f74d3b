"""Schema loading: shipped schemas, user files, errors (no torch)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from idstream.document import CANONICAL_FIELDS
from idstream.graph_ie.schema import OTHER, load_schema, shipped_schemas


def test_identity_schema() -> None:
    s = load_schema("identity")
    assert s.labels[0] == OTHER and "mrz" in s.labels
    assert set(CANONICAL_FIELDS) - {"document_type"} <= set(s.field_names)
    assert s.spec("date_of_expiry").date_role == "future"
    assert s.document_types == ("id_card", "passport", "driving_licence")


def test_receipt_schema() -> None:
    s = load_schema("receipt")
    assert s.field_names == ("company", "date", "address", "total")
    assert not s.spec("date").normalize


def test_user_schema_file_and_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "invoice.json"
    path.write_text(
        json.dumps({"name": "invoice", "fields": [{"name": "supplier"}, {"name": "due", "type": "date"}]})
    )
    s = load_schema(path)
    assert s.labels == (OTHER, "supplier", "due")
    assert load_schema(str(path)).to_dict() == s.to_dict()
    assert type(s).from_dict(s.to_dict()) == s


def test_unknown_and_invalid(tmp_path: Path) -> None:
    assert {"identity", "receipt"} <= set(shipped_schemas())
    with pytest.raises(ValueError, match="unknown schema"):
        load_schema("nope")
    with pytest.raises(ValueError):
        load_schema(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    for content in ("{", {"name": "x"}, {"name": "x", "fields": [{"name": "a", "type": "colour"}]},
                    {"name": "x", "fields": [{"name": "a"}, {"name": "a"}]},
                    {"name": "x", "fields": [{"name": "other"}]}):  # fmt: skip
        bad.write_text(content if isinstance(content, str) else json.dumps(content))
        with pytest.raises(ValueError):
            load_schema(bad)
