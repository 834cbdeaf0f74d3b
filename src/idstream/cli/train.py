"""``idstream train``: train a graph-IE model on annotated documents."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register", "run"]


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "train",
        help="train a graph-IE model on annotated documents",
        description="Train the graph model on one or more folders of annotations (the project's JSON "
        "format, or SROIE box/ + key/), with validation each epoch and early stopping. Writes MODEL "
        "and MODEL's .json (version, schema, data, seed, metrics) beside it.",
    )
    parser.add_argument("--data", nargs="+", required=True, metavar="DIR", help="training folders")
    parser.add_argument("--schema", default="identity", help="schema name or JSON file (default: identity)")
    parser.add_argument("--out", required=True, metavar="MODEL", help="model file to write (.pt)")
    parser.add_argument(
        "--val",
        nargs="*",
        default=None,
        metavar="DIR",
        help="validation folders (default: a seeded share of the training documents)",
    )
    parser.add_argument("--val-share", type=float, default=0.15, help="validation share without --val")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--patience", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--char-noise", type=float, default=0.0, help="OCR-like character noise rate")
    parser.add_argument("--hidden", type=int, default=96)
    parser.add_argument("--version", default=None, help="model version (default: <out stem>-<date>)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default: 2)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.add_argument(
        "--strip-labels",
        action="store_true",
        help="learn the printed labels of the training documents: cut them from the start of values "
        "and use the field each label announces",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import datetime as dt
    import random

    import torch

    from idstream.errors import InvalidInput
    from idstream.graph_ie.dataset import load_documents
    from idstream.graph_ie.model import GraphIEConfig
    from idstream.graph_ie.predictor import save_model
    from idstream.graph_ie.schema import load_schema
    from idstream.graph_ie.train import evaluate_net, label_field_map, label_lexicon, prepare, train_model

    torch.set_num_threads(max(1, args.threads))
    try:
        schema = load_schema(args.schema)
        docs = [d for folder in args.data for d in load_documents(Path(folder), schema)]
        val_docs = (
            [d for folder in args.val for d in load_documents(Path(folder), schema)] if args.val else []
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from exc
    if not args.val:
        order = list(range(len(docs)))
        random.Random(args.seed).shuffle(order)
        n_val = max(1, int(len(docs) * args.val_share)) if len(docs) > 1 else 0
        val_docs = [docs[i] for i in order[:n_val]]
        docs = [docs[i] for i in order[n_val:]]
    train_items, val_items = prepare(docs, schema), prepare(val_docs, schema)
    lexicon = label_lexicon(train_items) if args.strip_labels else []
    label_fields = label_field_map(train_items, lexicon, schema) if args.strip_labels else {}
    config = GraphIEConfig(
        num_classes=len(schema.labels), num_doc_types=len(schema.document_types), hidden=args.hidden
    )
    result = train_model(
        train_items,
        val_items,
        schema,
        config,
        epochs=args.epochs,
        patience=args.patience,
        char_noise=args.char_noise,
        seed=args.seed,
        progress=not args.no_progress and sys.stderr.isatty(),
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    metrics: dict[str, Any] = {}
    if val_items:
        report, _, _ = evaluate_net(
            result.net, val_items, schema, result.temperature, lexicon=lexicon, label_fields=label_fields
        )
        metrics = {
            k: report[k] for k in ("micro_f1", "exact_match", "field_ece", "segment_ece", "segment_accuracy")
        }
    out = Path(args.out)
    version = args.version or f"{out.stem}-{dt.date.today().isoformat()}"
    meta = {
        "data": [str(p) for p in args.data],
        "documents": {"train": len(train_items), "val": len(val_items)},
        "seed": args.seed,
        "epochs_run": len(result.history),
        "best_epoch": result.best_epoch,
        "training_seconds": round(result.seconds, 1),
        "temperature": round(result.temperature, 4),
        "val_metrics": metrics,
        "config": config.to_dict(),
        "label_lexicon": lexicon,
        "label_fields": label_fields,
    }
    save_model(out, result.net, schema, version, result.temperature, meta)
    out.with_suffix(".json").write_text(
        json.dumps({"version": version, "schema": schema.name, **meta}, indent=2) + "\n", encoding="utf-8"
    )
    print(json.dumps({"model": str(out), "version": version, **metrics}))
    return 0
