"""Fit the two small learned parts of the preprocess stage on documents from ``idstream synth``.

* the **card ranker** (:mod:`idstream.preprocess.locate`): a linear scoring of candidate
  quadrilaterals, fitted with a listwise softmax loss so that the candidate closest
  to the true card (corner error under 4% of the diagonal and within 0.5% of the best
  candidate's, which the side snapping then removes) ranks first;
* the **orientation model** (:mod:`idstream.preprocess.orient`): a linear classifier
  of "upright versus upside down" on coarse layout features of the rectified card.

Both are plain numpy; the weights go to ``idstream/models/preprocess.json`` with the
held-out metrics. Recipe of the shipped file::

    idstream synth --out data/pp/train --n 680 --seed 5001 --distort photo=0.85,scan=0.15 --workers 2
    python -m idstream.preprocess.train --data data/pp/train --out src/idstream/models/preprocess.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from idstream.imageio import read_image_file
from idstream.preprocess import locate, orient
from idstream.preprocess._arrays import FloatArray
from idstream.preprocess.formats import ID1, ID3
from idstream.preprocess.rectify import rectify_card

__all__ = ["candidate_table", "fit_listwise", "main", "positive_labels"]

#: A candidate is "the card" when all its corners are this close to the truth (share of diagonal)
#: and within :data:`POSITIVE_SLACK` of the closest candidate of its image (of two candidates
#: that differ by one side on parallel edges, only the better one is the card).
POSITIVE_ERROR, POSITIVE_SLACK = 0.04, 0.005


def candidate_table(image: Any, truth: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Features of the valid candidates of one image and their corner error against ``truth``."""
    small, scale = locate.downscale(image, locate.ANALYSIS_SIZE)
    height, width = small.shape[:2]
    field, quads = locate.candidate_quads(small)
    if len(quads) == 0:
        return np.zeros((0, len(locate.FEATURE_NAMES))), np.zeros(0)
    features, valid = locate.quad_features(quads, field, width, height)
    target = locate.order_clockwise((truth + 0.5) * scale - 0.5)
    diagonal = float(np.hypot(*(target[2] - target[0])))
    errors = (
        np.min(
            [
                np.hypot(*(np.roll(quads, s, axis=1) - target).transpose(2, 0, 1)).max(axis=1)
                for s in range(4)
            ],
            axis=0,
        )
        / diagonal
    )
    return features[valid], errors[valid]


def positive_labels(errors: FloatArray) -> FloatArray:
    """1 for the candidates that count as the card (see :data:`POSITIVE_ERROR`), else 0."""
    if len(errors) == 0:
        return np.zeros(0)
    best = float(errors.min())
    return ((errors < POSITIVE_ERROR) & (errors <= best + POSITIVE_SLACK)).astype(np.float64)


def fit_listwise(
    groups: list[tuple[FloatArray, FloatArray]], *, steps: int = 3000, lr: float = 0.05, l2: float = 1e-3
) -> FloatArray:
    """Weights maximizing the softmax probability of the positive candidates of each group."""
    dim = groups[0][0].shape[1]
    weights = np.zeros(dim)
    weights[: len(locate.DEFAULT_WEIGHTS)] = locate.DEFAULT_WEIGHTS
    mean_grad = np.zeros(dim)
    square = np.zeros(dim)
    for step in range(1, steps + 1):
        grad = l2 * weights
        for x, positive in groups:
            s = x @ weights
            p = np.exp(s - s.max())
            p /= p.sum()
            q = p * positive
            q /= q.sum()
            grad += (p - q) @ x / len(groups)
        mean_grad = 0.9 * mean_grad + 0.1 * grad
        square = 0.999 * square + 0.001 * grad**2
        weights -= lr * (mean_grad / (1 - 0.9**step)) / (np.sqrt(square / (1 - 0.999**step)) + 1e-8)
    return weights


def _top1(groups: list[tuple[FloatArray, FloatArray]], weights: FloatArray) -> float:
    return float(np.mean([positive[int(np.argmax(x @ weights))] > 0 for x, positive in groups]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fit the preprocess card ranker and orientation model.")
    parser.add_argument("--data", type=Path, required=True, help="folder written by `idstream synth`")
    parser.add_argument("--out", type=Path, required=True, help="JSON weights file to write")
    parser.add_argument("--val", type=float, default=0.25, help="share of documents held out")
    args = parser.parse_args(argv)
    annotations = sorted(args.data.glob("*.json"))
    ranker_groups: list[tuple[FloatArray, FloatArray]] = []
    orient_x: list[FloatArray] = []
    recall = []
    for path in annotations:
        annotation = json.loads(path.read_text())
        if not (args.data / annotation["image"]).is_file():
            continue
        image = read_image_file(args.data / annotation["image"])
        truth = np.asarray(annotation["distortion"]["card_quad"], dtype=np.float64)
        features, errors = candidate_table(image, truth)
        positive = positive_labels(errors)
        recall.append(bool(positive.any()))
        ranker_groups.append((features, positive))
        fmt = ID3 if annotation.get("kind") == "passport" else ID1
        card, _ = rectify_card(image, tuple(map(tuple, truth)), fmt)  # type: ignore[arg-type]
        orient_x.append(orient.layout_features(card))
    n = len(ranker_groups)
    split = int(n * (1 - args.val))
    train_groups = [g for g in ranker_groups[:split] if g[1].any()]
    val_groups = [g for g in ranker_groups[split:] if g[1].any()]
    weights = fit_listwise(train_groups)
    default = np.asarray(locate.DEFAULT_WEIGHTS)
    ranker = {
        "features": list(locate.FEATURE_NAMES),
        "weights": [round(float(w), 6) for w in weights],
        "positive_error": POSITIVE_ERROR,
        "positive_slack": POSITIVE_SLACK,
        "documents": n,
        "candidate_recall": float(np.mean(recall)),
        "top1_train": _top1(train_groups, weights),
        "top1_heldout": _top1(val_groups, weights),
        "top1_heldout_default_weights": _top1(val_groups, default),
    }
    x = np.stack(orient_x)
    orientation = orient.fit_orientation(x[:split])
    upright = x[split:] @ orientation
    flipped = orient.flip_features(x[split:]) @ orientation
    orientation_info = {
        "weights": [round(float(w), 6) for w in orientation],
        "features": int(x.shape[1]),
        "heldout_accuracy": float(np.mean(upright > flipped)),
        "heldout_documents": int(len(x) - split),
    }
    out = {"card_ranker": ranker, "orientation": orientation_info}
    args.out.write_text(json.dumps(out, indent=1) + "\n")
    summary = {k: v for k, v in ranker.items() if k not in ("weights", "features")}
    print(
        json.dumps(
            {
                "card_ranker": summary,
                "orientation": {k: v for k, v in orientation_info.items() if k != "weights"},
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
