"""The ``idstream`` command line.

Each command lives in its own module under :mod:`idstream.cli` and exposes
``register(subparsers)``; the module names are listed in :data:`COMMAND_MODULES`.
Heavy dependencies (torch, OpenCV, Kafka clients) are imported inside the
commands, so ``idstream --help`` stays fast.

Conventions every command follows: one JSON line per input on stdout, in input
order; bad input gives a one-line error naming the file and the reason on
stderr, and the exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from idstream.errors import IdstreamError

__all__ = ["COMMAND_MODULES", "build_parser", "main"]

#: Command modules, each with ``register(subparsers) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "db",
    "export_annotations",
    "serve",
    "users",
    "extract",
    "import_annotations",
    "preprocess",
    "stack",
    "synth",
    "validate_annotations",
    "train",
    "eval",
    "ie",
    "ocr",
    "mrz",
    "erase",
    "purge",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered command."""
    parser = argparse.ArgumentParser(
        prog="idstream", description=__doc__.splitlines()[0] if __doc__ else None
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"idstream.cli.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``idstream`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except IdstreamError as exc:
        print(f"idstream {args.command}: {exc.reason}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
