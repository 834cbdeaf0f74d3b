"""Client-side encryption at rest of stored objects (AES-256-GCM, rotating keys).

The local object store of the development stack (versitygw, posix backend) has no
server-side encryption, so idstream encrypts objects itself before they leave the
process: :class:`EncryptedObjectStore` wraps any
:class:`~idstream.store.base.ObjectStore`. The keys come from a Secret, in the
setting ``IDSTREAM_STORE_KEY``: ``KEYID:BASE64[,KEYID:BASE64...]``, each a 32-byte
key; the first one encrypts, all of them decrypt (to rotate, put the new key first
and keep the old ones until no object uses them).

An encrypted object is ``b"IDSE1" | len(key id) | key id | nonce (12) | ciphertext+tag``.
The object's reference is authenticated with it (associated data), so an
encrypted object copied under another key does not decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from idstream.errors import ConfigurationError, InvalidMessage
from idstream.store.base import ObjectStore

__all__ = ["MAGIC", "EncryptedObjectStore", "KeyRing", "generate_key_spec", "parse_key_spec", "wrap_store"]

MAGIC = b"IDSE1"
_NONCE = 12
_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class KeyRing:
    """The encryption keys by id; :attr:`current` encrypts new objects."""

    current: str
    keys: dict[str, bytes]

    def __repr__(self) -> str:  # never print key material
        return f"KeyRing(current={self.current!r}, ids={sorted(self.keys)!r})"


def parse_key_spec(spec: str) -> KeyRing:
    """Parse ``KEYID:BASE64[,KEYID:BASE64...]`` (the first key encrypts).

    Args:
        spec: the value of ``IDSTREAM_STORE_KEY``.

    Returns:
        The key ring.

    Raises:
        ConfigurationError: empty, malformed, duplicate ids, or a key that is not 32 bytes
            (messages never contain key material).
    """
    keys: dict[str, bytes] = {}
    order: list[str] = []
    for i, item in enumerate(part.strip() for part in spec.split(",")):
        key_id, sep, encoded = item.partition(":")
        if not sep or not key_id or len(key_id) > 64 or not key_id.isascii():
            raise ConfigurationError(f"IDSTREAM_STORE_KEY entry {i + 1}: expected KEYID:BASE64")
        try:
            key = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ConfigurationError(f"IDSTREAM_STORE_KEY key {key_id!r}: not base64") from exc
        if len(key) != _KEY_BYTES:
            raise ConfigurationError(f"IDSTREAM_STORE_KEY key {key_id!r}: {len(key)} bytes, expected 32")
        if key_id in keys:
            raise ConfigurationError(f"IDSTREAM_STORE_KEY key {key_id!r} given twice")
        keys[key_id] = key
        order.append(key_id)
    if not order:
        raise ConfigurationError("IDSTREAM_STORE_KEY is empty")
    return KeyRing(current=order[0], keys=keys)


def generate_key_spec(key_id: str = "k1") -> str:
    """A new random key in the ``KEYID:BASE64`` form (for a Secret)."""
    return f"{key_id}:{base64.b64encode(os.urandom(_KEY_BYTES)).decode()}"


class EncryptedObjectStore:
    """An object store that encrypts on :meth:`put` and decrypts on :meth:`get`.

    Args:
        inner: the store that holds the encrypted bytes.
        keys: the key ring (see :func:`parse_key_spec`).
        allow_plaintext: return objects without the encryption header as they are
            (for objects written before encryption was turned on); off by default.
    """

    def __init__(self, inner: ObjectStore, keys: KeyRing, *, allow_plaintext: bool = False) -> None:
        self.inner = inner
        self._keys = keys
        self.allow_plaintext = allow_plaintext

    def __repr__(self) -> str:
        return f"EncryptedObjectStore({self.inner!r}, key={self._keys.current!r})"

    @property
    def bucket(self) -> str:
        """The bucket that :meth:`put` writes to."""
        return self.inner.bucket

    def ref_for(self, key: str) -> str:
        """Return the reference that :meth:`put` gives for ``key``."""
        return self.inner.ref_for(key)

    def encrypt(self, ref: str, data: bytes) -> bytes:
        """Encrypt ``data`` for the object ``ref`` with the current key."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        key_id = self._keys.current.encode("ascii")
        header = MAGIC + bytes([len(key_id)]) + key_id
        nonce = os.urandom(_NONCE)
        sealed = AESGCM(self._keys.keys[self._keys.current]).encrypt(nonce, data, header + ref.encode())
        return header + nonce + sealed

    def decrypt(self, ref: str, blob: bytes) -> bytes:
        """Decrypt the stored bytes of the object ``ref``.

        Raises:
            InvalidMessage: the object is not encrypted (and plaintext is not allowed), is
                truncated, or fails authentication (tampered, or stored under another reference).
            ConfigurationError: it was encrypted with a key id that is not configured.
        """
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        if not blob.startswith(MAGIC):
            if self.allow_plaintext:
                return blob
            raise InvalidMessage(f"object {ref} is not encrypted")
        pos = len(MAGIC)
        if len(blob) <= pos:
            raise InvalidMessage(f"object {ref} has a truncated encryption header")
        id_len = blob[pos]
        key_id = blob[pos + 1 : pos + 1 + id_len].decode("ascii", errors="replace")
        start = pos + 1 + id_len
        if len(blob) < start + _NONCE + 16:
            raise InvalidMessage(f"object {ref} has a truncated encryption header")
        key = self._keys.keys.get(key_id)
        if key is None:
            raise ConfigurationError(
                f"object {ref} is encrypted with key {key_id[:64]!r}, which is not configured"
            )
        header = blob[:start]
        nonce = blob[start : start + _NONCE]
        try:
            return AESGCM(key).decrypt(nonce, blob[start + _NONCE :], header + ref.encode())
        except InvalidTag as exc:
            raise InvalidMessage(f"object {ref} failed authentication (tampered or moved)") from exc

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> str:
        """Encrypt ``data`` and store it under ``key``; returns the reference."""
        ref = self.inner.ref_for(key)
        return self.inner.put(key, self.encrypt(ref, data), "application/octet-stream")

    def get(self, ref: str) -> bytes:
        """Fetch and decrypt the object ``ref`` (see :meth:`decrypt` for the errors)."""
        return self.decrypt(ref, self.inner.get(ref))

    def exists(self, ref: str) -> bool:
        """Tell whether the object ``ref`` exists."""
        return self.inner.exists(ref)

    def delete(self, ref: str) -> None:
        """Delete the object ``ref`` (missing is not an error)."""
        self.inner.delete(ref)


def wrap_store(store: ObjectStore, store_key: str) -> ObjectStore:
    """``store`` wrapped in an :class:`EncryptedObjectStore` when ``store_key`` is set.

    Args:
        store: the object store.
        store_key: the setting ``IDSTREAM_STORE_KEY`` (empty: no encryption).
    """
    if not store_key:
        return store
    return EncryptedObjectStore(store, parse_key_spec(store_key))
