"""Value normalization: dates to ISO 8601, sex to ``M``/``F``/``X``, countries to ISO alpha-3.

Dates are read from the formats printed on documents and receipts::

    12.08.1974   12/08/74   1974-08-12   12 AUG 1974   12 AUGUST/AOUT 74   12AUG74   AUG 12, 1974

Numeric dates whose day and month could be swapped (``08/12/1974``) are read in the
order the schema declares (``DMY`` by default) and reported as ambiguous, so the
caller can lower the confidence. Two-digit years are resolved by the role of the
date: a birth date lies in the past, an expiry date usually in the future.
Standard library only.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass

__all__ = [
    "COUNTRIES",
    "LIST_VOCABULARIES",
    "DateValue",
    "date_order_evidence",
    "find_amount",
    "find_date",
    "find_printed_date",
    "normalize_country",
    "normalize_date",
    "normalize_list",
    "normalize_sex",
    "repair_digits",
    "repair_month_words",
    "repair_separators",
    "strip_diacritics",
]

_MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        "JAN JANUARY JANVIER JANV JANUAR ENERO ENE GENNAIO GEN JANEIRO JANUARI STYCZEN STY OCAK OCA",
        "FEB FEBRUARY FEVRIER FEV FEVR FEBRUAR FEBRERO FEBBRAIO FEVEREIRO FEBRUARI LUTY LUT SUBAT SUB",
        "MAR MARCH MARS MARZ MAERZ MARZO MARCO MAART MARZEC MART",
        "APR APRIL AVRIL AVR ABRIL ABR APRILE KWIECIEN KWI NISAN NIS",
        "MAY MAI MAYO MAGGIO MAG MAIO MEI MAJ MAYIS",
        "JUN JUNE JUIN JUNI JUNIO GIUGNO GIU JUNHO CZERWIEC CZE HAZIRAN HAZ",
        "JUL JULY JUILLET JUIL JULI JULIO LUGLIO LUG JULHO LIPIEC LIP TEMMUZ TEM",
        "AUG AUGUST AOUT AOU AGOSTO AGO AUGUSTUS SIERPIEN SIE AGUSTOS AGU",
        "SEP SEPT SEPTEMBER SEPTEMBRE SEPTIEMBRE SETTEMBRE SET SETEMBRO WRZESIEN WRZ EYLUL EYL",
        "OCT OCTOBER OCTOBRE OKTOBER OCTUBRE OTTOBRE OTT OUTUBRO OKT PAZDZIERNIK PAZ EKIM EKI",
        "NOV NOVEMBER NOVEMBRE NOVIEMBRE NOVEMBRO LISTOPAD LIS KASIM KAS",
        "DEC DECEMBER DECEMBRE DEZEMBER DICIEMBRE DIC DICEMBRE DEZEMBRO DES DEZ GRUDZIEN GRU ARALIK ARA",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _num

_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
# A month written as words, possibly bilingual ("AUGUST/AOUT", "AUG/AOUT"): one of the two
# names must be known (the other may be misread: "JULY/JVILET", "MY/MAI"), and OCR often
# reads the slash as I, l, 1 or | ("APRIAVR").
_SLASH = r"\s?[/Il1|]\s?"
_MONTH_WORDS = (
    rf"(?P<mon>(?:[A-Z]{{2,10}}\.?{_SLASH})?(?P<mname>{_MONTH_ALT})\.?(?:{_SLASH}[A-Z]{{2,10}}\.?)?(?![A-Z]))"
)
_TEXT_DMY = re.compile(
    rf"(?<![0-9])(?P<d>\d{{1,2}})\s*[-./ ]?\s*{_MONTH_WORDS}\s*[-./ ,]?\s*(?P<y>\d{{4}}|\d{{2}})(?![0-9])"
)
_TEXT_MDY = re.compile(rf"{_MONTH_WORDS}\s*[-./ ]?\s*(?P<d>\d{{1,2}})\s*,?\s*(?P<y>\d{{4}})(?![0-9])")
_ISO = re.compile(r"(?<![0-9])(?P<y>\d{4})\s?[-./]\s?(?P<m>\d{1,2})\s?[-./]\s?(?P<d>\d{1,2})(?![0-9])")
_NUMERIC = re.compile(
    r"(?<![0-9])(?P<a>\d{1,2})\s?(?P<sep>[-./])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?(?P<y>\d{4}|\d{2})(?![0-9]|[OoIlZSBG][0-9])"
    r"|(?<![0-9])(?P<a2>\d{2}) (?P<b2>\d{2}) (?P<y2>\d{4})(?![0-9])"
)
_COMPACT = re.compile(r"(?<![0-9])(?P<a>\d{2})(?P<b>\d{2})(?P<y>\d{4})(?![0-9])")
_AMOUNT = re.compile(
    r"(?:(?:\$|€|£)\s?|(?<![A-Z])(?:RM|MYR|SGD|S\$|USD|EUR|GBP)(?=\d))?"
    r"(?:(?<![0-9])\d{1,3}(?:[ ,]\d{3})*(?:[.,]\d{2})(?![0-9])|(?<![0-9.])\d+\.\d{2}(?![0-9]))"
)


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date found in text.

    Attributes:
        iso: ``YYYY-MM-DD``.
        raw: the matched text as printed.
        ambiguous: day and month could be swapped (both <= 12 and different).
    """

    iso: str
    raw: str
    ambiguous: bool = False


def strip_diacritics(text: str) -> str:
    """``text`` with combining marks removed after NFKD decomposition (``Şeyma`` -> ``Seyma``)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _fold(text: str) -> str:
    return strip_diacritics(text).upper()


def _year(y: str, role: str, today: dt.date) -> int:
    if len(y) == 4:
        return int(y)
    yy = int(y)
    if role == "future":  # expiry: up to 30 years ahead
        return 2000 + yy if 2000 + yy <= today.year + 30 else 1900 + yy
    century = 2000 if 2000 + yy <= today.year else 1900
    return century + yy


def _make(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


_DIGIT_LOOKALIKES = str.maketrans("OoDIl|ZSBG", "0001112586")
_NUMERIC_TOKEN = re.compile(r"[0-9OoDIl|ZSBG]+(?:[-./,][0-9OoDIl|ZSBG]+){1,2}")


def repair_digits(text: str) -> str:
    """Read letters OCR confuses with digits as digits in date-like tokens (``O7/I2/2O19`` -> ``07/12/2019``).

    Only tokens of two or three groups separated by ``- . / ,`` holding at least
    three digits are changed (``,`` read as a separator: ``12,07,1986``); words are
    left alone.
    """

    def fix(m: re.Match[str]) -> str:
        token = m.group(0)
        if sum(c.isdigit() for c in token) < 3:
            return token
        return token.translate(_DIGIT_LOOKALIKES).replace(",", ".")

    return _NUMERIC_TOKEN.sub(fix, text)


def find_date(
    text: str, order: str = "DMY", role: str = "any", today: dt.date | None = None
) -> DateValue | None:
    """Find the first date in ``text`` and normalize it; letters misread for digits are repaired.

    See :func:`find_printed_date`; when it finds none, the text is read again after
    :func:`repair_digits`.
    """
    found = find_printed_date(text, order, role, today)
    if found is None:
        repaired = repair_digits(text)
        if repaired != text:
            found = find_printed_date(repaired, order, role, today)
        if found is None:
            fixed = repair_separators(repaired)
            if fixed != repaired:
                found = find_printed_date(fixed, order, role, today)
        if found is None:
            words = repair_month_words(repaired)
            if words != repaired:
                found = find_printed_date(words, order, role, today)
    return found


_LONG_MONTHS = tuple(m for m in _MONTHS if len(m) >= 5)
_LETTERS = re.compile(r"[A-Z]{5,}")
_YEAR_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "|": "1", "[": "1", "]": "1", "O": "0"})
_YEAR_AFTER_MONTH = re.compile(r"(?<=[A-Z])(\s?)([0-9IL|\[\]O]{2}|[0-9IL|\[\]O]{4})(?![0-9A-Z])")


@functools.lru_cache(maxsize=4096)
def _month_word(word: str) -> str:
    if word in _MONTHS:
        return word
    for cut in range(3, len(word) - 2):  # two names run together: NOVEMBERNOVEMBRE, JULYIJUILLET
        a, b = word[:cut], word[cut:]
        if a in _MONTHS and b in _MONTHS and _MONTHS[a] == _MONTHS[b]:
            return f"{a}/{b}"
        if b[0] in "IL" and a in _MONTHS and _MONTHS[a] == _MONTHS.get(b[1:]):
            return f"{a}/{b[1:]}"
    close = difflib.get_close_matches(word, _LONG_MONTHS, n=1, cutoff=0.85)
    return close[0] if close else word


def repair_month_words(text: str) -> str:
    """Read month names OCR misread: ``OCIOBER/OCIOBRE`` -> ``OCTOBER/OCTOBRE`` (one letter off in
    a name of five or more), ``NOVEMBERNOVEMBRE`` -> ``NOVEMBER/NOVEMBRE`` (the slash lost), and
    a year after a month with letters for digits (``JUILLET I8`` -> ``JUILLET 18``, ``[6`` -> ``16``).
    """
    if not any(c.isdigit() for c in text):
        return text  # no day, no year: no date to repair
    up = _fold(text)
    fixed = _LETTERS.sub(lambda m: _month_word(m.group(0)), up)

    def year(m: re.Match[str]) -> str:
        token = m.group(2)
        if not any(c.isdigit() for c in token):
            return m.group(0)
        before = fixed[: m.start()].split()[-1].split("/")[-1] if fixed[: m.start()].split() else ""
        if before.rstrip(".") not in _MONTHS:
            return m.group(0)
        return m.group(1) + token.translate(_YEAR_LOOKALIKES)

    fixed = _YEAR_AFTER_MONTH.sub(year, fixed)
    return fixed if fixed != up else text


_SEPARATOR_MIXED = re.compile(
    r"(?<![0-9])(\d{1,2})\s?[-./,;:]\s?(\d{1,2})\s?[-./,;: ]\s?(\d{4})(?![0-9])"
    r"|(?<![0-9])(\d{1,2})\s?[-./,;: ]\s?(\d{1,2})\s?[-./,;:]\s?(\d{4})(?![0-9])"
)
_SEPARATOR_DROPPED = re.compile(r"(?<![0-9])(\d{2})(\d{2}) (\d{4})(?![0-9])")


def repair_separators(text: str) -> str:
    """Read the separators of a numeric date OCR misread or dropped as ``/``.

    ``12/25,2030`` and ``15,06 1973`` -> ``12/25/2030`` and ``15/06/1973`` (a separator
    read as a comma, colon or space); ``0409 1980`` -> ``04/09/1980`` (the first
    separator dropped). Only numbers ending in a four-digit year are changed. Four
    digits glued to a slash (``1409/2017``) are left alone: there OCR more often read a
    separator as a digit (``11/09`` as ``1409``) than dropped it.
    """

    def mixed(m: re.Match[str]) -> str:
        a, b, y = (g for g in m.groups() if g is not None)
        return f"{a}/{b}/{y}"

    text = _SEPARATOR_MIXED.sub(mixed, text)
    return _SEPARATOR_DROPPED.sub(lambda m: f"{m.group(1)}/{m.group(2)}/{m.group(3)}", text)


def find_printed_date(
    text: str, order: str = "DMY", role: str = "any", today: dt.date | None = None
) -> DateValue | None:
    """Find the first date in ``text`` and normalize it.

    Args:
        text: printed text, may hold more than the date (``DATE: 25/12/2018 8:13 PM``).
        order: ``DMY``, ``MDY`` or ``YMD``: how an ambiguous numeric date is read.
        role: ``past``, ``future`` or ``any``: resolves two-digit years.
        today: reference date for two-digit years (default: today).

    Returns:
        The :class:`DateValue`, or ``None`` when no valid date is found.
    """
    today = today or dt.date.today()
    up = _fold(text)
    candidates: list[tuple[int, DateValue]] = []
    for m in _TEXT_DMY.finditer(up):
        mon = _MONTHS[m.group("mname")]
        iso = _make(_year(m.group("y"), role, today), mon, int(m.group("d")))
        if iso:
            candidates.append((m.start(), DateValue(iso, text[m.start() : m.end()].strip())))
    for m in _TEXT_MDY.finditer(up):
        mon = _MONTHS[m.group("mname")]
        iso = _make(int(m.group("y")), mon, int(m.group("d")))
        if iso:
            candidates.append((m.start(), DateValue(iso, text[m.start() : m.end()].strip())))
    for m in _ISO.finditer(up):
        iso = _make(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        if iso:
            candidates.append((m.start(), DateValue(iso, text[m.start() : m.end()].strip())))
    for rx in (_NUMERIC, _COMPACT):
        for m in rx.finditer(up):
            groups = m.groupdict()
            sa, sb, sy = (
                (groups["a"], groups["b"], groups["y"])
                if groups["a"]
                else (groups["a2"], groups["b2"], groups["y2"])
            )
            a, b = int(sa), int(sb)
            year = _year(sy, role, today)
            first = (b, a) if order == "MDY" else (a, b)  # (day, month)
            day, mon = first
            iso = _make(year, mon, day)
            ambiguous = a <= 12 and b <= 12 and a != b
            if iso is None:  # the declared order is impossible: the other one is certain
                day, mon = mon, day
                iso = _make(year, mon, day)
                ambiguous = False
            if iso:
                candidates.append((m.start(), DateValue(iso, text[m.start() : m.end()].strip(), ambiguous)))
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[1]


def date_order_evidence(text: str) -> str | None:
    """``DMY`` or ``MDY`` when a numeric date in ``text`` can only be read one way, else ``None``."""
    for m in _NUMERIC.finditer(_fold(text)):
        groups = m.groupdict()
        a, b = (int(groups["a"]), int(groups["b"])) if groups["a"] else (int(groups["a2"]), int(groups["b2"]))
        if a > 12 >= b >= 1:
            return "DMY"
        if b > 12 >= a >= 1:
            return "MDY"
    return None


def normalize_date(text: str, order: str = "DMY", role: str = "any") -> str | None:
    """ISO 8601 form of the first date in ``text`` (``None`` when there is none)."""
    found = find_date(text, order=order, role=role)
    return found.iso if found else None


#: Known items of list fields, by canonical field name: the driving-licence categories of
#: Directive 2006/126/EC (and the national B1); an item OCR misread is repaired to one of them.
LIST_VOCABULARIES: dict[str, frozenset[str]] = {
    "licence_class": frozenset(
        ["AM", "A1", "A2", "A", "B1", "B", "BE", "C1", "C1E", "C", "CE", "D1", "D1E", "D", "DE"]
    ),
}
_ITEM_LOOKALIKES = str.maketrans({"I": "1", "L": "1", "|": "1", "Z": "2"})
_ITEM_SEPARATOR = re.compile(r"[I1L|]")


def _repair_item(item: str, vocabulary: frozenset[str]) -> list[str]:
    """``AI`` -> ``[A1]``; ``AMIAZID`` (slashes read as ``I``) -> ``[AM, A2, D]``; else ``[item]``."""
    if item in vocabulary:
        return [item]
    fixed = item[:1] + item[1:].translate(_ITEM_LOOKALIKES)
    if fixed in vocabulary:
        return [fixed]
    parts = [p for p in _ITEM_SEPARATOR.split(item) if p]
    if len(parts) > 1:
        repaired = [p if p in vocabulary else p[:1] + p[1:].translate(_ITEM_LOOKALIKES) for p in parts]
        if all(p in vocabulary for p in repaired):
            return repaired
    return [item]


def normalize_list(text: str, vocabulary: frozenset[str] | None = None) -> str:
    """Items separated by commas, slashes or spaces, joined by single spaces (``A1, B/C`` -> ``A1 B C``).

    Args:
        text: the printed list.
        vocabulary: the known items (see :data:`LIST_VOCABULARIES`): an unknown item that
            becomes known when ``I``, ``L`` or ``|`` is read as ``1`` and ``Z`` as ``2`` (not
            in first place), or that splits into known items at such a character (a
            slash misread), is repaired; other items are kept as read.
    """
    items = [t for t in re.split(r"[\s,;/]+", text) if t]
    if vocabulary:
        items = [r for t in items for r in _repair_item(t.upper(), vocabulary)]
    return " ".join(items)


_SEX = {
    "M": "M",
    "MALE": "M",
    "MASCULIN": "M",
    "MASCULINO": "M",
    "MANNLICH": "M",
    "H": "M",
    "HOMME": "M",
    "F": "F",
    "FEMALE": "F",
    "FEMININ": "F",
    "FEMININO": "F",
    "FEMENINO": "F",
    "WEIBLICH": "F",
    "W": "F",
    "FEMME": "F",
    "X": "X",
    "<": "X",
    "UNSPECIFIED": "X",
}


def normalize_sex(text: str) -> str | None:
    """``M``, ``F`` or ``X`` from ``M``, ``Male``, ``F/F``, ``Féminin``, ``W``... (``None`` if unknown)."""
    tokens = [t for t in re.split(r"[^A-Z<]+", _fold(text)) if t]
    for tok in tokens:
        if tok in _SEX:
            return _SEX[tok]
    return None


#: Country names and ICAO/ISO codes, to ISO 3166-1 alpha-3 (``D`` is Germany in the MRZ).
COUNTRIES: dict[str, str] = {}
for _line in (
    "AUT AT AUSTRIA OSTERREICH|BEL BE BELGIUM BELGIQUE BELGIE|BGR BG BULGARIA|HRV HR CROATIA HRVATSKA",
    "CYP CY CYPRUS|CZE CZ CZECHIA CZECH_REPUBLIC|DNK DK DENMARK DANMARK|EST EE ESTONIA EESTI",
    "FIN FI FINLAND SUOMI|FRA FR FRANCE FRANCAISE FRENCH|DEU DE D GERMANY DEUTSCHLAND GERMAN DEUTSCH",
    "GRC GR GREECE HELLAS|HUN HU HUNGARY MAGYARORSZAG|IRL IE IRELAND EIRE|ITA IT ITALY ITALIA ITALIANA",
    "LVA LV LATVIA|LTU LT LITHUANIA|LUX LU LUXEMBOURG|MLT MT MALTA|NLD NL NETHERLANDS NEDERLAND DUTCH",
    "POL PL POLAND POLSKA|PRT PT PORTUGAL PORTUGUESA|ROU RO ROMANIA|SVK SK SLOVAKIA|SVN SI SLOVENIA",
    "ESP ES SPAIN ESPANA ESPANOLA|SWE SE SWEDEN SVERIGE|GBR GB UK UNITED_KINGDOM BRITISH GREAT_BRITAIN",
    "CHE CH SWITZERLAND SCHWEIZ SUISSE SVIZZERA|NOR NO NORWAY NORGE|ISL IS ICELAND|USA US UNITED_STATES",
    "UNITED_STATES_OF_AMERICA AMERICAN|CAN CA CANADA CANADIAN|MEX MX MEXICO|BRA BR BRAZIL BRASIL",
    "ARG AR ARGENTINA|AUS AU AUSTRALIA AUSTRALIAN|NZL NZ NEW_ZEALAND|JPN JP JAPAN|CHN CN CHINA",
    "IND IN INDIA INDIAN|MYS MY MALAYSIA|SGP SG SINGAPORE|TUR TR TURKEY TURKIYE|RUS RU RUSSIA",
    "UKR UA UKRAINE|MAR MA MOROCCO MAROC|DZA DZ ALGERIA ALGERIE|TUN TN TUNISIA TUNISIE|ZAF ZA SOUTH_AFRICA",
    "NGA NG NIGERIA|EGY EG EGYPT|KOR KR KOREA SOUTH_KOREA|PHL PH PHILIPPINES|IDN ID INDONESIA",
    "UTO UTOPIA UTOPIAN|D<< GERMANY",
):
    for _group in _line.split("|"):
        _codes = _group.split()
        for _alias in _codes:
            COUNTRIES[_alias.replace("_", " ")] = _codes[0] if _codes[0] != "D<<" else "DEU"


def normalize_country(text: str) -> str | None:
    """ISO alpha-3 code from a code or a country name (``None`` when unknown).

    An unknown three-letter code is kept as is (ICAO uses codes this table lacks).
    """
    folded = re.sub(r"[^A-Z< ]+", " ", _fold(text)).strip()
    folded = " ".join(folded.split())
    if folded in COUNTRIES:
        return COUNTRIES[folded]
    for part in re.split(r"\s*/\s*|\s{2,}", _fold(text)):
        key = " ".join(re.sub(r"[^A-Z ]+", " ", part).split())
        if key in COUNTRIES and len(key) > 1:
            return COUNTRIES[key]
    words = folded.split()
    for n in (3, 2, 1):
        for i in range(len(words) - n + 1):
            key = " ".join(words[i : i + n])
            if key in COUNTRIES and len(key) > 2:
                return COUNTRIES[key]
    if re.fullmatch(r"[A-Z]{3}", folded):
        return folded
    return None


def find_amount(text: str) -> str | None:
    """The last amount in ``text`` as printed, with a currency sign or a currency code printed
    against it (``RM 9.00`` -> ``9.00``, ``RM9.00`` -> ``RM9.00``, ``$8.20``)."""
    found = _AMOUNT.findall(text)
    if found:
        return str(found[-1]).strip()
    digits = re.findall(r"(?<![0-9])\d+(?![0-9])", text)
    return digits[-1] if digits else None
