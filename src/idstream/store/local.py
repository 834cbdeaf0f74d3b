"""An object store on the local filesystem, for the embedded mode and unit tests.

Objects live at ``<root>/<bucket>/<key>`` (the same layout as versitygw's posix
backend) and references have the same form as with S3, ``s3://<bucket>/<key>``,
so a stage cannot tell the stores apart. :meth:`LocalObjectStore.get` reads any
bucket under the root; :meth:`~LocalObjectStore.put` writes to the store's own.
Writes are atomic (temporary file, then rename). The content type is not kept.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from idstream.errors import NotFound, StoreUnavailable
from idstream.store.base import check_bucket, check_key, make_ref, parse_ref

__all__ = ["LocalObjectStore"]


class LocalObjectStore:
    """Objects as files under ``root``, addressed by ``s3://<bucket>/<key>`` references.

    Args:
        root: The directory holding one sub-directory per bucket (created if missing).
        bucket: The bucket :meth:`put` writes to.
    """

    def __init__(self, root: Path, bucket: str = "local") -> None:
        self.root = Path(root).resolve()
        self._bucket = check_bucket(bucket)

    def __repr__(self) -> str:
        return f"LocalObjectStore(root={str(self.root)!r}, bucket={self._bucket!r})"

    @property
    def bucket(self) -> str:
        """The bucket that :meth:`put` writes to."""
        return self._bucket

    def _path(self, bucket: str, key: str) -> Path:
        bucket_dir = self.root / check_bucket(bucket)
        path = bucket_dir / check_key(key)
        # Defence in depth against symlinks inside the root pointing outside it.
        resolved = path.resolve()
        if not resolved.is_relative_to(bucket_dir.resolve()):
            raise NotFound(f"object s3://{bucket}/{key} is outside the store")
        return path

    def ref_for(self, key: str) -> str:
        """Return the reference of ``key`` in :attr:`bucket`.

        Args:
            key: The object key.

        Returns:
            ``s3://<bucket>/<key>``.
        """
        return make_ref(self._bucket, key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Write ``data`` to ``key`` in :attr:`bucket`, atomically, overwriting.

        Args:
            key: The object key.
            data: The bytes.
            content_type: Ignored by this store.

        Returns:
            The object's reference.

        Raises:
            InvalidMessage: If the key is invalid.
            StoreUnavailable: If the file cannot be written.
        """
        ref = self.ref_for(key)
        path = self._path(self._bucket, key)
        tmp = path.with_name(f".{path.name}.tmp-{secrets.token_hex(6)}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise StoreUnavailable(f"cannot write {ref}: {type(exc).__name__}") from exc
        return ref

    def get(self, ref: str) -> bytes:
        """Read the object ``ref``.

        Args:
            ref: ``s3://<bucket>/<key>``.

        Returns:
            The object's bytes.

        Raises:
            InvalidMessage: If ``ref`` is not a valid reference.
            NotFound: If the object does not exist.
            StoreUnavailable: If the file cannot be read.
        """
        _, bucket, key = parse_ref(ref)
        path = self._path(bucket, key)
        try:
            return path.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError) as exc:
            raise NotFound(f"object {ref} not found") from exc
        except OSError as exc:
            raise StoreUnavailable(f"cannot read {ref}: {type(exc).__name__}") from exc

    def exists(self, ref: str) -> bool:
        """Tell whether the object ``ref`` exists.

        Args:
            ref: ``s3://<bucket>/<key>``.

        Returns:
            True if it exists.
        """
        _, bucket, key = parse_ref(ref)
        try:
            return self._path(bucket, key).is_file()
        except NotFound:
            return False

    def delete(self, ref: str) -> None:
        """Delete the object ``ref`` (a missing object is not an error) and prune empty directories.

        Args:
            ref: ``s3://<bucket>/<key>``.

        Raises:
            StoreUnavailable: If the file cannot be removed.
        """
        _, bucket, key = parse_ref(ref)
        try:
            path = self._path(bucket, key)
        except NotFound:
            return
        try:
            path.unlink(missing_ok=True)
        except IsADirectoryError:
            return
        except OSError as exc:
            raise StoreUnavailable(f"cannot delete {ref}: {type(exc).__name__}") from exc
        bucket_dir = self.root / bucket
        parent = path.parent
        while parent != bucket_dir and parent.is_relative_to(bucket_dir):
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent
