"""The local streaming stack of ``idstream up`` / ``idstream down``.

Broker (Kafka, KRaft, single node), object store (versitygw), the four stage
services and the gRPC gateway, each a background process with a pid file under
``settings.run_dir``. Starting is idempotent: only what is not running starts.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from idstream.devstack import processes
from idstream.devstack.kafka import KafkaBroker, ensure_topics
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.errors import ConfigurationError
from idstream.settings import Settings
from idstream.topics import STAGES, Topics

__all__ = ["SERVICES", "LocalStack", "ServiceProcess"]


@dataclass(frozen=True, slots=True)
class ServiceProcess:
    """A service of the stack: its process name, Python module and metrics port."""

    name: str
    module: str
    metrics_port: int


SERVICES: tuple[ServiceProcess, ...] = (
    *(ServiceProcess(stage, f"services.{stage}", 9101 + i) for i, stage in enumerate(STAGES)),
    ServiceProcess("gateway", "services.gateway", 9105),
)


def _port(hostport: str) -> int:
    try:
        return int(hostport.rsplit(":", 1)[1])
    except (IndexError, ValueError) as exc:
        raise ConfigurationError(f"expected host:port, got {hostport!r}") from exc


class LocalStack:
    """Broker, object store, stage services and gateway on this machine.

    Args:
        settings: where everything listens; ``run_dir`` holds pid files, logs and data.
        metrics_port_base: offset added to the default metrics ports (tests use free ports).
    """

    def __init__(self, settings: Settings, *, metrics_ports: dict[str, int] | None = None) -> None:
        self.settings = settings
        self.run_dir = Path(settings.run_dir).absolute()
        self.metrics_ports = {s.name: s.metrics_port for s in SERVICES} | (metrics_ports or {})
        port = _port(settings.kafka_bootstrap.split(",")[0])
        self.broker = KafkaBroker(
            home=self.run_dir / "kafka",
            port=port,
            controller_port=settings.kafka_controller_port or port + 1,
            log_dir=self.run_dir / "kafka" / "data",
            num_partitions=settings.partitions,
            run_dir=self.run_dir,
        )
        self.store = ObjectStoreServer(
            data_dir=self.run_dir / "objects",
            port=_port(settings.s3_endpoint),
            access_key=settings.s3_access_key,
            secret_key=settings.s3_secret_key,
            run_dir=self.run_dir,
        )

    def up(self, *, services: bool = True, timeout: float = 180.0) -> None:
        """Start whatever is not running and wait until it is ready."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if not self.broker.is_running():
            self.broker.start()
        if not self.store.is_running():
            self.store.start()
        self.broker.wait_ready(timeout=min(timeout, 90.0))
        self.store.wait_ready(timeout=30.0)
        ensure_topics(
            self.settings.kafka_bootstrap, Topics(self.settings.topic_prefix).all(), self.settings.partitions
        )
        from idstream.store.s3 import S3ObjectStore

        S3ObjectStore(
            endpoint=self.settings.s3_endpoint,
            access_key=self.settings.s3_access_key,
            secret_key=self.settings.s3_secret_key,
            bucket=self.settings.s3_bucket,
        ).ensure_bucket()
        if services:
            for service in SERVICES:
                self.start_service(service.name)
            self.wait_services_ready(timeout=timeout)

    def service_env(self, name: str) -> dict[str, str]:
        env = self.settings.env()
        env["IDSTREAM_RUN_DIR"] = str(self.run_dir)
        env["IDSTREAM_METRICS_PORT"] = str(self.metrics_ports[name])
        env["PYTHONUNBUFFERED"] = "1"
        root = Path(__file__).resolve().parents[2]
        env["PYTHONPATH"] = f"{root / 'src'}:{root}"
        if "OMP_NUM_THREADS" not in os.environ:
            env["OMP_NUM_THREADS"] = str(self.threads_per_document())
        return env

    def threads_per_document(self) -> int:
        """CPU threads each in-flight document may use (torch, ONNX Runtime).

        All services share this machine's cores: a service working on
        ``max_in_flight`` documents with every core each would oversubscribe the CPU
        (the default thread pools spin), so each document gets an equal share.
        """
        return max(1, (os.cpu_count() or 1) // max(1, self.settings.max_in_flight))

    def start_service(self, name: str) -> processes.ManagedProcess:
        service = next(s for s in SERVICES if s.name == name)
        return processes.start(
            name, [sys.executable, "-m", service.module], run_dir=self.run_dir, env=self.service_env(name)
        )

    def stop_service(self, name: str) -> bool:
        return processes.stop(name, self.run_dir)

    def wait_services_ready(self, timeout: float = 180.0) -> None:
        """Wait until every service answers ``/readyz`` with 200."""
        deadline = time.monotonic() + timeout
        pending = {s.name for s in SERVICES}
        while pending:
            for name in sorted(pending):
                if not processes.is_running(name, self.run_dir):
                    log = processes.tail_log(name, self.run_dir)
                    raise ConfigurationError(f"service {name} exited during start-up:\n{log}")
                if _ready(self.metrics_ports[name]):
                    pending.discard(name)
            if pending and time.monotonic() > deadline:
                raise ConfigurationError(
                    f"services not ready after {timeout:.0f} s: {', '.join(sorted(pending))}"
                )
            time.sleep(0.5)

    def down(self) -> list[str]:
        """Stop everything this stack started; returns the names that were running."""
        stopped = [s.name for s in reversed(SERVICES) if processes.stop(s.name, self.run_dir)]
        if self.store.stop():
            stopped.append(self.store.name)
        if self.broker.stop():
            stopped.append(self.broker.name)
        return stopped

    def status(self) -> dict[str, bool]:
        names = [self.broker.name, self.store.name, *(s.name for s in SERVICES)]
        return {name: processes.is_running(name, self.run_dir) for name in names}


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1.0) as resp:
            return bool(resp.status == 200)
    except OSError:
        return False
