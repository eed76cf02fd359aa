"""Delivery packets: opened signatures grouped by local campaign (each to its own
decision-maker), by text version, optionally by state and into parts of a given size.

A packet prints each signature under the exact text it was given: the text version is looked up
through a narrow port (:data:`TextVersionLookup`), the kiosk's store or the server's table.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.domain.campaign import Campaign, TextVersion
from kiosk.domain.routing import ZipDirectory
from kiosk.exports.records import ExportRecord

if TYPE_CHECKING:  # reportlab loads when a packet is made, not when the screens start
    from kiosk.pdf import Packet, PacketOptions, SheetRow

#: Finds a stored text version by its hash (None when it is not stored).
TextVersionLookup = Callable[[str], TextVersion | None]


def _sheet_row(
    rec: ExportRecord, directory: ZipDirectory | None, include_comments: bool
) -> SheetRow:
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
        method=rec.meta.method,
        typed_name=p.typed_name,
        language=rec.meta.lang,
    )


def build_packets(
    records: list[ExportRecord],
    campaign: Campaign,
    versions: TextVersionLookup,
    directory: ZipDirectory | None,
    language: str = "en",
    options: PacketOptions | None = None,
    per_local: bool = True,
    split_state: bool = False,
    per_file: int | None = None,
    parent_name: str | None = None,
) -> list[tuple[str, Packet]]:
    """Group opened signatures into delivery packets.

    Args:
        records: the signatures, oldest first.
        campaign: the campaign (for target lines, titles, the organization).
        versions: looks up the exact text version each signature was given under.
        directory: ZIP data, to print city and state for signers who gave only a ZIP.
        language: labels and campaign texts ("en" or "es").
        options: a :class:`kiosk.pdf.PacketOptions`.
        per_local: one packet per local campaign (each to its own decision-maker); the
            signatures of the parent campaign make their own packet.
        split_state: split each packet further by the signers' state.
        per_file: split further into parts of at most this many signatures.
        parent_name: the name of the parent campaign's own packet when ``per_local``; by
            default its slug if other packets are made beside it, else "" (a caller that
            builds the packets of one local campaign at a time says which).

    Returns:
        (name, packet) pairs; the name is a file-name suffix ("" for a single packet).
    """
    from kiosk.pdf import Packet, PacketOptions, PacketSection, split_by_state, split_every

    options = options or PacketOptions()
    groups: dict[str | None, list[ExportRecord]] = {}
    for rec in records:
        key = rec.meta.local_campaign if per_local else None
        groups.setdefault(key, []).append(rec)
    out: list[tuple[str, Packet]] = []
    for local_slug, recs in groups.items():
        loc = campaign.local(local_slug) if local_slug else None
        sections: dict[str, list[SheetRow]] = {}
        for rec in recs:
            sections.setdefault(rec.meta.text_version, []).append(
                _sheet_row(rec, directory, options.include_comments)
            )
        packet_sections = []
        for version_hash, rows in sections.items():
            version = versions(version_hash)
            if version is None:  # never stored: fall back to what the campaign file knows
                version = next((v for v in campaign.all_versions() if v.hash == version_hash), None)
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
        if parent_name is None:
            parent_name = campaign.slug if per_local and len(groups) > 1 else ""
        base = local_slug or parent_name
        parts: list[tuple[str, Packet]] = [(base, packet)]
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


def packet_paths(out: Path, names: list[str], exact: bool = False) -> list[Path]:
    """File names for packets: ``out`` itself for one unnamed packet, or for one packet when
    ``exact`` (a file name the user gave: ``--out skokie.pdf`` writes that file), else
    ``stem-name.pdf``."""
    return [packet_path(out, name, only=len(names) == 1, exact=exact) for name in names]


def packet_path(out: Path, name: str, *, only: bool, exact: bool = False) -> Path:
    """The file of the packet ``name`` (see :func:`packet_paths`); ``only``: it is the
    export's only packet."""
    if only and (name == "" or exact):
        return out
    return out.with_name(f"{out.stem}-{name or 'all'}{out.suffix or '.pdf'}")
