"""Typed settings, read from the environment (``IDSTREAM_*``).

Every service and CLI command reads its configuration through :func:`load_settings`;
the Kubernetes manifests set exactly these variables (a test checks that).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from idstream.errors import ConfigurationError

__all__ = ["ENV_PREFIX", "Settings", "load_settings"]

ENV_PREFIX = "IDSTREAM_"


@dataclass(frozen=True, slots=True)
class Settings:
    """Configuration of idstream processes.

    Attributes:
        kafka_bootstrap: Kafka bootstrap servers, ``host:port[,host:port]``.
        kafka_controller_port: KRaft controller port of the local broker of ``idstream up``
            (0: the client port + 1).
        topic_prefix: prefix of every topic name (``idstream`` → ``idstream.ingest`` ...).
        s3_endpoint: ``host:port`` of the S3-compatible object store.
        s3_access_key: access key of the object store.
        s3_secret_key: secret key of the object store.
        s3_bucket: bucket holding images.
        s3_secure: use TLS to reach the object store.
        metrics_port: port of the ``/metrics`` and readiness HTTP endpoint (0: the service's default).
        bind_host: address the metrics endpoint and the gRPC gateway listen on
            (``127.0.0.1`` on one machine; ``0.0.0.0`` in a pod).
        grpc_port: port of the gRPC gateway.
        db_url: SQLAlchemy URL of the results store.
        model_path: graph-IE model file (empty: the model shipped with the package).
        ocr_model_dir: directory of EasyOCR weights (empty: the offline package's).
        max_in_flight: documents a service works on at once.
        max_attempts: attempts before a message goes to the dead-letter topic.
        run_dir: pid files and logs of ``idstream up``.
        partitions: partitions per topic created by ``idstream up``.
        store_key: key(s) of the client-side encryption of stored objects, ``KEYID:BASE64[,...]``
            (32-byte AES keys, the first one encrypts; empty: objects stored as given). From a Secret.
        retention_days: images (originals and normalized) older than this are deleted by
            ``idstream purge`` (0: kept until erased).
        audit_log: append-only JSON-lines file where ``idstream erase`` and ``purge`` record what they did.
        grpc_tokens: bearer tokens the gRPC gateway accepts, comma-separated, each plain or
            ``sha256:HEX`` (empty: no authentication, and the gateway listens on 127.0.0.1 only).
        grpc_tls_cert: PEM certificate chain of the gateway (with ``grpc_tls_key``: TLS on).
        grpc_tls_key: PEM private key of the gateway.
    """

    kafka_bootstrap: str = "127.0.0.1:19092"
    kafka_controller_port: int = 0
    topic_prefix: str = "idstream"
    s3_endpoint: str = "127.0.0.1:19000"
    s3_access_key: str = "idstream"
    s3_secret_key: str = "idstream-secret"
    s3_bucket: str = "idstream"
    s3_secure: bool = False
    metrics_port: int = 0
    bind_host: str = "127.0.0.1"
    grpc_port: int = 50051
    db_url: str = "sqlite:///.run/results.db"
    model_path: str = ""
    ocr_model_dir: str = ""
    max_in_flight: int = 2
    max_attempts: int = 3
    run_dir: str = ".run"
    partitions: int = 4
    store_key: str = field(default="", repr=False)
    retention_days: int = 30
    audit_log: str = ".run/audit.jsonl"
    grpc_tokens: str = field(default="", repr=False)
    grpc_tls_cert: str = ""
    grpc_tls_key: str = ""

    @property
    def run_path(self) -> Path:
        return Path(self.run_dir)

    def env(self) -> dict[str, str]:
        """These settings as ``IDSTREAM_*`` environment variables."""
        out: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[ENV_PREFIX + f.name.upper()] = str(value).lower() if isinstance(value, bool) else str(value)
        return out


def load_settings(environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
    """Read settings from ``environ`` (default: the process environment).

    Raises:
        ConfigurationError: a variable has a value of the wrong type.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for f in fields(Settings):
        key = ENV_PREFIX + f.name.upper()
        if key not in env:
            continue
        raw = env[key]
        try:
            if f.type in ("int", int):
                values[f.name] = int(raw)
            elif f.type in ("bool", bool):
                if raw.lower() not in ("1", "0", "true", "false", "yes", "no"):
                    raise ValueError(raw)
                values[f.name] = raw.lower() in ("1", "true", "yes")
            else:
                values[f.name] = raw
        except ValueError as exc:
            raise ConfigurationError(f"{key} has an invalid value for {f.type}") from exc
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
