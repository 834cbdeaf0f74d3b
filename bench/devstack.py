"""Start-up times of the development broker and object store.

Usage::

    PYTHONPATH=src:. .venv/bin/python -m bench.devstack [--runs 5] [--no-cds]

Each run starts a fresh Kafka broker (new data directory: storage format +
start until a Metadata request names the broker) and a fresh versitygw (start
until it answers HTTP), then stops both; the medians are printed as one JSON
line, with the load average (the machine is shared, so times vary with it).
Needs ``make system``. The first broker run on a machine also records the
class-data-sharing archive (its stop is then slower); pass ``--runs`` > 1.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from idstream.devstack.kafka import KafkaBroker
from idstream.devstack.objectstore import ObjectStoreServer
from idstream.devstack.ports import free_port

__all__ = ["main"]


def _broker_cycle(base: Path, cds: bool) -> dict[str, float]:
    broker = KafkaBroker(
        base / "home",
        free_port(),
        free_port(),
        base / "data",
        name="bench-kafka",
        run_dir=base / "run",
        class_data_sharing=cds,
    )
    t0 = time.monotonic()
    broker.write_config()
    broker.format_storage()
    t1 = time.monotonic()
    broker.start()
    broker.wait_ready(timeout=120)
    t2 = time.monotonic()
    broker.stop()
    t3 = time.monotonic()
    return {"format_s": t1 - t0, "start_to_ready_s": t2 - t1, "stop_s": t3 - t2}


def _store_cycle(base: Path) -> dict[str, float]:
    server = ObjectStoreServer(
        base / "objects",
        free_port(),
        "bench",
        secrets.token_hex(12),
        name="bench-store",
        run_dir=base / "run",
    )
    t0 = time.monotonic()
    server.start()
    server.wait_ready(timeout=30)
    t1 = time.monotonic()
    server.stop()
    return {"start_to_ready_s": t1 - t0, "stop_s": time.monotonic() - t1}


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one JSON line.

    Args:
        argv: Command-line arguments.

    Returns:
        The exit code.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-cds", action="store_true", help="do not use the class-data-sharing archive")
    args = parser.parse_args(argv)
    broker_runs: list[dict[str, float]] = []
    store_runs: list[dict[str, float]] = []
    load_before = os.getloadavg()[0]
    for _ in range(args.runs):
        base = Path(tempfile.mkdtemp(prefix="idstream-bench-"))
        try:
            broker_runs.append(_broker_cycle(base, cds=not args.no_cds))
            store_runs.append(_store_cycle(base))
        finally:
            shutil.rmtree(base, ignore_errors=True)

    def medians(runs: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}

    print(
        json.dumps(
            {
                "runs": args.runs,
                "cds": not args.no_cds,
                "kafka_median": medians(broker_runs),
                "kafka_start_to_ready_all_s": [round(r["start_to_ready_s"], 2) for r in broker_runs],
                "objectstore_median": medians(store_runs),
                "loadavg_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
