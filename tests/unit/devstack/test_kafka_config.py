"""KafkaBroker configuration and failure paths that need no running broker."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from idstream.devstack.kafka import KafkaBroker, ensure_topics
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.devstack.ports import free_port
from idstream.errors import BrokerUnavailable, ConfigurationError


def _broker(tmp_path: Path, **kwargs: object) -> KafkaBroker:
    return KafkaBroker(tmp_path / "home", 19092, 19093, tmp_path / "data", run_dir=tmp_path / "run", **kwargs)  # type: ignore[arg-type]


def _properties(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return dict(line.split("=", 1) for line in lines)


def test_server_properties(tmp_path: Path) -> None:
    broker = _broker(tmp_path, num_partitions=4)
    props = _properties(broker.write_config())
    assert props["process.roles"] == "broker,controller"
    assert props["listeners"] == "PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093"
    assert props["advertised.listeners"] == "PLAINTEXT://127.0.0.1:19092"
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert "controller.quorum.voters" not in props  # --standalone needs a dynamic quorum
    assert props["num.partitions"] == "4"
    assert props["auto.create.topics.enable"] == "false"
    assert props["offsets.topic.replication.factor"] == "1"
    assert props["transaction.state.log.replication.factor"] == "1"
    assert props["log.dirs"] == str((tmp_path / "data").absolute())
    assert (tmp_path / "home" / "log4j2.properties").is_file()
    assert broker.bootstrap == "127.0.0.1:19092"


def test_auto_create_can_be_enabled(tmp_path: Path) -> None:
    props = _properties(_broker(tmp_path, auto_create_topics=True).write_config())
    assert props["auto.create.topics.enable"] == "true"


def test_bad_partitions(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        _broker(tmp_path, num_partitions=0)


def test_missing_jars_tell_to_run_make_system(tmp_path: Path) -> None:
    broker = _broker(tmp_path, libs_dir=tmp_path / "no-libs")
    with pytest.raises(ConfigurationError, match="make system"):
        broker.start()
    assert not broker.is_running()


def test_missing_versitygw_tells_to_run_make_system(tmp_path: Path) -> None:
    server = ObjectStoreServer(
        tmp_path / "data", 1, "access", "secret-key", binary=tmp_path / "nope", run_dir=tmp_path / "run"
    )
    with pytest.raises(ConfigurationError, match="make system"):
        server.start()


def test_ensure_topics_without_broker_is_broker_unavailable() -> None:
    started = time.monotonic()
    with pytest.raises(BrokerUnavailable):
        ensure_topics(f"127.0.0.1:{free_port()}", ["t"], timeout=5.0)
    assert time.monotonic() - started < 5.0
