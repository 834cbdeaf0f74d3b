"""A single-node Apache Kafka broker (KRaft, broker + controller) for development.

The broker's jars are installed by ``scripts/install-kafka.sh`` into
``.cache/kafka/libs``; :class:`KafkaBroker` writes ``server.properties`` and a
log4j2 configuration into its home directory, formats the storage once
(``kafka.tools.StorageTool format --standalone``) and runs
``java -cp 'libs/*' kafka.Kafka server.properties`` as a detached process (see
:mod:`idstream.devstack.processes`), whose output goes to ``<run_dir>/<name>.log``.

Choices, for a development broker on 127.0.0.1 only:

* ``auto.create.topics.enable=false`` by default: a typo in a topic name fails
  loudly instead of creating a topic; the pipeline's topics are created with
  :func:`ensure_topics` (faust declares its own internal topics through the
  admin API). Pass ``auto_create_topics=True`` to change it.
* Replication factor 1 and min ISR 1 for the internal topics; 1 partition for
  ``__consumer_offsets`` (fast first group join); no initial rebalance delay.
* A small heap (``-Xmx512m`` by default), the serial GC and the C1 compiler only
  (``-XX:TieredStopAtLevel=1``): start-up and CPU matter more here than peak
  throughput. A class-data-sharing archive, recorded by the first run, speeds up
  later starts (see :mod:`idstream.devstack.jvm`; ``class_data_sharing=False``
  turns it off).
"""

from __future__ import annotations

import asyncio
import base64
import shutil
import struct
import subprocess
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from idstream.devstack import processes
from idstream.devstack.jvm import ClassDataArchive
from idstream.devstack.paths import kafka_libs_dir
from idstream.devstack.probe import probe_metadata
from idstream.errors import BrokerUnavailable, ConfigurationError

__all__ = [
    "KafkaBroker",
    "create_topics",
    "ensure_topics",
    "probe_metadata",
]


_LOG4J2_PROPERTIES = """\
# Written by idstream.devstack.kafka: broker logs go to stdout, which the
# process manager appends to <run_dir>/<name>.log.
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = info
rootLogger.appenderRef.stdout.ref = STDOUT
logger.clients.name = org.apache.kafka.clients
logger.clients.level = warn
logger.statechange.name = state.change.logger
logger.statechange.level = warn
logger.request.name = kafka.request.logger
logger.request.level = warn
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = warn
"""


class KafkaBroker:
    """A single-node KRaft Kafka broker running as a local process.

    Args:
        home: Directory for ``server.properties``, ``log4j2.properties`` and the
            cluster id (created if missing).
        port: The client (PLAINTEXT) port on 127.0.0.1.
        controller_port: The KRaft controller port on 127.0.0.1.
        log_dir: Kafka's data directory (``log.dirs``).
        libs_dir: Directory of the broker's jars (default: :func:`~idstream.devstack.paths.kafka_libs_dir`).
        num_partitions: Default number of partitions of new topics.
        auto_create_topics: Value of ``auto.create.topics.enable``.
        heap: Maximum JVM heap, e.g. ``"512m"``.
        name: Process name under ``run_dir``.
        run_dir: Run directory for the pid and log files.
        java: The ``java`` executable (17 or newer).
        jvm_opts: Extra JVM options for the broker.
        class_data_sharing: Record and use an AppCDS archive next to ``libs_dir``.
    """

    def __init__(
        self,
        home: Path,
        port: int,
        controller_port: int,
        log_dir: Path,
        *,
        libs_dir: Path | None = None,
        num_partitions: int = 1,
        auto_create_topics: bool = False,
        heap: str = "512m",
        name: str = "kafka",
        run_dir: Path = processes.DEFAULT_RUN_DIR,
        java: str = "java",
        jvm_opts: Sequence[str] = (),
        class_data_sharing: bool = True,
    ) -> None:
        if num_partitions < 1:
            raise ValueError("num_partitions must be >= 1")
        self.home = Path(home).absolute()
        self.port = port
        self.controller_port = controller_port
        self.log_dir = Path(log_dir).absolute()
        self.libs_dir = Path(libs_dir).absolute() if libs_dir is not None else kafka_libs_dir()
        self.num_partitions = num_partitions
        self.auto_create_topics = auto_create_topics
        self.heap = heap
        self.name = name
        self.run_dir = Path(run_dir)
        self.java = java
        self.jvm_opts = list(jvm_opts)
        self._cds = (
            ClassDataArchive(self.libs_dir.parent / "cds", java, self.libs_dir, "kafka")
            if class_data_sharing
            else None
        )

    @property
    def bootstrap(self) -> str:
        """The bootstrap servers string, ``"127.0.0.1:<port>"``."""
        return f"127.0.0.1:{self.port}"

    @property
    def config_path(self) -> Path:
        """Path of the generated ``server.properties``."""
        return self.home / "server.properties"

    def _classpath(self) -> str:
        if not any(self.libs_dir.glob("kafka_2.13-*.jar")):
            raise ConfigurationError(
                f"Kafka jars not found in {self.libs_dir}: run `make system` (scripts/install-kafka.sh)"
            )
        return str(self.libs_dir / "*")

    @property
    def _cds_pending(self) -> Path:
        return self.home / "cds.pending"

    def _java_argv(self, main: str, *args: str, cds: Sequence[str] = ()) -> list[str]:
        log4j = self.home / "log4j2.properties"
        return [
            self.java,
            "-Xms64m",
            f"-Xmx{self.heap}",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            *cds,
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            f"-Dkafka.logs.dir={self.home / 'logs'}",
            "-cp",
            self._classpath(),
            main,
            *args,
        ]

    def write_config(self) -> Path:
        """Write ``server.properties`` and ``log4j2.properties`` into :attr:`home`.

        Returns:
            The path of ``server.properties``.
        """
        self.home.mkdir(parents=True, exist_ok=True)
        lines = [
            "# Written by idstream.devstack.kafka (single node, KRaft, 127.0.0.1 only).",
            "process.roles=broker,controller",
            "node.id=1",
            f"listeners=PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{self.controller_port}",
            f"advertised.listeners=PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            f"controller.quorum.bootstrap.servers=127.0.0.1:{self.controller_port}",
            f"log.dirs={self.log_dir}",
            f"num.partitions={self.num_partitions}",
            f"auto.create.topics.enable={'true' if self.auto_create_topics else 'false'}",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "default.replication.factor=1",
            "min.insync.replicas=1",
            "group.initial.rebalance.delay.ms=0",
            "num.network.threads=2",
            "num.io.threads=2",
            "num.recovery.threads.per.data.dir=1",
            "log.retention.hours=24",
            "log.segment.bytes=67108864",
            "",
        ]
        self.config_path.write_text("\n".join(lines))
        (self.home / "log4j2.properties").write_text(_LOG4J2_PROPERTIES)
        return self.config_path

    def is_formatted(self) -> bool:
        """Tell whether :attr:`log_dir` already holds a formatted KRaft storage."""
        return (self.log_dir / "meta.properties").is_file()

    def format_storage(self, timeout: float = 120.0) -> None:
        """Format the storage once (``StorageTool format --standalone``); idempotent.

        Args:
            timeout: Seconds the format command may take.

        Raises:
            ConfigurationError: If the jars are missing or the format fails.
        """
        if self.is_formatted():
            return
        if not self.config_path.is_file():
            self.write_config()
        cluster_file = self.home / "cluster.id"
        if cluster_file.is_file():
            cluster_id = cluster_file.read_text().strip()
        else:
            cluster_id = _random_cluster_id()
            cluster_file.write_text(cluster_id + "\n")
        argv = self._java_argv(
            "kafka.tools.StorageTool",
            "format",
            "--config",
            str(self.config_path),
            "--cluster-id",
            cluster_id,
            "--standalone",
            "--ignore-formatted",
            cds=self._cds.use_options() if self._cds else (),
        )
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-10:])
            raise ConfigurationError(f"kafka storage format failed (exit {result.returncode}): {tail}")

    def start(self) -> processes.ManagedProcess:
        """Write the configuration, format the storage if needed and start the broker.

        Starting a broker that already runs (same name and run directory) does
        nothing. Call :meth:`wait_ready` afterwards.

        Returns:
            The broker process.
        """
        if processes.is_running(self.name, self.run_dir):
            pid = processes.read_pid(self.name, self.run_dir) or -1
            return processes.ManagedProcess(
                self.name, pid, processes.log_path(self.name, self.run_dir), self.run_dir / f"{self.name}.pid"
            )
        self.write_config()
        self.format_storage()
        cds = self._cds.start_options(self._cds_pending) if self._cds else []
        argv = self._java_argv("kafka.Kafka", str(self.config_path), cds=[*cds, *self.jvm_opts])
        return processes.start(self.name, argv, run_dir=self.run_dir, cwd=self.home)

    def is_running(self) -> bool:
        """Tell whether the broker process runs."""
        return processes.is_running(self.name, self.run_dir)

    def wait_ready(self, timeout: float = 60.0) -> float:
        """Wait until the broker answers a Metadata request naming itself.

        Args:
            timeout: Seconds to wait.

        Returns:
            The seconds waited.

        Raises:
            BrokerUnavailable: If the process died or did not answer in time.
        """
        started = time.monotonic()
        last_error = "no answer"
        while True:
            if not self.is_running():
                raise BrokerUnavailable(
                    f"kafka broker {self.name!r} exited; last log lines:\n"
                    + processes.tail_log(self.name, self.run_dir)
                )
            try:
                brokers, controller_id = probe_metadata("127.0.0.1", self.port, timeout=2.0)
            except (OSError, ValueError, struct.error) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            else:
                if brokers and controller_id >= 0:
                    return time.monotonic() - started
                last_error = "metadata has no broker or controller yet"
            if time.monotonic() - started > timeout:
                raise BrokerUnavailable(
                    f"kafka broker on {self.bootstrap} not ready after {timeout:.0f}s ({last_error})"
                )
            time.sleep(0.2)

    def stop(self, timeout: float = 20.0) -> bool:
        """Stop the broker (SIGTERM, then SIGKILL after ``timeout`` seconds).

        Args:
            timeout: Seconds to wait for a clean shutdown.

        Returns:
            True if a running broker was stopped.
        """
        if self._cds is not None and self._cds_pending.is_file():
            timeout = max(timeout, 90.0)  # the JVM writes the CDS archive (~50 MB) as it exits
        stopped = processes.stop(self.name, self.run_dir, timeout=timeout)
        if self._cds is not None:
            self._cds.collect(self._cds_pending)
        return stopped

    def destroy(self) -> None:
        """Stop the broker and delete its data directory and home."""
        self.stop()
        shutil.rmtree(self.log_dir, ignore_errors=True)
        shutil.rmtree(self.home, ignore_errors=True)


def _random_cluster_id() -> str:
    """A Kafka cluster id: 16 random bytes, URL-safe base64 without padding.

    Like Kafka's ``Uuid.randomUuid``, never one starting with ``-`` (the
    command line would take it for an option).
    """
    while True:
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not cluster_id.startswith("-"):
            return cluster_id


async def create_topics(
    bootstrap: str,
    names: Sequence[str],
    partitions: int = 1,
    replication_factor: int = 1,
    timeout: float = 30.0,
) -> list[str]:
    """Create the topics in ``names`` that do not exist yet (aiokafka admin client).

    Args:
        bootstrap: Bootstrap servers, e.g. ``"127.0.0.1:9092"``.
        names: Topic names.
        partitions: Partitions of each created topic.
        replication_factor: Replication factor of each created topic.
        timeout: Seconds for the whole operation.

    Returns:
        The names of the topics that were created (existing ones are left alone).

    Raises:
        BrokerUnavailable: If the broker cannot be reached in time.
        ConfigurationError: If the broker refuses to create a topic.
    """
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic
    from aiokafka.errors import KafkaError

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=int(timeout * 1000))
    try:
        async with asyncio.timeout(timeout):
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [name for name in dict.fromkeys(names) if name not in existing]
            if not missing:
                return []
            response = await admin.create_topics(
                [NewTopic(name, partitions, replication_factor) for name in missing],
                timeout_ms=int(timeout * 1000),
            )
    except (KafkaError, OSError, TimeoutError) as exc:
        raise BrokerUnavailable(f"cannot create topics on {bootstrap}: {type(exc).__name__}") from exc
    finally:
        await admin.close()
    created = []
    for entry in response.topic_errors:
        topic, error_code = entry[0], entry[1]
        if error_code == 0:
            created.append(topic)
        elif error_code != 36:  # TOPIC_ALREADY_EXISTS: created concurrently, fine
            raise ConfigurationError(f"broker refused to create topic {topic!r} (error code {error_code})")
    return created


def ensure_topics(
    bootstrap: str,
    names: Sequence[str],
    partitions: int = 1,
    replication_factor: int = 1,
    timeout: float = 30.0,
) -> list[str]:
    """Synchronous :func:`create_topics`, for scripts and fixtures (not inside an event loop).

    Args:
        bootstrap: Bootstrap servers, e.g. ``"127.0.0.1:9092"``.
        names: Topic names.
        partitions: Partitions of each created topic.
        replication_factor: Replication factor of each created topic.
        timeout: Seconds for the whole operation.

    Returns:
        The names of the topics that were created.
    """
    return asyncio.run(create_topics(bootstrap, names, partitions, replication_factor, timeout))
