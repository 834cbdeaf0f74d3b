"""Graph information extraction: OCR segments in, labelled fields out.

Public API for the pipeline::

    from idstream.graph_ie import load_extractor

    extractor = load_extractor()          # the shipped identity model
    result = extractor.extract(segments, doc_size)
    result.document_type, result.fields["surname"].value, result.model_version

The package is layered like doctr: :mod:`~idstream.graph_ie.graph` and
:mod:`~idstream.graph_ie.features` build the document graph (numpy),
:mod:`~idstream.graph_ie.model` is the torch module, :mod:`~idstream.graph_ie.predictor`
runs it, :mod:`~idstream.graph_ie.postprocess` turns labels into values (numpy only).
Torch is imported only when a model is loaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from idstream.graph_ie.schema import FieldSpec, Schema, load_schema

if TYPE_CHECKING:
    from idstream.graph_ie.predictor import Extraction, GraphExtractor

__all__ = [
    "DEFAULT_MODEL",
    "Extraction",
    "FieldSpec",
    "GraphExtractor",
    "Schema",
    "load_extractor",
    "load_schema",
]

#: The shipped identity model.
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "identity-gnn.pt"


def load_extractor(path: str | Path | None = None) -> GraphExtractor:
    """Load a graph model file.

    Args:
        path: a model file; ``None`` loads the shipped identity model.

    Raises:
        ModelError: the file is missing or not a valid graph model.
    """
    from idstream.graph_ie.predictor import GraphExtractor

    return GraphExtractor.from_file(DEFAULT_MODEL if path is None else path)


def __getattr__(name: str) -> object:
    if name in ("Extraction", "GraphExtractor"):
        from idstream.graph_ie import predictor

        return getattr(predictor, name)
    raise AttributeError(name)
