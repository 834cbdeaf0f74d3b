"""Field values of invented identity documents: names, places, numbers, dates.

Every function takes a :class:`numpy.random.Generator`, so that a document's values
depend only on its own seed. Names keep their diacritics here; the MRZ transliterates
them (:func:`idstream.synth.mrz.transliterate`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

__all__ = [
    "COUNTRIES",
    "DATE_STYLES",
    "LOCALES",
    "REFERENCE_DATE",
    "Country",
    "Holder",
    "Locale",
    "format_date",
    "make_holder",
]

#: Generated documents are "valid" around this date; fixed so a seed always gives the same data.
REFERENCE_DATE = dt.date(2025, 6, 1)


@dataclass(frozen=True, slots=True)
class Locale:
    """Name and place pools of one language area."""

    name: str
    surnames: tuple[str, ...]
    given_f: tuple[str, ...]
    given_m: tuple[str, ...]
    places: tuple[str, ...]
    streets: tuple[str, ...]
    street_first: bool  # "RUE DE LA PAIX 12" (False: "12 RUE ..." is not used; number after street)


LOCALES: dict[str, Locale] = {
    "de": Locale(
        "de",
        (
            "MÜLLER",
            "SCHRÖDER",
            "WEIß",
            "KÖHLER",
            "BÄCKER",
            "MÜLLER-LÜDENSCHEIDT",
            "VON DER HEYDE",
            "HOFFMANN",
            "SCHÄFER",
            "KRÜGER",
            "ZIMMERMANN",
            "GROß-BÖLTING",
            "LANGE",
            "FUCHS",
        ),
        ("JÜRGEN", "LÜTZ", "MARIA", "ANNA", "SÖREN", "BÄRBEL", "KATHARINA", "LENA", "JÖRG", "GRETA"),
        ("JÜRGEN", "KLAUS", "STEFAN", "MATTHIAS", "UWE", "BJÖRN", "LUKAS", "FRANZ JOSEF", "KARL-HEINZ"),
        ("MÜNCHEN", "KÖLN", "DÜSSELDORF", "BERLIN", "NÜRNBERG", "GÖTTINGEN", "LÜBECK", "OSNABRÜCK"),
        ("HAUPTSTRAßE", "BAHNHOFSTR.", "GARTENWEG", "SCHLOßALLEE", "AM MÜHLBACH", "LINDENSTRAßE"),
        True,
    ),
    "fr": Locale(
        "fr",
        (
            "LEFÈVRE",
            "DUPONT",
            "FRANÇOIS",
            "GIRARD",
            "LEFÈVRE-DUPONT",
            "DE LA FONTAINE",
            "MÉNARD",
            "BÉRANGER",
            "CHÂTEAU",
            "D'ALEMBERT",
            "LÉVÊQUE",
            "MOREAU",
        ),
        ("HÉLÈNE", "CÉLINE", "MARIE-CLAIRE", "ANAÏS", "ZOÉ", "GAËLLE", "AMÉLIE", "BÉATRICE"),
        ("FRANÇOIS", "JÉRÔME", "JEAN-PIERRE", "ANDRÉ", "NOËL", "CÉDRIC", "GAËTAN", "LOUIS"),
        ("SAINT-ÉTIENNE", "ORLÉANS", "BÉZIERS", "NÎMES", "CHÂLONS", "LYON", "ANGOULÊME", "EVREUX"),
        ("RUE DE LA PAIX", "AVENUE DES CHÊNES", "BOULEVARD VOLTAIRE", "PLACE DU MARCHÉ", "IMPASSE DES LILAS"),
        False,
    ),
    "es": Locale(
        "es",
        (
            "GARCÍA MÁRQUEZ",
            "NÚÑEZ",
            "PÉREZ DE LA OSA",
            "IBÁÑEZ",
            "MUÑOZ",
            "FERNÁNDEZ LÓPEZ",
            "RODRÍGUEZ",
            "GÓMEZ-ACEBO",
            "SÁNCHEZ",
            "DEL RÍO",
        ),
        ("MARÍA JOSÉ", "INÉS", "LUCÍA", "ÁNGELA", "BEGOÑA", "SOFÍA", "ROCÍO"),
        ("JOSÉ LUIS", "ÁLVARO", "JESÚS", "ÍÑIGO", "RAÚL", "JOAQUÍN", "MARTÍN"),
        ("MÁLAGA", "CÓRDOBA", "LOGROÑO", "ÁVILA", "CÁCERES", "LEÓN", "GIJÓN", "A CORUÑA"),
        ("CALLE MAYOR", "AVDA. DE LA CONSTITUCIÓN", "PLAZA DE ESPAÑA", "CALLE DEL OLMO"),
        False,
    ),
    "pt": Locale(
        "pt",
        ("DOS SANTOS SILVA", "CONCEIÇÃO", "GONÇALVES", "DA COSTA", "ASSUNÇÃO", "BRANDÃO", "SIMÕES"),
        ("JOÃO", "CONCEIÇÃO", "INÊS", "MARIA DA GRAÇA", "LETÍCIA"),
        ("JOÃO PEDRO", "ANTÓNIO", "SEBASTIÃO", "VÍTOR", "LUÍS"),
        ("SÃO PAULO", "ÉVORA", "LOULÉ", "GUIMARÃES", "PORTO"),
        ("RUA DAS FLORES", "AVENIDA DA LIBERDADE", "TRAVESSA DO CARMO"),
        False,
    ),
    "pl": Locale(
        "pl",
        ("WÓJCIK", "KOWALCZYK", "ŁUKASIEWICZ", "SZCZĘSNY", "ZAJĄC", "DĄBROWSKA", "KRÓL", "WIŚNIEWSKI"),
        ("AGNIESZKA", "MAŁGORZATA", "ŻANETA", "JOANNA", "BOŻENA"),
        ("ŁUKASZ", "PAWEŁ", "JERZY", "MICHAŁ", "ZBIGNIEW"),
        ("ŁÓDŹ", "KRAKÓW", "GDAŃSK", "WROCŁAW", "POZNAŃ"),
        ("UL. PIĘKNA", "UL. ŻELAZNA", "AL. JEROZOLIMSKIE", "UL. KRÓLEWSKA"),
        True,
    ),
    "cs": Locale(
        "cs",
        ("DVOŘÁK", "NOVÁKOVÁ", "ČERNÝ", "SVOBODOVÁ", "PROCHÁZKA", "KŘÍŽ", "RŮŽIČKA"),
        ("ZUZANA", "KATEŘINA", "LUDMILA", "JANA"),
        ("JIŘÍ", "TOMÁŠ", "LUKÁŠ", "OLDŘICH"),
        ("BRNO", "PLZEŇ", "ČESKÉ BUDĚJOVICE", "ÚSTÍ NAD LABEM"),
        ("NÁMĚSTÍ MÍRU", "ŠKOLNÍ", "U POTOKA"),
        True,
    ),
    "sv": Locale(
        "sv",
        ("ÅKESSON", "LINDQVIST", "SJÖBERG", "ÖSTLUND", "NYSTRÖM", "BJÖRK", "SØRENSEN", "ÆRLIG"),
        ("ÅSA", "MALIN", "BIRGITTA", "INGRID", "SIGRÚN"),
        ("BJÖRN", "ÖRJAN", "ÅKE", "LARS-ERIK", "MAGNUS"),
        ("GÖTEBORG", "MALMÖ", "UMEÅ", "VÄSTERÅS", "TROMSØ"),
        ("STORGATAN", "KUNGSVÄGEN", "SJÖGATAN", "ÄNGSVÄGEN"),
        True,
    ),
    "tr": Locale(
        "tr",
        ("YILDIZ", "ÖZTÜRK", "ŞAHİN", "ÇELİK", "AYDIN", "KOÇ", "GÜNEŞ"),
        ("AYŞE", "GÜL", "ŞEYMA", "ÖZLEM"),
        ("MEHMET", "MUSTAFA", "İBRAHİM", "ÇAĞLAR"),
        ("İSTANBUL", "İZMİR", "ESKİŞEHİR", "MUĞLA"),
        ("ATATÜRK CAD.", "GÜL SOK.", "İSTİKLAL CAD."),
        True,
    ),
    "en": Locale(
        "en",
        ("SMITH", "O'CONNOR", "WILLIAMS-JONES", "MACDONALD", "BROWN", "TAYLOR", "FITZGERALD", "HUGHES"),
        ("ELIZABETH ANNE", "MARY", "SARAH JANE", "EMILY", "CHLOE"),
        ("JOHN PAUL", "MICHAEL", "DAVID", "JAMES ROBERT", "THOMAS"),
        ("MANCHESTER", "CARDIFF", "BRISTOL", "DUBLIN", "SPRINGFIELD", "PORTLAND"),
        ("HIGH STREET", "MAPLE AVENUE", "STATION ROAD", "OAK LANE", "CHURCH ROAD"),
        False,
    ),
    "vi": Locale(
        "vi",
        ("NGUYỄN", "TRẦN", "LÊ", "PHẠM", "HOÀNG", "ĐẶNG"),
        ("THỊ HƯƠNG", "NGỌC ÁNH", "THU HÀ"),
        ("VĂN ĐỨC", "QUANG HUY", "MINH TUẤN"),
        ("HÀ NỘI", "HUẾ", "ĐÀ NẴNG"),
        ("PHỐ HUẾ", "ĐƯỜNG LÁNG"),
        False,
    ),
    "it": Locale(
        "it",
        ("ROSSI", "D'AMICO", "DELL'ACQUA", "NICOLÒ", "DE LUCA", "LOMBARDI", "FORTUNATO"),
        ("CHIARA", "FRANCESCA", "ROSSELLA", "BENEDETTA"),
        ("NICOLÒ", "GIOVANNI BATTISTA", "FILIPPO", "NICCOLÒ"),
        ("FORLÌ", "CANTÙ", "TORINO", "NAPOLI", "PATERNÒ"),
        ("VIA ROMA", "VIALE DEI MILLE", "PIAZZA GARIBALDI", "CORSO ITALIA"),
        False,
    ),
    "hu": Locale(
        "hu",
        ("KOVÁCS", "SZŐKE", "TÓTH", "NAGY", "HORVÁTH", "FÜLÖP", "SZŰCS"),
        ("ERZSÉBET", "ÉVA", "ILDIKÓ", "KATALIN"),
        ("LÁSZLÓ", "GYÖRGY", "ISTVÁN", "ZOLTÁN"),
        ("GYŐR", "PÉCS", "SZÉKESFEHÉRVÁR", "DEBRECEN"),
        ("FŐ UTCA", "KOSSUTH TÉR", "RÁKÓCZI ÚT"),
        True,
    ),
}


@dataclass(frozen=True, slots=True)
class Country:
    """An invented issuing country: header names, code, languages and name locales."""

    code: str
    name_en: str
    name_local: str
    languages: tuple[str, ...]  # label languages, first is primary; "en" is the usual second
    locales: tuple[str, ...]


COUNTRIES: tuple[Country, ...] = (
    Country("UTO", "UTOPIA", "UTOPIA", ("en",), ("en", "sv")),
    Country("VLD", "REPUBLIC OF VALDORIA", "RÉPUBLIQUE DE VALDORIE", ("fr", "en"), ("fr", "it")),
    Country("KLV", "KINGDOM OF KALVERA", "KÖNIGREICH KALVERA", ("de", "en"), ("de", "cs", "pl")),
    Country(
        "OSV", "FEDERAL REPUBLIC OF OSTRAVIA", "REPÚBLICA FEDERAL DE OSTRAVIA", ("es", "en"), ("es", "pt")
    ),
    Country("LRV", "GRAND DUCHY OF LORVANIA", "GRAND-DUCHÉ DE LORVANIE", ("fr", "de", "en"), ("fr", "de")),
    Country("MRD", "UNITED PROVINCES OF MERIDA", "PROVINCE UNITE DI MERIDA", ("it", "en"), ("it", "hu")),
    Country("NVS", "REPUBLIC OF NOVASTAN", "NOVASTAN CUMHURİYETİ", ("tr", "en"), ("tr", "en")),
    Country("BRX", "COMMONWEALTH OF BRAXLAND", "COMMONWEALTH OF BRAXLAND", ("en",), ("en", "vi", "pl")),
    Country("SLV", "REPUBLIC OF SELVANIA", "REPUBLIKA SELVANSKA", ("pl", "en"), ("pl", "cs", "hu")),
)

_MONTHS = {
    "en": ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"),
    "fr": ("JANV", "FÉVR", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"),
    "de": ("JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"),
    "es": ("ENE", "FEB", "MAR", "ABR", "MAY", "JUN", "JUL", "AGO", "SEP", "OCT", "NOV", "DIC"),
}
_MONTHS_LONG = {
    "en": (
        "JANUARY",
        "FEBRUARY",
        "MARCH",
        "APRIL",
        "MAY",
        "JUNE",
        "JULY",
        "AUGUST",
        "SEPTEMBER",
        "OCTOBER",
        "NOVEMBER",
        "DECEMBER",
    ),
    "fr": (
        "JANVIER",
        "FEVRIER",
        "MARS",
        "AVRIL",
        "MAI",
        "JUIN",
        "JUILLET",
        "AOUT",
        "SEPTEMBRE",
        "OCTOBRE",
        "NOVEMBRE",
        "DECEMBRE",
    ),
}

#: Printed date styles a layout can use. ``mdy`` is the US order.
DATE_STYLES: tuple[str, ...] = (
    "dot",  # 12.08.1974
    "slash_dmy",  # 12/08/1974
    "slash_mdy",  # 08/12/1974
    "iso",  # 1974-08-12
    "mon",  # 12 AUG 1974
    "mon_bilingual",  # 12 AUG/AOÛT 1974
    "month_bilingual_yy",  # 12 AUGUST/AOUT 74
    "space_dmy",  # 12 08 1974
    "dash_dmy",  # 12-08-1974
)


def format_date(date: dt.date, style: str, language: str = "en") -> str:
    """Print ``date`` in one of :data:`DATE_STYLES`.

    Raises:
        ValueError: for an unknown style.
    """
    d, m, y = date.day, date.month, date.year
    if style == "dot":
        return f"{d:02d}.{m:02d}.{y}"
    if style == "slash_dmy":
        return f"{d:02d}/{m:02d}/{y}"
    if style == "slash_mdy":
        return f"{m:02d}/{d:02d}/{y}"
    if style == "iso":
        return date.isoformat()
    if style == "mon":
        months = _MONTHS.get(language, _MONTHS["en"])
        return f"{d:02d} {months[m - 1]} {y}"
    if style == "mon_bilingual":
        other = language if language in ("fr", "de", "es") else "fr"
        a, b = _MONTHS["en"][m - 1], _MONTHS[other][m - 1]
        month = a if a == b else f"{a}/{b}"
        return f"{d:02d} {month} {y}"
    if style == "month_bilingual_yy":
        a, b = _MONTHS_LONG["en"][m - 1], _MONTHS_LONG["fr"][m - 1]
        month = a if a == b else f"{a}/{b}"
        return f"{d:02d} {month} {y % 100:02d}"
    if style == "space_dmy":
        return f"{d:02d} {m:02d} {y}"
    if style == "dash_dmy":
        return f"{d:02d}-{m:02d}-{y}"
    raise ValueError(f"unknown date style {style!r}")


@dataclass(slots=True)
class Holder:
    """The values of one document, normalized (dates as :class:`datetime.date`)."""

    surname: str
    given_names: str
    sex: str  # M, F or X
    nationality: str
    date_of_birth: dt.date
    place_of_birth: str
    date_of_issue: dt.date
    date_of_expiry: dt.date
    document_number: str
    personal_number: str
    address: tuple[str, ...]  # address components, printed one or more per line
    authority: str
    licence_class: str
    restrictions: str
    country: Country
    locale: str


# Confusable characters are over-represented on purpose (O/0, I/1, S/5, B/8, Z/2, G/6).
_NUM_LETTERS = "CFGHJKLMNPRTVWXYZOISBG"
_NUM_DIGITS = "01234567890158"
_AUTHORITIES = {
    "en": ("HOME OFFICE", "MINISTRY OF INTERIOR", "CITY OF {place}", "DEPT. OF MOTOR VEHICLES"),
    "fr": ("PRÉFECTURE DE {place}", "MAIRIE DE {place}", "MINISTÈRE DE L'INTÉRIEUR"),
    "de": ("STADT {place}", "LANDRATSAMT {place}", "BÜRGERAMT {place}"),
    "es": ("DGP {place}", "MINISTERIO DEL INTERIOR", "JEFATURA DE TRÁFICO"),
    "it": ("COMUNE DI {place}", "MINISTERO DELL'INTERNO", "MOTORIZZAZIONE CIVILE"),
    "tr": ("NÜFUS MÜDÜRLÜĞÜ", "{place} VALİLİĞİ"),
    "pl": ("PREZYDENT MIASTA {place}", "WOJEWODA"),
}


def _pick(rng: np.random.Generator, items: tuple[str, ...] | list[str]) -> str:
    return str(items[int(rng.integers(len(items)))])


def _document_number(rng: np.random.Generator) -> str:
    n = int(rng.integers(8, 10))
    pattern = _pick(
        rng, ["LLDDDDDDD", "LDDDDDDDD", "DDLLDDDDD", "LLLDDDDDD", "DDDDDDDDD", "LDLDDLDDL", "LLDDLLDDD"]
    )
    chars = [_pick(rng, list(_NUM_LETTERS)) if p == "L" else _pick(rng, list(_NUM_DIGITS)) for p in pattern]
    return "".join(chars)[:n]


def _random_date(rng: np.random.Generator, start: dt.date, end: dt.date) -> dt.date:
    span = (end - start).days
    return start + dt.timedelta(days=int(rng.integers(0, max(span, 1))))


def make_holder(rng: np.random.Generator, country: Country | None = None) -> Holder:
    """Draw the values of one document holder and their document.

    Args:
        rng: the document's random generator.
        country: issuing country (drawn when ``None``).
    """
    if country is None:
        country = COUNTRIES[int(rng.integers(len(COUNTRIES)))]
    locale_name = _pick(rng, list(country.locales))
    locale = LOCALES[locale_name]
    sex = _pick(rng, ["M", "F", "M", "F", "X"]) if rng.random() < 0.05 else _pick(rng, ["M", "F"])
    pool = locale.given_f if sex == "F" else locale.given_m if sex == "M" else locale.given_f + locale.given_m
    given = _pick(rng, pool)
    if rng.random() < 0.25:
        second = _pick(rng, pool)
        if second != given:
            given = f"{given} {second}"
    surname = _pick(rng, locale.surnames)
    if rng.random() < 0.12:
        other = _pick(rng, locale.surnames)
        if other != surname:
            surname = f"{surname}-{other}" if rng.random() < 0.5 else f"{surname} {other}"
    dob = _random_date(rng, dt.date(1935, 1, 1), dt.date(2007, 12, 31))
    issue = _random_date(rng, dt.date(2016, 1, 1), REFERENCE_DATE)
    years = _pick(rng, ["5", "10", "10", "15"])
    try:
        expiry = issue.replace(year=issue.year + int(years)) - dt.timedelta(days=int(rng.integers(0, 2)))
    except ValueError:  # 29 February
        expiry = issue.replace(year=issue.year + int(years), day=28)
    place = _pick(rng, locale.places)
    city = _pick(rng, locale.places)
    street = _pick(rng, locale.streets)
    number = str(int(rng.integers(1, 240)))
    if rng.random() < 0.2:
        number += _pick(rng, ["A", "B", "/3", " BIS"])
    street_line = f"{street} {number}" if locale.street_first else f"{number} {street}"
    postcode = "".join(_pick(rng, list("0123456789")) for _ in range(int(rng.integers(4, 6))))
    address: tuple[str, ...] = (street_line, f"{postcode} {city}")
    if rng.random() < 0.25:
        address = (*address, _pick(rng, ["NORD", "DISTRICT 4", "APT 12", "BLOC C", "PROVINCE OF ARDEN"]))
    lang = country.languages[0]
    authority = _pick(rng, _AUTHORITIES.get(lang, _AUTHORITIES["en"])).format(place=city)
    personal = "".join(_pick(rng, list("0123456789")) for _ in range(int(rng.integers(8, 12))))
    classes = ["AM", "A1", "A2", "A", "B1", "B", "BE", "C1", "C", "CE", "D1", "D"]
    k = int(rng.integers(1, 5))
    chosen = sorted(set(_pick(rng, classes) for _ in range(k)), key=classes.index)
    restrictions = _pick(rng, ["01", "01.06", "78", "01 78", "NONE", "B", "70.01", "05.02"])
    nationality = country.code if rng.random() < 0.9 else _pick(rng, [c.code for c in COUNTRIES])
    return Holder(
        surname=surname,
        given_names=given,
        sex=sex,
        nationality=nationality,
        date_of_birth=dob,
        place_of_birth=place,
        date_of_issue=issue,
        date_of_expiry=expiry,
        document_number=_document_number(rng),
        personal_number=personal,
        address=address,
        authority=authority,
        licence_class=" ".join(chosen),
        restrictions=restrictions,
        country=country,
        locale=locale_name,
    )
