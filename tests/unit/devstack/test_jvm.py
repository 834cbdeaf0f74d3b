"""The AppCDS archive bookkeeping (no JVM is started)."""

from __future__ import annotations

from pathlib import Path

from idstream.devstack.jvm import ClassDataArchive


def _archive(tmp_path: Path) -> ClassDataArchive:
    libs = tmp_path / "libs"
    libs.mkdir()
    (libs / "a-1.0.jar").write_bytes(b"jar")
    return ClassDataArchive(tmp_path / "cds", "java", libs, "kafka")


def test_first_run_records_then_later_runs_use(tmp_path: Path) -> None:
    cds = _archive(tmp_path)
    pending = tmp_path / "cds.pending"
    assert cds.use_options() == []
    options = cds.start_options(pending)
    assert options[0].startswith("-XX:ArchiveClassesAtExit=")
    tmp = Path(options[0].split("=", 1)[1])
    assert pending.read_text().strip() == str(tmp)
    tmp.write_bytes(b"archive")  # what the JVM writes at exit
    assert cds.collect(pending)
    assert not pending.exists()
    assert cds.path.read_bytes() == b"archive"
    assert cds.use_options()[0] == f"-XX:SharedArchiveFile={cds.path}"
    assert cds.start_options(pending)[0] == f"-XX:SharedArchiveFile={cds.path}"


def test_collect_without_dump_installs_nothing(tmp_path: Path) -> None:
    cds = _archive(tmp_path)
    pending = tmp_path / "cds.pending"
    assert not cds.collect(pending)  # no pending file
    cds.start_options(pending)  # the JVM was killed: no archive written
    assert not cds.collect(pending)
    assert not cds.path.exists()
    assert not pending.exists()


def test_new_jars_mean_a_new_archive(tmp_path: Path) -> None:
    cds = _archive(tmp_path)
    before = cds.path
    (cds.libs_dir / "b-2.0.jar").write_bytes(b"jar")
    assert cds.path != before
