"""The object-store interface of the stages (claim check) and object references.

Messages on the topics never carry image bytes; they carry a *reference*
``s3://<bucket>/<key>`` to an object that a stage put into the store. Every store
(:class:`~idstream.store.local.LocalObjectStore`,
:class:`~idstream.store.s3.S3ObjectStore`) uses that same form, so a stage cannot
tell which one it talks to.

References and keys come from messages, so they are validated strictly:
:func:`parse_ref` and :func:`check_key` raise
:class:`~idstream.errors.InvalidMessage` (dead-letter) for anything else.
"""

from __future__ import annotations

import re
from typing import Protocol, runtime_checkable

from idstream.errors import InvalidMessage

__all__ = ["REF_SCHEME", "ObjectStore", "check_bucket", "check_key", "make_ref", "parse_ref"]

REF_SCHEME = "s3"
MAX_KEY_BYTES = 1024

# S3 bucket naming rules (virtual-host safe subset): 3-63 characters, lower-case
# letters, digits, '-' and '.', starting and ending with a letter or digit.
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# Control characters, backslashes (a path separator elsewhere), and '?'/'#'
# (a reference must not look like it has a query or fragment).
_KEY_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\?#]")


@runtime_checkable
class ObjectStore(Protocol):
    """Where the stages put and get objects, by reference."""

    @property
    def bucket(self) -> str:
        """The bucket that :meth:`put` writes to."""
        ...

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Store ``data`` under ``key`` in :attr:`bucket` (overwriting) and return its reference."""
        ...

    def get(self, ref: str) -> bytes:
        """Return the bytes of the object ``ref`` (raises NotFound if missing)."""
        ...

    def exists(self, ref: str) -> bool:
        """Tell whether the object ``ref`` exists."""
        ...

    def delete(self, ref: str) -> None:
        """Delete the object ``ref``; deleting a missing object is not an error."""
        ...

    def ref_for(self, key: str) -> str:
        """Return the reference that :meth:`put` gives for ``key``."""
        ...


def check_bucket(bucket: str) -> str:
    """Validate an S3 bucket name.

    Args:
        bucket: The bucket name.

    Returns:
        ``bucket`` unchanged.

    Raises:
        InvalidMessage: If it breaks the S3 naming rules.
    """
    if not _BUCKET_RE.match(bucket) or ".." in bucket:
        raise InvalidMessage(f"invalid bucket name {bucket[:70]!r}")
    return bucket


def check_key(key: str) -> str:
    """Validate an object key: relative, no ``.``/``..``/empty segments, no control characters.

    Args:
        key: The object key, e.g. ``"docs/3f2a/input.jpg"``.

    Returns:
        ``key`` unchanged.

    Raises:
        InvalidMessage: If the key is empty, too long, absolute, or could escape
            its bucket.
    """
    if not key:
        raise InvalidMessage("empty object key")
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise InvalidMessage("object key is not valid UTF-8") from exc
    if size > MAX_KEY_BYTES:
        raise InvalidMessage(f"object key longer than {MAX_KEY_BYTES} bytes")
    if _KEY_FORBIDDEN.search(key):
        raise InvalidMessage("object key contains a control character, '\\', '?' or '#'")
    if key.startswith("/"):
        raise InvalidMessage("object key must not start with '/'")
    if any(part in ("", ".", "..") for part in key.split("/")):
        raise InvalidMessage("object key has an empty, '.' or '..' path segment")
    return key


def make_ref(bucket: str, key: str) -> str:
    """Build the reference ``s3://<bucket>/<key>`` after validating both parts.

    Args:
        bucket: The bucket name.
        key: The object key.

    Returns:
        The reference.
    """
    return f"{REF_SCHEME}://{check_bucket(bucket)}/{check_key(key)}"


def parse_ref(ref: str) -> tuple[str, str, str]:
    """Split a reference ``s3://<bucket>/<key>`` into its parts, validating them.

    Args:
        ref: The reference, as carried by a message.

    Returns:
        ``(scheme, bucket, key)``; ``scheme`` is always ``"s3"``.

    Raises:
        InvalidMessage: For another scheme, a bad bucket name, a missing key, or a
            key that :func:`check_key` rejects (e.g. one that could escape its bucket).
    """
    if not isinstance(ref, str):
        raise InvalidMessage("object reference must be a string")
    prefix = f"{REF_SCHEME}://"
    if not ref.startswith(prefix):
        scheme = ref.split("://", 1)[0] if "://" in ref else ""
        raise InvalidMessage(f"object reference must use {prefix}, not {scheme[:20]!r}")
    bucket, sep, key = ref[len(prefix) :].partition("/")
    if not sep:
        raise InvalidMessage("object reference has no key")
    return REF_SCHEME, check_bucket(bucket), check_key(key)
