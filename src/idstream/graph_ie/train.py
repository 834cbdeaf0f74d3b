"""Training of the graph model: mini-batches of documents, validation each epoch, early stopping.

The best epoch (highest validation micro F1 over fields, then lowest loss) is kept;
the temperature of the probabilities is then fitted on the validation segments.
Character noise (random substitutions and deletions of character ids, at
``char_noise`` per character) imitates OCR errors when training on ground-truth text.
"""

from __future__ import annotations

import copy
import math
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from torch import nn

from idstream.graph_ie.calibrate import fit_temperature
from idstream.graph_ie.dataset import LabeledDocument
from idstream.graph_ie.evaluate import score_documents
from idstream.graph_ie.features import TEXT_STATS_DIM, VOCAB
from idstream.graph_ie.graph import DocumentGraph, build_graph
from idstream.graph_ie.model import GraphIEConfig, GraphIENet, collate, to_data
from idstream.graph_ie.postprocess import assemble_fields, build_label_lexicon
from idstream.graph_ie.printed_labels import LabelFields, apply_label_prior, field_labels, learn_label_fields
from idstream.graph_ie.schema import OTHER, Schema

__all__ = [
    "Prepared",
    "TrainResult",
    "class_counts",
    "evaluate_net",
    "label_field_map",
    "label_lexicon",
    "prepare",
    "train_model",
]


@dataclass(slots=True)
class Prepared:
    """A document turned into a graph, with its targets (nodes in reading order)."""

    doc: LabeledDocument
    graph: DocumentGraph
    data: Any
    targets: list[int]


@dataclass(slots=True)
class TrainResult:
    """The trained network, its calibration and what happened."""

    net: GraphIENet
    temperature: float
    history: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def prepare(docs: Sequence[LabeledDocument], schema: Schema) -> list[Prepared]:
    """Build the graph of every document and its target classes."""
    labels = schema.labels
    types = schema.document_types
    out: list[Prepared] = []
    for doc in docs:
        graph = build_graph(doc.segments, doc.doc_size)
        targets = [labels.index(doc.labels[i]) if doc.labels[i] in labels else 0 for i in graph.order]
        doc_type = types.index(doc.doc_type) if doc.doc_type in types else -1
        out.append(Prepared(doc, graph, to_data(graph, targets, doc_type), targets))
    return out


def _noisy(chars: torch.Tensor, rate: float, gen: torch.Generator) -> torch.Tensor:
    if rate <= 0:
        return chars
    mask = chars > 0
    sub = (torch.rand(chars.shape, generator=gen) < rate) & mask
    rand = torch.randint(2, len(VOCAB) + 2, chars.shape, generator=gen)
    out = torch.where(sub, rand, chars)
    drop = (torch.rand(chars.shape, generator=gen) < rate / 2) & mask
    if drop.any():
        rows = []
        for r in range(out.shape[0]):
            keep = out[r][~drop[r] & (out[r] > 0)]
            rows.append(torch.cat([keep, torch.zeros(out.shape[1] - keep.numel(), dtype=out.dtype)]))
        out = torch.stack(rows)
    return out


def _shift_positions(
    x: torch.Tensor, batch: torch.Tensor, graphs: int, amount: float, gen: torch.Generator
) -> torch.Tensor:
    offsets = (torch.rand((graphs, 2), generator=gen) * 2 - 1) * amount
    shift = offsets[batch]
    x = x.clone()
    g = TEXT_STATS_DIM
    for col, axis in ((0, 0), (1, 1), (2, 0), (3, 1), (8, 0)):  # x0, y0, x1, y1, centre x
        x[:, g + col] += shift[:, axis]
    return x


def evaluate_net(
    net: GraphIENet,
    items: Sequence[Prepared],
    schema: Schema,
    temperature: float = 1.0,
    batch_size: int = 32,
    lexicon: Sequence[str] = (),
    label_fields: LabelFields | None = None,
) -> tuple[dict[str, Any], torch.Tensor, torch.Tensor]:
    """Run the network on prepared documents and score them.

    ``lexicon`` and ``label_fields`` are the model file's printed labels (see
    :func:`label_lexicon` and :func:`label_field_map`); empty: not used.

    Returns:
        The :func:`score_documents` report (plus ``loss``), and the concatenated
        logits and targets of all segments (for calibration).
    """
    net.eval()
    value_labels = field_labels(label_fields) if label_fields else None
    all_logits: list[torch.Tensor] = []
    preds: list[dict[str, tuple[str, float]]] = []
    seg_true: list[list[int]] = []
    seg_pred: list[list[int]] = []
    seg_conf: list[list[float]] = []
    with torch.inference_mode():
        for start in range(0, len(items), batch_size):
            chunk = items[start : start + batch_size]
            batch = collate([p.data for p in chunk])
            logits, _ = net(batch)
            all_logits.append(logits)
            probs = torch.softmax(logits / temperature, dim=1).numpy()
            offset = 0
            for p in chunk:
                n = p.graph.num_nodes
                pr = probs[offset : offset + n]
                offset += n
                quads = [p.doc.segments[i].quad for i in p.graph.order]
                if label_fields:
                    pr = apply_label_prior(pr, p.graph.texts, p.graph.boxes, label_fields, schema.labels)
                fields = assemble_fields(
                    p.graph.texts, p.graph.boxes, quads, pr, schema, lexicon, value_labels
                )
                preds.append({k: (v.value, v.confidence) for k, v in fields.items()})
                seg_true.append(p.targets)
                seg_pred.append([int(c) for c in pr.argmax(axis=1)])
                seg_conf.append([float(c) for c in pr.max(axis=1)])
    logits_all = torch.cat(all_logits) if all_logits else torch.zeros((0, len(schema.labels)))
    targets_all = torch.tensor([t for p in items for t in p.targets], dtype=torch.long)
    report = score_documents(
        schema.field_names, preds, [p.doc.fields for p in items], schema.labels, seg_true, seg_pred, seg_conf
    )
    lenient = score_documents(schema.field_names, preds, [p.doc.fields for p in items], ignore_spaces=True)
    report["ignoring_spaces"] = {
        "micro_f1": lenient["micro_f1"],
        "per_field_f1": {k: v["f1"] for k, v in lenient["per_field"].items()},
    }
    report["predictions"] = [{k: v[0] for k, v in pred.items()} for pred in preds]
    report["loss"] = (
        round(float(nn.functional.cross_entropy(logits_all, targets_all)), 5) if len(targets_all) else 0.0
    )
    return report, logits_all, targets_all


def train_model(
    train: Sequence[Prepared],
    val: Sequence[Prepared],
    schema: Schema,
    config: GraphIEConfig | None = None,
    epochs: int = 60,
    patience: int = 8,
    lr: float = 3e-3,
    batch_size: int = 16,
    char_noise: float = 0.0,
    seed: int = 0,
    progress: bool = True,
    log: Callable[[str], None] | None = None,
    time_limit_s: float | None = None,
    position_jitter: float = 0.0,
) -> TrainResult:
    """Train a :class:`GraphIENet` with validation each epoch and early stopping.

    Args:
        train: prepared training documents.
        val: prepared validation documents (may be empty: then the last epoch is kept
            and the temperature is 1).
        schema: the schema (classes, document types).
        config: network configuration (default: sized for ``schema``).
        epochs: maximum epochs.
        patience: epochs without validation improvement before stopping.
        lr: AdamW learning rate.
        batch_size: documents per batch.
        char_noise: per-character OCR noise rate on training texts.
        seed: random seed (weights, batch order, noise).
        progress: show a progress bar on stderr.
        log: receives one line per epoch.
        time_limit_s: stop after this many seconds (the best epoch so far is kept).
        position_jitter: shift each training document's absolute box positions by up to
            this share of the page (relative geometry unchanged), so that the model
            leans on neighbours and printed labels more than on where a field sits.
    """
    torch.manual_seed(seed)
    rng = random.Random(seed)
    gen = torch.Generator().manual_seed(seed)
    cfg = config or GraphIEConfig(num_classes=len(schema.labels), num_doc_types=len(schema.document_types))
    net = GraphIENet(cfg)
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = max(1, math.ceil(len(train) / batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=lr, total_steps=epochs * steps_per_epoch, pct_start=0.1
    )
    has_types = cfg.num_doc_types > 0
    best_key: tuple[float, float] = (-1.0, -math.inf)
    best_state = copy.deepcopy(net.state_dict())
    best_epoch, stale = 0, 0
    history: list[dict[str, float]] = []
    start = time.perf_counter()
    cpu_start = time.process_time()
    bar = None
    if progress:
        from tqdm import tqdm  # type: ignore[import-untyped]

        bar = tqdm(total=epochs, desc="train", unit="epoch", file=sys.stderr, leave=False)
    order = list(range(len(train)))
    for epoch in range(1, epochs + 1):
        net.train()
        rng.shuffle(order)
        total, count = 0.0, 0
        for b in range(0, len(order), batch_size):
            items = [train[i].data for i in order[b : b + batch_size]]
            batch = collate(items)
            batch.chars = _noisy(batch.chars, char_noise, gen)
            if position_jitter > 0:
                batch.x = _shift_positions(batch.x, batch.batch, len(items), position_jitter, gen)
            logits, doc_logits = net(batch)
            loss = nn.functional.cross_entropy(logits, batch.y)
            if has_types and doc_logits is not None and bool((batch.doc_type >= 0).all()):
                loss = loss + 0.2 * nn.functional.cross_entropy(doc_logits, batch.doc_type)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            nn.utils.clip_grad_norm_(net.parameters(), 2.0)
            opt.step()
            sched.step()
            total += loss.item() * len(items)
            count += len(items)
        row: dict[str, float] = {"epoch": epoch, "train_loss": round(total / max(count, 1), 5)}
        if val:
            report, _, _ = evaluate_net(net, val, schema)
            row.update(
                val_loss=report["loss"],
                val_micro_f1=report["micro_f1"],
                val_seg_acc=report["segment_accuracy"],
            )
            key = (float(report["micro_f1"]), -float(report["loss"]))
        else:
            key = (float(epoch), 0.0)
        history.append(row)
        if key > best_key:
            best_key, best_epoch, stale = key, epoch, 0
            best_state = copy.deepcopy(net.state_dict())
        else:
            stale += 1
        if bar is not None:
            bar.update(1)
            bar.set_postfix({k: v for k, v in row.items() if k != "epoch"})
        if log is not None:
            log(" ".join(f"{k}={v}" for k, v in row.items()))
        if stale >= patience or (time_limit_s is not None and time.perf_counter() - start > time_limit_s):
            break
    if bar is not None:
        bar.close()
    net.load_state_dict(best_state)
    temperature = 1.0
    if val:
        _, logits, targets = evaluate_net(net, val, schema)
        temperature = fit_temperature(logits, targets)
    return TrainResult(
        net.eval(),
        temperature,
        history,
        best_epoch,
        time.perf_counter() - start,
        time.process_time() - cpu_start,
    )


def label_lexicon(items: Sequence[Prepared], min_count: int = 3) -> list[str]:
    """The printed labels of the training documents (see :func:`build_label_lexicon`)."""
    return build_label_lexicon(
        [p.graph.texts[k] for p in items for k, t in enumerate(p.targets) if t == 0], min_count
    )


def class_counts(items: Sequence[Prepared], schema: Schema) -> dict[str, int]:
    """How many segments of each class the prepared documents hold."""
    counts = np.bincount([t for p in items for t in p.targets], minlength=len(schema.labels))
    return {schema.labels[i]: int(c) for i, c in enumerate(counts) if schema.labels[i] != OTHER or c}


def label_field_map(
    items: Sequence[Prepared], lexicon: Sequence[str], schema: Schema
) -> dict[str, dict[str, float]]:
    """Which class each printed label of ``lexicon`` announces in the training documents.

    See :func:`~idstream.graph_ie.printed_labels.learn_label_fields`.
    """
    labels = schema.labels
    return learn_label_fields(
        [(p.graph.texts, p.graph.boxes, [labels[t] for t in p.targets]) for p in items], lexicon
    )
