"""Weights verification and offline loading of the EasyOCR reader."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from idstream.errors import ModelError
from idstream.ocr.models import DETECTOR_FILE, RECOGNIZER_FILE, expected_md5, model_dir, verify_weights

ROOT = Path(__file__).resolve().parents[3]


def test_packaged_weights_verify() -> None:
    verify_weights(model_dir())


def test_checksums_come_from_easyocr_config() -> None:
    from easyocr import config

    assert expected_md5(DETECTOR_FILE) == config.detection_models["craft"]["md5sum"]
    assert expected_md5(RECOGNIZER_FILE) == config.recognition_models["gen2"]["english_g2"]["md5sum"]


def test_unknown_file_has_no_checksum() -> None:
    with pytest.raises(ModelError, match=r"no_such_model\.pth"):
        expected_md5("no_such_model.pth")


def test_tampered_copy_is_rejected_naming_the_file(tmp_path: Path) -> None:
    src = model_dir()
    os.symlink(src / DETECTOR_FILE, tmp_path / DETECTOR_FILE)
    data = bytearray((src / RECOGNIZER_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / RECOGNIZER_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"english_g2\.pth") as info:
        verify_weights(tmp_path)
    assert "craft" not in str(info.value)


def test_good_copy_verifies(tmp_path: Path) -> None:
    shutil.copy(model_dir() / RECOGNIZER_FILE, tmp_path / RECOGNIZER_FILE)
    verify_weights(tmp_path, [RECOGNIZER_FILE])


def test_missing_file_is_named(tmp_path: Path) -> None:
    os.symlink(model_dir() / RECOGNIZER_FILE, tmp_path / RECOGNIZER_FILE)
    with pytest.raises(ModelError, match=r"craft_mlt_25k\.pth.*missing"):
        verify_weights(tmp_path)


def test_configured_directory_is_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("IDSTREAM_OCR_MODEL_DIR", str(tmp_path))
    assert model_dir() == tmp_path.resolve()


def test_reader_loads_offline_without_writing_home(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    code = (
        "import json, socket\n"
        "def no_net(*a, **k):\n"
        "    raise OSError('network disabled in this test')\n"
        "socket.socket.connect = no_net\n"
        "from idstream.ocr.models import load_reader\n"
        "r = load_reader(detector=False)\n"
        "print(json.dumps({'recognizer': r.recognizer is not None}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("EASYOCR_MODULE_PATH", "MODULE_PATH")}
    env.update({"HOME": str(home), "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"})
    env.pop("IDSTREAM_OCR_MODEL_DIR", None)
    env.pop("XDG_CACHE_HOME", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"recognizer": True}
    assert list(home.iterdir()) == []


def test_reader_refuses_corrupt_weights(tmp_path: Path) -> None:
    from idstream.ocr.models import load_reader

    (tmp_path / RECOGNIZER_FILE).write_bytes(b"not a model")
    with pytest.raises(ModelError, match=r"english_g2\.pth"):
        load_reader(tmp_path, detector=False)
