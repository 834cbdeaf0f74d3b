"""Results-store write throughput: new results, then the same results redelivered.

    PYTHONPATH=src:. .venv/bin/python -m bench.sink_store --n 500 [--db URL] [--repeat 3]

Prints one JSON line per repeat and the medians (saves per second). Without
``--db`` a temporary SQLite file is used.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path

from idstream.document import Check, DocumentResult, FieldValue
from idstream.sink.routing import ReviewPolicy, route_review
from idstream.sink.store import ResultStore

__all__ = ["main"]


def _results(n: int, tag: str) -> list[dict[str, object]]:
    rng = random.Random(0)
    policy = ReviewPolicy.default()
    out = []
    names = (
        "document_number",
        "surname",
        "given_names",
        "nationality",
        "date_of_birth",
        "sex",
        "date_of_expiry",
    )
    for i in range(n):
        fields = {
            name: FieldValue(f"V{i}", f"V{i}", rng.uniform(0.6, 1.0), ((0, 0), (50, 0), (50, 10), (0, 10)))
            for name in names
        }
        result = DocumentResult(f"{tag}-{i}", "passport", fields, checks=[Check("mrz_check_digits", "pass")])
        result.review = route_review(result, policy)
        out.append(result.to_dict())
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--db", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    new_rates, redelivery_rates = [], []
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = ResultStore(url)
        for r in range(args.repeat):
            results = _results(args.n, f"bench-{time.time_ns()}-{r}")
            t0 = time.perf_counter()
            assert all(store.save(x, "s3://bench/x.jpg") for x in results)
            t1 = time.perf_counter()
            assert not any(store.save(x, "s3://bench/x.jpg") for x in results)
            t2 = time.perf_counter()
            new_rates.append(args.n / (t1 - t0))
            redelivery_rates.append(args.n / (t2 - t1))
            print(
                json.dumps(
                    {
                        "repeat": r,
                        "new_per_s": round(new_rates[-1], 1),
                        "redelivered_per_s": round(redelivery_rates[-1], 1),
                    }
                )
            )
        store.close()
    print(
        json.dumps(
            {
                "dialect": url.split(":", 1)[0],
                "n": args.n,
                "median_new_per_s": round(statistics.median(new_rates), 1),
                "median_redelivered_per_s": round(statistics.median(redelivery_rates), 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
