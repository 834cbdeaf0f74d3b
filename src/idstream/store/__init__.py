"""Object stores for the claim check: messages carry ``s3://<bucket>/<key>`` references.

:func:`open_store` builds a store from a URL or a settings mapping:

* ``file:///abs/root`` or ``file://./relative/root`` (optionally ``?bucket=NAME``,
  default ``local``) → :class:`LocalObjectStore`;
* ``http://ACCESS:SECRET@host:port/BUCKET`` (``https://`` for TLS) →
  :class:`S3ObjectStore`; access and secret are percent-decoded;
* a mapping ``{"kind": "local", "root": ..., "bucket": ...}`` or
  ``{"kind": "s3", "endpoint": "host:port", "access_key": ..., "secret_key": ...,
  "bucket": ..., "secure": False}``;
* an :class:`idstream.settings.Settings` (anything with ``s3_endpoint``,
  ``s3_access_key``, ``s3_secret_key``, ``s3_bucket`` and ``s3_secure``) →
  :class:`S3ObjectStore`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from idstream.store.base import ObjectStore, check_key, make_ref, parse_ref
from idstream.store.local import LocalObjectStore

__all__ = [
    "LocalObjectStore",
    "ObjectStore",
    "S3ObjectStore",
    "check_key",
    "make_ref",
    "open_store",
    "parse_ref",
]


def __getattr__(name: str) -> Any:
    # S3ObjectStore is importable from here without importing minio up front.
    if name == "S3ObjectStore":
        from idstream.store.s3 import S3ObjectStore

        return S3ObjectStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _from_url(url: str) -> ObjectStore:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    if parts.scheme == "file":
        root = unquote(parts.netloc + parts.path)
        if not root:
            raise ValueError("file:// store URL needs a root directory")
        bucket = query.get("bucket", ["local"])[0]
        return LocalObjectStore(Path(root), bucket=bucket)
    if parts.scheme in ("http", "https"):
        from idstream.store.s3 import S3ObjectStore

        bucket = parts.path.strip("/")
        if not parts.hostname or not bucket or "/" in bucket:
            raise ValueError("S3 store URL must look like http://ACCESS:SECRET@host:port/BUCKET")
        if parts.username is None or parts.password is None:
            raise ValueError("S3 store URL needs credentials: http://ACCESS:SECRET@host:port/BUCKET")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        return S3ObjectStore(
            host,
            unquote(parts.username),
            unquote(parts.password),
            bucket,
            secure=parts.scheme == "https",
        )
    raise ValueError(f"unknown object store URL scheme {parts.scheme!r} (use file://, http:// or https://)")


def _from_mapping(settings: Mapping[str, Any]) -> ObjectStore:
    kind = settings.get("kind")
    if kind == "local":
        return LocalObjectStore(Path(settings["root"]), bucket=settings.get("bucket", "local"))
    if kind == "s3":
        from idstream.store.s3 import S3ObjectStore

        return S3ObjectStore(
            settings["endpoint"],
            settings["access_key"],
            settings["secret_key"],
            settings["bucket"],
            secure=bool(settings.get("secure", False)),
        )
    raise ValueError(f"unknown object store kind {kind!r} (use 'local' or 's3')")


def open_store(url_or_settings: str | Mapping[str, Any] | Any) -> ObjectStore:
    """Build an object store from a URL, a settings mapping or a settings object.

    See the module docstring for the accepted forms.

    Args:
        url_or_settings: A store URL, a mapping with a ``kind`` key, or an object
            with ``s3_*`` attributes such as :class:`idstream.settings.Settings`.

    Returns:
        The store.

    Raises:
        ValueError: For an unknown scheme or kind, or a malformed URL.
        KeyError: If a settings mapping lacks a required key.
    """
    if isinstance(url_or_settings, str):
        return _from_url(url_or_settings)
    if isinstance(url_or_settings, Mapping):
        return _from_mapping(url_or_settings)
    if hasattr(url_or_settings, "s3_endpoint"):
        settings = url_or_settings
        return _from_mapping(
            {
                "kind": "s3",
                "endpoint": settings.s3_endpoint,
                "access_key": settings.s3_access_key,
                "secret_key": settings.s3_secret_key,
                "bucket": settings.s3_bucket,
                "secure": getattr(settings, "s3_secure", False),
            }
        )
    raise ValueError(f"cannot build an object store from a {type(url_or_settings).__name__}")
