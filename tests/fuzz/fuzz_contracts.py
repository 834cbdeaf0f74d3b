"""Fuzz the protobuf decoding of every topic's message and the conversions the handlers apply.

The first byte picks the message type; the rest is parsed with
:func:`idstream.contracts.decode` and converted like the stage handlers do. Only
:class:`~idstream.errors.InvalidMessage` may come out.

Run: ``PYTHONPATH=src:. python tests/fuzz/fuzz_contracts.py -max_total_time=30``.
"""

from __future__ import annotations

import json
import sys

import atheris

with atheris.instrument_imports(include=["idstream"]):
    from idstream import contracts
    from idstream.document import DocumentResult, FieldValue, PreprocessReport, Segment
    from idstream.errors import InvalidMessage
    from idstream.store.base import parse_ref
    from idstream.v1 import gateway_pb2, pipeline_pb2

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fuzz_common import run

TYPES = (
    pipeline_pb2.IngestRequest,
    pipeline_pb2.PreprocessedImage,
    pipeline_pb2.OcrResult,
    pipeline_pb2.ResultEnvelope,
    pipeline_pb2.DeadLetter,
    gateway_pb2.SubmitRequest,
)


def seeds() -> list[bytes]:
    report = contracts.report_to_pb(
        PreprocessReport(
            input_size=(10, 10),
            output_size=(10, 10),
            card_quad=((0, 0), (9, 0), (9, 9), (0, 9)),
            document_format="ID-1",
            rotation_deg=90,
            skew_deg=1.5,
            quality={"sharpness": 0.5},
            quality_flags=["blurry"],
            transform=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
        )
    )
    segment = contracts.segment_to_pb(
        Segment(text="A", quad=((0, 0), (1, 0), (1, 1), (0, 1)), confidence=0.9)
    )
    result = DocumentResult(
        document_id="d", document_type="passport", fields={"surname": FieldValue("A", "A", 0.5)}, mrz={"x": 1}
    )
    messages = [
        pipeline_pb2.IngestRequest(
            document_id="d", image_ref="s3://idstream/ingest/d", content_type="image/png"
        ),
        pipeline_pb2.PreprocessedImage(
            document_id="d", normalized_ref="s3://idstream/n/d.png", report=report
        ),
        pipeline_pb2.OcrResult(
            document_id="d", report=report, segments=[segment], mrz_json=json.dumps({"a": 1})
        ),
        contracts.envelope(result, "s3://idstream/ingest/d"),
        pipeline_pb2.DeadLetter(document_id="d", stage="ocr", reason="r", payload=b"x"),
        gateway_pb2.SubmitRequest(document_id="d", image=b"\x89PNG", content_type="image/png"),
    ]
    return [bytes([i]) + m.SerializeToString() for i, m in enumerate(messages)]


def one_input(data: bytes) -> None:
    if not data:
        return
    kind = TYPES[data[0] % len(TYPES)]
    try:
        msg = contracts.decode(kind, data[1:])
        if isinstance(msg, pipeline_pb2.IngestRequest):
            parse_ref(msg.image_ref)
        elif isinstance(msg, pipeline_pb2.PreprocessedImage):
            contracts.report_from_pb(msg.report)
            parse_ref(msg.normalized_ref)
        elif isinstance(msg, pipeline_pb2.OcrResult):
            contracts.report_from_pb(msg.report)
            [contracts.segment_from_pb(s) for s in msg.segments]
        elif isinstance(msg, pipeline_pb2.ResultEnvelope):
            result = contracts.result_from_pb(msg.result)
            DocumentResult.from_dict(result.to_dict())
    except InvalidMessage:
        return


if __name__ == "__main__":
    run(seeds, one_input)
