"""Coordinator exports: decrypt the chosen signatures and write CSV lists or PDF packets.

Exports need the organization's private key (the coordinator's unlock): the kiosk cannot read
what it wrote otherwise. Voided signatures are always left out; synthetic ones only on request.
The CSV (for follow-up) carries contact details and the opt-in with its exact consent wording;
PDF delivery sheets (kiosk.pdf) never do.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kiosk.domain.ports import Opener, SignatureFilter
from kiosk.domain.signature import Event, PersonalData, SignatureMeta

log = logging.getLogger("kiosk.exports")

CSV_COLUMNS = (
    "signature_id", "signed_at_local", "campaign", "local_campaign", "first_name", "last_name",
    "email", "phone", "street", "city", "state", "zip", "opt_in", "consent_text", "comment",
    "event", "language", "text_version", "synthetic",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One signature with its personal data opened."""

    meta: SignatureMeta
    personal: PersonalData
    event: Event | None

    @property
    def local_time(self) -> datetime:
        """When it was signed, in the kiosk's local time then."""
        tz = timezone(timedelta(minutes=self.meta.utc_offset_minutes))
        return self.meta.created_at.astimezone(tz)


@dataclass
class ExportResult:
    """What an export wrote and what it could not."""

    records: int = 0
    purged_skipped: int = 0
    undecryptable: int = 0


def collect(store: Any, opener: Opener, flt: SignatureFilter, result: ExportResult) -> Iterator[ExportRecord]:
    """Yield the matching non-void signatures, opened, oldest first.

    Signatures whose personal data was already purged after sync (retention) are counted in
    ``result.purged_skipped``; ones that cannot be opened with this key in ``undecryptable``.
    """
    from kiosk.crypto import CryptoError

    events = {e.id: e for e in store.events()}
    flt = SignatureFilter(
        campaign=flt.campaign, local_campaign=flt.local_campaign, event_id=flt.event_id,
        since=flt.since, until=flt.until, include_void=False,
        include_synthetic=flt.include_synthetic,
    )
    for stored in store.iter_signatures(flt):
        sig = stored.signature
        if not sig.sealed:
            result.purged_skipped += 1
            continue
        try:
            personal = PersonalData.from_bytes(opener.open(sig.sealed))
        except (CryptoError, ValueError):
            result.undecryptable += 1
            continue
        result.records += 1
        yield ExportRecord(sig.meta, personal, events.get(sig.meta.event_id or ""))


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection): a leading = + - @ gets a quote.

    Phone numbers are validated E.164 ("+1..."), so they are written as they are.
    """
    return "'" + value if value.startswith(_FORMULA_START) else value


def csv_row(rec: ExportRecord) -> list[str]:
    """One CSV row for a record, in CSV_COLUMNS order."""
    p, m = rec.personal, rec.meta
    return [
        str(m.id), rec.local_time.isoformat(timespec="seconds"), m.campaign,
        m.local_campaign or "", _cell(p.first_name), _cell(p.last_name), _cell(p.email),
        p.phone, _cell(p.street), _cell(p.city), p.state, p.zip,
        "yes" if p.opt_in else "no", p.consent_text, _cell(p.comment),
        _cell(rec.event.name) if rec.event else "", m.lang, m.text_version,
        "yes" if m.synthetic else "no",
    ]


def write_csv(records: Iterator[ExportRecord], out: io.TextIOBase | Any, opted_in_only: bool = False) -> list[SignatureMeta]:
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


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file atomically (temp file, fsync, rename) so a pulled USB stick never holds half
    a packet under the final name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
