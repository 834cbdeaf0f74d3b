"""Printed field labels and document titles in the languages of the invented countries."""

from __future__ import annotations

from idstream.document import CANONICAL_FIELDS

__all__ = ["DOCUMENT_TITLES", "FIELD_LABELS", "US_LABELS", "field_label"]

_FIELDS = (*CANONICAL_FIELDS, "licence_class", "restrictions")


def _table(*labels: str) -> dict[str, str]:
    return dict(zip(_FIELDS, labels, strict=True))


#: language -> field -> label.
FIELD_LABELS: dict[str, dict[str, str]] = {
    "en": _table(
        "Type",
        "Code",
        "Document No.",
        "Surname",
        "Given names",
        "Nationality",
        "Date of birth",
        "Sex",
        "Place of birth",
        "Date of issue",
        "Date of expiry",
        "Address",
        "Personal No.",
        "Authority",
        "Categories",
        "Restrictions",
    ),
    "fr": _table(
        "Type",
        "Code",
        "N° du document",
        "Nom",
        "Prénoms",
        "Nationalité",
        "Date de naissance",
        "Sexe",
        "Lieu de naissance",
        "Date de délivrance",
        "Date d'expiration",
        "Adresse",
        "N° personnel",
        "Autorité",
        "Catégories",
        "Restrictions",
    ),
    "de": _table(
        "Typ",
        "Kode",
        "Dokumentennr.",
        "Name",
        "Vornamen",
        "Staatsangehörigkeit",
        "Geburtsdatum",
        "Geschlecht",
        "Geburtsort",
        "Ausstellungsdatum",
        "Gültig bis",
        "Anschrift",
        "Persönliche Nr.",
        "Behörde",
        "Klassen",
        "Beschränkungen",
    ),
    "es": _table(
        "Tipo",
        "Código",
        "N.º de documento",
        "Apellidos",
        "Nombre",
        "Nacionalidad",
        "Fecha de nacimiento",
        "Sexo",
        "Lugar de nacimiento",
        "Fecha de expedición",
        "Válido hasta",
        "Domicilio",
        "N.º personal",
        "Autoridad",
        "Categorías",
        "Restricciones",
    ),
    "it": _table(
        "Tipo",
        "Codice",
        "N. documento",
        "Cognome",
        "Nome",
        "Cittadinanza",
        "Data di nascita",
        "Sesso",
        "Luogo di nascita",
        "Data di rilascio",
        "Scadenza",
        "Indirizzo",
        "Codice fiscale",
        "Autorità",
        "Categorie",
        "Restrizioni",
    ),
    "pl": _table(
        "Typ",
        "Kod",
        "Nr dokumentu",
        "Nazwisko",
        "Imiona",
        "Obywatelstwo",
        "Data urodzenia",
        "Płeć",
        "Miejsce urodzenia",
        "Data wydania",
        "Termin ważności",
        "Adres",
        "Nr PESEL",
        "Organ wydający",
        "Kategorie",
        "Ograniczenia",
    ),
    "tr": _table(
        "Tipi",
        "Kodu",
        "Belge No",
        "Soyadı",
        "Adı",
        "Uyruğu",
        "Doğum tarihi",
        "Cinsiyeti",
        "Doğum yeri",
        "Veriliş tarihi",
        "Geçerlilik tarihi",
        "Adres",
        "T.C. Kimlik No",
        "Veren makam",
        "Sınıfı",
        "Kısıtlamalar",
    ),
}

#: Abbreviated US-style licence labels.
US_LABELS: dict[str, str] = {
    "document_number": "DLN",
    "date_of_expiry": "EXP",
    "date_of_issue": "ISS",
    "surname": "LN",
    "given_names": "FN",
    "date_of_birth": "DOB",
    "sex": "SEX",
    "address": "ADDR",
    "licence_class": "CLASS",
    "restrictions": "RESTR",
    "nationality": "NAT",
    "place_of_birth": "POB",
    "personal_number": "ID",
    "authority": "AUTH",
    "document_type": "TYPE",
    "issuing_country": "CTRY",
}

#: kind -> language -> title printed in the header.
DOCUMENT_TITLES: dict[str, dict[str, str]] = {
    "id_card": {
        "en": "IDENTITY CARD",
        "fr": "CARTE NATIONALE D'IDENTITÉ",
        "de": "PERSONALAUSWEIS",
        "es": "DOCUMENTO NACIONAL DE IDENTIDAD",
        "it": "CARTA D'IDENTITÀ",
        "pl": "DOWÓD OSOBISTY",
        "tr": "KİMLİK KARTI",
    },
    "passport": {
        "en": "PASSPORT",
        "fr": "PASSEPORT",
        "de": "REISEPASS",
        "es": "PASAPORTE",
        "it": "PASSAPORTO",
        "pl": "PASZPORT",
        "tr": "PASAPORT",
    },
    "driving_licence": {
        "en": "DRIVING LICENCE",
        "fr": "PERMIS DE CONDUIRE",
        "de": "FÜHRERSCHEIN",
        "es": "PERMISO DE CONDUCCIÓN",
        "it": "PATENTE DI GUIDA",
        "pl": "PRAWO JAZDY",
        "tr": "SÜRÜCÜ BELGESİ",
        "us": "DRIVER LICENSE",
    },
}


def field_label(name: str, languages: tuple[str, ...], *, bilingual: bool, label_set: str) -> str:
    """The printed label of a field.

    Args:
        name: field name.
        languages: the issuing country's label languages, primary first.
        bilingual: join the primary and the English label (``Nom / Surname``).
        label_set: ``std`` or ``us``.
    """
    if label_set == "us":
        return US_LABELS[name]
    primary = FIELD_LABELS.get(languages[0], FIELD_LABELS["en"])[name]
    if bilingual and languages[0] != "en":
        english = FIELD_LABELS["en"][name]
        return primary if primary == english else f"{primary} / {english}"
    return primary
