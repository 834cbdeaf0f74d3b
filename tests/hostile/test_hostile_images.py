"""Every hostile or odd image of the corpus, through the CLI and the preprocess service.

* CLI: each file through :func:`idstream.cli.inputs.run_per_file` with the decoder
  (what ``idstream preprocess`` / ``extract`` do per file): refused inputs give exit
  code 2, one JSON error line on stdout and exactly one line on stderr, no
  traceback; accepted inputs decode to the right pixels.
* Service: each file through the preprocess handler inside ``process_message``:
  refused inputs give exactly one dead letter (an ``InvalidInput`` type, a one-line
  reason, one attempt) in less than a second; nothing raises.
* A child process runs the real ``idstream preprocess`` on a sample (non-ASCII,
  path-traversal and oversized inputs, the largest images, every bomb) and the
  service handler on the heaviest files; its peak memory stays under 1.5 GB.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hostile_corpus import Case, build_corpus

import services.preprocess
from idstream.cli.inputs import MAX_INPUT_BYTES, printable, run_per_file
from idstream.imageio import decode_image
from idstream.pipeline import Pipeline
from idstream.settings import Settings
from idstream.store.local import LocalObjectStore
from idstream.streaming.context import StageContext, dead_letter_factory
from idstream.streaming.stage import process_message
from idstream.topics import Topics
from idstream.v1 import pipeline_pb2

ROOT = Path(__file__).resolve().parents[2]
CASES = build_corpus()
#: Error types of refused input (the ``InvalidInput`` family): anything else is a bug.
INVALID_INPUT_TYPES = {"InvalidInput", "UnreadableImage", "EmptyImage", "ImageTooLarge", "InvalidMessage"}
MAX_RSS_MB = 1536.0


def _params(cases: tuple[Case, ...]) -> list[Any]:
    params = []
    for i, case in enumerate(cases):
        params.append(pytest.param(case, id=f"{i:03d}-{case.category}"))
    return params


def test_corpus_covers_every_family_with_500_inputs() -> None:
    categories = {c.category.split("-")[0] for c in CASES}
    assert len(CASES) >= 500
    assert {
        "empty",
        "truncated",
        "bitflip",
        "bomb",
        "not",
        "wrong",
        "tiny",
        "large",
        "animated",
        "multi",
    } <= (categories)
    assert {"16", "cmyk", "palette", "exif", "odd", "zero", "random"} <= categories
    assert sum(c.expect == "reject" for c in CASES) >= 250
    assert sum(c.expect == "accept" for c in CASES) >= 100


@pytest.mark.parametrize("case", _params(CASES))
def test_cli_refuses_bad_input_on_one_line_and_decodes_odd_images(
    case: Case, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(corpus_dir / case.name)
    decoded: dict[str, np.ndarray] = {}

    def handle(name: str, data: bytes) -> dict[str, Any]:
        decoded["image"] = decode_image(data)
        return {"shape": list(decoded["image"].shape)}

    code = run_per_file("preprocess", [path], handle)
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["file"] == path
    if "image" in decoded:
        assert case.expect in ("accept", "either"), f"{case.name} was decoded, expected a refusal"
        assert (code, err) == (0, "")
        image = decoded["image"]
        assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
        assert image.flags.c_contiguous and image.size > 0
        if case.check is not None:
            case.check(image)
    else:
        assert case.expect in ("reject", "either"), f"{case.name} was refused: {record.get('error')}"
        assert code == 2
        assert record["error"] and "\n" not in record["error"]
        assert err.count("\n") == 1 and err.endswith("\n"), err
        assert err.startswith(f"idstream preprocess: {printable(path)}: ")
        assert "Traceback" not in err


@pytest.fixture(scope="module")
def preprocess_stage(tmp_path_factory: pytest.TempPathFactory) -> tuple[StageContext, Any, Any]:
    store = LocalObjectStore(tmp_path_factory.mktemp("hostile-store"), bucket="idstream")
    ctx = StageContext("preprocess", Settings(), Topics(), store, Pipeline())
    handler = services.preprocess.make_handler(ctx)
    dead_letter = dead_letter_factory(ctx, ctx.topics.ingest, pipeline_pb2.IngestRequest)
    return ctx, handler, dead_letter


#: The two large images are decoded by the child process below (they take seconds).
SERVICE_CASES = tuple(c for c in CASES if c.category != "large")


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=f"{i:03d}-{c.category}") for i, c in enumerate(SERVICE_CASES)]
)
def test_preprocess_service_dead_letters_bad_input_within_a_second(
    case: Case, preprocess_stage: tuple[StageContext, Any, Any]
) -> None:
    ctx, handler, dead_letter = preprocess_stage
    doc_id = f"hostile-{SERVICE_CASES.index(case):03d}"
    ref = ctx.store.put(f"ingest/{doc_id}", case.data)
    msg = pipeline_pb2.IngestRequest(document_id=doc_id, image_ref=ref, content_type="image/jpeg")
    start = time.perf_counter()
    out = process_message(
        "preprocess", msg.SerializeToString(), handler, dead_letter, max_attempts=ctx.settings.max_attempts
    )
    elapsed = time.perf_counter() - start
    assert len(out) == 1
    if out[0].topic == ctx.topics.dlq:
        assert case.expect in ("reject", "either"), f"{case.name} was dead-lettered"
        letter = pipeline_pb2.DeadLetter.FromString(out[0].value)
        assert letter.error_type in INVALID_INPUT_TYPES, (letter.error_type, letter.reason)
        assert letter.reason and "\n" not in letter.reason
        assert (letter.document_id, letter.stage, letter.attempts) == (doc_id, "preprocess", 1)
        assert letter.source_topic == ctx.topics.ingest
        assert elapsed < 1.0, f"dead letter after {elapsed:.2f} s"
    else:
        assert case.expect in ("accept", "either"), f"{case.name} was not dead-lettered"
        assert out[0].topic == ctx.topics.preprocessed
        result = pipeline_pb2.PreprocessedImage.FromString(out[0].value)
        assert result.document_id == doc_id and ctx.store.exists(result.normalized_ref)


def _child(args: list[str], out: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, Any]]:
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("rss_child.py")), str(out), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=out.parent,
        timeout=240,
    )
    return proc, json.loads(out.read_text())


@pytest.mark.timeout(300)
def test_real_cli_on_a_sample_exits_2_one_line_each_under_1_5_gb(corpus_dir: Path, tmp_path: Path) -> None:
    by_name = {c.name: c for c in CASES}
    rejected = [c.name for c in CASES if c.expect == "reject"]
    sample = [n for n in rejected if n.startswith(("bomb-", "zero-"))][::3] + rejected[::25]
    sample += [c.name for c in CASES if c.category == "odd-name" and "\n" not in c.name]
    # Corrupt TIFFs: libtiff would print its own diagnostics on stderr if not silenced.
    sample += [c.name for c in CASES if c.name.endswith(".tif") and c.expect != "accept"]
    sample += ["large-7000x7000.png", "large-4000x3000.jpg", "exif-6.jpg", "cmyk.jpg", "anim.gif"]
    paths = [str(corpus_dir / n) for n in dict.fromkeys(sample)]
    # Path traversal and odd paths: resolved like any path, refused when not an image.
    oversized = tmp_path / "oversized.jpg"
    with oversized.open("wb") as handle:
        handle.truncate(MAX_INPUT_BYTES + 1)  # sparse: no disk used
    paths += [
        f"{corpus_dir}/../{corpus_dir.name}/hello.jpg",
        "../../../../../../etc/hostname",
        str(tmp_path / "missing.jpg"),
        str(tmp_path),
        str(oversized),
    ]
    out_dir = tmp_path / "out"
    proc, report = _child(["cli", "preprocess", "--out-dir", str(out_dir), *paths], tmp_path / "rss.json")
    assert proc.returncode == 2 and report["code"] == 2
    assert "Traceback" not in proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["file"] for r in records] == paths
    failed = [r for r in records if "error" in r]
    err_lines = [line for line in proc.stderr.splitlines() if line.startswith("idstream preprocess: ")]
    assert len(err_lines) == len(failed)
    assert proc.stderr.splitlines() == err_lines, "stderr has lines other than the one-line reasons"
    for record in records:
        name = Path(record["file"]).name
        expected = by_name[name].expect if name in by_name else "reject"
        if expected == "reject":
            assert record.get("error"), record
        elif expected == "accept":
            assert "error" not in record, record
            written = Path(record["output"]).resolve()
            assert written.parent == out_dir.resolve() and written.is_file()
    print(f"idstream preprocess on {len(paths)} files: peak RSS {report['maxrss_mb']:.0f} MB")
    assert report["maxrss_mb"] < MAX_RSS_MB, f"peak RSS {report['maxrss_mb']:.0f} MB"


@pytest.mark.timeout(300)
def test_preprocess_service_on_the_heaviest_inputs_stays_under_1_5_gb(
    corpus_dir: Path, tmp_path: Path
) -> None:
    large = [c.name for c in CASES if c.category == "large"]
    bombs = [c.name for c in CASES if c.category.startswith("bomb-")]
    heavy = large + bombs[::4] + ["bomb-png-zlib-8000x8000.png"]
    proc, report = _child(["stage", *(str(corpus_dir / n) for n in heavy)], tmp_path / "rss.json")
    assert proc.returncode == 0, proc.stderr[-2000:]
    topics = report["topics"]
    assert len(topics) == len(heavy)
    assert topics[:2] == ["idstream.preprocessed"] * 2 and set(topics[2:]) == {"idstream.dlq"}
    print(f"preprocess handler on {len(heavy)} heavy files: peak RSS {report['maxrss_mb']:.0f} MB")
    assert report["maxrss_mb"] < MAX_RSS_MB, f"peak RSS {report['maxrss_mb']:.0f} MB"
