"""``idstream up|down|status|submit|results``: the local streaming stack and its clients."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    up = subparsers.add_parser(
        "up", help="start broker, object store, services and gateway in the background"
    )
    up.add_argument("--infra-only", action="store_true", help="start only the broker and the object store")
    up.add_argument("--timeout", type=float, default=240.0, help="seconds to wait for readiness")
    up.set_defaults(func=run_up)

    down = subparsers.add_parser("down", help="stop everything `idstream up` started")
    down.set_defaults(func=run_down)

    status = subparsers.add_parser("status", help="which parts of the local stack are running")
    status.set_defaults(func=run_status)

    submit = subparsers.add_parser("submit", help="upload images and publish them to the ingest topic")
    submit.add_argument("images", nargs="+", metavar="IMAGE")
    submit.set_defaults(func=run_submit)

    results = subparsers.add_parser("results", help="print results from the results topic as JSON Lines")
    results.add_argument("--count", type=int, default=None, help="stop after N results")
    results.add_argument("--timeout", type=float, default=60.0, help="stop after S seconds")
    results.add_argument("--latest", action="store_true", help="only results published from now on")
    results.add_argument("--dlq", action="store_true", help="read the dead-letter topic instead")
    results.set_defaults(func=run_results)


def _stack() -> Any:
    from idstream.settings import load_settings
    from idstream.stack import LocalStack

    return LocalStack(load_settings())


def run_up(args: argparse.Namespace) -> int:
    stack = _stack()
    stack.up(services=not args.infra_only, timeout=args.timeout)
    for name, running in stack.status().items():
        print(f"{name}: {'running' if running else 'stopped'}")
    return 0


def run_down(args: argparse.Namespace) -> int:
    stopped = _stack().down()
    print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))
    return 0


def run_status(args: argparse.Namespace) -> int:
    status = _stack().status()
    for name, running in status.items():
        print(f"{name}: {'running' if running else 'stopped'}")
    return 0 if all(status.values()) else 1


def run_submit(args: argparse.Namespace) -> int:
    from idstream.cli.inputs import read_input
    from idstream.errors import IdstreamError
    from idstream.settings import load_settings
    from idstream.store.s3 import S3ObjectStore
    from idstream.streaming.client import (
        Submission,
        guess_content_type,
        ingest_message,
        new_document_id,
        publish_ingest,
        upload_image,
    )

    settings = load_settings()
    store = S3ObjectStore(
        endpoint=settings.s3_endpoint,
        access_key=settings.s3_access_key,
        secret_key=settings.s3_secret_key,
        bucket=settings.s3_bucket,
        secure=settings.s3_secure,
    )
    messages: list[tuple[str, bytes]] = []
    lines: list[dict[str, str]] = []
    failed = False
    for name in args.images:
        try:
            sub = Submission(new_document_id(), read_input(name), guess_content_type(name))
            ref = upload_image(store, sub)
        except IdstreamError as exc:
            failed = True
            print(f"idstream submit: {name}: {exc.reason}", file=sys.stderr)
            lines.append({"file": name, "error": exc.reason})
            continue
        messages.append((sub.document_id, ingest_message(sub.document_id, ref, sub.content_type, "cli")))
        lines.append({"file": name, "document_id": sub.document_id})
    if messages:
        asyncio.run(publish_ingest(settings, messages))
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))
    return 2 if failed else 0


def run_results(args: argparse.Namespace) -> int:
    from idstream import contracts
    from idstream.settings import load_settings
    from idstream.streaming.client import consume_results, decode_result
    from idstream.topics import Topics
    from idstream.v1 import pipeline_pb2

    settings = load_settings()
    topic = Topics(settings.topic_prefix).dlq if args.dlq else None

    async def main() -> int:
        n = 0
        async for _key, value in consume_results(
            settings, count=args.count, timeout=args.timeout, topic=topic, from_beginning=not args.latest
        ):
            if args.dlq:
                letter = contracts.decode(pipeline_pb2.DeadLetter, value)
                out: dict[str, Any] = {
                    "document_id": letter.document_id,
                    "stage": letter.stage,
                    "reason": letter.reason,
                    "error_type": letter.error_type,
                    "attempts": letter.attempts,
                }
            else:
                out = decode_result(value)[0].to_dict()
            print(json.dumps(out, ensure_ascii=False), flush=True)
            n += 1
        if args.count is not None and n < args.count:
            print(f"idstream results: timed out after {n} of {args.count} results", file=sys.stderr)
            return 1
        return 0

    return asyncio.run(main())
