"""Splitting packets by the signers' state and into parts of N signatures."""

from __future__ import annotations

import dataclasses

import pytest

from kiosk.pdf.model import PacketOptions
from kiosk.pdf.samples import sample_packet
from kiosk.pdf.split import chunk, rows_by_state, split_by_state, split_every
from tests.pdf.conftest import render


def test_chunk() -> None:
    assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert chunk([], 3) == []
    with pytest.raises(ValueError):
        chunk([1], 0)


def test_rows_by_state_groups_and_sorts_with_unknown_last() -> None:
    rows = sample_packet(30, hard_names=False).rows()
    rows[0] = dataclasses.replace(rows[0], state=" mn ")
    rows[1] = dataclasses.replace(rows[1], state="")
    groups = rows_by_state(rows)
    assert list(groups)[-1] == ""
    assert list(groups)[:-1] == sorted(s for s in groups if s)
    assert sum(len(g) for g in groups.values()) == 30
    assert rows[0] in groups["MN"]
    for state, group in groups.items():
        assert all(r.state.strip().upper() == state for r in group)
        assert group == [r for r in rows if r in group]  # order kept


def test_split_by_state_keeps_versions_and_labels_the_cover() -> None:
    packet = sample_packet(40, versions=2, hard_names=False)
    parts = split_by_state(packet)
    states = [s for s, _ in parts]
    assert len(states) == len(set(states)) > 1
    assert sum(p.signature_count for _, p in parts) == 40
    for state, part in parts:
        assert part.note == f"Signers in {state}"
        assert part.first_number == 1
        assert all(r.state == state for r in part.rows())
        for section in part.sections:
            assert section.rows
            original = next(s for s in packet.sections if s.version == section.version)
            assert set(section.rows) <= set(original.rows)
    state, part = parts[0]
    r = render(part)
    assert f"Signers in {state}" in r.text(0)
    for row in part.rows():
        assert row.state in "\n".join(r.text(i) for i in range(1, r.pages))


def test_split_every_n_continues_numbering() -> None:
    packet = sample_packet(
        45, versions=2, hard_names=False, options=PacketOptions(rows_per_sheet=10)
    )
    parts = split_every(packet, 20)
    assert [p.signature_count for p in parts] == [20, 20, 5]
    assert [p.first_number for p in parts] == [1, 21, 41]
    assert [r for p in parts for r in p.rows()] == packet.rows()
    assert parts[1].note == "Part 2 of 3: signatures 21–40 of 45"
    # The middle part spans the change of text version: it has both sections.
    assert len(parts[1].sections) == 2
    r = render(parts[1])
    assert "Part 2 of 3: signatures 21–40 of 45" in r.text(0)
    assert "Signatures 21–" in r.text(1)


def test_split_every_small_packet_is_unchanged() -> None:
    packet = sample_packet(5, hard_names=False)
    assert split_every(packet, 5) == [packet]
    with pytest.raises(ValueError):
        split_every(packet, 0)


def test_split_in_spanish() -> None:
    packet = sample_packet(12, hard_names=False, language="es")
    assert split_every(packet, 5)[0].note == "Parte 1 de 3: firmas 1–5 de 12"
    assert split_by_state(packet)[0][1].note.startswith("Firmantes de ")  # type: ignore[union-attr]


def test_the_part_line_sits_under_the_signature_count_it_explains() -> None:
    """The cover printed "Part 2 of 3: ..." with no label under "Collected" and its dates, as
    if it were a date; it now follows the count of signatures (read back: positions)."""
    packet = sample_packet(45, hard_names=False)
    r = render(split_every(packet, 20)[1])
    drawn = r.drawn(0)

    def y(start: str) -> float:
        (found,) = [y for t, _f, _x, y in drawn if t.startswith(start)]
        return found

    assert y("Signatures") > y("Part 2 of 3: signatures 21–40 of 45") > y("Collected")
