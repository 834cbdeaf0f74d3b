"""LocalObjectStore, reference parsing and the open_store factory (no network)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from idstream.errors import InvalidMessage, NotFound
from idstream.store import LocalObjectStore, ObjectStore, open_store, parse_ref
from idstream.store.base import check_key, make_ref


@pytest.fixture
def store(tmp_path: Path) -> LocalObjectStore:
    return LocalObjectStore(tmp_path / "objects", bucket="docs")


def test_put_get_roundtrip(store: LocalObjectStore) -> None:
    ref = store.put("a1/input.jpg", b"\xff\xd8 bytes", "image/jpeg")
    assert ref == "s3://docs/a1/input.jpg"
    assert ref == store.ref_for("a1/input.jpg")
    assert store.get(ref) == b"\xff\xd8 bytes"
    assert (store.root / "docs" / "a1" / "input.jpg").read_bytes() == b"\xff\xd8 bytes"


def test_put_overwrites_and_leaves_no_temp_files(store: LocalObjectStore) -> None:
    ref = store.put("k", b"one")
    store.put("k", b"two")
    assert store.get(ref) == b"two"
    assert sorted(os.listdir(store.root / "docs")) == ["k"]


def test_empty_object(store: LocalObjectStore) -> None:
    ref = store.put("empty", b"")
    assert store.exists(ref)
    assert store.get(ref) == b""


def test_exists_and_delete(store: LocalObjectStore) -> None:
    ref = store.put("x/y/z.bin", b"1")
    assert store.exists(ref)
    store.delete(ref)
    assert not store.exists(ref)
    # Empty directories are pruned, the bucket directory stays.
    assert list((store.root / "docs").iterdir()) == []
    store.delete(ref)  # deleting a missing object is not an error


def test_get_missing_raises_not_found(store: LocalObjectStore) -> None:
    with pytest.raises(NotFound):
        store.get("s3://docs/missing.jpg")
    store.put("dir/file", b"1")
    with pytest.raises(NotFound):
        store.get("s3://docs/dir")  # a directory is not an object


def test_reads_other_buckets_under_root(store: LocalObjectStore) -> None:
    other = LocalObjectStore(store.root, bucket="inbox")
    ref = other.put("scan.png", b"png")
    assert ref == "s3://inbox/scan.png"
    assert store.get(ref) == b"png"


def test_satisfies_protocol(store: LocalObjectStore) -> None:
    assert isinstance(store, ObjectStore)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/abs",
        "../up",
        "a/../../b",
        "a/./b",
        "a//b",
        "a/",
        "back\\slash",
        "nul\x00",
        "q?x",
        "frag#x",
        "x" * 1025,
    ],
)
def test_bad_keys_are_rejected(store: LocalObjectStore, key: str) -> None:
    with pytest.raises(InvalidMessage):
        store.put(key, b"data")


def test_traversal_cannot_escape_root(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "root")
    (tmp_path / "secret.txt").write_bytes(b"secret")
    for ref in ("s3://local/../secret.txt", "s3://local/a/../../secret.txt", "s3://../secret.txt"):
        with pytest.raises(InvalidMessage):
            store.get(ref)


def test_symlink_out_of_root_is_not_followed(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path / "root")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "f").write_bytes(b"secret")
    (tmp_path / "root" / "local").mkdir(parents=True)
    (tmp_path / "root" / "local" / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(NotFound):
        store.get("s3://local/link/f")
    assert not store.exists("s3://local/link/f")


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("s3://docs/a.jpg", ("s3", "docs", "a.jpg")),
        ("s3://my-bucket.v1/x/y/z.json", ("s3", "my-bucket.v1", "x/y/z.json")),
        ("s3://abc/ünïcode name.png", ("s3", "abc", "ünïcode name.png")),
    ],
)
def test_parse_ref_valid(ref: str, expected: tuple[str, str, str]) -> None:
    assert parse_ref(ref) == expected
    assert make_ref(expected[1], expected[2]) == ref


@pytest.mark.parametrize(
    "ref",
    [
        "",
        "docs/a.jpg",
        "file:///etc/passwd",
        "http://docs/a.jpg",
        "S3://docs/a.jpg",
        "s3://docs",
        "s3://docs/",
        "s3://Docs/a.jpg",
        "s3://ab/a.jpg",
        "s3://-docs/a.jpg",
        "s3://do..cs/a.jpg",
        "s3:///a.jpg",
        "s3://docs//etc/passwd",
        "s3://docs/a/../../b",
        "s3://docs/a.jpg?versionId=1",
    ],
)
def test_parse_ref_rejects(ref: str) -> None:
    with pytest.raises(InvalidMessage):
        parse_ref(ref)


def test_parse_ref_rejects_non_string() -> None:
    with pytest.raises(InvalidMessage):
        parse_ref(b"s3://docs/a.jpg")  # type: ignore[arg-type]


def test_check_key_accepts_nested_keys() -> None:
    assert check_key("2026/11/25/doc-1/input.jpg") == "2026/11/25/doc-1/input.jpg"
    assert check_key(".hidden/x") == ".hidden/x"


def test_open_store_file_url(tmp_path: Path) -> None:
    store = open_store(f"file://{tmp_path}/objs?bucket=pipeline")
    assert isinstance(store, LocalObjectStore)
    assert store.root == (tmp_path / "objs").resolve()
    assert store.put("k", b"v") == "s3://pipeline/k"


def test_open_store_mapping(tmp_path: Path) -> None:
    store = open_store({"kind": "local", "root": str(tmp_path)})
    assert isinstance(store, LocalObjectStore)
    assert store.bucket == "local"


def test_open_store_s3_url_builds_client_without_network() -> None:
    from idstream.store.s3 import S3ObjectStore

    store = open_store("http://ak%2F1:se%40cret@127.0.0.1:1/bucket-a")
    assert isinstance(store, S3ObjectStore)
    assert store.endpoint == "127.0.0.1:1"
    assert store.bucket == "bucket-a"
    assert store.ref_for("k/x") == "s3://bucket-a/k/x"


@pytest.mark.parametrize(
    "spec",
    [
        "ftp://host/bucket",
        "s3://bucket/key",
        "http://127.0.0.1:9000/bucket",  # no credentials
        "http://a:b@127.0.0.1:9000/",  # no bucket
        "file://",
        {"kind": "gcs"},
        {},
    ],
)
def test_open_store_rejects(spec: str | dict[str, str]) -> None:
    with pytest.raises(ValueError):
        open_store(spec)


def test_open_store_settings_object() -> None:
    from types import SimpleNamespace

    from idstream.store.s3 import S3ObjectStore

    settings = SimpleNamespace(
        s3_endpoint="127.0.0.1:1",
        s3_access_key="a",
        s3_secret_key="b",
        s3_bucket="from-settings",
        s3_secure=False,
    )
    store = open_store(settings)
    assert isinstance(store, S3ObjectStore)
    assert store.bucket == "from-settings"
    with pytest.raises(ValueError):
        open_store(42)
