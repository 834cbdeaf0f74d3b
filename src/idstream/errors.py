"""The one exception hierarchy of idstream.

Two families matter to the pipeline:

* :class:`InvalidInput`: the input itself cannot be processed (not an image, a
  decompression bomb, a malformed message). Retrying cannot help; the streaming
  services send it to the dead-letter topic with :attr:`IdstreamError.reason`,
  the CLI prints that reason on one line and exits with code 2.
* :class:`TransientError`: something outside the input failed (object store or
  broker unavailable). The services retry with backoff.

Errors of third-party libraries are re-raised at the boundary as one of these
with ``raise ... from exc``. Messages never contain personal data: they name the
file or document id and the kind of problem, not field values.
"""

from __future__ import annotations

__all__ = [
    "BrokerUnavailable",
    "ConfigurationError",
    "EmptyImage",
    "IdstreamError",
    "ImageTooLarge",
    "InvalidInput",
    "InvalidMessage",
    "ModelError",
    "NotFound",
    "StoreUnavailable",
    "TransientError",
    "UnreadableImage",
]


class IdstreamError(Exception):
    """Base of every error idstream raises on purpose."""

    @property
    def reason(self) -> str:
        """A one-line, human-readable reason, free of personal data."""
        text = str(self) or type(self).__name__
        return " ".join(text.split())


class InvalidInput(IdstreamError):
    """The input cannot be processed; retrying will not help (goes to the DLQ)."""


class UnreadableImage(InvalidInput):
    """The bytes are not a decodable image (wrong format, truncated, corrupt)."""


class EmptyImage(InvalidInput):
    """The input has no bytes, or the image has no pixels."""


class ImageTooLarge(InvalidInput):
    """The image claims more pixels than allowed (decompression bomb guard)."""


class InvalidMessage(InvalidInput):
    """A message on a topic could not be decoded or violates the contract."""


class NotFound(IdstreamError):
    """A referenced object, document or model does not exist."""


class TransientError(IdstreamError):
    """A failure outside the input; the operation may succeed when retried."""


class StoreUnavailable(TransientError):
    """The object store could not be reached or answered with a server error."""


class BrokerUnavailable(TransientError):
    """The Kafka broker could not be reached."""


class ConfigurationError(IdstreamError):
    """Settings are missing or inconsistent."""


class ModelError(IdstreamError):
    """A model file is missing, corrupt or does not match its checksum."""
