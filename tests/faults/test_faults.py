"""Fault test (`make test-faults`): nothing is lost, nothing is duplicated.

Streams 500 documents through the real stack (Kafka, versitygw, the four
services, SQLite results store). While they flow: kill -9 each service once,
restart the broker once, and make the object store unavailable for 10 s.
A supervisor restarts processes that are gone, as Kubernetes would. Afterwards
the results store must hold exactly one result per submitted document, and
every dead letter must carry a reason.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from idstream.devstack import processes
from idstream.devstack.ports import free_port
from idstream.settings import Settings, load_settings
from idstream.stack import SERVICES, LocalStack

pytestmark = [pytest.mark.integration, pytest.mark.faults]

ROOT = Path(__file__).resolve().parents[2]
N_DOCUMENTS = int(os.environ.get("IDSTREAM_FAULT_DOCUMENTS", "500"))
STAGES = ("preprocess", "ocr", "graph_ie", "sink")


class Supervisor(threading.Thread):
    """Restart any service whose process is gone (the kubelet's restartPolicy: Always)."""

    def __init__(self, stack: LocalStack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.stopped = threading.Event()
        self.paused = threading.Event()
        self.restarts: Counter[str] = Counter()

    def run(self) -> None:
        while not self.stopped.wait(1.0):
            if self.paused.is_set():
                continue
            for service in SERVICES:
                if not processes.is_running(service.name, self.stack.run_dir):
                    self.stack.start_service(service.name)
                    self.restarts[service.name] += 1


def _kill9(stack: LocalStack, name: str) -> None:
    pid = processes.read_pid(name, stack.run_dir)
    assert pid is not None, f"{name} is not running"
    os.killpg(pid, signal.SIGKILL)


def _inject_faults(stack: LocalStack, log: list[str]) -> None:
    """The fault schedule, spread over the run."""
    for stage in STAGES:
        time.sleep(8)
        _kill9(stack, stage)
        log.append(f"kill -9 {stage}")
    time.sleep(8)
    stack.broker.stop()
    log.append("broker stopped")
    time.sleep(3)
    stack.broker.start()
    stack.broker.wait_ready(timeout=120)
    log.append("broker restarted")
    time.sleep(8)
    stack.store.stop()
    log.append("object store stopped")
    time.sleep(10)
    stack.store.start()
    stack.store.wait_ready(timeout=30)
    log.append("object store restarted")


def _settings(run_dir: Path) -> Settings:
    return load_settings(
        {},
        kafka_bootstrap=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(),
        s3_endpoint=f"127.0.0.1:{free_port()}",
        grpc_port=free_port(),
        run_dir=str(run_dir),
        db_url=f"sqlite:///{run_dir}/results.db",
        topic_prefix="faults",
        partitions=4,
    )


def test_no_document_lost_or_duplicated_under_faults(tmp_path: Path) -> None:
    from idstream.store.s3 import S3ObjectStore
    from idstream.streaming.client import consume_results, ingest_message, publish_ingest

    images_dir = tmp_path / "images"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "idstream.cli",
            "synth",
            "--out",
            str(images_dir),
            "--n",
            "25",
            "--seed",
            "777",
            "--distort",
            "scan",
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    images = sorted(p.read_bytes() for p in images_dir.glob("*.jpg"))
    settings = _settings(tmp_path / "run")
    stack = LocalStack(settings, metrics_ports={s.name: free_port() for s in SERVICES})
    stack.up(timeout=300)
    supervisor = Supervisor(stack)
    supervisor.start()
    fault_log: list[str] = []
    try:
        store = S3ObjectStore(
            settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket
        )
        ids = [f"fault-{i:04d}" for i in range(N_DOCUMENTS)]
        refs = [
            store.put(f"ingest/{doc_id}", images[i % len(images)], "image/jpeg")
            for i, doc_id in enumerate(ids)
        ]
        faults = threading.Thread(target=_inject_faults, args=(stack, fault_log), daemon=True)
        faults.start()
        for start in range(0, N_DOCUMENTS, 50):  # a steady stream, not one burst
            batch = [
                (doc_id, ingest_message(doc_id, ref, "image/jpeg", "faults"))
                for doc_id, ref in zip(ids[start : start + 50], refs[start : start + 50], strict=True)
            ]
            for _attempt in range(30):  # the producer rides out the broker restart
                try:
                    asyncio.run(publish_ingest(settings, batch))
                    break
                except Exception:
                    time.sleep(2)
            else:
                pytest.fail("could not publish to the broker")
            time.sleep(2)
        faults.join(timeout=300)

        db_path = Path(settings.db_url.removeprefix("sqlite:///"))
        deadline = time.monotonic() + float(os.environ.get("IDSTREAM_FAULT_TIMEOUT", "1500"))
        stored: set[str] = set()
        while time.monotonic() < deadline:
            stored = set(_stored_ids(db_path))
            if len(stored & set(ids)) + len(_dead_letters(settings)) >= N_DOCUMENTS:
                break
            time.sleep(5)
        letters = _dead_letters(settings)
        on_topic = Counter(
            key for key, _value in _collect(consume_results(settings, count=None, timeout=20.0))
        )
    finally:
        supervisor.stopped.set()
        stack.down()

    lost = [d for d in ids if d not in stored]
    duplicated_in_store = len(_stored_ids(db_path)) - len(stored)
    print(
        f"\nfaults: {N_DOCUMENTS} submitted, {len(stored & set(ids))} results, {len(lost)} lost, "
        f"{duplicated_in_store} duplicated"
    )
    print(f"faults injected: {'; '.join(fault_log)}; supervisor restarts: {dict(supervisor.restarts)}")
    print(
        f"results topic: {sum(on_topic.values())} messages, {sum(1 for c in on_topic.values() if c > 1)} "
        f"documents published more than once; dead letters: {len(letters)}"
    )
    assert len(fault_log) == 8, fault_log
    assert all(reason for _doc, reason in letters), "a dead letter without a reason"
    assert not letters, f"valid documents ended on the DLQ: {letters[:5]}"
    assert lost == [], f"{len(lost)} lost, e.g. {lost[:5]}"
    assert duplicated_in_store == 0


def _stored_ids(db_path: Path) -> list[str]:
    """Document ids in the results store, one per row (read-only, beside the running sink)."""
    import sqlite3

    if not db_path.exists():
        return []
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10) as conn:
        try:
            return [row[0] for row in conn.execute("SELECT id FROM documents")]
        except sqlite3.OperationalError:  # the sink has not created its tables yet
            return []


def _collect(agen) -> list[tuple[str, bytes]]:  # type: ignore[no-untyped-def]
    async def run() -> list[tuple[str, bytes]]:
        return [item async for item in agen]

    return asyncio.run(run())


def _dead_letters(settings: Settings) -> list[tuple[str, str]]:
    from idstream import contracts
    from idstream.streaming.client import consume_results
    from idstream.topics import Topics
    from idstream.v1 import pipeline_pb2

    out = []
    items = _collect(
        consume_results(settings, count=None, timeout=3.0, topic=Topics(settings.topic_prefix).dlq)
    )
    for _key, value in items:
        letter = contracts.decode(pipeline_pb2.DeadLetter, value)
        out.append((letter.document_id, letter.reason))
    return out
