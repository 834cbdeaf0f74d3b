"""An :class:`~idstream.mrz.read.MrzReading` as plain JSON, to pass between stages.

The OCR stage reads the MRZ (constrained recognition needs the image); the
graph-IE stage merges it with the printed fields and runs the checks. Between
them the reading travels as this JSON object: the output's ``mrz`` object plus
what the checks need (per-character confidences, line boxes, ambiguous checks).
"""

from __future__ import annotations

from typing import Any

from idstream.document import quad_from_json, quad_to_json
from idstream.mrz.parse import MrzParse, parse_mrz
from idstream.mrz.read import MrzReading
from idstream.mrz.repair import Repair

__all__ = ["reading_from_transport", "reading_to_transport"]


def reading_to_transport(reading: MrzReading) -> dict[str, Any]:
    """The reading as a JSON-able object (see :func:`reading_from_transport`)."""
    return {
        "output": reading.to_dict(),
        "ambiguous": list(reading.parse.ambiguous),
        "confidences": [[round(c, 4) for c in line] for line in reading.confidences],
        "boxes": [quad_to_json(b) for b in reading.boxes],
        "rotation": reading.rotation,
    }


def reading_from_transport(data: dict[str, Any]) -> MrzReading:
    """Rebuild the reading; raises ``KeyError``/``ValueError`` on a malformed object."""
    out = data["output"]
    repaired = [str(line) for line in out["repaired_lines"]]
    fields = parse_mrz(repaired, fmt=str(out["format"]), repair=False).fields
    parse = MrzParse(
        format=str(out["format"]),
        lines=[str(line) for line in out["lines"]],
        repaired_lines=repaired,
        fields=fields,
        checks={str(k): bool(v) for k, v in out["checks"].items()},
        checks_before_repair={str(k): bool(v) for k, v in out["checks_before_repair"].items()},
        repairs=[Repair(int(r["line"]), int(r["column"]), str(r["kind"])) for r in out.get("repairs", [])],
        ambiguous=[str(a) for a in data.get("ambiguous", [])],
    )
    boxes = [q for q in (quad_from_json(b) for b in data.get("boxes", [])) if q is not None]
    confidences = [[float(c) for c in line] for line in data.get("confidences", [])]
    return MrzReading(
        parse=parse, confidences=confidences, boxes=boxes, rotation=int(data.get("rotation", 0))
    )
