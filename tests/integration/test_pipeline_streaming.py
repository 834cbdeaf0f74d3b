"""The whole streaming pipeline on the real broker and object store.

`idstream up` starts Kafka, versitygw, the four services and the gateway; 20
generated documents go in through `idstream submit`, 3 more through gRPC, and a
corrupt image as well. Exactly one result per document must come out on the
results topic, the corrupt image must end on the dead-letter topic with a
reason, and every service's /metrics must show its counters moving.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from idstream.devstack.ports import free_port
from idstream.stack import SERVICES

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


def _cli(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "idstream.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def infra_installed() -> None:
    for path in (ROOT / ".cache" / "kafka" / "libs", ROOT / ".cache" / "bin" / "versitygw"):
        if not path.exists():
            pytest.fail(f"{path} missing: run `make system`", pytrace=False)


@pytest.fixture(scope="module")
def stack_env(tmp_path_factory: pytest.TempPathFactory, infra_installed: None) -> Iterator[dict[str, str]]:
    run_dir = tmp_path_factory.mktemp("stack")
    env = dict(os.environ)
    env.update(
        {
            "IDSTREAM_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
            "IDSTREAM_KAFKA_CONTROLLER_PORT": str(free_port()),
            "IDSTREAM_S3_ENDPOINT": f"127.0.0.1:{free_port()}",
            "IDSTREAM_GRPC_PORT": str(free_port()),
            "IDSTREAM_RUN_DIR": str(run_dir),
            "IDSTREAM_DB_URL": f"sqlite:///{run_dir}/results.db",
            "IDSTREAM_TOPIC_PREFIX": "itest",
            "IDSTREAM_PARTITIONS": "2",
            "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}",
        }
    )
    up = _cli(env, "up", "--timeout", "300", timeout=400)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        yield env
    finally:
        down = _cli(env, "down", timeout=120)
        assert down.returncode == 0, down.stderr


@pytest.fixture(scope="module")
def documents(generate_scans: Callable[[int, int], list[Path]]) -> list[Path]:
    images = generate_scans(23, 4242)
    assert len(images) == 23
    return images


def _metrics(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as resp:
        return str(resp.read().decode())


def _sample(text: str, name: str, stage: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and f'stage="{stage}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def test_every_document_gives_exactly_one_result(
    stack_env: dict[str, str], documents: list[Path], tmp_path: Path
) -> None:
    import grpc

    from idstream.v1 import gateway_pb2, gateway_pb2_grpc

    corrupt = tmp_path / "corrupt.jpg"
    corrupt.write_bytes(documents[0].read_bytes()[:2000])  # a truncated JPEG

    submitted = _cli(stack_env, "submit", *map(str, documents[:20]), str(corrupt))
    assert submitted.returncode == 0, submitted.stderr
    lines = [json.loads(line) for line in submitted.stdout.splitlines()]
    ids = [line["document_id"] for line in lines]
    corrupt_id = ids[-1]
    ids = ids[:-1]

    channel = grpc.insecure_channel(f"127.0.0.1:{stack_env['IDSTREAM_GRPC_PORT']}")
    stub = gateway_pb2_grpc.GatewayStub(channel)
    for path in documents[20:]:
        reply = stub.Submit(gateway_pb2.SubmitRequest(image=path.read_bytes(), content_type="image/jpeg"))
        ids.append(reply.document_id)
    assert len(set(ids)) == 23

    results = _cli(stack_env, "results", "--count", "23", "--timeout", "600", timeout=700)
    assert results.returncode == 0, results.stderr
    out = [json.loads(line) for line in results.stdout.splitlines()]
    assert sorted(r["document_id"] for r in out) == sorted(ids)  # exactly one each, none missing
    for result in out:
        assert set(result) >= {
            "document_id",
            "document_type",
            "fields",
            "mrz",
            "checks",
            "quality",
            "review",
            "timings_ms",
            "model_version",
        }
        assert result["review"]["status"] in ("auto_approved", "to_review")
        assert {"preprocess", "ocr", "graph_ie", "sink"} <= set(result["timings_ms"])

    # a result over gRPC equals the one on the topic
    grpc_result = stub.GetResult(gateway_pb2.GetResultRequest(document_id=ids[-1], wait_seconds=30))
    assert grpc_result.ready
    topic_result = next(r for r in out if r["document_id"] == ids[-1])
    assert json.loads(grpc_result.result_json) == topic_result

    dlq = _cli(stack_env, "results", "--dlq", "--count", "1", "--timeout", "60")
    assert dlq.returncode == 0, dlq.stderr
    letters = [json.loads(line) for line in dlq.stdout.splitlines()]
    assert letters[0]["document_id"] == corrupt_id
    assert letters[0]["stage"] == "preprocess"
    assert "truncated" in letters[0]["reason"].lower() or "image" in letters[0]["reason"].lower()

    ports = {s.name: s.metrics_port for s in SERVICES}
    for stage in ("preprocess", "ocr", "graph_ie", "sink"):
        text = _metrics(ports[stage])
        processed = _sample(text, "idstream_documents_processed_total", stage)
        assert processed >= 23, (stage, processed)
        assert _sample(text, "idstream_stage_latency_seconds_count", stage) >= 23
    assert _sample(_metrics(ports["preprocess"]), "idstream_dead_letters_total", "preprocess") == 1
