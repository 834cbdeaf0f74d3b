"""Round trips between domain records and protobuf messages."""

from __future__ import annotations

import json

import pytest

from idstream import contracts
from idstream.document import Check, DocumentResult, FieldValue, PreprocessReport, Review, Segment
from idstream.errors import InvalidMessage
from idstream.v1 import pipeline_pb2, result_pb2


def _result() -> DocumentResult:
    box = ((10.0, 20.0), (110.0, 20.0), (110.0, 40.0), (10.0, 40.0))
    return DocumentResult(
        document_id="doc-1",
        document_type="passport",
        fields={
            "surname": FieldValue("ERIKSSON", "ERIKSSON", 0.97, box, "visual+mrz"),
            "date_of_birth": FieldValue("1974-08-12", "12 AUG 74", 0.91, None, "mrz"),
        },
        mrz={"format": "TD3", "lines": ["P<UTO", "L898"], "valid": True, "checks": {"composite": True}},
        checks=[
            Check("mrz_check_digits", "pass"),
            Check("mrz_printed_consistency", "fail", "dates", ["sex"]),
        ],
        quality={"blur": 0.25, "glare": 0.0, "flags": ["blur"], "width": 1000},
        review=Review("to_review", ["check_failed:mrz_printed_consistency"]),
        timings_ms={"preprocess": 12.5, "ocr": 300.0},
        model_version="identity-gnn@1",
    )


def test_result_round_trip_gives_the_same_json() -> None:
    result = _result()
    data = contracts.result_to_pb(result).SerializeToString()
    back = contracts.result_from_pb(contracts.decode(result_pb2.DocumentResult, data))
    assert json.dumps(back.to_dict(), sort_keys=True) == json.dumps(result.to_dict(), sort_keys=True)


def test_report_and_segment_round_trip() -> None:
    report = PreprocessReport(
        input_size=(4000, 3000),
        output_size=(1000, 630),
        card_quad=((1.0, 2.0), (3.0, 4.0), (5.0, 6.0), (7.0, 8.0)),
        document_format="ID-1",
        rotation_deg=90,
        skew_deg=1.5,
        quality={"blur": 0.1},
        quality_flags=["glare"],
        transform=[[2.0, 0.0, 5.0], [0.0, 2.0, 7.0], [0.0, 0.0, 1.0]],
    )
    assert contracts.report_from_pb(contracts.report_to_pb(report)).to_dict() == report.to_dict()
    seg = Segment("ABC", ((0, 0), (1, 0), (1, 1), (0, 1)), 0.5, ((2, 2), (3, 2), (3, 3), (2, 3)))
    assert contracts.segment_from_pb(contracts.segment_to_pb(seg)) == seg


@pytest.mark.parametrize("payload", [b"", b"\xff\xff\xff\xff", b"\x0a\x05ab"])
def test_malformed_messages_are_invalid(payload: bytes) -> None:
    with pytest.raises(InvalidMessage):
        contracts.decode(pipeline_pb2.IngestRequest, payload)
