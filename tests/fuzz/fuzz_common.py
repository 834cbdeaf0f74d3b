"""What every atheris harness shares: seeds written to a temporary corpus, then libFuzzer.

A harness module defines ``seeds() -> list[bytes]`` and ``one_input(data: bytes)``
(which must only ever raise the project's refusal for bad input, caught inside) and
calls :func:`run`. Any other exception, a hard crash, a timeout or going over the
RSS limit makes libFuzzer stop with a non-zero exit code and a reproducer file.

``IDSTREAM_FUZZ_PLANT=1`` plants a bug (an exception on every input), so a test can
prove that a crash is noticed.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__ = ["run"]


def run(seeds: Callable[[], list[bytes]], one_input: Callable[[bytes], None]) -> None:
    import atheris

    target = one_input
    if os.environ.get("IDSTREAM_FUZZ_PLANT") == "1":

        def target(data: bytes) -> None:
            raise RuntimeError("planted bug")

    with tempfile.TemporaryDirectory(prefix="idstream-fuzz-") as tmp:
        corpus = Path(tmp)
        for i, seed in enumerate(seeds()):
            (corpus / f"seed-{i:03d}").write_bytes(seed)
        argv = [*sys.argv, str(corpus)]
        atheris.Setup(argv, target)
        atheris.Fuzz()
