"""Evaluate Kafka transactions and faust-streaming's exactly-once mode on the real broker.

    .venv/bin/python scripts/evaluate_exactly_once.py

Starts its own Kafka broker (the project's, from ``make system``) in a temporary
directory and runs two experiments; docs/reliability.md records what they showed.

1. aiokafka transactions: consume 5 messages, then in one transaction produce 3
   outputs and commit the input offsets (``send_offsets_to_transaction``), and abort a
   second transaction with 2 outputs. A ``read_committed`` reader must see 3 outputs
   and the group's offset must be 3.
2. faust ``processing_guarantee="exactly_once"``: an agent copies ``in`` to ``out``
   (0.7 s per message); 20 messages; the worker gets kill -9 mid-stream and is
   restarted. Then: how many copies does a ``read_committed`` reader see, and are the
   agent's output batches transactional (Kafka's ``DumpLogSegments``)?

Takes about 3 minutes (the restarted worker waits for the killed member's session
to time out before it gets the partition back).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src")]

N_MESSAGES = 20


def _worker(bootstrap: str, app_id: str, datadir: str) -> None:
    """The faust worker of experiment 2 (run in a child process)."""
    import faust

    app = faust.App(
        app_id,
        broker=f"kafka://{bootstrap}",
        processing_guarantee="exactly_once",
        value_serializer="raw",
        key_serializer="raw",
        web_enabled=False,
        datadir=datadir,
        topic_partitions=1,
        topic_allow_declare=False,
        consumer_auto_offset_reset="earliest",
    )
    source = app.topic(f"{app_id}.in", value_type=bytes, key_type=bytes)
    out = app.topic(f"{app_id}.out", value_type=bytes, key_type=bytes)

    @app.agent(source)
    async def copy(stream):  # type: ignore[no-untyped-def]
        async for value in stream:
            await asyncio.sleep(0.7)  # a stage's work
            await out.send(key=value, value=value)

    faust.Worker(app, loglevel="warning").execute_from_commandline()


async def _read(bootstrap: str, topic: str, isolation: str) -> list[bytes]:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", isolation_level=isolation
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        while batch := await consumer.getmany(timeout_ms=2000):
            values += [record.value or b"" for records in batch.values() for record in records]
    finally:
        await consumer.stop()
    return values


async def _produce(bootstrap: str, topic: str, values: list[bytes]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        for value in values:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()


async def aiokafka_transactions(bootstrap: str) -> None:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    await _produce(bootstrap, "tx.in", [f"m{i}".encode() for i in range(5)])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id="tx-eval", acks="all")
    consumer = AIOKafkaConsumer(
        "tx.in",
        bootstrap_servers=bootstrap,
        group_id="tx-group",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await producer.start()
    await consumer.start()
    try:
        batch = await consumer.getmany(timeout_ms=5000)
        records = [record for records in batch.values() for record in records]
        async with producer.transaction():
            for record in records[:3]:
                await producer.send("tx.out", record.value)
            await producer.send_offsets_to_transaction(
                {TopicPartition("tx.in", 0): records[2].offset + 1}, "tx-group"
            )
        await producer.begin_transaction()
        for record in records[3:]:
            await producer.send("tx.out", record.value)
        await producer.abort_transaction()
    finally:
        await consumer.stop()
        await producer.stop()
    committed = await _read(bootstrap, "tx.out", "read_committed")
    uncommitted = await _read(bootstrap, "tx.out", "read_uncommitted")
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets("tx-group")
    finally:
        await admin.close()
    offset = offsets[TopicPartition("tx.in", 0)].offset
    ok = len(committed) == 3 and len(uncommitted) == 5 and offset == 3
    print(
        f"1. aiokafka transactions: read_committed sees {len(committed)} of 5 outputs, read_uncommitted "
        f"{len(uncommitted)}; group offset {offset} -> {'WORKS' if ok else 'DOES NOT WORK'}"
    )


def faust_exactly_once(bootstrap: str, log_dir: Path, work: Path) -> None:
    app_id = "eos-eval"
    env = dict(os.environ, PYTHONPATH=f"{ROOT / 'src'}:{ROOT}")
    argv = [sys.executable, __file__, "--worker", bootstrap, app_id, str(work / "faust")]
    log = open(work / "worker.log", "ab")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    asyncio.run(_produce(bootstrap, f"{app_id}.in", [f"m{i:03d}".encode() for i in range(N_MESSAGES)]))
    time.sleep(12)  # the worker joins and copies a few messages
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()
    before_kill = len(asyncio.run(_read(bootstrap, f"{app_id}.out", "read_uncommitted")))
    worker = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        values = asyncio.run(_read(bootstrap, f"{app_id}.out", "read_committed"))
        if len(set(values)) >= N_MESSAGES:
            break
        time.sleep(5)
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    log.close()
    committed = Counter(asyncio.run(_read(bootstrap, f"{app_id}.out", "read_committed")))
    duplicated = sorted(v.decode() for v, n in committed.items() if n > 1)
    dump = subprocess.run(
        [
            "java",
            "-cp",
            str(ROOT / ".cache" / "kafka" / "libs" / "*"),
            "kafka.tools.DumpLogSegments",
            "--files",
            str(log_dir / f"{app_id}.out-0" / "00000000000000000000.log"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    transactional = Counter(
        line.split("isTransactional: ")[1].split()[0]
        for line in dump.splitlines()
        if "isTransactional" in line
    )
    print(
        f"2. faust exactly_once, kill -9 after {before_kill} outputs, restart: read_committed sees "
        f"{sum(committed.values())} outputs for {len(committed)} of {N_MESSAGES} inputs, "
        f"duplicated: {duplicated}; output batches by isTransactional: {dict(transactional)}"
    )


def main() -> None:
    from idstream.devstack.kafka import KafkaBroker, ensure_topics
    from idstream.devstack.paths import kafka_libs_dir
    from idstream.devstack.ports import free_port

    with tempfile.TemporaryDirectory(prefix="eos-eval-") as tmp:
        work = Path(tmp)
        broker = KafkaBroker(
            work / "home",
            free_port(),
            free_port(),
            work / "data",
            libs_dir=kafka_libs_dir(),
            name="kafka-eos-eval",
            run_dir=work / "run",
        )
        broker.start()
        try:
            broker.wait_ready(timeout=120)
            ensure_topics(broker.bootstrap, ["tx.in", "tx.out", "eos-eval.in", "eos-eval.out"], 1)
            asyncio.run(aiokafka_transactions(broker.bootstrap))
            faust_exactly_once(broker.bootstrap, broker.log_dir, work)
        finally:
            broker.stop()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        _worker(*sys.argv[2:5])
    else:
        main()
