"""The words printed on packets, in English and Spanish, and how dates and counts are written.

Dates are spelled out ("Mar 14, 2025", "14 mar 2025") so no reader mistakes the day for the month.
"""

from __future__ import annotations

from datetime import date

from kiosk.domain.campaign import Lang

_MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "petition": "Petition",
        "letter": "Letter",
        "signatures": "Signatures",
        "collected": "Collected",
        "events": "Events and places",
        "organization": "Submitted by",
        "versions": "Text versions",
        "text_heading": "The text the signers put their names to",
        "text_heading_many": "The texts the signers put their names to",
        "text_in": "The text in {language}, as {n} signers read it",
        "text_in_one": "The text in {language}, as 1 signer read it",
        "text_in_none": "The text in {language}, for reference (no signer here read it in "
        "{language})",
        "lang_en": "English",
        "lang_es": "Spanish",
        "version_line": "Text version {hash}  ·  {count}  ·  {dates}",
        "col_no": "No.",
        "col_name": "Printed name",
        "col_place": "City, State ZIP",
        "col_date": "Date",
        "col_signature": "Signature",
        "col_comment": "Comment",
        "typed": "Typed signature",
        "typed_witnessed": "Typed signature, witnessed by kiosk staff (PIN)",
        "sheet_note": "The people below signed the text printed on page {page} "
        "(text version {hash}).",
        "page": "Page {n} of {total}",
        "footer_version": "Text version {hash}",
        "footer_versions": "Text versions {hashes}",
        "footer_versions_many": "{n} text versions, listed in the summary (page 1)",
        "rows": "Signatures {first}–{last}",
        "rows_one": "Signature {first}",
        "placeholder_note": "\ufffd marks characters in a script the fonts of this document "
        "cannot print; the organization's records keep every name exactly as typed.",
        "none": "No signatures.",
        "one": "1 signature",
        "many": "{n} signatures",
        "part": "Part {i} of {n}: signatures {first}–{last} of {total}",
        "state": "Signers in {state}",
        "no_state": "Signers with no state given",
    },
    "es": {
        "petition": "Petición",
        "letter": "Carta",
        "signatures": "Firmas",
        "collected": "Recogidas",
        "events": "Eventos y lugares",
        "organization": "Presentado por",
        "versions": "Versiones del texto",
        "text_heading": "El texto que firmaron",
        "text_heading_many": "Los textos que firmaron",
        "text_in": "El texto en {language}, tal como lo leyeron {n} firmantes",
        "text_in_one": "El texto en {language}, tal como lo leyó 1 firmante",
        "text_in_none": "El texto en {language}, como referencia (ningún firmante de este "
        "paquete lo leyó en {language})",
        "lang_en": "inglés",
        "lang_es": "español",
        "version_line": "Versión del texto {hash}  ·  {count}  ·  {dates}",
        "col_no": "N.º",
        "col_name": "Nombre",
        "col_place": "Ciudad, estado, CP",
        "col_date": "Fecha",
        "col_signature": "Firma",
        "col_comment": "Comentario",
        "typed": "Firma tecleada",
        "typed_witnessed": "Firma tecleada, con testigo del personal del quiosco (PIN)",
        "sheet_note": "Las personas que figuran abajo firmaron el texto impreso en la página {page} "
        "(versión del texto {hash}).",
        "page": "Página {n} de {total}",
        "footer_version": "Versión del texto {hash}",
        "footer_versions": "Versiones del texto {hashes}",
        "footer_versions_many": "{n} versiones del texto, enumeradas en el resumen (página 1)",
        "rows": "Firmas {first}–{last}",
        "rows_one": "Firma {first}",
        "placeholder_note": "\ufffd señala caracteres de una escritura que las fuentes de este "
        "documento no pueden imprimir; los registros de la organización guardan cada nombre "
        "tal como se escribió.",
        "none": "Ninguna firma.",
        "one": "1 firma",
        "many": "{n} firmas",
        "part": "Parte {i} de {n}: firmas {first}–{last} de {total}",
        "state": "Firmantes de {state}",
        "no_state": "Firmantes sin estado indicado",
    },
}


def label(lang: Lang | str, key: str, **values: object) -> str:
    """Return the label ``key`` in ``lang``, with ``values`` filled in.

    Args:
        lang: "en" or "es" (anything else falls back to English).
        key: a key of :data:`LABELS`.
        **values: placeholders to fill.
    """
    text = LABELS.get(lang, LABELS["en"])[key]
    return text.format(**values) if values else text


def number(n: int) -> str:
    """Write a count with thousands separators ("10,000").

    Args:
        n: the count.
    """
    return f"{n:,}"


def count(lang: Lang | str, n: int) -> str:
    """Write "1 signature", "10,000 signatures" (or in Spanish).

    Args:
        lang: the language.
        n: the number of signatures.
    """
    if n == 1:
        return label(lang, "one")
    return label(lang, "many", n=number(n))


def short_date(lang: Lang | str, d: date) -> str:
    """Write a date for a sheet row: "Mar 14, 2025" or "14 mar 2025".

    Args:
        lang: the language.
        d: the date.
    """
    if lang == "es":
        return f"{d.day} {_MONTHS['es'][d.month - 1][:3]} {d.year}"
    return f"{_MONTHS['en'][d.month - 1][:3]} {d.day}, {d.year}"


def long_date(lang: Lang | str, d: date) -> str:
    """Write a date in full: "March 14, 2025" or "14 de marzo de 2025".

    Args:
        lang: the language.
        d: the date.
    """
    if lang == "es":
        return f"{d.day} de {_MONTHS['es'][d.month - 1]} de {d.year}"
    return f"{_MONTHS['en'][d.month - 1]} {d.day}, {d.year}"


def date_span(lang: Lang | str, span: tuple[date, date] | None) -> str:
    """Write a date range: "March 3 – April 20, 2025", "3 de marzo – 20 de abril de 2025".

    Args:
        lang: the language.
        span: the first and last date, or None (writes a dash).
    """
    if span is None:
        return "–"
    a, b = span
    if a == b:
        return long_date(lang, a)
    if lang == "es":
        m = _MONTHS["es"]
        if a.year == b.year:
            if a.month == b.month:
                return f"{a.day}–{b.day} de {m[b.month - 1]} de {b.year}"
            return f"{a.day} de {m[a.month - 1]} – {b.day} de {m[b.month - 1]} de {b.year}"
        return f"{long_date(lang, a)} – {long_date(lang, b)}"
    m = _MONTHS["en"]
    if a.year == b.year:
        if a.month == b.month:
            return f"{m[a.month - 1]} {a.day}–{b.day}, {b.year}"
        return f"{m[a.month - 1]} {a.day} – {m[b.month - 1]} {b.day}, {b.year}"
    return f"{long_date(lang, a)} – {long_date(lang, b)}"
