"""No personal data in logs, metric labels, dead-letter reasons or exception messages.

A synthetic passport (known holder: name, document number, dates, place of birth,
MRZ) goes through the stage handlers inside ``process_message`` (preprocess on the
image, graph-IE on its text lines with the shipped model, sink into a SQLite
results store, a redelivery), the MRZ parser and the document checks, and through
failure paths (malformed embedded JSON, contract violations, an unexpected
exception whose message carries a name). Every log record of every logger at
DEBUG (with tracebacks), everything written to stdout/stderr, every dead letter and
``/metrics`` (``prometheus_client.generate_latest``) are scanned for the values.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import pytest
from prometheus_client import generate_latest

import services.graph_ie
import services.preprocess
import services.sink
from idstream import contracts
from idstream.annotations.format import Annotation
from idstream.checks import run_checks
from idstream.document import PreprocessReport, Segment
from idstream.errors import IdstreamError
from idstream.imageio import encode_png
from idstream.mrz.parse import parse_mrz
from idstream.pipeline import Pipeline
from idstream.settings import Settings
from idstream.store.local import LocalObjectStore
from idstream.streaming.context import StageContext, dead_letter_factory
from idstream.streaming.stage import Outgoing, process_message
from idstream.synth.generate import SynthConfig, generate_document
from idstream.topics import Topics
from idstream.v1 import pipeline_pb2


def personal_values(annotation: Annotation) -> set[str]:
    """The holder's values in every form they may be written in (4 characters or more)."""
    fields = annotation.fields
    values = {
        fields[k] for k in ("surname", "given_names", "document_number", "place_of_birth") if k in fields
    }
    values |= {part for v in list(values) for part in v.split() if len(part) >= 4}
    dob = fields["date_of_birth"]  # ISO
    y, m, d = dob.split("-")
    values |= {dob, f"{d}.{m}.{y}", f"{d}/{m}/{y}", f"{y[2:]}{m}{d}"}
    values |= set(annotation.mrz or [])
    values |= {line.text for line in annotation.lines if line.label not in ("other", "sex", "document_type")}
    return {v for v in values if len(v) >= 4}


@pytest.fixture(scope="module")
def passport() -> Any:
    return generate_document(SynthConfig.create(7, kinds=["passport"]), 0)


@pytest.fixture
def stages(tmp_path: Path) -> Iterator[dict[str, tuple[StageContext, Any, Any]]]:
    settings = Settings(db_url=f"sqlite:///{tmp_path / 'results.db'}")
    store = LocalObjectStore(tmp_path / "store", bucket="idstream")
    pipeline = Pipeline()
    out = {}
    for module in (services.preprocess, services.graph_ie, services.sink):
        spec = module.SPEC
        ctx = StageContext(spec.stage, settings, Topics(), store, pipeline)
        out[spec.stage] = (
            ctx,
            spec.make_handler(ctx),
            dead_letter_factory(ctx, spec.input_topic(ctx.topics), spec.input_type),
        )
    yield out


def _run(stage: tuple[StageContext, Any, Any], value: bytes) -> list[Outgoing]:
    ctx, handler, dead_letter = stage
    out = process_message(ctx.stage, value, handler, dead_letter, sleep=lambda s: None)
    for message in out:  # what the service does once the broker acknowledged the message
        on_sent = getattr(message, "on_sent", None)
        if on_sent is not None:
            on_sent()
    return out


def _ocr_message(passport: Any, doc_id: str) -> pipeline_pb2.OcrResult:
    ann = passport.annotation
    w, h = ann.image_size
    report = PreprocessReport(
        input_size=(w, h),
        output_size=(w, h),
        card_quad=None,
        document_format="ID-3",
        rotation_deg=0,
        skew_deg=0.0,
        quality={},
        quality_flags=[],
        transform=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]],
    )
    segments = [
        Segment(
            text=line.text,
            quad=tuple(map(tuple, line.quad)),
            confidence=0.97,
            doc_quad=tuple(map(tuple, line.quad)),
        )  # type: ignore[arg-type]
        for line in ann.lines
        if line.label != "mrz"
    ]
    return pipeline_pb2.OcrResult(
        document_id=doc_id,
        image_ref=f"s3://idstream/ingest/{doc_id}",
        normalized_ref=f"s3://idstream/normalized/{doc_id}.png",
        report=contracts.report_to_pb(report),
        segments=[contracts.segment_to_pb(s) for s in segments],
        engine="synthetic",
    )


def _leaks(text: str, values: set[str]) -> list[str]:
    upper = text.upper()
    return sorted(v for v in values if v.upper() in upper)


def _log_text(caplog: pytest.LogCaptureFixture) -> str:
    formatter = logging.Formatter("%(levelname)s %(name)s %(message)s")
    return "\n".join(formatter.format(record) for record in caplog.records)


def test_stages_mrz_and_checks_leave_no_personal_data_in_logs_metrics_or_dead_letters(
    passport: Any,
    stages: dict[str, tuple[StageContext, Any, Any]],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    values = personal_values(passport.annotation)
    assert {"YILDIZ", "XR15JB81", "1954-11-23"} <= values  # the known holder of seed 7, document 0
    ctx = stages["preprocess"][0]
    outputs: list[Outgoing] = []
    reasons: list[str] = []

    # preprocess: the passport photo.
    bgr = cv2.cvtColor(passport.image, cv2.COLOR_RGB2BGR)
    ref = ctx.store.put("ingest/doc-p1", encode_png(bgr))
    outputs += _run(
        stages["preprocess"],
        pipeline_pb2.IngestRequest(document_id="doc-p1", image_ref=ref).SerializeToString(),
    )
    assert outputs[-1].topic == ctx.topics.preprocessed

    # graph IE on the text lines (shipped model), then the sink (store + publish), then a redelivery.
    extracted = _run(stages["graph_ie"], _ocr_message(passport, "doc-p1").SerializeToString())
    assert extracted[0].topic == ctx.topics.extracted
    envelope = pipeline_pb2.ResultEnvelope.FromString(extracted[0].value)
    assert _leaks(json.dumps(contracts.result_from_pb(envelope.result).to_dict()), values)  # data is there...
    outputs += extracted
    outputs += _run(stages["sink"], extracted[0].value)
    assert outputs[-1].topic == ctx.topics.results
    assert _run(stages["sink"], extracted[0].value) == []

    # MRZ parse and the document checks, directly.
    parsed = parse_mrz(passport.annotation.mrz)
    assert parsed.valid
    run_checks({}, parsed)

    # Failure paths: bad embedded JSON, contract violations, a check with a bad status.
    bad = pipeline_pb2.OcrResult()
    bad.CopyFrom(_ocr_message(passport, "doc-p2"))
    bad.mrz_json = json.dumps({"lines": passport.annotation.mrz})[:-3]
    outputs += _run(stages["graph_ie"], bad.SerializeToString())
    broken = pipeline_pb2.ResultEnvelope()
    broken.CopyFrom(envelope)
    broken.document_id = broken.result.document_id = "doc-p3"
    broken.result.checks.add(
        name="mrz_check_digits", status=passport.annotation.fields["surname"], detail="x"
    )
    outputs += _run(stages["sink"], broken.SerializeToString())
    broken.result.ClearField("checks")
    broken.result.mrz_json = json.dumps(passport.annotation.mrz)  # a list, not an object
    outputs += _run(stages["sink"], broken.SerializeToString())
    for message in outputs:
        if message.topic == ctx.topics.dlq:
            reasons.append(pipeline_pb2.DeadLetter.FromString(message.value).reason)
    assert len(reasons) == 3

    out, err = capfd.readouterr()
    everything = "\n".join([_log_text(caplog), out, err, *reasons, generate_latest().decode()])
    assert caplog.records, "nothing was logged: the capture is not working"
    assert _leaks(everything, values) == []


def test_exception_messages_of_idstream_errors_carry_no_personal_data(passport: Any) -> None:
    values = personal_values(passport.annotation)
    errors: list[IdstreamError] = []
    envelope = pipeline_pb2.ResultEnvelope(document_id="doc-e")
    envelope.result.document_id = "doc-e"
    envelope.result.mrz_json = "{" + json.dumps(passport.annotation.fields)
    envelope.result.fields["surname"].value = passport.annotation.fields["surname"]
    envelope.result.fields["surname"].box.points.add(x=1, y=1)
    for action in (
        lambda: contracts.result_from_pb(envelope.result),
        lambda: contracts.decode(
            pipeline_pb2.OcrResult, passport.annotation.fields["surname"].encode() + b"\xff"
        ),
        lambda: contracts.quad_from_pb(envelope.result.fields["surname"].box),
    ):
        with pytest.raises(IdstreamError) as info:
            action()
        errors.append(info.value)
    assert _leaks("\n".join(f"{e} {e.reason}" for e in errors), values) == []


def test_an_unexpected_exception_with_a_name_in_its_message_is_not_logged_verbatim(
    passport: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    surname = passport.annotation.fields["surname"]

    def handler(value: bytes) -> list[Outgoing]:
        raise ValueError(f"time data {surname!r} does not match format '%d.%m.%Y'")

    def dead_letter(value: bytes, exc: Exception, attempts: int) -> Outgoing:
        return Outgoing("dlq", "k", b"")

    process_message("graph_ie", b"x", handler, dead_letter, max_attempts=1, sleep=lambda s: None)
    assert _leaks(_log_text(caplog), {surname}) == []
