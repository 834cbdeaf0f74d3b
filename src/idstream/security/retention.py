"""Retention: images older than the retention period are deleted from the object store.

The stages write originals under ``ingest/`` and normalized images under
``normalized/``; :func:`purge_expired` lists both prefixes and deletes the objects
last modified before the cut-off. Listing is store-specific
(:func:`iter_objects`): the local store walks its files, the S3 store lists the
bucket; an :class:`~idstream.security.crypto.EncryptedObjectStore` is unwrapped.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from idstream.errors import ConfigurationError

__all__ = ["IMAGE_PREFIXES", "iter_objects", "purge_expired"]

#: Where the stages put images: originals and normalized.
IMAGE_PREFIXES: tuple[str, ...] = ("ingest/", "normalized/")


def _unwrap(store: Any) -> Any:
    while hasattr(store, "inner"):
        store = store.inner
    return store


def iter_objects(store: Any, prefix: str) -> Iterator[tuple[str, datetime]]:
    """The objects of ``store``'s bucket under ``prefix``: ``(reference, last modified, UTC)``.

    Raises:
        ConfigurationError: for a store this module cannot list.
    """
    from idstream.store.local import LocalObjectStore

    inner = _unwrap(store)
    if isinstance(inner, LocalObjectStore):
        bucket_dir = inner.root / inner.bucket
        base = bucket_dir / prefix
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                key = path.relative_to(bucket_dir).as_posix()
                yield inner.ref_for(key), datetime.fromtimestamp(path.stat().st_mtime, UTC)
        return
    client = getattr(inner, "_client", None)
    if client is not None and hasattr(client, "list_objects"):
        for obj in client.list_objects(inner.bucket, prefix=prefix, recursive=True):
            modified = obj.last_modified or datetime.now(UTC)
            yield inner.ref_for(obj.object_name), modified.astimezone(UTC)
        return
    raise ConfigurationError(f"cannot list objects of {type(inner).__name__}")


def purge_expired(
    store: Any,
    older_than: timedelta,
    *,
    prefixes: Sequence[str] = IMAGE_PREFIXES,
    now: datetime | None = None,
    dry_run: bool = False,
) -> list[str]:
    """Delete the objects under ``prefixes`` last modified more than ``older_than`` ago.

    Args:
        store: the object store.
        older_than: the retention period.
        prefixes: key prefixes to purge.
        now: the reference time (default: now, UTC).
        dry_run: list what would be deleted, delete nothing.

    Returns:
        The references deleted (or that would be).
    """
    cutoff = (now or datetime.now(UTC)) - older_than
    expired = [
        ref for prefix in prefixes for ref, modified in iter_objects(store, prefix) if modified < cutoff
    ]
    if not dry_run:
        for ref in expired:
            store.delete(ref)
    return expired
