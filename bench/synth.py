"""Synthetic-document generator speed: documents per second on one core, per distortion.

Usage::

    PYTHONPATH=src:. .venv/bin/python -m bench.synth [--n 40] [--rounds 3]

For each distortion (``none``, ``scan``, ``photo``) and each round, ``--n`` documents
are generated in this process (one core) and written to a temporary folder (JPEG +
annotation JSON), exactly as ``idstream synth`` does. Distortions are measured in
interleaved rounds (none, scan, photo, none, ...) and the median round is quoted, so
the three figures share the machine's conditions. Font discovery and the background
caches are warmed up before timing. OpenCV runs on one thread. Besides wall-clock rates,
the rate per CPU-second of this process is printed: on a shared machine it is the
figure that does not depend on what else runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

__all__ = ["main"]

DISTORTIONS = ("none", "scan", "photo")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=40, help="documents per round and distortion")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    import cv2

    from idstream.synth.generate import SynthConfig, generate_document, write_dataset

    cv2.setNumThreads(1)

    configs = {d: SynthConfig.create(args.seed, distort=d) for d in DISTORTIONS}
    for config in configs.values():  # warm-up: fonts, glyph coverage, background caches
        for i in range(30):
            generate_document(config, 100_000 + i)
    rates: dict[str, list[float]] = {d: [] for d in DISTORTIONS}
    gen_only: dict[str, list[float]] = {d: [] for d in DISTORTIONS}
    per_cpu: dict[str, list[float]] = {d: [] for d in DISTORTIONS}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for d in DISTORTIONS:
                indices = range(r * args.n, (r + 1) * args.n)
                start = time.perf_counter()
                for i in indices:
                    generate_document(configs[d], i)
                gen_only[d].append(args.n / (time.perf_counter() - start))
                start, cpu = time.perf_counter(), time.process_time()
                write_dataset(configs[d], os.path.join(tmp, d), indices)
                rates[d].append(args.n / (time.perf_counter() - start))
                per_cpu[d].append(args.n / (time.process_time() - cpu))
    print(f"synthetic documents per second, one core (median of {args.rounds} rounds x {args.n} docs)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    print(
        "| distortion | generate + write, docs/s (wall) | generate + write, docs per CPU-second "
        "| generate only, docs/s (wall) |"
    )
    print("|---|---:|---:|---:|")
    for d in DISTORTIONS:
        wall, cpu, gen = (statistics.median(x[d]) for x in (rates, per_cpu, gen_only))
        print(f"| {d} | {wall:.1f} | {cpu:.1f} | {gen:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
