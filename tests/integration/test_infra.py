"""The real broker and object store: topics, produce/consume, put/get, failures."""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import pytest

from idstream.devstack.kafka import KafkaBroker, ensure_topics, probe_metadata
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.devstack.ports import free_port
from idstream.errors import ConfigurationError, InvalidMessage, NotFound, StoreUnavailable
from idstream.store import open_store
from idstream.store.s3 import S3ObjectStore

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


def test_broker_answers_metadata(kafka_broker: KafkaBroker) -> None:
    brokers, controller_id = probe_metadata("127.0.0.1", kafka_broker.port)
    assert brokers == [(1, "127.0.0.1", kafka_broker.port)]
    assert controller_id == 1


def test_broker_start_is_idempotent(kafka_broker: KafkaBroker) -> None:
    pid = kafka_broker.start().pid
    assert kafka_broker.is_running()
    assert kafka_broker.start().pid == pid


def test_ensure_topics_creates_missing_only(kafka_broker: KafkaBroker) -> None:
    names = [f"t-{secrets.token_hex(4)}", f"t-{secrets.token_hex(4)}"]
    assert sorted(ensure_topics(kafka_broker.bootstrap, names, partitions=3)) == sorted(names)
    assert ensure_topics(kafka_broker.bootstrap, names, partitions=3) == []


def test_produce_and_consume(kafka_broker: KafkaBroker) -> None:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    topic = f"roundtrip-{secrets.token_hex(4)}"
    ensure_topics(kafka_broker.bootstrap, [topic], partitions=2)

    async def roundtrip() -> tuple[set[int], list[tuple[bytes | None, bytes | None]]]:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap, acks="all")
        await producer.start()
        try:
            for i in range(3):
                await producer.send_and_wait(topic, value=b"s3://docs/%d/input.jpg" % i, key=b"doc-%d" % i)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=kafka_broker.bootstrap,
            group_id=f"g-{secrets.token_hex(4)}",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            partitions = consumer.partitions_for_topic(topic) or set()
            got: list[tuple[bytes | None, bytes | None]] = []
            async with asyncio.timeout(60):
                while len(got) < 3:
                    batch = await consumer.getmany(timeout_ms=1000)
                    for records in batch.values():
                        got.extend((r.key, r.value) for r in records)
            await consumer.commit()
        finally:
            await consumer.stop()
        return partitions, got

    partitions, got = asyncio.run(roundtrip())
    assert partitions == {0, 1}
    assert sorted(got) == [(b"doc-%d" % i, b"s3://docs/%d/input.jpg" % i) for i in range(3)]


def test_unknown_topics_are_not_auto_created(kafka_broker: KafkaBroker) -> None:
    from aiokafka import AIOKafkaProducer
    from aiokafka.errors import UnknownTopicOrPartitionError

    async def send() -> None:
        producer = AIOKafkaProducer(bootstrap_servers=kafka_broker.bootstrap, request_timeout_ms=1500)
        await producer.start()
        try:
            await producer.send_and_wait(f"typo-{secrets.token_hex(4)}", b"x")
        finally:
            await producer.stop()

    with pytest.raises(UnknownTopicOrPartitionError):
        asyncio.run(send())


def test_s3_put_get_exists_delete(s3_store: S3ObjectStore) -> None:
    ref = s3_store.put("doc-1/input.jpg", b"\xff\xd8\xff fake jpeg", "image/jpeg")
    assert ref == f"s3://{s3_store.bucket}/doc-1/input.jpg"
    assert s3_store.exists(ref)
    assert s3_store.get(ref) == b"\xff\xd8\xff fake jpeg"
    s3_store.put("doc-1/input.jpg", b"v2")
    assert s3_store.get(ref) == b"v2"
    s3_store.delete(ref)
    assert not s3_store.exists(ref)
    s3_store.delete(ref)  # deleting a missing object is not an error


def test_s3_large_object(s3_store: S3ObjectStore) -> None:
    data = secrets.token_bytes(3 * 1024 * 1024)
    ref = s3_store.put("big.bin", data)
    assert s3_store.get(ref) == data


def test_s3_missing_object_and_bucket(s3_store: S3ObjectStore) -> None:
    s3_store.ensure_bucket()
    with pytest.raises(NotFound):
        s3_store.get(s3_store.ref_for("missing.jpg"))
    assert not s3_store.exists(s3_store.ref_for("missing.jpg"))
    with pytest.raises(NotFound):
        s3_store.get("s3://no-such-bucket-xyz/a.jpg")
    assert not s3_store.exists("s3://no-such-bucket-xyz/a.jpg")


def test_s3_rejects_bad_refs_and_keys(s3_store: S3ObjectStore) -> None:
    with pytest.raises(InvalidMessage):
        s3_store.get(f"s3://{s3_store.bucket}/../etc/passwd")
    with pytest.raises(InvalidMessage):
        s3_store.put("../escape", b"x")


def test_s3_wrong_credentials(object_store_server: ObjectStoreServer) -> None:
    store = S3ObjectStore(object_store_server.endpoint, "idstream-test", "wrong-secret-123", bucket="denied")
    with pytest.raises(ConfigurationError):
        store.put("k", b"v")


def test_open_store_url_against_server(object_store_server: ObjectStoreServer) -> None:
    bucket = f"url-{secrets.token_hex(4)}"
    store = open_store(
        f"http://{object_store_server.access_key}:{object_store_server.secret_key}"
        f"@{object_store_server.endpoint}/{bucket}"
    )
    ref = store.put("x.json", b"{}", "application/json")
    assert store.get(ref) == b"{}"


def test_stopped_store_raises_store_unavailable_quickly(tmp_path: Path, versitygw_binary: Path) -> None:
    server = ObjectStoreServer(
        tmp_path / "data",
        free_port(),
        "idstream-test",
        "secret-key-123",
        binary=versitygw_binary,
        name="objectstore-stop",
        run_dir=tmp_path / "run",
    )
    server.start()
    try:
        server.wait_ready(timeout=30.0)
        store = S3ObjectStore(server.endpoint, server.access_key, server.secret_key, bucket="alive")
        ref = store.put("k", b"v")
        assert store.get(ref) == b"v"
    finally:
        assert server.stop()
    for call in (lambda: store.get(ref), lambda: store.put("k2", b"v"), lambda: store.exists(ref)):
        started = time.monotonic()
        with pytest.raises(StoreUnavailable):
            call()
        assert time.monotonic() - started < 5.0


def test_unreachable_store_fails_fast() -> None:
    store = S3ObjectStore(f"127.0.0.1:{free_port()}", "access", "secret-key-123", bucket="nobody")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.put("k", b"v")
    assert time.monotonic() - started < 5.0
