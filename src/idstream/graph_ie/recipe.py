"""The recipe of the shipped identity model (``make train``).

Documents come from the generator's recipe (:mod:`idstream.synth.recipes`): the
``train`` and ``val`` sets' seeds, layouts other than the held-out ones, annotations
in the card frame (``distort="none"``: the frame of the rectified document). Each
training document is used as annotated and once more varied by
:func:`~idstream.graph_ie.augment.augment_document` (OCR-like merges, splits,
misreadings, box noise) after :func:`~idstream.graph_ie.augment.shuffle_fields`
moved some (label, value) pairs to each other's places. The held-out layouts are
scored at the end (ground-truth text, varied the same way), and everything is
recorded in the JSON file beside the model. The model file also carries the printed
labels of the training documents (the label lexicon, from the documents as generated)
and which field each label announces (:mod:`~idstream.graph_ie.printed_labels`)::

    python -m idstream.graph_ie.recipe --out src/idstream/models/identity-gnn.pt
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["MODEL_VERSION", "main", "train_identity"]

#: Version of the shipped identity model; bump when the recipe or the code changes.
MODEL_VERSION = "identity-gnn-1.1.0"


def train_identity(
    out: Path,
    n_train: int = 800,
    n_val: int = 200,
    n_test: int = 300,
    epochs: int = 12,
    seed: int = 0,
    threads: int = 2,
    time_limit_s: float | None = None,
    version: str = MODEL_VERSION,
) -> dict[str, Any]:
    """Generate the data, train, calibrate, score held-out layouts, write the model and its JSON.

    Args:
        out: model file to write (the JSON goes beside it).
        n_train: generated training documents (each also used once augmented).
        n_val: validation documents (augmented, for early stopping and calibration).
        n_test: held-out-layout documents scored at the end.
        epochs: maximum epochs.
        seed: training seed.
        threads: torch CPU threads.
        time_limit_s: training wall-clock limit (``None``: epochs and early stopping only,
            so that the result does not depend on the machine's load).
        version: model version.

    Returns:
        The record written beside the model.
    """
    import torch

    from idstream.graph_ie.augment import augment_document, shuffle_fields
    from idstream.graph_ie.dataset import generate_identity_documents
    from idstream.graph_ie.model import GraphIEConfig
    from idstream.graph_ie.predictor import save_model
    from idstream.graph_ie.schema import load_schema
    from idstream.graph_ie.train import evaluate_net, label_field_map, label_lexicon, prepare, train_model
    from idstream.synth.recipes import heldout_layouts, load_recipe

    torch.set_num_threads(threads)
    started = time.perf_counter()
    schema = load_schema("identity")
    held = tuple(heldout_layouts())
    train_seed, val_seed = load_recipe("train").seed, load_recipe("val").seed
    test_seed = load_recipe("test-heldout-scan").seed
    rng = random.Random(seed)
    printed = generate_identity_documents(schema, n_train, train_seed, exclude_layouts=held)
    train_docs = printed + [augment_document(shuffle_fields(d, rng), rng) for d in printed]
    val_docs = [
        augment_document(d, rng)
        for d in generate_identity_documents(schema, n_val, val_seed, exclude_layouts=held)
    ]
    test_clean = generate_identity_documents(schema, n_test, test_seed, layouts=list(held))
    test_aug = [augment_document(d, rng) for d in test_clean]
    data_seconds = time.perf_counter() - started
    train_items, val_items = prepare(train_docs, schema), prepare(val_docs, schema)
    # Printed labels come from the documents as generated: an OCR-like split of a label
    # ("GÜLTIG" "BIS:") would otherwise teach a label ("BIS") that values also start with.
    lexicon = label_lexicon(train_items[: len(printed)])
    label_fields = label_field_map(train_items, lexicon, schema)
    config = GraphIEConfig(num_classes=len(schema.labels), num_doc_types=len(schema.document_types))
    result = train_model(
        train_items,
        val_items,
        schema,
        config,
        epochs=epochs,
        patience=3,
        position_jitter=0.1,
        char_noise=0.02,
        seed=seed,
        progress=sys.stderr.isatty(),
        log=lambda line: print(line, file=sys.stderr, flush=True),
        time_limit_s=time_limit_s,
    )
    metrics: dict[str, Any] = {}
    for name, docs in (
        ("val", val_docs),
        ("heldout_layouts_gt_text", test_clean),
        ("heldout_layouts_augmented", test_aug),
    ):
        report, _, _ = evaluate_net(
            result.net,
            prepare(docs, schema),
            schema,
            result.temperature,
            lexicon=lexicon,
            label_fields=label_fields,
        )
        metrics[name] = {
            k: report[k]
            for k in ("micro_f1", "exact_match", "documents", "field_ece", "segment_ece", "segment_accuracy")
        }
        metrics[name]["per_field_exact_match"] = {k: v["exact_match"] for k, v in report["per_field"].items()}
    record: dict[str, Any] = {
        "version": version,
        "schema": schema.name,
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "data_recipe": {
            "generator": "idstream.synth (annotations only, distort=none, card frame)",
            "train": {"seed": train_seed, "n": n_train, "layouts": "all but held-out", "augmented_copies": 1},
            "val": {"seed": val_seed, "n": n_val, "augmented": True},
            "test": {"seed": test_seed, "n": n_test, "layouts": list(held)},
        },
        "seed": seed,
        "config": config.to_dict(),
        "epochs_run": len(result.history),
        "best_epoch": result.best_epoch,
        "temperature": round(result.temperature, 4),
        "training_seconds": round(result.seconds, 1),
        "training_cpu_seconds": round(result.cpu_seconds, 1),
        "data_seconds": round(data_seconds, 1),
        "threads": threads,
        "metrics": metrics,
        "history": result.history,
    }
    save_model(
        out,
        result.net,
        schema,
        version,
        result.temperature,
        {
            **{k: v for k, v in record.items() if k != "history"},
            "label_lexicon": lexicon,
            "label_fields": label_fields,
        },
    )
    out.with_suffix(".json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return record


def main(argv: list[str] | None = None) -> int:
    """Command line of the recipe (``make train``)."""
    parser = argparse.ArgumentParser(description="Train the shipped identity graph model.")
    parser.add_argument("--out", default="src/idstream/models/identity-gnn.pt")
    parser.add_argument("--n-train", type=int, default=800)
    parser.add_argument("--n-val", type=int, default=200)
    parser.add_argument("--n-test", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    record = train_identity(
        Path(args.out), args.n_train, args.n_val, args.n_test, args.epochs, args.seed, args.threads
    )
    print(
        json.dumps({"model": args.out, "version": record["version"], "metrics": record["metrics"]}, indent=2)
    )
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
