"""Finding and checking the exported ONNX models; falling back to torch when they do not fit."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest

from idstream.ocr.export import DETECTOR_ONNX, EXPORT_VERSION, MANIFEST, RECOGNIZER_ONNX, sha256
from idstream.ocr.models import model_dir
from idstream.ocr.onnxrt import ONNX_DIR_ENV, load_onnx_models, onnx_dir

ROOT = Path(__file__).resolve().parents[3]


def test_directory_is_configurable_and_defaults_to_the_checkouts_cache(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(ONNX_DIR_ENV, raising=False)
    assert onnx_dir() == ROOT / ".cache" / "ocr-onnx"
    monkeypatch.setenv(ONNX_DIR_ENV, str(tmp_path))
    assert onnx_dir() == tmp_path.resolve()


def _fake_export(directory: Path, *, version: int = EXPORT_VERSION, weights: Path | None = None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name in (DETECTOR_ONNX, RECOGNIZER_ONNX):
        (directory / name).write_bytes(b"not a model " + name.encode())
        files[name] = {"sha256": sha256(directory / name), "bytes": (directory / name).stat().st_size}
    manifest = {
        "version": version,
        "sources": {"model_dir": str(weights or model_dir())},
        "files": files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest))


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda d: None, "no ONNX models"),
        (lambda d: _fake_export(d, version=EXPORT_VERSION + 1), "another export recipe"),
        (lambda d: _fake_export(d, weights=Path("/elsewhere")), "other weights"),
        (
            lambda d: (_fake_export(d), (d / DETECTOR_ONNX).write_bytes(b"tampered")),
            f"{DETECTOR_ONNX} in .* does not match its manifest",
        ),
        (lambda d: (_fake_export(d), (d / RECOGNIZER_ONNX).unlink()), f"{RECOGNIZER_ONNX} is missing"),
        (lambda d: _fake_export(d), "ONNX Runtime cannot load"),
    ],
    ids=["absent", "old-recipe", "other-weights", "tampered", "incomplete", "unloadable"],
)
def test_unusable_models_give_none_and_say_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, setup: object, reason: str
) -> None:
    directory = tmp_path / "onnx"
    setup(directory)  # type: ignore[operator]
    with caplog.at_level(logging.WARNING, logger="idstream.ocr.onnxrt"):
        assert load_onnx_models(directory) is None
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert message.startswith("OCR fast engine falls back to torch: ")
    assert re.search(reason, message), message


def test_exported_models_load_when_present(tmp_path: Path) -> None:
    built = onnx_dir()
    if not (built / MANIFEST).is_file():
        pytest.skip(f"no exported models in {built} (make ocr-models)")
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    models = load_onnx_models(copy, threads=1)
    assert models is not None
    assert models.directory == copy
