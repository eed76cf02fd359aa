"""The contact list (CSV) of an export: one row per signer, every cell safe for spreadsheets.

The CSV (for follow-up) carries contact details and the opt-in with its exact consent wording;
PDF delivery sheets (:mod:`kiosk.exports.packets`) never do. A list made "for Excel" starts
with the UTF-8 byte-order mark (:func:`for_excel`); by default it has none.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable
from typing import Protocol

from kiosk.domain.signature import SignatureMeta
from kiosk.exports.records import ExportRecord


class TextOut(Protocol):
    """Where CSV text goes (a file opened for text, ``io.StringIO``)."""

    def write(self, text: str, /) -> object:
        """Write some text."""
        ...


CSV_COLUMNS = (
    "signature_id",
    "signed_at_local",
    "campaign",
    "local_campaign",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "zip",
    "opt_in",
    "consent_text",
    "comment",
    "event",
    "language",
    "text_version",
    "synthetic",
    # Added after the first release, so at the end: readers by position keep their columns.
    "signature_method",
    "event_location",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^\+[0-9]{1,20}$")


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection, OWASP's rule): a cell starting with
    = + - @, tab or carriage return gets a leading quote. A plain E.164 number ("+" and digits
    only, as every validated phone number is) cannot be a formula and is written as it is.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_row(rec: ExportRecord) -> list[str]:
    """One CSV row for a record, in CSV_COLUMNS order; every cell neutralised (:func:`_cell`)."""
    p, m = rec.personal, rec.meta
    return [
        _cell(c)
        for c in (
            str(m.id),
            rec.local_time.isoformat(timespec="seconds"),
            m.campaign,
            m.local_campaign or "",
            p.first_name,
            p.last_name,
            p.email,
            p.phone,
            p.street,
            p.city,
            p.state,
            p.zip,
            "yes" if p.opt_in else "no",
            p.consent_text,
            p.comment,
            rec.event.name if rec.event else "",
            m.lang,
            m.text_version,
            "yes" if m.synthetic else "no",
            m.method.value,
            rec.event.location if rec.event else "",
        )
    ]


def write_csv(
    records: Iterable[ExportRecord], out: TextOut, opted_in_only: bool = False
) -> list[SignatureMeta]:
    """Write records as CSV (UTF-8, header row); return the metadata of the rows written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    written = []
    for rec in records:
        if opted_in_only and not rec.personal.opt_in:
            continue
        writer.writerow(csv_row(rec))
        written.append(rec.meta)
    return written


#: The first bytes of a CSV made for Excel: the UTF-8 byte-order mark.
EXCEL_BOM = codecs.BOM_UTF8


def for_excel(data: bytes) -> bytes:
    """A CSV (UTF-8) as Excel on Windows reads it right: the byte-order mark first, before any
    DEMO or TEST DATA line. Without it, a double-clicked file is read as Windows-1252 ("MarÃ­a"
    for "María"). Opt-in: a program that reads UTF-8 plainly (a CRM import, a script) would find
    the mark in the first column's name.
    """
    return EXCEL_BOM + data
