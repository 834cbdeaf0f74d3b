"""``make bench``: embedded mode versus the streaming pipeline on the same images.

Generates N documents with the synthetic generator (a seed the models never
saw), runs them through the embedded pipeline in this process, then through the
real streaming stack (Kafka broker, object store, the four services), and prints
documents per second and per-stage latency medians for both, so that the cost
of the broker and object-store hops is a measured ratio.

Usage: python -m bench.pipeline [--n 20] [--distort photo] [--out bench/results/pipeline.md]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.preprocess import generate

ROOT = Path(__file__).resolve().parents[1]
STAGE_KEYS = ("preprocess", "ocr", "graph_ie", "sink")


def run_embedded(images: list[Path]) -> tuple[float, list[dict[str, Any]]]:
    from idstream.pipeline import Pipeline

    pipeline = Pipeline()
    pipeline.warm_up()
    pipeline.process(images[0].read_bytes())  # first call pays lazy initialisation
    results = []
    start = time.perf_counter()
    for path in images:
        results.append(pipeline.process(path.read_bytes()).to_dict())
    return time.perf_counter() - start, results


def run_streaming(images: list[Path], run_dir: Path) -> tuple[float, list[dict[str, Any]], float]:
    """Stream the images through the local stack.

    Returns:
        Seconds from the first publish to the last result, the results, and the
        steady-state rate (documents per second between the first and the last
        result, i.e. without the time the pipeline takes to fill).
    """
    from idstream.devstack.ports import free_port
    from idstream.settings import load_settings
    from idstream.stack import SERVICES, LocalStack
    from idstream.store.s3 import S3ObjectStore
    from idstream.streaming.client import (
        consume_results,
        decode_result,
        ingest_message,
        new_document_id,
        publish_ingest,
    )

    kafka = free_port()
    settings = load_settings(
        {},
        kafka_bootstrap=f"127.0.0.1:{kafka}",
        kafka_controller_port=free_port(),
        s3_endpoint=f"127.0.0.1:{free_port()}",
        run_dir=str(run_dir),
        grpc_port=free_port(),
        db_url=f"sqlite:///{run_dir}/results.db",
        partitions=2,
    )
    stack = LocalStack(settings, metrics_ports={s.name: free_port() for s in SERVICES})
    stack.up(timeout=300)
    try:
        store = S3ObjectStore(
            settings.s3_endpoint, settings.s3_access_key, settings.s3_secret_key, settings.s3_bucket
        )
        # warm the services with one document so model loading is not counted
        messages = []
        for path in [images[0], *images]:
            doc_id = new_document_id()
            ref = store.put(f"ingest/{doc_id}", path.read_bytes(), "image/jpeg")
            messages.append((doc_id, ingest_message(doc_id, ref, "image/jpeg", "bench")))
        asyncio.run(publish_ingest(settings, messages[:1]))

        arrivals: list[float] = []

        async def collect(count: int) -> list[dict[str, Any]]:
            out = []
            async for _k, value in consume_results(settings, count=count, timeout=900, from_beginning=True):
                out.append(decode_result(value)[0].to_dict())
                arrivals.append(time.perf_counter())
            return out

        asyncio.run(collect(1))

        async def stream_all() -> tuple[float, list[dict[str, Any]]]:
            # listen first (the warm-up result, already on the topic, arrives at once),
            # so that each result's arrival time is when the pipeline produced it
            arrivals.clear()
            listening = asyncio.create_task(collect(len(messages)))
            await asyncio.sleep(2.0)
            begin = time.perf_counter()
            await publish_ingest(settings, messages[1:])
            out = await listening
            return begin, out[1:]

        start, results = asyncio.run(stream_all())
        elapsed = time.perf_counter() - start
    finally:
        stack.down()
    fresh = arrivals[1:]
    steady = float("nan")
    if len(fresh) > 2 and fresh[-1] > fresh[0]:
        steady = (len(fresh) - 1) / (fresh[-1] - fresh[0])
    return elapsed, results, steady


def _median(results: list[dict[str, Any]], key: str) -> float:
    values = [r["timings_ms"].get(key) for r in results if key in r.get("timings_ms", {})]
    return statistics.median(values) if values else float("nan")


def table(
    n: int,
    embedded: tuple[float, list[dict[str, Any]]],
    streaming: tuple[float, list[dict[str, Any]], float],
) -> str:
    rows = [
        "| mode | documents | docs/s | "
        + " | ".join(f"{k} ms (median)" for k in STAGE_KEYS)
        + " | end-to-end ms (median) |",
        "|---|---|---|" + "---|" * len(STAGE_KEYS) + "---|",
    ]
    for name, (elapsed, results) in (("embedded", embedded), ("streaming", streaming[:2])):
        e2e = "total" if name == "embedded" else "end_to_end"
        stages = " | ".join(f"{_median(results, k):.0f}" for k in STAGE_KEYS)
        rate = len(results) / elapsed
        rows.append(f"| {name} | {len(results)} | {rate:.2f} | {stages} | {_median(results, e2e):.0f} |")
    embedded_rate = len(embedded[1]) / embedded[0]
    ratio = (len(streaming[1]) / streaming[0]) / embedded_rate
    rows.append("")
    rows.append(
        f"Streaming throughput / embedded throughput: **{ratio:.2f}** over the whole run, "
        f"**{streaming[2] / embedded_rate:.2f}** in steady state ({streaming[2]:.2f} docs/s between "
        "the first and the last streamed result, without the time the pipeline takes to fill); "
        "target ≥ 0.90."
    )
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--seed", type=int, default=90210)
    parser.add_argument("--distort", default="photo")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "pipeline.md"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="idstream-bench-") as tmp:
        images = generate(Path(tmp) / "images", args.n, args.seed, args.distort)
        embedded = run_embedded(images)
        streaming = run_streaming(images, Path(tmp) / "run")
    cpu = platform.processor() or platform.machine()
    header = (
        f"`make bench` — {args.n} generated `{args.distort}` documents (seed {args.seed}), "
        f"{os.cpu_count()} cores ({cpu}), {time.strftime('%Y-%m-%d')}.\n\n"
    )
    text = header + table(args.n, embedded, streaming)
    print(text)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(text + "\n")
    json.dump(
        {"embedded_s": embedded[0], "streaming_s": streaming[0], "streaming_steady_docs_s": streaming[2]},
        sys.stderr,
    )


if __name__ == "__main__":
    main()
