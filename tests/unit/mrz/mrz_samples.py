"""ICAO Doc 9303 specimen MRZs and a seeded generator of valid MRZs for every layout."""

from __future__ import annotations

import random
import string

from idstream.mrz.compose import compose_mrz, encode_name

__all__ = ["SPECIMENS", "random_mrz", "td3_with_number"]

#: layout -> (lines, expected canonical values)
SPECIMENS: dict[str, tuple[list[str], dict[str, str]]] = {
    "TD1": (
        ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
         "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"],
        {"document_type": "I", "document_number": "D23145890", "date_of_birth": "1974-08-12",
         "date_of_expiry": "2012-04-15", "surname": "ERIKSSON", "given_names": "ANNA MARIA", "sex": "F"},
    ),
    "TD2": (
        ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"],
        {"document_type": "I", "document_number": "D23145890", "date_of_birth": "1974-08-12",
         "date_of_expiry": "2012-04-15", "surname": "ERIKSSON", "given_names": "ANNA MARIA", "sex": "F"},
    ),
    "TD3": (
        ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"],
        {"document_type": "P", "document_number": "L898902C3", "date_of_birth": "1974-08-12",
         "date_of_expiry": "2012-04-15", "surname": "ERIKSSON", "given_names": "ANNA MARIA", "sex": "F",
         "personal_number": "ZE184226B", "issuing_country": "UTO", "nationality": "UTO"},
    ),
    "MRV-A": (
        ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<"],
        {"document_type": "V", "document_number": "L8988901C", "date_of_birth": "1940-09-07",
         "date_of_expiry": "1996-12-10", "nationality": "XXX", "sex": "F"},
    ),
    "MRV-B": (
        ["V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"],
        {"document_type": "V", "document_number": "L8988901C", "date_of_birth": "1940-09-07",
         "date_of_expiry": "1996-12-10", "nationality": "XXX", "sex": "F"},
    ),
}  # fmt: skip

_LETTERS = string.ascii_uppercase
_ALNUM = string.ascii_uppercase + string.digits


def _word(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice(_LETTERS) for _ in range(rng.randint(lo, hi)))


def _date(rng: random.Random, y0: int, y1: int) -> str:
    return f"{rng.randint(y0, y1) % 100:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"


def td3_with_number(document_number: str) -> list[str]:
    """A valid TD3 MRZ (name ``A<<B``, born 1974-08-12, expiring 2030-01-01) with this document number."""
    return compose_mrz(
        "TD3",
        {"document_code": "P<", "issuing_country": "UTO", "document_number": document_number,
         "date_of_birth": "740812", "date_of_expiry": "300101", "sex": "F", "nationality": "UTO",
         "name": "A<<B"},
    )  # fmt: skip


def random_mrz(layout: str, rng: random.Random) -> list[str]:
    """A random but valid MRZ of ``layout`` (all check digits correct)."""
    surname, given = _word(rng, 3, 10), " ".join(_word(rng, 3, 8) for _ in range(rng.randint(1, 2)))
    values = {
        "document_code": {"TD1": "ID", "TD2": "I<", "TD3": "P<", "MRV-A": "V<", "MRV-B": "V<", "FR-ID": "ID"}[
            layout
        ],
        "issuing_country": "FRA" if layout == "FR-ID" else rng.choice(["UTO", "D<<", "NLD", "CAN"]),
        "nationality": rng.choice(["UTO", "D<<", "NLD"]),
        "date_of_birth": _date(rng, 1940, 2005),
        "date_of_expiry": _date(rng, 2026, 2035),
        "sex": rng.choice("MF<"),
    }
    if layout == "FR-ID":
        values["document_number"] = "".join(rng.choice(string.digits) for _ in range(12))
        values["surname"] = surname
        values["given_names"] = "<<".join(given.split())
        values["administrative_code"] = "".join(rng.choice(string.digits) for _ in range(6))
    else:
        values["document_number"] = "".join(rng.choice(_ALNUM) for _ in range(9))
        width = {"TD1": 30, "TD2": 31, "TD3": 39, "MRV-A": 39, "MRV-B": 31}[layout]
        values["name"] = encode_name(surname, given, width)
    if layout == "TD3":
        values["personal_number"] = rng.choice(["", "".join(rng.choice(_ALNUM) for _ in range(10))])
    if layout in ("TD1",):
        values["optional_data_1"] = rng.choice(["", "".join(rng.choice(_ALNUM) for _ in range(6))])
    return compose_mrz(layout, values)
