"""Topic names of the pipeline (the prefix is configurable)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["STAGES", "Topics"]

#: Stage names, in pipeline order (also the ``stage`` of dead letters).
STAGES: tuple[str, ...] = ("preprocess", "ocr", "graph_ie", "sink")


@dataclass(frozen=True, slots=True)
class Topics:
    """The pipeline's topics: ingest → preprocessed → ocr → extracted → results, plus dlq."""

    prefix: str = "idstream"

    @property
    def ingest(self) -> str:
        return f"{self.prefix}.ingest"

    @property
    def preprocessed(self) -> str:
        return f"{self.prefix}.preprocessed"

    @property
    def ocr(self) -> str:
        return f"{self.prefix}.ocr"

    @property
    def extracted(self) -> str:
        return f"{self.prefix}.extracted"

    @property
    def results(self) -> str:
        return f"{self.prefix}.results"

    @property
    def dlq(self) -> str:
        return f"{self.prefix}.dlq"

    def all(self) -> list[str]:
        return [self.ingest, self.preprocessed, self.ocr, self.extracted, self.results, self.dlq]
