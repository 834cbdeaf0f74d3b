"""ICAO 9303 check digits (weights 7-3-1)."""

from __future__ import annotations

__all__ = ["MRZ_ALPHABET", "char_value", "check_digit"]

MRZ_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"

_WEIGHTS = (7, 3, 1)


def char_value(ch: str) -> int:
    """The numeric value of one MRZ character (digits 0-9, A=10 ... Z=35, '<'=0).

    Raises:
        ValueError: for a character outside the MRZ alphabet.
    """
    if "0" <= ch <= "9":
        return ord(ch) - ord("0")
    if "A" <= ch <= "Z":
        return ord(ch) - ord("A") + 10
    if ch == "<":
        return 0
    raise ValueError(f"{ch!r} is not an MRZ character")


def check_digit(data: str) -> str:
    """The check digit of ``data`` as one character ``'0'``-``'9'``."""
    total = sum(char_value(ch) * _WEIGHTS[i % 3] for i, ch in enumerate(data))
    return str(total % 10)
