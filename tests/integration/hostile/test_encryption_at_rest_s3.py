"""Encryption at rest and retention on the real object store (versitygw, posix backend).

versitygw's posix backend stores objects as plain files and has no server-side
encryption, so idstream encrypts client-side: the bytes on the server's disk must
not contain the image, and the retention purge lists and deletes through S3.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from idstream.devstack.objectstore import ObjectStoreServer
from idstream.security.crypto import EncryptedObjectStore, generate_key_spec, parse_key_spec
from idstream.security.retention import purge_expired
from idstream.store.s3 import S3ObjectStore

pytestmark = pytest.mark.integration

PAYLOAD = b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<" * 50


def test_objects_on_the_servers_disk_are_ciphertext_and_purge_works(
    s3_store: S3ObjectStore, object_store_server: ObjectStoreServer
) -> None:
    store = EncryptedObjectStore(s3_store, parse_key_spec(generate_key_spec("k1")))
    ref = store.put("ingest/doc-enc", PAYLOAD, "image/jpeg")
    assert store.get(ref) == PAYLOAD
    on_disk = object_store_server.data_dir / s3_store.bucket / "ingest" / "doc-enc"
    raw = on_disk.read_bytes()
    assert raw.startswith(b"IDSE1") and b"ERIKSSON" not in raw
    assert s3_store.get(ref) == raw  # what any S3 client with the store's credentials sees
    store.put("normalized/doc-enc.png", PAYLOAD)
    assert purge_expired(store, timedelta(days=1)) == []
    later = datetime.now(UTC) + timedelta(days=2)
    assert sorted(purge_expired(store, timedelta(days=1), now=later)) == [
        f"s3://{s3_store.bucket}/ingest/doc-enc",
        f"s3://{s3_store.bucket}/normalized/doc-enc.png",
    ]
    assert not store.exists(ref)
