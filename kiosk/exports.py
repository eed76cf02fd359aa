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


# -- PDF packets ---------------------------------------------------------------------------


def _sheet_row(rec: ExportRecord, directory: Any, include_comments: bool) -> Any:
    from kiosk.pdf import SheetRow

    p = rec.personal
    city, state = p.city, p.state
    if not city or not state:
        place = directory.lookup(p.zip[:5]) if directory is not None else None
        if place is not None:
            city = city or place.city.title()
            state = state or place.state
    event = None
    if rec.event is not None:
        event = f"{rec.event.name}, {rec.event.location}" if rec.event.location else rec.event.name
    return SheetRow(
        printed_name=p.printed_name,
        city=city,
        state=state,
        zip=p.zip,
        signed_at=rec.meta.created_at,
        utc_offset_minutes=rec.meta.utc_offset_minutes,
        ink=p.ink,
        comment=p.comment if include_comments else "",
        event_name=event,
    )


def build_packets(
    records: list[ExportRecord],
    campaign: Any,
    store: Any,
    directory: Any,
    language: str = "en",
    options: Any = None,
    per_local: bool = True,
    split_state: bool = False,
    per_file: int | None = None,
) -> list[tuple[str, Any]]:
    """Group opened signatures into delivery packets.

    Args:
        records: the signatures, oldest first.
        campaign: the campaign (for target lines, titles, the organization).
        store: to look up the exact text version each signature was given under.
        directory: ZIP data, to print city and state for signers who gave only a ZIP.
        language: labels and campaign texts ("en" or "es").
        options: a :class:`kiosk.pdf.PacketOptions`.
        per_local: one packet per local campaign (each to its own decision-maker); the
            signatures of the parent campaign make their own packet.
        split_state: split each packet further by the signers' state.
        per_file: split further into parts of at most this many signatures.

    Returns:
        (name, packet) pairs; the name is a file-name suffix ("" for a single packet).
    """
    from kiosk.pdf import Packet, PacketOptions, PacketSection, split_by_state, split_every

    options = options or PacketOptions()
    groups: dict[str | None, list[ExportRecord]] = {}
    for rec in records:
        key = rec.meta.local_campaign if per_local else None
        groups.setdefault(key, []).append(rec)
    out: list[tuple[str, Any]] = []
    for local_slug, recs in groups.items():
        loc = campaign.local(local_slug) if local_slug else None
        sections: dict[str, list[Any]] = {}
        for rec in recs:
            sections.setdefault(rec.meta.text_version, []).append(
                _sheet_row(rec, directory, options.include_comments)
            )
        packet_sections = []
        for version_hash, rows in sections.items():
            version = store.text_version(version_hash)
            if version is None:  # never stored: fall back to what the campaign file knows
                version = next(
                    (v for v in campaign.all_versions() if v.hash == version_hash), None
                )
            if version is None:
                raise ValueError(f"text version {version_hash[:12]} is unknown on this kiosk")
            packet_sections.append(PacketSection(version, tuple(rows)))
        events = sorted(
            {
                f"{r.event.name}, {r.event.location}" if r.event.location else r.event.name
                for r in recs
                if r.event is not None
            }
        )
        packet = Packet(
            organization=campaign.organization,
            title=loc.title if loc else campaign.title,
            target=loc.target() if loc else campaign.target,
            sections=tuple(packet_sections),
            events=tuple(events),
            language=language,  # type: ignore[arg-type]
            options=options,
            kind=campaign.kind,
        )
        base = local_slug or (campaign.slug if per_local and len(groups) > 1 else "")
        parts: list[tuple[str, Any]] = [(base, packet)]
        if split_state:
            parts = [
                (f"{name}-{state.lower() or 'no-state'}".strip("-"), p)
                for name, pk in parts
                for state, p in split_by_state(pk)
            ]
        if per_file:
            more = []
            for name, pk in parts:
                pieces = split_every(pk, per_file)
                if len(pieces) == 1:
                    more.append((name, pieces[0]))
                else:
                    more += [(f"{name}-part{i:02d}".strip("-"), p) for i, p in enumerate(pieces, 1)]
            parts = more
        out += parts
    return out


def packet_paths(out: Path, names: list[str]) -> list[Path]:
    """File names for packets: ``out`` itself for one unnamed packet, else ``stem-name.pdf``."""
    if names == [""]:
        return [out]
    return [out.with_name(f"{out.stem}-{name or 'all'}{out.suffix or '.pdf'}") for name in names]
