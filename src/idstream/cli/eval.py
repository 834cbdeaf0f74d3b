"""``idstream eval``: score a graph-IE model on annotated documents (SROIE task-3 protocol)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "eval",
        help="score a graph-IE model on annotated documents",
        description="Per-field precision/recall/F1 and exact match, micro F1 (a field is right when its "
        "extracted value equals the annotated value), calibration error, a confusion matrix (PNG) and "
        "an HTML report.",
    )
    parser.add_argument(
        "--data", required=True, metavar="DIR", help="annotation folder (or SROIE box/ + key/)"
    )
    parser.add_argument(
        "--model", default=None, metavar="MODEL", help="model file (default: shipped identity model)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    parser.add_argument(
        "--report-dir",
        default="out/eval",
        metavar="DIR",
        help="where confusion.png and report.html go (default: out/eval)",
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import torch

    from idstream.errors import InvalidInput
    from idstream.graph_ie import load_extractor
    from idstream.graph_ie.dataset import load_documents
    from idstream.graph_ie.evaluate import write_confusion_png, write_html_report
    from idstream.graph_ie.train import evaluate_net, prepare

    torch.set_num_threads(max(1, args.threads))
    extractor = load_extractor(args.model)
    try:
        docs = load_documents(Path(args.data), extractor.schema)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    report, _, _ = evaluate_net(
        extractor.net,
        prepare(docs, extractor.schema),
        extractor.schema,
        extractor.temperature,
        lexicon=extractor.lexicon,
        label_fields=extractor.label_fields,
    )
    report.pop("predictions", None)
    report["model_version"] = extractor.version
    out = Path(args.report_dir)
    write_confusion_png(out / "confusion.png", report["labels"], report["confusion"])
    write_html_report(out / "report.html", report, f"idstream eval: {Path(args.data).name}", "confusion.png")
    if args.json:
        print(json.dumps(report))
        return 0
    print(f"model {extractor.version}  documents {report['documents']}")
    print(f"{'field':<18}{'P':>8}{'R':>8}{'F1':>8}{'EM':>8}{'n':>6}")
    for name, s in report["per_field"].items():
        print(
            f"{name:<18}{s['precision']:>8.4f}{s['recall']:>8.4f}{s['f1']:>8.4f}{s['exact_match']:>8.4f}{s['annotated']:>6}"
        )
    print(
        f"micro F1 {report['micro_f1']:.4f}  exact match {report['exact_match']:.4f}  "
        f"field ECE {report['field_ece']:.4f}  segment ECE {report.get('segment_ece', 0.0):.4f}"
    )
    print(f"report: {out / 'report.html'}")
    return 0
