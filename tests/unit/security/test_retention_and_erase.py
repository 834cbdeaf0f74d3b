"""Retention purge and ``idstream erase``: everything about a document goes, others stay, all audited."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from idstream.cli import main
from idstream.document import DocumentResult, FieldValue
from idstream.errors import InvalidMessage
from idstream.security.audit import AuditLog
from idstream.security.crypto import EncryptedObjectStore, generate_key_spec, parse_key_spec
from idstream.security.erase import erase_document
from idstream.security.retention import purge_expired
from idstream.sink.annotations_export import export_annotations
from idstream.sink.models import Annotation, ReviewAction
from idstream.sink.store import ResultStore
from idstream.store.local import LocalObjectStore

NAME = "ZYWIECKA"


def _age(store: LocalObjectStore, ref: str, days: float) -> None:
    path = store.root / ref.removeprefix("s3://")
    when = time.time() - days * 86400
    os.utime(path, (when, when))


def test_purge_deletes_only_expired_images(tmp_path: Path) -> None:
    local = LocalObjectStore(tmp_path, bucket="idstream")
    store = EncryptedObjectStore(local, parse_key_spec(generate_key_spec()))
    old = [store.put("ingest/a", b"1"), store.put("normalized/a.png", b"2")]
    young = [store.put("ingest/b", b"3"), store.put("normalized/b.png", b"4")]
    other = store.put("models/keep.bin", b"5")
    for ref in [*old, other]:
        _age(local, ref, 40)
    assert sorted(purge_expired(store, timedelta(days=30), dry_run=True)) == sorted(old)
    assert all(local.exists(r) for r in old)
    assert sorted(purge_expired(store, timedelta(days=30))) == sorted(old)
    assert not any(local.exists(r) for r in old)
    assert all(local.exists(r) for r in [*young, other])
    assert purge_expired(store, timedelta(days=30), now=datetime.now(UTC) + timedelta(days=31)) == young


def _seed(tmp_path: Path) -> tuple[LocalObjectStore, ResultStore, Path]:
    store = LocalObjectStore(tmp_path / "store", bucket="idstream")
    results = ResultStore(f"sqlite:///{tmp_path / 'results.db'}")
    for doc_id in ("doc-a", "doc-b"):
        store.put(f"ingest/{doc_id}", b"\xff\xd8\xffimage")
        store.put(f"normalized/{doc_id}.png", b"\x89PNG\r\n\x1a\nnormalized")
        result = DocumentResult(
            document_id=doc_id, document_type="passport", fields={"surname": FieldValue(NAME, NAME, 0.9)}
        )
        results.save(result, image_ref=f"s3://idstream/ingest/{doc_id}")
        with results.session() as session:
            session.add(ReviewAction(document_id=doc_id, user="rev", action="correct", field="surname"))
            session.add(
                Annotation(
                    document_id=doc_id,
                    updated_by="rev",
                    data={"image": f"s3://idstream/ingest/{doc_id}", "fields": {"surname": NAME}},
                )
            )
    exports = tmp_path / "exports"
    with results.session() as session:
        export_annotations(session, exports, fetch_image=store.get)
    return store, results, exports


def test_erase_removes_images_rows_exports_and_audits(tmp_path: Path) -> None:
    store, results, exports = _seed(tmp_path)
    assert {p.name for p in exports.iterdir()} >= {"doc-a.json", "doc-a.jpg", "doc-b.json", "manifest.jsonl"}
    audit = AuditLog(tmp_path / "audit.jsonl")
    report = erase_document(
        "doc-a", store=store, audit=audit, actor="alice", results=results, export_dirs=[exports]
    )
    assert sorted(report.objects) == ["s3://idstream/ingest/doc-a", "s3://idstream/normalized/doc-a.png"]
    assert report.rows == 1 + 1 + 1 + 1  # review action, annotation, field, document
    assert not store.exists("s3://idstream/ingest/doc-a") and store.exists("s3://idstream/ingest/doc-b")
    assert results.get("doc-a") is None and results.get("doc-b") is not None
    names = {p.name for p in exports.iterdir()}
    assert "doc-a.json" not in names and "doc-a.jpg" not in names and "doc-b.json" in names
    manifest = [json.loads(line) for line in (exports / "manifest.jsonl").read_text().splitlines()]
    assert [m["document_id"] for m in manifest] == ["doc-b"]
    [entry] = audit.read()
    assert (entry["action"], entry["actor"], entry["document_id"]) == ("erase", "alice", "doc-a")
    assert (entry["objects"], entry["rows"], entry["files"]) == (2, 4, 3)
    assert NAME not in (tmp_path / "audit.jsonl").read_text()
    # Erasing again finds nothing and is audited again.
    again = erase_document(
        "doc-a", store=store, audit=audit, actor="alice", results=results, export_dirs=[exports]
    )
    assert (again.objects, again.rows, again.files) == ([], 0, [])
    assert len(audit.read()) == 2


def test_erase_refuses_ids_that_could_escape_the_bucket(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path, bucket="idstream")
    with pytest.raises(InvalidMessage):
        erase_document("../../etc", store=store, audit=AuditLog(tmp_path / "a.jsonl"), actor="x")
    assert not (tmp_path / "a.jsonl").exists()


def test_erase_and_purge_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store, results, exports = _seed(tmp_path)
    results.close()
    audit = tmp_path / "audit.jsonl"
    common = [
        "--store",
        f"file://{tmp_path / 'store'}?bucket=idstream",
        "--audit-log",
        str(audit),
        "--actor",
        "bob",
    ]
    code = main(["erase", "doc-b", "../x", *common, "--db", f"sqlite:///{tmp_path / 'results.db'}",
                 "--export-dir", str(exports)])  # fmt: skip
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and lines[0]["document_id"] == "doc-b" and len(lines[0]["objects"]) == 2
    assert "error" in lines[1] and err.count("\n") == 1
    assert not store.exists("s3://idstream/ingest/doc-b")
    _age(store, "s3://idstream/ingest/doc-a", 10)
    assert main(["purge", "--older-than", "5", *common]) == 0
    purged = json.loads(capsys.readouterr().out)
    assert purged["objects"] == ["s3://idstream/ingest/doc-a"]
    assert [e["action"] for e in AuditLog(audit).read()] == ["erase", "purge"]
    assert main(["purge", "--older-than", "0", *common]) == 2
