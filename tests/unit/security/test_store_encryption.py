"""Client-side encryption of stored objects: round trip, nothing readable at rest, tampering, rotation."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from idstream.errors import ConfigurationError, InvalidMessage
from idstream.security.crypto import EncryptedObjectStore, generate_key_spec, parse_key_spec, wrap_store
from idstream.store.local import LocalObjectStore

SECRET = b"SURNAME<<GIVEN<NAMES P1234567 1987-03-14" * 10


@pytest.fixture
def local(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path, bucket="idstream")


def test_round_trip_and_nothing_readable_on_disk(local: LocalObjectStore, tmp_path: Path) -> None:
    store = EncryptedObjectStore(local, parse_key_spec(generate_key_spec("k1")))
    ref = store.put("ingest/doc-1", SECRET, "image/jpeg")
    assert ref == "s3://idstream/ingest/doc-1" and store.exists(ref)
    assert store.get(ref) == SECRET
    raw = (tmp_path / "idstream" / "ingest" / "doc-1").read_bytes()
    assert raw.startswith(b"IDSE1") and b"P1234567" not in raw and b"SURNAME" not in raw
    assert len(raw) == len(SECRET) + 5 + 1 + 2 + 12 + 16
    store.delete(ref)
    assert not store.exists(ref)


def test_tampered_moved_or_plaintext_objects_are_refused(local: LocalObjectStore) -> None:
    store = EncryptedObjectStore(local, parse_key_spec(generate_key_spec()))
    ref = store.put("ingest/doc-1", SECRET)
    blob = bytearray(local.get(ref))
    blob[-1] ^= 1
    local.put("ingest/doc-1", bytes(blob))
    with pytest.raises(InvalidMessage, match="failed authentication"):
        store.get(ref)
    good = store.put("ingest/doc-2", SECRET)
    local.put("ingest/doc-3", local.get(good))  # the ciphertext is bound to its reference
    with pytest.raises(InvalidMessage, match="failed authentication"):
        store.get("s3://idstream/ingest/doc-3")
    local.put("ingest/plain", b"plaintext")
    with pytest.raises(InvalidMessage, match="not encrypted"):
        store.get("s3://idstream/ingest/plain")
    assert (
        EncryptedObjectStore(local, store._keys, allow_plaintext=True).get("s3://idstream/ingest/plain")
        == b"plaintext"
    )
    local.put("ingest/short", b"IDSE1\x02k1")
    with pytest.raises(InvalidMessage, match="truncated"):
        store.get("s3://idstream/ingest/short")


def test_keys_rotate_old_objects_stay_readable(local: LocalObjectStore) -> None:
    old_spec, new_spec = generate_key_spec("2025"), generate_key_spec("2026")
    old = EncryptedObjectStore(local, parse_key_spec(old_spec))
    ref = old.put("ingest/old", SECRET)
    rotated = EncryptedObjectStore(local, parse_key_spec(f"{new_spec},{old_spec}"))
    assert rotated.get(ref) == SECRET
    new_ref = rotated.put("ingest/new", SECRET)
    assert local.get(new_ref)[6:10] == b"2026"
    with pytest.raises(ConfigurationError, match="not configured"):
        old.get(new_ref)


def test_key_spec_errors_never_show_key_material() -> None:
    short = base64.b64encode(b"x" * 16).decode()
    for spec, match in [
        ("", "expected KEYID:BASE64"),
        ("nokey", "expected KEYID:BASE64"),
        (f"k1:{short}", "16 bytes"),
        ("k1:%%%", "not base64"),
        (f"{generate_key_spec('a')},{generate_key_spec('a')}", "twice"),
    ]:
        with pytest.raises(ConfigurationError, match=match) as info:
            parse_key_spec(spec)
        assert short not in str(info.value)
    ring = parse_key_spec(generate_key_spec("k9"))
    assert ring.current == "k9" and "k9" in repr(ring) and str(ring.keys["k9"]) not in repr(ring)


def test_wrap_store_only_when_a_key_is_set(local: LocalObjectStore) -> None:
    assert wrap_store(local, "") is local
    assert isinstance(wrap_store(local, generate_key_spec()), EncryptedObjectStore)
