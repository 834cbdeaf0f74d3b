"""Malformed, truncated, wrong-type and oversized protobuf messages on every stage's input topic.

Each message goes through the stage's real handler inside ``process_message``
(models replaced by stubs that fail the test if reached: a malformed message must
be refused before any model runs). Expected: exactly one dead letter, of the
``InvalidInput`` family, with a one-line reason, in less than a second, and no
exception escapes. Truncating a protobuf at a field boundary gives a *valid*
shorter message, so truncations may also pass the decoder; they must then still be
refused by the contract checks or processed normally, never crash.
"""

from __future__ import annotations

import importlib
import random
import time
from pathlib import Path
from typing import Any

import pytest
from google.protobuf.message import Message

from idstream import contracts
from idstream.document import DocumentResult, FieldValue, PreprocessReport
from idstream.pipeline import Pipeline
from idstream.settings import Settings
from idstream.store.local import LocalObjectStore
from idstream.streaming.context import StageContext, dead_letter_factory
from idstream.streaming.stage import Outgoing, process_message
from idstream.topics import STAGES, Topics
from idstream.v1 import pipeline_pb2

INVALID_INPUT_TYPES = {"InvalidInput", "UnreadableImage", "EmptyImage", "ImageTooLarge", "InvalidMessage"}


class ReachedModel(Exception):
    """A model stub was called: the message got past every check."""


class _Boom:
    def __getattr__(self, name: str) -> Any:
        raise ReachedModel(name)


def _report() -> PreprocessReport:
    return PreprocessReport(
        input_size=(640, 400),
        output_size=(856, 540),
        card_quad=None,
        document_format="ID-1",
        rotation_deg=0,
        skew_deg=0.0,
        quality={"sharpness": 1.0},
        quality_flags=[],
        transform=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    )


def valid_messages() -> dict[str, Message]:
    """One well-formed input message per stage (referencing objects that do not exist)."""
    report = contracts.report_to_pb(_report())
    result = DocumentResult(
        document_id="doc-1", document_type="id_card", fields={"surname": FieldValue("X", "X", 0.9)}
    )
    return {
        "preprocess": pipeline_pb2.IngestRequest(
            document_id="doc-1", image_ref="s3://idstream/ingest/doc-1", content_type="image/jpeg", client="t"
        ),
        "ocr": pipeline_pb2.PreprocessedImage(
            document_id="doc-1",
            image_ref="s3://idstream/ingest/doc-1",
            normalized_ref="s3://idstream/normalized/doc-1.png",
            report=report,
            timings_ms={"preprocess": 1.0},
        ),
        "graph_ie": pipeline_pb2.OcrResult(
            document_id="doc-1",
            image_ref="s3://idstream/ingest/doc-1",
            normalized_ref="s3://idstream/normalized/doc-1.png",
            report=report,
            engine="stub",
            mrz_json="",
        ),
        "sink": contracts.envelope(result, "s3://idstream/ingest/doc-1"),
    }


def malformed(stage: str, rng: random.Random) -> list[tuple[str, bytes]]:
    """Bytes that must never be processed as a valid message of ``stage``'s input type."""
    valid = valid_messages()
    good = valid[stage].SerializeToString()
    out: list[tuple[str, bytes]] = [("empty", b"")]
    for i in range(30):
        out.append((f"random-{i}", rng.randbytes(rng.choice([1, 2, 7, 64, 1000]))))
    # A valid message followed by a tag with an invalid wire type (6 or 7), or a cut-off field.
    for i, tail in enumerate([b"\x0f", b"\x0e", b"\x7f", b"\x06\x00", b"\xff\x01", b"\x0a\x05ab", b"\x12"]):
        out.append((f"bad-tail-{i}", good + tail))
    for i in range(10):
        cut = rng.randrange(1, len(good))
        out.append((f"bad-wire-type-inside-{i}", good[:cut] + b"\x0f" + good[cut:]))
    out += [
        ("varint-overflow", b"\x08" + b"\xff" * 11),
        ("length-past-end", b"\x0a\xff\xff\xff\x0f" + b"x" * 10),
        ("nested-groups", b"\x0b" * 5_000),
        ("deep-nesting", b"\x22\x02" * 2_000),
        ("invalid-utf8-id", b"\x0a\x04\xff\xfe\xfd\xfc"),
        ("tag-zero", b"\x00\x01"),
    ]
    return out


def contract_violations(stage: str) -> list[tuple[str, bytes]]:
    """Messages that parse but break the contract: bad references, path traversal, wrong types."""
    valid = valid_messages()
    msg = valid[stage]
    cases: list[tuple[str, bytes]] = []
    ref_field = {"preprocess": "image_ref", "ocr": "normalized_ref"}.get(stage)
    if ref_field:
        for i, ref in enumerate(
            [
                "",
                "s3://idstream/../../etc/passwd",
                "s3://idstream/ingest/../../../etc/shadow",
                "file:///etc/passwd",
                "http://169.254.169.254/latest/meta-data",
                "s3://Bad_Bucket/key",
                "s3://idstream/" + "k" * 5_000,
                "s3://idstream/a\x00b",
                "s3://idstream//abs",
            ]
        ):
            bad = type(msg)()
            bad.CopyFrom(msg)
            setattr(bad, ref_field, ref)
            cases.append((f"ref-{i}", bad.SerializeToString()))
    for other, other_msg in valid.items():
        if other != stage and stage != "preprocess":  # an IngestRequest-shaped message has no report
            cases.append((f"wrong-type-{other}", other_msg.SerializeToString()))
    if stage in ("ocr", "graph_ie"):
        bad = type(msg)()
        bad.CopyFrom(msg)
        del bad.report.transform[3:]
        cases.append(("report-without-transform", bad.SerializeToString()))
    if stage == "graph_ie":
        bad = pipeline_pb2.OcrResult()
        bad.CopyFrom(msg)
        bad.mrz_json = "{not json"
        cases.append(("mrz-not-json", bad.SerializeToString()))
        bad = pipeline_pb2.OcrResult()
        bad.CopyFrom(msg)
        seg = bad.segments.add(text="x", confidence=0.5)
        seg.box.points.add(x=1, y=1)
        cases.append(("segment-with-one-point", bad.SerializeToString()))
        oversized = pipeline_pb2.OcrResult()
        oversized.CopyFrom(msg)
        oversized.report.transform.extend([0.0] * 200_000)
        cases.append(("oversized-transform", oversized.SerializeToString()))
    if stage == "sink":
        bad = pipeline_pb2.ResultEnvelope()
        bad.CopyFrom(msg)
        bad.result.mrz_json = "[1, 2"
        cases.append(("result-mrz-not-json", bad.SerializeToString()))
        bad = pipeline_pb2.ResultEnvelope()
        bad.CopyFrom(msg)
        bad.result.checks.add(name="x", status="maybe")
        cases.append(("unknown-check-status", bad.SerializeToString()))
        bad = pipeline_pb2.ResultEnvelope()
        bad.CopyFrom(msg)
        bad.result.fields["surname"].box.points.add(x=1, y=2)
        cases.append(("field-box-one-point", bad.SerializeToString()))
    if stage == "preprocess":
        huge = pipeline_pb2.IngestRequest()
        huge.CopyFrom(msg)
        huge.client = "x" * 4_000_000
        huge.image_ref = "s3://idstream/" + "y" * 2_000
        cases.append(("oversized-4mb", huge.SerializeToString()))
    return cases


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[StageContext, Any, Any]]:
    root: Path = tmp_path_factory.mktemp("hostile-messages")
    settings = Settings(db_url=f"sqlite:///{root / 'results.db'}")
    store = LocalObjectStore(root / "store", bucket="idstream")
    # The objects the messages refer to exist (and are not images): a message that gets past
    # the decoder meets a refusal from the image decoder, not a missing object.
    store.put("ingest/doc-1", b"not an image")
    store.put("normalized/doc-1.png", b"not an image either")
    pipeline = Pipeline(ocr_engine=_Boom(), extractor=_Boom())  # type: ignore[arg-type]
    out = {}
    for stage in STAGES:
        module = importlib.import_module(f"services.{stage}")
        spec = module.SPEC
        ctx = StageContext(stage, settings, Topics(), store, pipeline)
        out[stage] = (
            ctx,
            spec.make_handler(ctx),
            dead_letter_factory(ctx, spec.input_topic(ctx.topics), spec.input_type),
        )
    return out


def _run(
    stage_tuple: tuple[StageContext, Any, Any], stage: str, value: bytes, **kwargs: Any
) -> tuple[list[Outgoing], float]:
    ctx, handler, dead_letter = stage_tuple
    start = time.perf_counter()
    out = process_message(
        stage, value, handler, dead_letter, max_attempts=ctx.settings.max_attempts, **kwargs
    )
    return out, time.perf_counter() - start


def _assert_dead_letter(ctx: StageContext, out: list[Outgoing], elapsed: float, what: str) -> None:
    assert len(out) == 1 and out[0].topic == ctx.topics.dlq, f"{what}: not dead-lettered"
    letter = pipeline_pb2.DeadLetter.FromString(out[0].value)
    assert letter.error_type in INVALID_INPUT_TYPES, f"{what}: {letter.error_type} {letter.reason}"
    assert letter.reason and "\n" not in letter.reason
    assert letter.attempts == 1 and letter.stage == ctx.stage
    assert len(letter.payload) <= 65_536
    assert elapsed < 1.0, f"{what}: dead letter after {elapsed:.2f} s"


@pytest.mark.parametrize("stage", STAGES)
def test_malformed_bytes_go_to_the_dead_letter_topic_within_a_second(
    stage: str, stages: dict[str, tuple[StageContext, Any, Any]]
) -> None:
    rng = random.Random(f"malformed-{stage}")
    ctx = stages[stage][0]
    for name, value in malformed(stage, rng):
        out, elapsed = _run(stages[stage], stage, value)
        _assert_dead_letter(ctx, out, elapsed, f"{stage}/{name}")


@pytest.mark.parametrize("stage", STAGES)
def test_contract_violations_are_dead_lettered_before_any_model_runs(
    stage: str, stages: dict[str, tuple[StageContext, Any, Any]]
) -> None:
    ctx = stages[stage][0]
    for name, value in contract_violations(stage):
        out, elapsed = _run(stages[stage], stage, value)
        _assert_dead_letter(ctx, out, elapsed, f"{stage}/{name}")


@pytest.mark.parametrize("stage", STAGES)
def test_truncated_messages_never_crash_a_stage(
    stage: str, stages: dict[str, tuple[StageContext, Any, Any]]
) -> None:
    ctx = stages[stage][0]
    good = valid_messages()[stage].SerializeToString()
    for cut in range(1, len(good)):
        out, _ = _run(stages[stage], stage, good[:cut], sleep=lambda s: None)
        assert len(out) <= 1
        for message in out:
            if message.topic == ctx.topics.dlq:
                # A valid shorter message may reach a missing object or the model stub; nothing else.
                letter = pipeline_pb2.DeadLetter.FromString(message.value)
                assert letter.error_type in INVALID_INPUT_TYPES | {"NotFound", "ReachedModel"}, letter.reason
                assert letter.reason and "\n" not in letter.reason


def test_a_reference_to_a_missing_object_is_dead_lettered_within_a_second(
    stages: dict[str, tuple[StageContext, Any, Any]],
) -> None:
    ctx = stages["preprocess"][0]
    msg = pipeline_pb2.IngestRequest(document_id="doc-2", image_ref="s3://idstream/ingest/never-uploaded")
    out, elapsed = _run(stages["preprocess"], "preprocess", msg.SerializeToString())
    assert len(out) == 1 and out[0].topic == ctx.topics.dlq
    letter = pipeline_pb2.DeadLetter.FromString(out[0].value)
    assert letter.error_type == "NotFound" and letter.attempts == 1
    assert elapsed < 1.0
