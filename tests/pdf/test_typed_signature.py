"""A typed signature on a delivery sheet: the typed name in the signature box, marked as typed
(and witnessed, when a volunteer witnessed it), never drawn as ink."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from kiosk.domain.ink import Ink
from kiosk.domain.signature import SignatureMethod
from kiosk.pdf.model import Packet, PacketOptions, PacketSection, SheetRow
from kiosk.pdf.samples import sample_version, synthetic_signature
from tests.pdf.conftest import Rendered, render

_T = datetime(2025, 5, 1, 15, tzinfo=UTC)


def _packet(rows: list[SheetRow], lang: str = "en", **kw: object) -> Packet:
    version = sample_version()
    return Packet(
        organization="Duluth Sanctuary Coalition",
        title=version.text.title,
        target=version.text.target,
        sections=(PacketSection(version, tuple(rows)),),
        language=lang,  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def _rows() -> list[SheetRow]:
    return [
        SheetRow("Ana Drawn", "Duluth", "MN", "55802", _T, -300, synthetic_signature(1)),
        SheetRow(
            "Rosa Typed",
            "Duluth",
            "MN",
            "55802",
            _T,
            -300,
            Ink(900, 300, ()),
            method=SignatureMethod.TYPED,
            typed_name="Rosa María Typed",
        ),
        SheetRow(
            "Luis Witnessed",
            "Duluth",
            "MN",
            "55802",
            _T,
            -300,
            Ink(900, 300, ()),
            method=SignatureMethod.TYPED_WITNESSED,
            typed_name="Luis Witnessed",
        ),
    ]


def _placed(r: Rendered, page: int) -> list[tuple[str, float]]:
    """Every text run of a page with its x position (points from the left edge)."""
    out: list[tuple[str, float]] = []

    def visit(text, cm, tm, font, size):  # type: ignore[no-untyped-def]
        if text.strip():
            out.append((text.strip(), tm[4] * cm[0] + cm[4]))

    r.reader.pages[page].extract_text(visitor_text=visit)
    return out


def _signature_column(r: Rendered) -> tuple[float, float]:
    """The x range of the "Signature" column, from where its label is printed to the page's
    right part (the last column when comments are off)."""
    width = float(r.reader.pages[1].mediabox.width)
    label = [x for t, x in _placed(r, 1) if t in ("Signature", "Firma")]
    assert label, "no signature column label"
    return label[0] - 6, width


@pytest.mark.parametrize(
    ("lang", "typed", "witnessed"),
    [
        ("en", "Typed signature", "Typed signature, witnessed by kiosk staff (PIN)"),
        ("es", "Firma tecleada", "Firma tecleada, con testigo del personal del quiosco (PIN)"),
    ],
)
def test_typed_name_is_printed_in_the_signature_box_marked_typed(
    lang: str, typed: str, witnessed: str
) -> None:
    r = render(_packet(_rows(), lang=lang))
    text = " ".join(r.text(1).split())
    assert "Rosa María Typed" in text
    assert typed in text
    assert " ".join(witnessed.split()) in text
    left, right = _signature_column(r)
    placed = _placed(r, 1)
    for name in ("Rosa María Typed", "Luis Witnessed"):
        xs = [x for t, x in placed if t == name]
        # printed twice: as the printed name (name column) and as the signature (signature box)
        assert any(left <= x < right for x in xs), (name, xs, left)
    marks = [x for t, x in placed if t.startswith(typed)]
    assert len(marks) >= 2 and all(left <= x < right for x in marks)


def test_a_drawn_row_is_not_marked_and_a_typed_row_draws_no_ink() -> None:
    r = render(_packet(_rows()))
    groups = r.signatures(1)
    assert len(groups) == 3
    assert groups[0].split().count(b"c") >= 10  # the drawn one is ink
    for group in groups[1:]:
        ops = group.split()
        assert b"c" not in ops and b"l" not in ops and b"S" not in ops[:-2]
    drawn_only = render(_packet(_rows()[:1]))
    assert "Typed signature" not in drawn_only.all_text()


def test_a_typed_name_without_the_typed_method_is_still_marked_typed() -> None:
    """A record whose sealed data holds a typed name but whose metadata says drawn (damaged or
    forged) is printed as typed: a packet never presents a typed name as a drawn signature."""
    row = SheetRow(
        "Eva Odd",
        "Duluth",
        "MN",
        "55802",
        _T,
        -300,
        Ink(900, 300, ()),
        typed_name="Eva Odd",
    )
    assert row.typed
    r = render(_packet([row]))
    assert "Typed signature" in r.text(1)


@pytest.mark.parametrize("rows_per_sheet", [10, 20, 30])
def test_mark_fits_the_smallest_rows(rows_per_sheet: int) -> None:
    rows = _rows() * 10
    r = render(_packet(rows, options=PacketOptions(rows_per_sheet=rows_per_sheet)))
    text = r.all_text()
    assert text.count("Typed signature") == 20
    assert "Rosa María Typed" in text
