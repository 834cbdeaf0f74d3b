"""Bad input through the real broker: the preprocess service dead-letters each one within a second.

Kafka and versitygw from :class:`idstream.stack.LocalStack` (no other service), the
preprocess service as its own process. 20 bad images (from the hostile corpus) are
uploaded and announced on the ingest topic, plus 5 malformed messages; each must
come out on the dead-letter topic once, with a reason, ``failed_at`` less than a
second after the message was submitted, and the service must still be running.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hostile_corpus import build_corpus

from idstream.devstack import processes
from idstream.devstack.ports import free_port
from idstream.settings import Settings
from idstream.stack import LocalStack
from idstream.store.s3 import S3ObjectStore
from idstream.streaming.client import consume_results, publish_ingest
from idstream.topics import Topics
from idstream.v1 import pipeline_pb2

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LocalStack, int]]:
    for path in (ROOT / ".cache" / "kafka" / "libs", ROOT / ".cache" / "bin" / "versitygw"):
        if not path.exists():
            pytest.fail(f"{path} missing: run `make system`", pytrace=False)
    run_dir = tmp_path_factory.mktemp("hostile-stack")
    settings = Settings(
        kafka_bootstrap=f"127.0.0.1:{free_port()}",
        kafka_controller_port=free_port(),
        s3_endpoint=f"127.0.0.1:{free_port()}",
        run_dir=str(run_dir),
        db_url=f"sqlite:///{run_dir}/results.db",
        topic_prefix="hostile",
        partitions=1,
    )
    metrics_port = free_port()
    local = LocalStack(settings, metrics_ports={"preprocess": metrics_port})
    try:
        local.up(services=False, timeout=120)
        local.start_service("preprocess")
        deadline = time.monotonic() + 120
        while not _ready(metrics_port):
            assert processes.is_running("preprocess", local.run_dir), processes.tail_log(
                "preprocess", local.run_dir
            )
            assert time.monotonic() < deadline, "preprocess service not ready"
            time.sleep(0.5)
        yield local, metrics_port
    finally:
        local.down()


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1.0) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False


@pytest.mark.timeout(400)
def test_bad_ingest_messages_reach_the_dlq_within_a_second(stack: tuple[LocalStack, int]) -> None:
    local, metrics_port = stack
    settings = local.settings
    store = S3ObjectStore(
        settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket
    )
    bad = [c for c in build_corpus() if c.expect == "reject"][::13][:20]
    assert len(bad) == 20
    messages: list[tuple[str, bytes]] = []
    for i, case in enumerate(bad):
        doc_id = f"bad-{i:02d}"
        ref = store.put(f"ingest/{doc_id}", case.data)
        msg = pipeline_pb2.IngestRequest(document_id=doc_id, image_ref=ref, content_type="image/jpeg")
        msg.submitted_at.FromDatetime(datetime.now(UTC))
        messages.append((doc_id, msg.SerializeToString()))
    garbage = [b"\x0f", b"\xff" * 64, b"\x0a\xff\xff\xff\x0f", b"\x0b" * 5000, b"not protobuf at all"]
    messages += [(f"garbage-{i}", value) for i, value in enumerate(garbage)]
    sent_at = datetime.now(UTC)
    asyncio.run(publish_ingest(settings, messages))

    async def collect() -> list[pipeline_pb2.DeadLetter]:
        dlq = Topics(settings.topic_prefix).dlq
        return [
            pipeline_pb2.DeadLetter.FromString(value)
            async for _, value in consume_results(settings, count=len(messages), timeout=60, topic=dlq)
        ]

    letters = asyncio.run(collect())
    assert len(letters) == len(messages)
    by_id = {letter.document_id: letter for letter in letters if letter.document_id}
    assert sorted(by_id) == [f"bad-{i:02d}" for i in range(20)]
    assert sum(1 for letter in letters if not letter.document_id) == len(garbage)
    delays = []
    for letter in letters:
        assert letter.stage == "preprocess" and letter.reason and "\n" not in letter.reason
        assert letter.error_type in {"UnreadableImage", "EmptyImage", "ImageTooLarge", "InvalidMessage"}
        assert letter.attempts == 1
        delays.append((letter.failed_at.ToDatetime(tzinfo=UTC) - sent_at).total_seconds())
    print(f"dead letters after publishing: median {statistics.median(delays):.3f} s, max {max(delays):.3f} s")
    assert max(delays) < 1.0
    assert processes.is_running("preprocess", local.run_dir) and _ready(metrics_port)
