"""Session fixtures for the integration tests: a real Kafka broker and a real S3 store.

The broker (Kafka 4.x, KRaft, single node) and the object store (versitygw,
posix backend) are installed by ``make system`` (``scripts/install-system.sh``,
which ``make test`` runs first); the fixtures fail with that advice when they are
missing. Each runs on free ports on 127.0.0.1 with its data in a temporary
directory, and is stopped at the end of the session.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from idstream.devstack.kafka import KafkaBroker
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.devstack.paths import kafka_libs_dir, versitygw_binary
from idstream.devstack.ports import free_port
from idstream.store.s3 import S3ObjectStore

KAFKA_LIBS = kafka_libs_dir()
VERSITYGW = versitygw_binary()


def _require(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(
            f"{what} not found at {path}: run `make system` (scripts/install-system.sh)", pytrace=False
        )


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaBroker]:
    """A running single-node Kafka broker; ``.bootstrap`` is ``"127.0.0.1:PORT"``."""
    _require(
        next(KAFKA_LIBS.glob("kafka_2.13-*.jar"), KAFKA_LIBS / "kafka_2.13-4.x.jar"), "Kafka broker jars"
    )
    if shutil.which("java") is None:
        pytest.fail("java (17+) not found: run `make system`", pytrace=False)
    base = tmp_path_factory.mktemp("kafka")
    broker = KafkaBroker(
        base / "home",
        free_port(),
        free_port(),
        base / "data",
        libs_dir=KAFKA_LIBS,
        num_partitions=1,
        name="kafka-test",
        run_dir=base / "run",
    )
    started = time.monotonic()
    broker.start()
    try:
        broker.wait_ready(timeout=90.0)
        if os.environ.get("IDSTREAM_TIMINGS"):
            print(f"\nkafka broker ready in {time.monotonic() - started:.2f}s")
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def versitygw_binary() -> Path:
    """The versitygw executable (fails the test with advice if it is not installed)."""
    _require(VERSITYGW, "versitygw")
    return VERSITYGW


@pytest.fixture(scope="session")
def object_store_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ObjectStoreServer]:
    """A running versitygw; ``.endpoint``, ``.access_key``, ``.secret_key`` to connect."""
    _require(VERSITYGW, "versitygw")
    base = tmp_path_factory.mktemp("objectstore")
    server = ObjectStoreServer(
        base / "data",
        free_port(),
        "idstream-test",
        secrets.token_hex(16),
        binary=VERSITYGW,
        name="objectstore-test",
        run_dir=base / "run",
    )
    started = time.monotonic()
    server.start()
    try:
        server.wait_ready(timeout=30.0)
        if os.environ.get("IDSTREAM_TIMINGS"):
            print(f"\nobject store ready in {time.monotonic() - started:.2f}s")
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_store(object_store_server: ObjectStoreServer) -> S3ObjectStore:
    """An :class:`S3ObjectStore` on a fresh bucket of the session's object store."""
    return S3ObjectStore(
        object_store_server.endpoint,
        object_store_server.access_key,
        object_store_server.secret_key,
        bucket=f"test-{secrets.token_hex(6)}",
    )
