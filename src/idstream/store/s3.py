"""An object store on any S3-compatible server (versitygw, MinIO, AWS), via the minio client.

Errors of the client are re-raised as idstream errors (``raise ... from exc``):

* connection refused/reset, timeouts, HTTP 5xx → :class:`~idstream.errors.StoreUnavailable`
  (transient: the services retry);
* a missing object or bucket on :meth:`S3ObjectStore.get` → :class:`~idstream.errors.NotFound`;
* rejected credentials → :class:`~idstream.errors.ConfigurationError`.

The HTTP pool has short timeouts and at most ``retries`` quick retries, so that a
dead store fails in seconds (the minio default retries for minutes).
"""

from __future__ import annotations

import io
import threading
from typing import TYPE_CHECKING, Any, NoReturn

from idstream.errors import ConfigurationError, NotFound, StoreUnavailable
from idstream.store.base import check_bucket, make_ref, parse_ref

if TYPE_CHECKING:
    from minio import Minio

__all__ = ["S3ObjectStore"]

_NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"})
_AUTH_CODES = frozenset(
    {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
)


class S3ObjectStore:
    """Objects in an S3 bucket, addressed by ``s3://<bucket>/<key>`` references.

    Args:
        endpoint: ``host:port`` of the server (no scheme), e.g. ``"127.0.0.1:7070"``.
        access_key: The access key.
        secret_key: The secret key.
        bucket: The bucket :meth:`put` writes to; created on first use if missing.
        secure: Use HTTPS.
        region: The region (given, so the client does not ask the server for it).
        timeout: Connect and read timeout of each HTTP request, in seconds.
        retries: Retries of a failed request (connection errors and 5xx).
    """

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        secure: bool = False,
        *,
        region: str = "us-east-1",
        timeout: float = 5.0,
        retries: int = 1,
    ) -> None:
        import urllib3
        from minio import Minio

        if "://" in endpoint:
            raise ValueError("endpoint is host:port without a scheme; use secure=True for HTTPS")
        self.endpoint = endpoint
        self._bucket = check_bucket(bucket)
        self._bucket_ready = False
        self._lock = threading.Lock()
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=min(timeout, 2.0), read=timeout),
            maxsize=10,
            retries=urllib3.Retry(
                total=retries,
                connect=retries,
                read=0,
                backoff_factor=0.1,
                backoff_max=1.0,
                status_forcelist=[500, 502, 503, 504],
                allowed_methods=None,
                raise_on_status=True,
            ),
        )
        self._client: Minio = Minio(
            endpoint,
            access_key=access_key,
            secret_key=secret_key,
            secure=secure,
            region=region,
            http_client=http,
        )

    def __repr__(self) -> str:
        return f"S3ObjectStore(endpoint={self.endpoint!r}, bucket={self._bucket!r})"

    @property
    def bucket(self) -> str:
        """The bucket that :meth:`put` writes to."""
        return self._bucket

    def _raise(self, exc: Exception, what: str) -> NoReturn:
        """Re-raise a client error as an idstream error (messages name the ref, not data)."""
        from minio.error import InvalidResponseError, S3Error, ServerError

        if isinstance(exc, S3Error):
            code = exc.code or ""
            status = getattr(exc.response, "status", 0) or 0
            if code in _NOT_FOUND_CODES or status == 404:
                raise NotFound(f"{what}: not found ({code or status})") from exc
            if code in _AUTH_CODES or status in (401, 403):
                raise ConfigurationError(
                    f"{what}: the object store rejected the credentials ({code})"
                ) from exc
            if status >= 500:
                raise StoreUnavailable(f"{what}: object store error {status} ({code})") from exc
            raise StoreUnavailable(f"{what}: object store refused the request ({code or status})") from exc
        if isinstance(exc, ServerError):
            raise StoreUnavailable(f"{what}: object store error {exc.status_code}") from exc
        if isinstance(exc, InvalidResponseError):
            raise StoreUnavailable(f"{what}: invalid response from the object store") from exc
        raise StoreUnavailable(
            f"{what}: object store unreachable at {self.endpoint} ({type(exc).__name__})"
        ) from exc

    @staticmethod
    def _client_errors() -> tuple[type[Exception], ...]:
        import urllib3
        from minio.error import MinioException

        return (MinioException, urllib3.exceptions.HTTPError, OSError)

    def ensure_bucket(self) -> None:
        """Create :attr:`bucket` if it does not exist (done once, before the first put).

        Raises:
            StoreUnavailable: If the store cannot be reached.
            ConfigurationError: If the credentials are rejected.
        """
        if self._bucket_ready:
            return
        with self._lock:
            if self._bucket_ready:
                return
            try:
                if not self._client.bucket_exists(self._bucket):
                    self._client.make_bucket(self._bucket)
            except self._client_errors() as exc:
                code = getattr(exc, "code", None)
                if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    self._raise(exc, f"bucket {self._bucket}")
            self._bucket_ready = True

    def ref_for(self, key: str) -> str:
        """Return the reference of ``key`` in :attr:`bucket`.

        Args:
            key: The object key.

        Returns:
            ``s3://<bucket>/<key>``.
        """
        return make_ref(self._bucket, key)

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Upload ``data`` to ``key`` in :attr:`bucket`, overwriting.

        Args:
            key: The object key.
            data: The bytes.
            content_type: The object's MIME type.

        Returns:
            The object's reference.

        Raises:
            InvalidMessage: If the key is invalid.
            StoreUnavailable: If the store cannot be reached or fails.
        """
        ref = self.ref_for(key)
        self.ensure_bucket()
        try:
            self._client.put_object(self._bucket, key, io.BytesIO(data), len(data), content_type=content_type)
        except self._client_errors() as exc:
            self._raise(exc, f"put {ref}")
        return ref

    def get(self, ref: str) -> bytes:
        """Download the object ``ref``.

        Args:
            ref: ``s3://<bucket>/<key>``.

        Returns:
            The object's bytes.

        Raises:
            InvalidMessage: If ``ref`` is not a valid reference.
            NotFound: If the object (or its bucket) does not exist.
            StoreUnavailable: If the store cannot be reached or fails.
        """
        _, bucket, key = parse_ref(ref)
        response: Any = None
        try:
            response = self._client.get_object(bucket, key)
            data: bytes = response.read()
        except self._client_errors() as exc:
            self._raise(exc, f"get {ref}")
        finally:
            if response is not None:
                response.close()
                response.release_conn()
        return data

    def exists(self, ref: str) -> bool:
        """Tell whether the object ``ref`` exists.

        Args:
            ref: ``s3://<bucket>/<key>``.

        Returns:
            True if it exists.

        Raises:
            StoreUnavailable: If the store cannot be reached or fails.
        """
        _, bucket, key = parse_ref(ref)
        try:
            self._client.stat_object(bucket, key)
        except self._client_errors() as exc:
            try:
                self._raise(exc, f"stat {ref}")
            except NotFound:
                return False
        return True

    def delete(self, ref: str) -> None:
        """Delete the object ``ref``; a missing object (or bucket) is not an error.

        Args:
            ref: ``s3://<bucket>/<key>``.

        Raises:
            StoreUnavailable: If the store cannot be reached or fails.
        """
        _, bucket, key = parse_ref(ref)
        try:
            self._client.remove_object(bucket, key)
        except self._client_errors() as exc:
            try:
                self._raise(exc, f"delete {ref}")
            except NotFound:
                return
