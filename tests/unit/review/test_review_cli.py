"""The review commands: db upgrade, users, export-annotations, serve's arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from idstream.cli import main
from idstream.cli.serve import build_images
from idstream.document import DocumentResult, FieldValue
from idstream.errors import ConfigurationError, NotFound
from idstream.review import actions
from idstream.sink.store import ResultStore


def test_db_upgrade_and_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["db", "upgrade", "--db", url]) == 0
    monkeypatch.setenv("IDSTREAM_PASSWORD", "a long password")
    assert main(["users", "add", "carol", "--role", "admin", "--db", url]) == 0
    assert main(["users", "list", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "carol\tadmin\tactive" in out
    assert "a long password" not in out
    monkeypatch.setenv("IDSTREAM_PASSWORD", "short")
    assert main(["users", "add", "dave", "--db", url]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_export_annotations_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = ResultStore(url)
    store.save(
        DocumentResult(
            "x1", "id_card", {"surname": FieldValue("DOE", "DOE", 0.5, ((0, 0), (5, 0), (5, 2), (0, 2)))}
        )
    )
    with store.session() as s:
        actions.correct_field(s, "x1", "surname", "rita", "ROE")
    store.close()
    out = tmp_path / "out"
    assert (
        main(["export-annotations", "--since", "2000-01-01", "--out", str(out), "--db", url, "--no-images"])
        == 0
    )
    assert json.loads(capsys.readouterr().out) == {"exported": 1, "missing_images": 0, "out": str(out)}
    assert json.loads((out / "x1.json").read_text())["fields"]["surname"] == "ROE"
    assert (
        main(["export-annotations", "--since", "2999-01-01", "--out", str(tmp_path / "o2"), "--db", url]) == 0
    )
    assert json.loads(capsys.readouterr().out)["exported"] == 0


def test_export_annotations_rejects_a_bad_date(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export-annotations", "--since", "yesterday", "--out", str(tmp_path)])
    assert exc.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_serve_image_sources(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"png")
    images = build_images("", None)
    assert images.get(str(tmp_path / "a.png")) == b"png"
    with pytest.raises(NotFound):
        images.get("s3://bucket/key.png")
    confined = build_images("", tmp_path / "sub")
    with pytest.raises(NotFound):
        confined.get(str(tmp_path / "a.png"))
    local = build_images(f"file://{tmp_path / 'store'}", None)
    with pytest.raises(NotFound):
        local.get("s3://local/missing.png")
    with pytest.raises(ConfigurationError):
        build_images("ftp://nowhere", None)
