"""Model files and the :class:`GraphExtractor` that runs them.

A model file is a ``torch.save`` dictionary (loaded with ``weights_only=True``)::

    {"format": "idstream.graph_ie/1", "version": "identity-gnn-1.0.0", "schema": {...},
     "config": {...}, "state_dict": {...}, "temperature": 1.3, "meta": {...}}

``version`` appears in every :class:`Extraction`; ``temperature`` is the calibration
of the segment probabilities (temperature scaling on validation data).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from idstream.document import FieldValue, Segment
from idstream.errors import ModelError
from idstream.graph_ie.graph import DocumentGraph, build_graph
from idstream.graph_ie.model import GraphIEConfig, GraphIENet, to_data
from idstream.graph_ie.postprocess import assemble_fields
from idstream.graph_ie.printed_labels import apply_label_prior, field_labels
from idstream.graph_ie.schema import Schema

__all__ = ["MODEL_FORMAT", "Extraction", "GraphExtractor", "save_model"]

MODEL_FORMAT = "idstream.graph_ie/1"


@dataclass(slots=True)
class Extraction:
    """What the graph model found in one document.

    Attributes:
        document_type: predicted document class (``"unknown"`` for schemas without types).
        fields: field name to value (``source="visual"``; boxes in original coordinates).
        model_version: version of the model file.
        document_type_confidence: calibrated probability of ``document_type``.
        segment_labels: ``(label, probability)`` per input segment, in input order.
    """

    document_type: str
    fields: dict[str, FieldValue]
    model_version: str
    document_type_confidence: float = 0.0
    segment_labels: list[tuple[str, float]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_type": self.document_type,
            "document_type_confidence": round(self.document_type_confidence, 4),
            "fields": {k: v.to_dict() for k, v in self.fields.items()},
            "model_version": self.model_version,
        }


def save_model(
    path: str | Path,
    net: GraphIENet,
    schema: Schema,
    version: str,
    temperature: float = 1.0,
    meta: dict[str, Any] | None = None,
) -> None:
    """Write a model file.

    Args:
        path: destination.
        net: the trained network.
        schema: its schema.
        version: version string reported in every result.
        temperature: calibration temperature of the segment probabilities.
        meta: data recipe, seed, metrics (JSON-compatible).
    """
    payload = {
        "format": MODEL_FORMAT,
        "version": version,
        "schema": schema.to_dict(),
        "config": net.config.to_dict(),
        "state_dict": {k: v.detach().cpu().clone() for k, v in net.state_dict().items()},
        "temperature": float(temperature),
        "meta": meta or {},
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    torch.save(payload, str(path))


class GraphExtractor:
    """Runs a graph model on OCR segments.

    Args:
        net: the network (switched to eval mode).
        schema: the schema it was trained for.
        version: model version string.
        temperature: calibration temperature.
        meta: what the model file records about itself.
    """

    def __init__(
        self,
        net: GraphIENet,
        schema: Schema,
        version: str,
        temperature: float = 1.0,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.net = net.eval()
        self.schema = schema
        self.version = version
        self.temperature = float(temperature)
        self.meta = meta or {}
        self.lexicon: list[str] = [str(x) for x in self.meta.get("label_lexicon", [])]
        self.label_fields: dict[str, dict[str, float]] = {
            str(k): {str(c): float(v) for c, v in row.items()}
            for k, row in dict(self.meta.get("label_fields", {})).items()
        }
        #: Labels cut from the start of a value (titles such as ``PASSPORT`` are not).
        self.value_labels: tuple[str, ...] | None = (
            tuple(field_labels(self.label_fields)) if self.label_fields else None
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> GraphExtractor:
        """Load a model file from bytes (as fetched from the object store).

        Raises:
            ModelError: not a graph_ie model file, or incompatible weights.
        """
        try:
            payload = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as exc:
            raise ModelError(f"cannot read graph model file: {type(exc).__name__}") from exc
        if not isinstance(payload, dict) or payload.get("format") != MODEL_FORMAT:
            raise ModelError("not an idstream graph_ie model file")
        try:
            schema = Schema.from_dict(payload["schema"])
            net = GraphIENet(GraphIEConfig.from_dict(payload["config"]))
            net.load_state_dict(payload["state_dict"])
        except (KeyError, TypeError, ValueError, RuntimeError) as exc:
            raise ModelError(f"graph model file is inconsistent: {type(exc).__name__}") from exc
        return cls(
            net, schema, str(payload["version"]), float(payload.get("temperature", 1.0)), payload.get("meta")
        )

    @classmethod
    def from_file(cls, path: str | Path) -> GraphExtractor:
        """Load a model file from disk (``ModelError`` when missing or invalid)."""
        p = Path(path)
        if not p.is_file():
            raise ModelError(f"graph model file not found: {p}")
        return cls.from_bytes(p.read_bytes())

    def _probs(self, graph: DocumentGraph) -> tuple[np.ndarray, np.ndarray | None]:
        with torch.inference_mode():
            logits, doc_logits = self.net(to_data(graph))
            probs = torch.softmax(logits / self.temperature, dim=1).numpy()
            doc = torch.softmax(doc_logits[0], dim=0).numpy() if doc_logits is not None else None
        probs = apply_label_prior(
            probs,
            graph.texts,
            graph.boxes,
            self.label_fields,
            self.schema.labels,
            inline_keys=self.value_labels,
        )
        return probs, doc

    def predict(self, segments: Sequence[Segment], doc_size: tuple[int, int]) -> list[tuple[str, float]]:
        """Label each segment.

        Args:
            segments: OCR segments (``doc_quad`` used when present).
            doc_size: ``(width, height)`` of the frame of the quads used.

        Returns:
            ``(label, calibrated probability)`` per segment, in input order.
        """
        if not segments:
            return []
        graph = build_graph(segments, doc_size)
        probs, _ = self._probs(graph)
        return self._labels(graph, probs)

    def _labels(self, graph: DocumentGraph, probs: np.ndarray) -> list[tuple[str, float]]:
        out: list[tuple[str, float]] = [("other", 0.0)] * graph.num_nodes
        labels = self.schema.labels
        for node, idx in enumerate(graph.order):
            c = int(probs[node].argmax())
            out[idx] = (labels[c], float(probs[node, c]))
        return out

    def extract(self, segments: Sequence[Segment], doc_size: tuple[int, int]) -> Extraction:
        """Extract the schema's fields from one document's segments.

        Args:
            segments: OCR segments; ``doc_quad`` (rectified coordinates) is used for the
                layout when present, boxes in the result come from ``quad`` (original).
            doc_size: ``(width, height)`` of the frame of the quads used for layout.

        Returns:
            The :class:`Extraction`.
        """
        types = self.schema.document_types
        if not segments:
            return Extraction("unknown", {}, self.version)
        graph = build_graph(segments, doc_size)
        probs, doc = self._probs(graph)
        quads = [segments[i].quad for i in graph.order]
        fields = assemble_fields(
            graph.texts, graph.boxes, quads, probs, self.schema, self.lexicon, self.value_labels
        )
        doc_type, doc_conf = "unknown", 0.0
        if doc is not None and types:
            k = int(doc.argmax())
            doc_type, doc_conf = types[k], float(doc[k])
        return Extraction(doc_type, fields, self.version, doc_conf, self._labels(graph, probs))
