"""Fuzz the MRZ parser: any text lines give a parse (and its JSON object) or a ``ValueError``.

Run: ``PYTHONPATH=src:. python tests/fuzz/fuzz_mrz.py -max_total_time=30``.
"""

from __future__ import annotations

import json
import sys

import atheris

with atheris.instrument_imports(include=["idstream"]):
    from idstream.mrz.parse import parse_mrz

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from fuzz_common import run


def seeds() -> list[bytes]:
    return [
        b"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
        b"I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        b"I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6",
        b"IDFRABERTHIER<<<<<<<<<<<<<<<<<<<<<<<\n8806923102858CORINNE<<<<<<6512068F4",
    ]


def one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    try:
        parsed = parse_mrz(text.split("\n"))
    except ValueError:
        return
    json.dumps(parsed.to_dict(), default=str)


if __name__ == "__main__":
    run(seeds, one_input)
