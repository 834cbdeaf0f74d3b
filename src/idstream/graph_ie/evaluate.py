"""Evaluation of field extraction: the SROIE task-3 protocol, calibration, reports.

A field counts as right when its extracted value equals the annotated value
(whitespace runs collapsed, otherwise exact). Per field: true positives (right
value), false positives (a value was extracted and is wrong or not annotated),
false negatives (the annotated value was not extracted correctly). Micro F1 sums the
counts over fields. Exact match of a field is its share of annotated documents where
the value is right. Segment labels give a confusion matrix (PNG) and the ECE.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from idstream.graph_ie.calibrate import expected_calibration_error

__all__ = [
    "MISS_CAUSES",
    "FieldScore",
    "canonical",
    "fold_text",
    "miss_cause",
    "score_documents",
    "write_confusion_png",
    "write_html_report",
]


def canonical(value: str, ignore_spaces: bool = False) -> str:
    """The form compared by the protocol: whitespace runs collapsed, ends stripped.

    Args:
        value: a field value.
        ignore_spaces: remove every space (a secondary, lenient comparison that forgives
            the spacing differences between SROIE keys and their OCR lines).
    """
    return "".join(str(value).split()) if ignore_spaces else " ".join(str(value).split())


@dataclass(slots=True)
class FieldScore:
    """Counts of one field."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    annotated: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def exact_match(self) -> float:
        return self.tp / self.annotated if self.annotated else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "exact_match": round(self.exact_match, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "annotated": self.annotated,
        }


@dataclass(slots=True)
class _Report:
    per_field: dict[str, FieldScore] = field(default_factory=dict)


def score_documents(
    field_names: Sequence[str],
    predictions: Sequence[dict[str, tuple[str, float]]],
    truths: Sequence[dict[str, str]],
    labels: Sequence[str] = (),
    segment_true: Sequence[Sequence[int]] = (),
    segment_pred: Sequence[Sequence[int]] = (),
    segment_conf: Sequence[Sequence[float]] = (),
    ignore_spaces: bool = False,
) -> dict[str, Any]:
    """Score extracted fields against annotations.

    Args:
        field_names: the schema's fields.
        predictions: per document, field to ``(value, confidence)``.
        truths: per document, field to annotated value.
        labels: segment classes (for the confusion matrix).
        segment_true: per document, true class index per segment.
        segment_pred: per document, predicted class index per segment.
        segment_conf: per document, confidence of the predicted class.
        ignore_spaces: compare values with every space removed (lenient variant).

    Returns:
        ``{"micro_f1", "micro_precision", "micro_recall", "exact_match", "per_field",
        "documents", "field_ece", "segment_ece", "segment_accuracy", "labels", "confusion"}``.
    """
    scores = {name: FieldScore() for name in field_names}
    field_conf: list[float] = []
    field_ok: list[bool] = []
    docs_all_right = 0
    for pred, truth in zip(predictions, truths, strict=True):
        all_right = True
        for name in field_names:
            s = scores[name]
            want = canonical(truth[name], ignore_spaces) if name in truth else None
            got = pred.get(name)
            if want is not None:
                s.annotated += 1
            if got is not None:
                ok = want is not None and canonical(got[0], ignore_spaces) == want
                field_conf.append(got[1])
                field_ok.append(ok)
                if ok:
                    s.tp += 1
                else:
                    s.fp += 1
                    if want is not None:
                        s.fn += 1
                    all_right = False
            elif want is not None:
                s.fn += 1
                all_right = False
        docs_all_right += all_right
    tp = sum(s.tp for s in scores.values())
    fp = sum(s.fp for s in scores.values())
    fn = sum(s.fn for s in scores.values())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    annotated = sum(s.annotated for s in scores.values())
    out: dict[str, Any] = {
        "micro_f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "micro_precision": round(p, 4),
        "micro_recall": round(r, 4),
        "exact_match": round(tp / annotated, 4) if annotated else 0.0,
        "documents": len(truths),
        "documents_all_right": docs_all_right,
        "per_field": {k: v.to_dict() for k, v in scores.items()},
        "field_ece": round(expected_calibration_error(field_conf, field_ok), 4),
    }
    if labels and segment_true:
        n = len(labels)
        confusion = np.zeros((n, n), dtype=np.int64)
        conf_all: list[float] = []
        ok_all: list[bool] = []
        for t_doc, p_doc, c_doc in zip(segment_true, segment_pred, segment_conf, strict=True):
            for t, q, c in zip(t_doc, p_doc, c_doc, strict=True):
                confusion[t, q] += 1
                conf_all.append(c)
                ok_all.append(t == q)
        out["labels"] = list(labels)
        out["confusion"] = confusion.tolist()
        out["segment_accuracy"] = round(float(np.trace(confusion) / max(confusion.sum(), 1)), 4)
        out["segment_ece"] = round(expected_calibration_error(conf_all, ok_all), 4)
    return out


def write_confusion_png(path: Path, labels: Sequence[str], confusion: npt.ArrayLike) -> None:
    """Draw the segment confusion matrix (rows: truth, columns: prediction), row-normalized."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    mat = np.asarray(confusion, dtype=np.float64)
    norm = mat / np.maximum(mat.sum(axis=1, keepdims=True), 1.0)
    size = max(4.0, 0.5 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size, size))
    ax.imshow(norm, cmap="Blues", vmin=0.0, vmax=1.0)
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("annotated")
    for i in range(len(labels)):
        for j in range(len(labels)):
            if mat[i, j]:
                ax.text(
                    j,
                    i,
                    str(int(mat[i, j])),
                    ha="center",
                    va="center",
                    fontsize=6,
                    color="white" if norm[i, j] > 0.5 else "black",
                )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_html_report(path: Path, report: dict[str, Any], title: str, png_name: str | None = None) -> None:
    """Write a self-contained HTML page with the figures of ``report``."""
    rows = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{s['precision']:.4f}</td><td>{s['recall']:.4f}</td>"
        f"<td>{s['f1']:.4f}</td><td>{s['exact_match']:.4f}</td><td>{s['annotated']}</td></tr>"
        for name, s in report["per_field"].items()
    )
    summary = "".join(
        f"<li>{html.escape(k)}: {html.escape(str(report[k]))}</li>"
        for k in (
            "micro_f1",
            "micro_precision",
            "micro_recall",
            "exact_match",
            "documents",
            "documents_all_right",
            "field_ece",
            "segment_accuracy",
            "segment_ece",
            "model_version",
        )
        if k in report
    )
    img = (
        f'<h2>Segment confusion matrix</h2><img src="{html.escape(png_name)}" alt="confusion matrix">'
        if png_name
        else ""
    )
    page = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 10px;border-bottom:1px solid #ddd}"
        "td{text-align:right}td:first-child{text-align:left}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><ul>{summary}</ul>"
        "<table><tr><th>field</th><th>precision</th><th>recall</th><th>F1</th><th>exact match</th>"
        f"<th>annotated</th></tr>{rows}</table>{img}</body></html>"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


#: Causes of a missed field, from pixels (see :func:`miss_cause`).
MISS_CAUSES = (
    "no_text",  # the OCR read (almost) nothing of the document
    "mrz",  # the value came from the MRZ and is wrong
    "diacritics_only",  # right but for diacritics (ŞEYMA read as SEYMA)
    "label_merged",  # the printed value was read inside a longer segment (with its label)
    "split",  # the printed value was read in several segments
    "ie_wrong_segment",  # the printed value was read right as a segment, the IE chose otherwise
    "ocr_misread",  # the printed value is in no segment: the OCR misread it
)


def fold_text(text: str) -> str:
    """Upper case, diacritics removed, whitespace collapsed (``Şeyma`` -> ``SEYMA``)."""
    text = text.replace("ı", "i").replace("İ", "I").replace("ł", "l").replace("Ł", "L")
    text = text.replace("ø", "o").replace("Ø", "O").replace("ß", "SS")
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).upper().split())


def miss_cause(truth: str, got: str, source: str, printed: list[str], segments: list[str]) -> str:
    """Why a field from pixels is wrong: one of :data:`MISS_CAUSES`.

    Args:
        truth: the annotated (normalized) value.
        got: the extracted value ("" when missing).
        source: the extracted value's source (``visual``, ``mrz``, ...).
        printed: the value as printed on the card (the annotation lines of the field).
        segments: the OCR segments' texts.
    """
    if sum(len(s.strip()) for s in segments) < 20:
        return "no_text"
    if got and fold_text(got) == fold_text(truth):
        return "diacritics_only"
    if got and "mrz" in source:
        return "mrz"
    segs = [" ".join(s.upper().split()) for s in segments]
    folded = [fold_text(s) for s in segments]
    words = [" ".join(p.upper().split()) for p in printed if p.strip()]
    if not words:
        return "ocr_misread"
    if all(w in segs or fold_text(w) in folded for w in words):
        return "ie_wrong_segment"
    if all(any(_has_words(f, fold_text(w)) for f in folded) for w in words):
        return "label_merged"
    tokens = [t for w in words for t in fold_text(w).split()]
    if len(tokens) > 1 and all(any(t in f.split() for f in folded) for t in tokens):
        return "split"
    return "ocr_misread"


def _has_words(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` as whole words (``M`` in ``15 SEX M``, not in ``MAY``)."""
    return re.search(rf"(?<![0-9A-Z]){re.escape(words)}(?![0-9A-Z])", text) is not None
