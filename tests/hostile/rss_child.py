"""Run hostile inputs in a child process and record its peak resident memory.

``python rss_child.py OUT.json cli ARGS...`` runs ``idstream ARGS...`` (the real CLI);
``python rss_child.py OUT.json stage FILE...`` sends every file through the preprocess
service's handler (``process_message``, local object store). Either way ``OUT.json``
gets ``{"code", "maxrss_mb", "topics"}``.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
from pathlib import Path


def run_stage(files: list[str]) -> tuple[int, list[str]]:
    import services.preprocess
    from idstream.pipeline import Pipeline
    from idstream.settings import Settings
    from idstream.store.local import LocalObjectStore
    from idstream.streaming.context import StageContext, dead_letter_factory
    from idstream.streaming.stage import process_message
    from idstream.topics import Topics
    from idstream.v1 import pipeline_pb2

    with tempfile.TemporaryDirectory() as root:
        store = LocalObjectStore(Path(root), bucket="idstream")
        ctx = StageContext("preprocess", Settings(), Topics(), store, Pipeline())
        handler = services.preprocess.make_handler(ctx)
        dead = dead_letter_factory(ctx, ctx.topics.ingest, pipeline_pb2.IngestRequest)
        topics = []
        for i, name in enumerate(files):
            ref = store.put(f"ingest/doc-{i}", Path(name).read_bytes())
            msg = pipeline_pb2.IngestRequest(document_id=f"doc-{i}", image_ref=ref)
            out = process_message("preprocess", msg.SerializeToString(), handler, dead, sleep=lambda s: None)
            topics.extend(o.topic for o in out)
    return 0, topics


def main() -> int:
    out_file, mode, *rest = sys.argv[1:]
    topics: list[str] = []
    if mode == "cli":
        from idstream.cli import main as cli_main

        code = cli_main(rest)
    else:
        code, topics = run_stage(rest)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    Path(out_file).write_text(json.dumps({"code": code, "maxrss_mb": peak_mb, "topics": topics}))
    return code


if __name__ == "__main__":
    sys.exit(main())
