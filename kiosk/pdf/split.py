"""Splitting signatures into several packets: by the signers' state, or N signatures per file.

Splitting by local campaign is the caller's job (each local campaign has its own target and
text). These helpers keep each part a complete packet: its sections keep their text versions
(empty sections are dropped), rows keep their order, and the cover says which part it is.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TypeVar

from kiosk.pdf import labels
from kiosk.pdf.model import Packet, PacketSection, SheetRow

T = TypeVar("T")


def chunk(items: Sequence[T], size: int) -> list[Sequence[T]]:
    """Cut ``items`` into consecutive pieces of ``size`` (the last may be shorter).

    Args:
        items: the items.
        size: the piece size, at least 1.

    Raises:
        ValueError: ``size`` is less than 1.
    """
    if size < 1:
        raise ValueError("size must be at least 1")
    return [items[i : i + size] for i in range(0, len(items), size)]


def rows_by_state(rows: Iterable[SheetRow]) -> dict[str, list[SheetRow]]:
    """Group rows by state code (upper-cased, trimmed; "" for none), states in sorted order.

    Args:
        rows: the rows, in the order to keep within each state.
    """
    groups: dict[str, list[SheetRow]] = {}
    for row in rows:
        groups.setdefault(row.state.strip().upper(), []).append(row)
    return {state: groups[state] for state in sorted(groups, key=lambda s: (s == "", s))}


def split_by_state(packet: Packet) -> list[tuple[str, Packet]]:
    """Return one packet per signers' state, with the state code ("" for rows with none).

    Each part keeps the sections (text versions) its rows belong to, in the original order, and
    its cover says "Signers in MN" (or the Spanish). Row numbers start at 1 in each part.

    Args:
        packet: the packet to split.
    """
    states = rows_by_state(packet.rows())
    out = []
    for state in states:
        sections = []
        for section in packet.sections:
            rows = tuple(r for r in section.rows if r.state.strip().upper() == state)
            if rows:
                sections.append(PacketSection(section.version, rows))
        note = (
            labels.label(packet.language, "state", state=state)
            if state
            else labels.label(packet.language, "no_state")
        )
        out.append(
            (
                state,
                dataclasses.replace(packet, sections=tuple(sections), note=note, first_number=1),
            )
        )
    return out


def split_every(packet: Packet, n: int) -> list[Packet]:
    """Return packets of at most ``n`` signatures each, in order.

    Parts continue the row numbering (part 2 of 1,000-signature parts starts at 1,001) and their
    covers say "Part 2 of 5: signatures 1,001–2,000 of 4,500". A packet with ``n`` or fewer
    signatures comes back as the only part, unchanged.

    Args:
        packet: the packet to split.
        n: the most signatures per part, at least 1.

    Raises:
        ValueError: ``n`` is less than 1.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    total = packet.signature_count
    if total <= n:
        return [packet]
    tagged = [(si, row) for si, s in enumerate(packet.sections) for row in s.rows]
    pieces = chunk(tagged, n)
    out = []
    first = packet.first_number
    for i, piece in enumerate(pieces, start=1):
        sections = []
        for si, section in enumerate(packet.sections):
            rows = tuple(row for sj, row in piece if sj == si)
            if rows:
                sections.append(PacketSection(section.version, rows))
        last = first + len(piece) - 1
        note = labels.label(
            packet.language,
            "part",
            i=i,
            n=len(pieces),
            first=labels.number(first),
            last=labels.number(last),
            total=labels.number(packet.first_number + total - 1),
        )
        out.append(
            dataclasses.replace(packet, sections=tuple(sections), note=note, first_number=first)
        )
        first = last + 1
    return out
