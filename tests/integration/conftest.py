"""Session fixtures for the integration tests: a real Kafka broker and a real S3 store.

The broker (Kafka 4.x, KRaft, single node) and the object store (versitygw,
posix backend) are installed by ``make system`` (``scripts/install-system.sh``,
which ``make test`` runs first); the fixtures fail with that advice when they are
missing. Each runs on free ports on 127.0.0.1 with its data in a temporary
directory, and is stopped at the end of the session.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from idstream.devstack.kafka import KafkaBroker, ensure_topics
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.devstack.paths import kafka_libs_dir, versitygw_binary
from idstream.devstack.ports import free_port
from idstream.settings import Settings, load_settings
from idstream.stack import LocalStack
from idstream.store.s3 import S3ObjectStore
from idstream.topics import STAGES, Topics

ROOT = Path(__file__).resolve().parents[2]
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


@dataclass
class StageServices:
    """Stage services (``python -m services.<stage>``) on the session's broker and store.

    Each runs as a child process in its own process group with its own metrics port
    and log file; :meth:`stop_all` (called by the fixture) stops whatever is left.
    """

    settings: Settings
    log_dir: Path
    ports: dict[str, int]
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, *names: str) -> None:
        """Start the named services that are not running."""
        stack = LocalStack(self.settings, metrics_ports=self.ports)
        for name in names:
            if name in self.procs and self.procs[name].poll() is None:
                continue
            env = dict(os.environ) | stack.service_env(name)
            with open(self.log_path(name), "ab") as log:
                self.procs[name] = subprocess.Popen(
                    [sys.executable, "-m", f"services.{name}"],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=env,
                    cwd=ROOT,
                    start_new_session=True,
                )

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def log_text(self, name: str) -> str:
        return self.log_path(name).read_text(errors="replace")

    def wait_ready(self, *names: str, timeout: float = 240.0) -> None:
        """Wait until each service answers ``/readyz`` (its model is loaded)."""
        deadline = time.monotonic() + timeout
        pending = set(names)
        while pending:
            for name in sorted(pending):
                if self.procs[name].poll() is not None:
                    pytest.fail(f"{name} exited during start-up:\n{self.log_text(name)[-3000:]}")
                try:
                    with urllib.request.urlopen(
                        f"http://127.0.0.1:{self.ports[name]}/readyz", timeout=2
                    ) as r:
                        if r.status == 200:
                            pending.discard(name)
                except OSError:
                    pass
            if pending and time.monotonic() > deadline:
                pytest.fail(f"not ready after {timeout:.0f} s: {sorted(pending)}")
            time.sleep(0.5)

    def metric(self, name: str, metric: str) -> float | None:
        """The sum of the samples of ``metric`` on the service's ``/metrics`` (None if it does not answer)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.ports[name]}/metrics", timeout=2) as resp:
                text = resp.read().decode()
        except OSError:
            return None
        return sum(
            float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(metric + "{")
        )

    def terminate(self, *names: str, timeout: float) -> dict[str, tuple[int | None, float]]:
        """SIGTERM the services at once; per service its exit status (None: still running after
        ``timeout`` seconds) and the seconds it took to exit."""
        started = time.monotonic()
        for name in names:
            self.procs[name].send_signal(signal.SIGTERM)
        out: dict[str, tuple[int | None, float]] = {}
        while len(out) < len(names) and time.monotonic() - started < timeout:
            for name in names:
                if name not in out and self.procs[name].poll() is not None:
                    out[name] = (self.procs[name].returncode, time.monotonic() - started)
            time.sleep(0.05)
        for name in names:
            out.setdefault(name, (None, time.monotonic() - started))
        return out

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)


@pytest.fixture(scope="module")
def stage_services(
    kafka_broker: KafkaBroker,
    object_store_server: ObjectStoreServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[[str], StageServices]]:
    """A factory for the module: ``stage_services(prefix)`` gives :class:`StageServices` on topics
    ``<prefix>.*`` (created, one partition) and a bucket of their own; nothing is started yet."""
    made: list[StageServices] = []

    def make(prefix: str) -> StageServices:
        run_dir = tmp_path_factory.mktemp(prefix)
        settings = load_settings(
            {},
            kafka_bootstrap=kafka_broker.bootstrap,
            s3_endpoint=object_store_server.endpoint,
            s3_access_key=object_store_server.access_key,
            s3_secret_key=object_store_server.secret_key,
            s3_bucket=f"{prefix}-{secrets.token_hex(4)}",
            run_dir=str(run_dir),
            db_url=f"sqlite:///{run_dir}/results.db",
            topic_prefix=prefix,
            partitions=1,
        )
        ensure_topics(settings.kafka_bootstrap, Topics(prefix).all(), partitions=1)
        S3ObjectStore(
            settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket
        ).ensure_bucket()
        services = StageServices(settings, run_dir, {name: free_port() for name in STAGES})
        made.append(services)
        return services

    try:
        yield make
    finally:
        for services in made:
            services.stop_all()


@pytest.fixture(scope="session")
def generate_scans(tmp_path_factory: pytest.TempPathFactory) -> Callable[[int, int], list[Path]]:
    """Generate ``n`` scan-like documents with ``seed`` through ``idstream synth``; the image paths."""

    def generate(n: int, seed: int) -> list[Path]:
        out = tmp_path_factory.mktemp(f"scans-{seed}")
        cmd = [sys.executable, "-m", "idstream.cli", "synth", "--out", str(out)]
        cmd += ["--n", str(n), "--seed", str(seed), "--distort", "scan"]
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        return sorted(p for p in out.iterdir() if p.suffix.lower() in (".jpg", ".png"))

    return generate


@pytest.fixture(scope="session")
def sample_documents(generate_scans: Callable[[int, int], list[Path]]) -> list[bytes]:
    """Six small generated documents (scan-like JPEGs), as bytes."""
    return [p.read_bytes() for p in generate_scans(6, 5150)]
