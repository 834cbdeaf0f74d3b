"""MRZ reading benchmark: exact full MRZs, exact lines, valid check digits, time per document.

Usage::

    PYTHONPATH=src:. .venv/bin/python -m bench.mrz [--datasets DIR] [--threads 1] [--verbose]
        [--out bench/results/mrz.md]

The table is printed and written to ``--out`` (markdown, with the machine, the load
average before and after, and the exact command) and next to it as JSON (per set:
counts, medians, means and every document's CPU time).

Sets (read-only, from ``/work/shared/datasets``):

* ``mrz-passports-dev``: 40 passport pages, truth ``NN.txt`` (two TD3 lines);
* ``passport-specimens``: the ICAO TD3 and TD2 specimen pages, truth ``truth.json``
  (MRZ lines and field values: every MRZ field must be right);
* ``passport-specimens/mrz-checksum-set``: 34 photos and scans without transcription;
  the share read with every check digit valid is reported.

Timing covers :func:`idstream.mrz.read.read_mrz` (location, recognition, parsing,
repair) on the decoded image, one torch thread, model loaded beforehand; medians of
the wall time and of the process CPU time (the CPU time is the one-core cost and is
robust to other load on the machine) are quoted. OpenBLAS (numpy's matrix products)
gets the same thread count through ``OPENBLAS_NUM_THREADS`` before numpy loads: its
default is one busy-waiting thread per core, which doubled the CPU time per document
for no gain in wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _threads_argument(argv: list[str]) -> str:
    """The ``--threads`` value on the command line (default 1), read before numpy loads."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


os.environ.setdefault("OPENBLAS_NUM_THREADS", _threads_argument(sys.argv))

DEFAULT_DATASETS = Path("/work/shared/datasets")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench" / "results" / "mrz.md"
_MRZ_FIELDS = (
    "document_type", "issuing_country", "document_number", "surname", "given_names",
    "nationality", "date_of_birth", "sex", "date_of_expiry", "personal_number",
)  # fmt: skip


@dataclass
class SetResult:
    name: str
    documents: int = 0
    full_exact: int = 0
    lines_exact: int = 0
    lines_total: int = 0
    valid: int = 0
    fields_right: int = 0
    fields_total: int = 0
    has_truth: bool = True
    valid_wrong: int = 0
    ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)


def _read(path: Path, line_height: int) -> tuple[object, float, float]:
    import cv2

    from idstream.mrz.read import read_mrz

    decoded = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if decoded is None:
        raise SystemExit(f"cannot decode {path}")
    image: Any = decoded
    start, cpu = time.perf_counter(), time.process_time()
    reading = read_mrz(image, line_height=line_height)
    return reading, (time.perf_counter() - start) * 1000.0, (time.process_time() - cpu) * 1000.0


def _score_lines(res: SetResult, got: list[str] | None, truth: list[str], name: str, verbose: bool) -> None:
    res.lines_total += len(truth)
    if got is None:
        if verbose:
            print(f"  {name}: no MRZ", file=sys.stderr)
        return
    ok = [i < len(got) and got[i] == t for i, t in enumerate(truth)]
    res.lines_exact += sum(ok)
    res.full_exact += all(ok) and len(got) == len(truth)
    if verbose and not all(ok):
        for g, t in zip(got, truth, strict=False):
            if g != t:
                marks = "".join("^" if a != b else " " for a, b in zip(g, t, strict=False))
                print(f"  {name}:\n    got   {g}\n    truth {t}\n          {marks}", file=sys.stderr)


def bench_dev(root: Path, verbose: bool, line_height: int) -> SetResult:
    res = SetResult("mrz-passports-dev (TD3)")
    for img in sorted(root.glob("*/*.jpg")):
        truth = img.with_suffix(".txt").read_text().split()
        reading, ms, cpu_ms = _read(img, line_height)
        res.documents += 1
        res.ms.append(ms)
        res.cpu_ms.append(cpu_ms)
        got = reading.parse.repaired_lines if reading is not None else None  # type: ignore[attr-defined]
        res.valid += bool(reading is not None and reading.parse.valid)  # type: ignore[attr-defined]
        _score_lines(res, got, truth, str(img.relative_to(root)), verbose)
    return res


#: Downscale factors of the low-resolution proxy (dev pages: MRZ lines ~34 px -> ~10 and ~7 px).
SMALL_FACTORS = (3.5, 5.0)


def _degrade(image: Any, factor: float, quality: int = 80) -> Any:
    """The page scaled down by ``factor`` (area interpolation) and JPEG-compressed."""
    import cv2
    import numpy as np

    h, w = image.shape[:2]
    small = cv2.resize(image, (round(w / factor), round(h / factor)), interpolation=cv2.INTER_AREA)
    _, buf = cv2.imencode(".jpg", small, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return np.asarray(cv2.imdecode(buf, cv2.IMREAD_COLOR), dtype=np.uint8)


def bench_dev_small(root: Path, verbose: bool, line_height: int, factor: float) -> SetResult:
    """The dev pages made small (the checksum set's failure class, with truth).

    Besides the usual counts, ``valid_wrong`` counts MRZs whose check digits all pass
    although a character they cover is wrong (a chance pass, or a confusion the 7-3-1
    weights cannot see, such as ``G``/``6``).
    """
    import cv2

    from idstream.mrz.read import read_mrz
    from idstream.mrz.validate import resolve_checks

    res = SetResult(f"mrz-passports-dev / {factor:g} (TD3, lines ~{34 / factor:.0f} px)")
    for img in sorted(root.glob("*/*.jpg")):
        truth = img.with_suffix(".txt").read_text().split()
        image = _degrade(cv2.imread(str(img), cv2.IMREAD_COLOR), factor)
        start, cpu = time.perf_counter(), time.process_time()
        reading = read_mrz(image, line_height=line_height)
        res.ms.append((time.perf_counter() - start) * 1000.0)
        res.cpu_ms.append((time.process_time() - cpu) * 1000.0)
        res.documents += 1
        got = reading.parse.repaired_lines if reading is not None else None
        valid = bool(reading is not None and reading.parse.valid)
        res.valid += valid
        if valid and got is not None and reading is not None:
            covered = {p for c in resolve_checks(reading.parse.layout, truth) for p in c.positions}
            if any(got[r][c] != truth[r][c] for r, c in covered):
                res.valid_wrong += 1
        _score_lines(res, got, truth, str(img.relative_to(root)), verbose)
    return res


def bench_specimens(root: Path, verbose: bool, line_height: int) -> SetResult:
    res = SetResult("passport-specimens (TD2, TD3)")
    truth_all = json.loads((root / "truth.json").read_text())
    for name, truth in sorted(truth_all.items()):
        reading, ms, cpu_ms = _read(root / name, line_height)
        res.documents += 1
        res.ms.append(ms)
        res.cpu_ms.append(cpu_ms)
        got = reading.parse.repaired_lines if reading is not None else None  # type: ignore[attr-defined]
        res.valid += bool(reading is not None and reading.parse.valid)  # type: ignore[attr-defined]
        _score_lines(res, got, truth["mrz"], name, verbose)
        values = reading.to_dict(today=date(2026, 1, 1))["fields"] if reading is not None else {}  # type: ignore[attr-defined]
        for key in _MRZ_FIELDS:
            want = truth["fields"].get(key)
            if want is None:
                continue
            res.fields_total += 1
            if values.get(key) == want:
                res.fields_right += 1
            elif verbose:
                print(f"  {name}: field {key} wrong", file=sys.stderr)
    return res


def bench_checksum(root: Path, verbose: bool, line_height: int) -> SetResult:
    res = SetResult("mrz-checksum-set (all formats)", has_truth=False)
    for img in sorted(p for p in root.iterdir() if p.suffix.lower() in (".jpg", ".png")):
        reading, ms, cpu_ms = _read(img, line_height)
        res.documents += 1
        res.ms.append(ms)
        res.cpu_ms.append(cpu_ms)
        ok = bool(reading is not None and reading.parse.valid)  # type: ignore[attr-defined]
        res.valid += ok
        if verbose:
            fmt = reading.parse.format if reading is not None else "-"  # type: ignore[attr-defined]
            print(f"  {img.name}: {fmt} valid={ok}", file=sys.stderr)
    return res


def _pct(num: int, den: int) -> str:
    return f"{100.0 * num / den:.1f}" if den else "-"


def render(results: list[SetResult]) -> str:
    rows = [
        "| set | documents | full MRZ exact % | lines exact % | all check digits valid % | fields right "
        "| median ms/doc (wall) | median CPU ms/doc | mean CPU ms/doc |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        full = _pct(r.full_exact, r.documents) if r.has_truth else "n/a"
        lines = _pct(r.lines_exact, r.lines_total) if r.has_truth else "n/a"
        fields = f"{r.fields_right}/{r.fields_total}" if r.fields_total else "n/a"
        med = f"{statistics.median(r.ms):.0f}" if r.ms else "-"
        cpu = f"{statistics.median(r.cpu_ms):.0f}" if r.cpu_ms else "-"
        mean = f"{statistics.fmean(r.cpu_ms):.0f}" if r.cpu_ms else "-"
        valid = _pct(r.valid, r.documents)
        rows.append(
            f"| {r.name} | {r.documents} | {full} | {lines} | {valid} | {fields} | {med} | {cpu} | {mean} |"
        )
    return "\n".join(rows)


def _as_json(r: SetResult) -> dict[str, object]:
    return {
        "set": r.name,
        "documents": r.documents,
        "full_exact": r.full_exact if r.has_truth else None,
        "lines_exact": r.lines_exact if r.has_truth else None,
        "lines_total": r.lines_total if r.has_truth else None,
        "valid": r.valid,
        "fields_right": r.fields_right,
        "fields_total": r.fields_total,
        "median_wall_ms": statistics.median(r.ms) if r.ms else None,
        "median_cpu_ms": statistics.median(r.cpu_ms) if r.cpu_ms else None,
        "mean_cpu_ms": statistics.fmean(r.cpu_ms) if r.cpu_ms else None,
        "valid_but_checked_character_wrong": r.valid_wrong if r.has_truth else None,
        "cpu_ms": [round(v, 1) for v in r.cpu_ms],
    }


def _machine(threads: int) -> str:
    cpus = os.cpu_count()
    return (
        f"{platform.processor() or platform.machine()}, {cpus} logical CPUs visible, "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}; "
        f"torch and OpenCV threads {threads}"
    )


def write_results(
    out: Path,
    results: list[SetResult],
    command: str,
    threads: int,
    load: tuple[float, ...],
    backend: str = "torch",
) -> None:
    """Write the markdown table (``out``) and the JSON details (``out`` with ``.json``)."""
    end = os.getloadavg()
    text = "\n".join(
        [
            "# MRZ benchmark (`make bench-mrz`)",
            "",
            f"Command: `{command}`. Written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "",
            f"Machine: {_machine(threads)}. Load average (1/5/15 min) at start "
            f"{'/'.join(f'{v:.1f}' for v in load)}, at end {'/'.join(f'{v:.1f}' for v in end)} "
            "(CPU time is the process's own; wall time includes waiting for other jobs). "
            f"Recognizer runtime: {backend}.",
            "",
            render(results),
            "",
        ]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    payload = {
        "command": command,
        "machine": _machine(threads),
        "recognizer_runtime": backend,
        "load_average_start": list(load),
        "load_average_end": list(end),
        "sets": [_as_json(r) for r in results],
    }
    out.with_suffix(".json").write_text(json.dumps(payload, indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.mrz", description="MRZ reading benchmark")
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1: one core)")
    parser.add_argument("--verbose", action="store_true", help="print misreads (stderr)")
    parser.add_argument(
        "--sets",
        default="dev,specimens,checksum",
        help="comma-separated subset; dev-small (not run by default): the dev pages downscaled 3.5x and 5x",
    )
    parser.add_argument(
        "--line-heights", default="64,32", help="recognizer crop heights to compare (comma-separated)"
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown table to write ('-': none)")
    parser.add_argument(
        "--backend",
        choices=("onnx", "torch"),
        default="onnx",
        help="CRNN runtime: the OCR stage's ONNX Runtime export when present (default), or torch",
    )
    args = parser.parse_args(argv)
    load = os.getloadavg()
    import cv2
    import torch

    from idstream.mrz.recognize import get_recognizer

    torch.set_num_threads(args.threads)
    cv2.setNumThreads(args.threads)
    backend = get_recognizer(onnx=args.backend == "onnx").backend
    print(f"recognizer runtime: {backend}", file=sys.stderr)
    wanted = set(args.sets.split(","))
    results: list[SetResult] = []
    for height in (int(h) for h in args.line_heights.split(",")):
        results.extend(_run_sets(args, wanted, height))
    print(render(results))
    if str(args.out) != "-":
        command = "python -m bench.mrz " + " ".join(argv if argv is not None else sys.argv[1:])
        write_results(args.out, results, command.strip(), args.threads, load, backend)
    return 0


def _run_sets(args: argparse.Namespace, wanted: set[str], height: int) -> list[SetResult]:
    results: list[SetResult] = []
    if "dev" in wanted:
        results.append(bench_dev(args.datasets / "mrz-passports-dev", args.verbose, height))
    if "specimens" in wanted:
        results.append(bench_specimens(args.datasets / "passport-specimens", args.verbose, height))
    if "dev-small" in wanted:
        for factor in SMALL_FACTORS:
            results.append(bench_dev_small(args.datasets / "mrz-passports-dev", args.verbose, height, factor))
    if "checksum" in wanted:
        results.append(
            bench_checksum(args.datasets / "passport-specimens" / "mrz-checksum-set", args.verbose, height)
        )
    for r in results:
        r.name += f" [{height} px]"
    return results


if __name__ == "__main__":
    sys.exit(main())
