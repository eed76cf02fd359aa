"""render_packet: pages, names, privacy, one vector signature per row, footers, page sizes."""

from __future__ import annotations

import dataclasses
import itertools
import math
import unicodedata
from datetime import UTC, datetime

import pytest

from kiosk.domain.campaign import LocalizedText
from kiosk.domain.ink import Ink, Point
from kiosk.domain.signature import PersonalData
from kiosk.pdf.fonts import PLACEHOLDER
from kiosk.pdf.model import Packet, PacketOptions, PacketSection, SheetRow
from kiosk.pdf.render import page_count
from kiosk.pdf.samples import (
    HARD_NAMES,
    sample_packet,
    sample_rows,
    sample_version,
    synthetic_signature,
)
from tests.pdf.conftest import Rendered, render


def _packet(rows: list[SheetRow], **kw: object) -> Packet:
    version = sample_version()
    return Packet(
        organization="Duluth Sanctuary Coalition",
        title=version.text.title,
        target=version.text.target,
        sections=(PacketSection(version, tuple(rows)),),
        **kw,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def hard() -> Rendered:
    """A packet starting with every hard name, 10 rows a sheet."""
    return render(sample_packet(len(HARD_NAMES) + 5))


@pytest.mark.parametrize(
    ("n", "per_sheet", "sheets"),
    [
        (0, 10, 0),
        (1, 10, 1),
        (10, 10, 1),
        (11, 10, 2),
        (25, 10, 3),
        (25, 20, 2),
        (45, 20, 3),
        (7, 1, 7),
        (31, 30, 2),
    ],
)
def test_page_count_is_cover_plus_sheets(n: int, per_sheet: int, sheets: int) -> None:
    packet = sample_packet(n, options=PacketOptions(rows_per_sheet=per_sheet), hard_names=False)
    r = render(packet)
    assert r.pages == 1 + sheets
    assert page_count(packet) == r.pages
    assert f"Page {r.pages} of {r.pages}" in r.text(r.pages - 1)
    assert "Page 1 of" in r.text(0)


@pytest.mark.parametrize(
    "name",
    [
        "José Álvarez Peña",
        "Nguyễn Thị Ánh",
        "Seán O'Brien",
        "Zoë Müller-Lüdenscheidt",
        "Φώτης Παπαδόπουλος",
        "Алексей Смирнов",
        "Đặng Văn Lâm",
        "Chloé Ngô",
    ],
)
def test_latin_greek_cyrillic_names_are_printed(hard: Rendered, name: str) -> None:
    sheets = "\n".join(hard.text(i) for i in range(1, hard.pages))
    assert name in sheets


def test_every_generated_name_is_printed_on_its_sheet() -> None:
    packet = sample_packet(40, hard_names=False, options=PacketOptions(rows_per_sheet=20))
    r = render(packet)
    rows = packet.rows()
    for page in (1, 2):
        text = r.text(page)
        for row in rows[(page - 1) * 20 : page * 20]:
            assert row.printed_name in text


def _fonts_used(r: Rendered, page: int) -> set[str]:
    """The base names of the fonts a page's content actually selects with Tf."""
    fonts = r.reader.pages[page]["/Resources"]["/Font"]
    content = r.content(page)
    return {
        str(f.get_object()["/BaseFont"]).split("+", 1)[-1]
        for key, f in fonts.items()
        if key.encode() + b" " in content and b"Tf" in content
    }


def test_rtl_and_cjk_names_render_with_fonts_that_have_their_glyphs(hard: Rendered) -> None:
    used: set[str] = set()
    for page in range(1, hard.pages):
        used |= _fonts_used(hard, page)
    names = " ".join(sorted(used))
    for font in ("NotoSansArabic", "NotoSansHebrew", "WenQuanYiMicroHei", "NotoSansEthiopic"):
        assert font in names
    text = unicodedata.normalize("NFKC", "\n".join(hard.text(i) for i in range(1, hard.pages)))
    # Hebrew and CJK come back as typed; Arabic is shaped (presentation forms, NFKC undoes them)
    # and stored in visual order, which a reader may or may not reverse.
    for name in ("דוד כהן", "李小龙", "김민준", "አበበ ቢቂላ"):
        assert name in text or name[::-1] in text
    arabic = "محمد"
    assert arabic in text or arabic[::-1] in text


def test_unprintable_script_shows_placeholder_and_the_cover_explains_it(hard: Rendered) -> None:
    sheets = "\n".join(hard.text(i) for i in range(1, hard.pages))
    assert PLACEHOLDER in sheets
    assert "कुमार" not in sheets
    assert "marks characters in a script" in hard.text(0)


def test_cover_has_no_placeholder_note_when_every_name_prints() -> None:
    r = render(sample_packet(12, hard_names=False))
    assert "marks characters in a script" not in r.text(0)


def test_fonts_are_embedded_and_nothing_else_is_referenced(hard: Rendered) -> None:
    for page in hard.reader.pages:
        for font in page["/Resources"]["/Font"].values():
            f = font.get_object()
            descendant = f.get("/FontDescriptor")
            assert descendant is not None, f["/BaseFont"]
            assert "/FontFile2" in descendant.get_object(), f["/BaseFont"]


def test_one_vector_signature_per_row() -> None:
    packet = sample_packet(23, options=PacketOptions(rows_per_sheet=10))
    r = render(packet)
    assert [len(r.signatures(i)) for i in range(r.pages)] == [0, 10, 10, 3]
    for page in range(1, r.pages):
        for group in r.signatures(page):
            ops = group.split()
            assert ops.count(b"m") >= 1
            assert ops.count(b"c") >= 10  # smooth curves...
            assert ops[-2:] == [b"S", b"Q"]
            assert b"Do" not in ops and b"BI" not in ops  # ...not an image


def test_signatures_are_smooth_curves_not_every_sample() -> None:
    packet = sample_packet(10, hard_names=False)
    r = render(packet)
    groups = r.signatures(1)
    for row, group in zip(packet.rows(), groups, strict=True):
        ops = group.split()
        curves = ops.count(b"c")
        lines = ops.count(b"l")
        assert lines == 0
        assert curves < row.ink.point_count / 2


def test_empty_or_degenerate_ink_still_gets_its_group() -> None:
    t = datetime(2025, 5, 1, 15, tzinfo=UTC)
    inks = [
        Ink(900, 300, ()),
        Ink(900, 300, ((Point(10, 10, 0),),)),
        Ink(900, 300, ((Point(10, 10, 0), Point(10, 10, 8)),)),
        Ink(900, 300, ((Point(10, 10, 0), Point(800, 12, 8)),)),
        Ink(0, 0, ((Point(5, 5, 0), Point(5, 6, 8), Point(5, 5, 16)),)),
        synthetic_signature(3),
    ]
    rows = [
        SheetRow(f"Row {i}", "Duluth", "MN", "55802", t, -300, ink) for i, ink in enumerate(inks)
    ]
    r = render(_packet(rows))
    assert len(r.signatures(1)) == len(inks)


def test_delivery_sheets_never_show_email_phone_or_street() -> None:
    assert {f.name for f in dataclasses.fields(SheetRow)} == {
        "printed_name",
        "city",
        "state",
        "zip",
        "signed_at",
        "utc_offset_minutes",
        "ink",
        "comment",
        "event_name",
        "method",
        "typed_name",
        "language",  # "en" or "es": which wording of the statement the signer read
    }
    person = PersonalData(
        first_name="Rosa",
        last_name="Parks-Díaz",
        zip="55802",
        ink=synthetic_signature(9),
        email="rosa.secret@example.org",
        phone="+1 218 555 0199",
        street="1234 Hidden Lane",
        city="Duluth",
        state="MN",
        comment="Si se puede",
    )
    row = SheetRow(
        person.printed_name,
        person.city,
        person.state,
        person.zip,
        datetime(2025, 4, 2, 18, tzinfo=UTC),
        -300,
        person.ink,
        comment=person.comment,
    )
    for comments in (False, True):
        r = render(_packet([row], options=PacketOptions(include_comments=comments)))
        text = r.all_text()
        assert "Rosa Parks-Díaz" in text
        blob = r.all_bytes()
        for secret in ("rosa.secret", "example.org", "555 0199", "555-0199", "Hidden Lane"):
            assert secret not in text
            assert secret.encode() not in blob


def test_comments_only_when_chosen() -> None:
    rows = sample_rows(5, hard_names=False)
    rows[0] = dataclasses.replace(rows[0], comment="Protect our neighbors, please.")
    without = render(_packet(rows))
    with_ = render(_packet(rows, options=PacketOptions(include_comments=True)))
    assert "Protect our neighbors" not in without.all_text()
    assert "Protect our neighbors" in with_.text(1)
    assert "Comment" in with_.text(1)


def test_text_version_hash_in_every_sheet_footer_and_on_the_cover() -> None:
    packet = sample_packet(35, hard_names=False)
    version = packet.sections[0].version
    assert len(version.short) == 12
    r = render(packet)
    assert version.short in r.text(0)
    for page in range(1, r.pages):
        assert f"Text version {version.short}" in r.text(page)


@pytest.mark.parametrize(
    ("size", "width", "height"), [("letter", 612, 792), ("a4", 595.2756, 841.8898)]
)
def test_page_size(size: str, width: float, height: float) -> None:
    r = render(sample_packet(12, options=PacketOptions(page_size=size)))  # type: ignore[arg-type]
    for page in r.reader.pages:
        box = page.mediabox
        assert math.isclose(float(box.width), width, abs_tol=0.01)
        assert math.isclose(float(box.height), height, abs_tol=0.01)


def test_campaign_text_prints_markup_characters_literally() -> None:
    tricky = 'Tom & Jerry <b>not bold</b> 5 < 6 > 4 &amp; "quotes" <br/> &lt;x&gt;'
    version = sample_version(tricky + "\n\nSecond paragraph.\nSame paragraph, new line.")
    # Sheets are headed by their version's target: the version carries the tricky one too.
    version = dataclasses.replace(
        version,
        text=dataclasses.replace(version.text, target=LocalizedText("To: Mayor <Emily> & Council")),
    )
    packet = Packet(
        organization="Coalition <Org> & Friends",
        title=LocalizedText("Title with <i>tags</i> & ampersands"),
        target=LocalizedText("To: Mayor <Emily> & Council"),
        sections=(PacketSection(version, tuple(sample_rows(3, hard_names=False))),),
        events=("Park & Ride <north lot>",),
    )
    r = render(packet)
    cover = r.text(0)
    assert tricky in cover.replace("\n", " ")
    assert "Second paragraph." in cover
    assert "Coalition <Org> & Friends" in cover
    assert "Title with <i>tags</i> & ampersands" in cover
    assert "To: Mayor <Emily> & Council" in cover
    assert "Park & Ride <north lot>" in cover
    assert "To: Mayor <Emily> & Council" in r.text(1)


def test_statement_is_the_exact_text_in_the_packet_language() -> None:
    packet = sample_packet(3, hard_names=False)
    statement = packet.sections[0].version.text.statement
    en = render(packet).text(0)
    es = render(dataclasses.replace(packet, language="es")).text(0)
    for paragraph in statement.en.split("\n\n"):
        assert paragraph in en.replace("\n", " ")
    assert statement.es is not None
    for paragraph in statement.es.split("\n\n"):
        assert paragraph in es.replace("\n", " ")


def test_spanish_labels() -> None:
    r = render(sample_packet(3, hard_names=False, language="es"))
    assert "Página 1 de 2" in r.text(0)
    assert "Firmas" in r.text(0)
    sheet = r.text(1)
    assert "Nombre" in sheet and "Firma" in sheet and "Página 2 de 2" in sheet
    assert "Versión del texto" in sheet
    assert "mar 2025" in sheet


def test_multiple_versions_make_sections() -> None:
    packet = sample_packet(30, versions=2, hard_names=False)
    old, new = (s.version for s in packet.sections)
    assert old.hash != new.hash
    r = render(packet)
    cover = r.text(0)
    assert old.short in cover and new.short in cover
    assert "Earlier wording 1" in cover
    assert "The texts the signers put their names to" in cover
    # 15 rows each: sections start on their own sheets.
    assert r.pages == 1 + 2 + 2
    assert [old.short in r.text(i) for i in range(1, 5)] == [True, True, False, False]
    assert [new.short in r.text(i) for i in range(1, 5)] == [False, False, True, True]
    assert "Signatures 11–15" in r.text(2)
    assert "Signatures 16–25" in r.text(3)
    assert "Signatures 26–30" in r.text(4)


def test_sheet_note_points_to_the_statement_page() -> None:
    long = "\n\n".join(f"Paragraph {i}: " + "We ask the city to act. " * 40 for i in range(12))
    version = sample_version(long)
    packet = Packet(
        organization="Org",
        title=version.text.title,
        target=version.text.target,
        sections=(
            PacketSection(sample_version(), tuple(sample_rows(3, hard_names=False))),
            PacketSection(version, tuple(sample_rows(3, seed=2, hard_names=False))),
        ),
    )
    r = render(packet)
    cover_pages = r.pages - 2
    assert cover_pages >= 2
    assert "printed on page 1" in r.text(cover_pages)
    assert f"Page 2 of {r.pages}" in r.text(1)
    assert "Paragraph 11" in "\n".join(r.text(i) for i in range(cover_pages))


def test_local_date_is_printed() -> None:
    # 02:30 UTC on April 2 is still April 1 in Minnesota (UTC-5).
    row = SheetRow(
        "Ana Lee",
        "Duluth",
        "MN",
        "55802",
        datetime(2025, 4, 2, 2, 30, tzinfo=UTC),
        -300,
        synthetic_signature(1),
    )
    assert row.local_date.isoformat() == "2025-04-01"
    r = render(_packet([row]))
    assert "Apr 1, 2025" in r.text(1)
    assert "April 1, 2025" in r.text(0)


def test_cover_summary() -> None:
    packet = sample_packet(25, hard_names=False)
    r = render(packet)
    cover = r.text(0)
    first, last = packet.date_range()  # type: ignore[misc]
    assert "To: Mayor Emily Larson" in cover
    assert "We want Duluth to be a sanctuary city!" in cover
    assert "Signatures" in cover and "25" in cover
    assert "Farmers Market, Duluth" in cover and "UMD Student Center" in cover
    assert "Duluth Sanctuary Coalition" in cover
    assert f"{first.day}" in cover and str(last.year) in cover


def test_hostile_names_do_not_break_the_export() -> None:
    t = datetime(2025, 5, 1, 15, tzinfo=UTC)
    names = [
        "",
        " ",
        "\x00\x01\n\t(evil) \\ ) (",
        "A" * 600,
        "😀🎉 Emoji Person",
        "\u202eevil",
        "x\u0301\u0301\u0301",
        "🇺🇸",
        "ผู้ใช้ ไทย",
        "(\\)",
    ]
    rows = [
        SheetRow(n, n, "MN", "55802", t, -300, synthetic_signature(i), comment=n)
        for i, n in enumerate(names)
    ]
    r = render(_packet(rows, options=PacketOptions(include_comments=True)))
    assert r.pages == 2
    assert len(r.signatures(1)) == len(names)
    assert "(evil)" in r.text(1)


def test_rendering_is_deterministic() -> None:
    packet = sample_packet(15)
    assert render(packet).data == render(packet).data


def test_twenty_rows_a_sheet_and_comments_fit() -> None:
    packet = sample_packet(40, options=PacketOptions(rows_per_sheet=20, include_comments=True))
    r = render(packet)
    assert r.pages == 3
    assert [len(r.signatures(i)) for i in range(3)] == [0, 20, 20]


def test_row_numbers_continue_across_sheets_and_start_where_told() -> None:
    packet = dataclasses.replace(sample_packet(12, hard_names=False), first_number=101)
    r = render(packet)
    assert "Signatures 101–110" in r.text(1)
    assert "Signatures 111–112" in r.text(2)


def test_model_validation() -> None:
    with pytest.raises(ValueError):
        PacketOptions(rows_per_sheet=0)
    with pytest.raises(ValueError):
        PacketOptions(rows_per_sheet=31)
    with pytest.raises(ValueError):
        PacketOptions(page_size="legal")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        SheetRow("A", "", "", "1", datetime(2025, 1, 1), 0, Ink(1, 1, ()))
    with pytest.raises(ValueError):
        _packet([], language="fr")


def test_a_long_cover_breaks_across_pages_and_loses_nothing() -> None:
    events = tuple(f"Event {i}, Duluth MN" for i in range(90))
    packet = dataclasses.replace(sample_packet(30, versions=2, hard_names=False), events=events)
    r = render(packet)
    cover_pages = r.pages - 4
    assert cover_pages >= 2
    cover = "\n".join(r.text(i) for i in range(cover_pages))
    for event in events:
        assert event in cover
    for section in packet.sections:
        assert section.version.short in cover
    first_statement = next(i for i in range(cover_pages) if "Earlier wording 1" in r.text(i))
    assert f"printed on page {first_statement + 1} " in r.text(cover_pages)


def test_rendering_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    assert gc.get_freeze_count() == 0
    # Enabled (a server, the CLI) or disabled (a process with the UI collects on its UI thread
    # only, kiosk.ui._compat; an xdist worker that ran a UI test before this one): as it was.
    was_on = gc.isenabled()
    try:
        for on in (True, False):
            gc.enable() if on else gc.disable()
            render(sample_packet(3))
            assert gc.get_freeze_count() == 0 and gc.isenabled() is on
    finally:
        gc.enable() if was_on else gc.disable()
    # A process that froze objects itself keeps them frozen.
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        render(sample_packet(3))
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_signatures_are_the_second_content_stream_of_a_sheet() -> None:
    """Text and rules in one stream (level 6), signature paths in another (Huffman only)."""
    r = render(sample_packet(12, hard_names=False))
    from pypdf.generic import ArrayObject, StreamObject

    assert isinstance(r.reader.pages[0]["/Contents"].get_object(), StreamObject)  # the cover
    for page in range(1, r.pages):
        contents = r.reader.pages[page]["/Contents"]
        assert isinstance(contents, ArrayObject) and len(contents) == 2
        text, ink = (c.get_object().get_data() for c in contents)
        assert b"KioskSig" not in text and b"Tj" in text
        assert ink.count(b"/KioskSig BMC") == len(r.signatures(page)) and b"Tj" not in ink


def test_latin_after_chinese_stays_in_the_line_s_own_font() -> None:
    """A decision-maker's or signer's name with Chinese in the middle: the Latin words after
    it are drawn in the same face as those before it (read back from the PDF)."""
    rows = sample_rows(2, hard_names=False)
    rows[0] = dataclasses.replace(rows[0], printed_name="Chen 陈伟 Wei")
    title = LocalizedText("Tell Mayor Henry Lo 羅達倫 of Monterey Park to Act")
    target = LocalizedText("To: Mayor Henry Lo 羅達倫 of Monterey Park")
    version = sample_version()
    version = dataclasses.replace(
        version, text=dataclasses.replace(version.text, target=target, title=title)
    )
    packet = Packet(
        organization="Org",
        title=title,
        target=target,
        sections=(PacketSection(version, tuple(rows)),),
    )
    r = render(packet)
    cover = r.drawn(0)
    assert [f for t, f, _x, _y in cover if t.startswith("To: Mayor Henry Lo")] == ["NotoSerif-Bold"]
    assert [f for t, f, _x, _y in cover if "of Monterey Park" in t] == [
        "NotoSerif-Bold",  # the target line
        "NotoSerif-Regular",  # the title
    ]
    sheet = r.drawn(1)
    assert [f for t, f, _x, _y in sheet if t == "Wei"] == ["NotoSans-Regular"]
    assert [f for t, f, _x, _y in sheet if "of Monterey Park" in t] == [
        "NotoSans-Bold",  # the running header's target line
        "NotoSans-Regular",  # and title
    ]


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_cover_with_many_text_versions_keeps_its_footer_apart_from_the_page_number(
    language: str,
) -> None:
    """A whole campaign of 30 local campaigns has 30 text versions: their hashes do not fit in
    the cover's footer, which ran off the page over "Page 1 of N". It now gives their number
    (the summary lists them); nothing in the footer overlaps (read back from the PDF)."""
    from kiosk.pdf.fonts import get_fonts

    sections = tuple(
        PacketSection(
            sample_version(f"Protect every resident of town {i}."),
            tuple(sample_rows(1, seed=i, hard_names=False)),
        )
        for i in range(30)
    )
    packet = Packet(
        organization="Org",
        title=sections[0].version.text.title,
        target=sections[0].version.text.target,
        sections=sections,
        language=language,  # type: ignore[arg-type]
    )
    r = render(packet)
    fonts = get_fonts()
    width = float(r.reader.pages[0].mediabox.width)
    cover_pages = r.pages - 30
    many = "30 text versions" if language == "en" else "30 versiones del texto"
    for page in range(r.pages):
        footer = sorted((x, t) for t, _f, x, y in r.drawn(page) if y < 40)
        assert len(footer) >= 2, footer
        for (x, text), (next_x, _next) in itertools.pairwise(footer):
            assert x + fonts.width(fonts.runs(text, "sans"), 7.5) < next_x, footer
        last_x, last = footer[-1]
        assert last_x + fonts.width(fonts.runs(last, "sans"), 7.5) <= width - 36 + 0.05
        if page < cover_pages:
            assert footer[0][1].startswith(many), footer
    summary = "\n".join(r.text(i) for i in range(cover_pages))
    for section in sections:
        assert section.version.short in summary


def test_a_cover_footer_lists_a_few_text_versions_in_full() -> None:
    r = render(sample_packet(30, versions=3, hard_names=False))
    hashes = ", ".join(s.version.short for s in sample_packet(30, versions=3).sections)
    assert f"Text versions {hashes}" in r.text(0)


def test_a_long_organization_name_stays_on_every_sheet() -> None:
    """The running header dropped the organization when its name took over 0.4 of the width:
    a loose sheet then did not say who submits it. It is now shrunk, then cut with "…", and
    it does not run into the target line (read back from the PDF)."""
    from kiosk.pdf.fonts import get_fonts

    long_org = (
        "Coalición de Organizaciones Comunitarias por los Derechos de los Inmigrantes y "
        "Refugiados del Sur de California y el Medio Oeste (CODIR)"
    )
    fonts = get_fonts()
    for org in (long_org, "Duluth Sanctuary Coalition"):
        packet = dataclasses.replace(_packet(sample_rows(12, hard_names=False)), organization=org)
        r = render(packet)
        width = float(r.reader.pages[1].mediabox.width)
        for page in (1, 2):
            drawn = r.drawn(page)
            (target,) = [(t, x, y) for t, _f, x, y in drawn if t.startswith("To: Mayor")]
            same_line = [(x, t) for t, _f, x, y in drawn if abs(y - target[2]) < 3]
            assert len(same_line) == 2, same_line
            (org_x, org_text) = max(same_line)
            if org == long_org:
                assert org_text.startswith("Coalición de Organizaciones")
                assert org_text.endswith("…")
            else:
                assert org_text == org
            assert target[1] + fonts.width(fonts.runs(target[0], "sans-bold"), 9.0) < org_x
            # Its size is between 6.5 and 8 pt: its right end is within the margin.
            assert org_x + fonts.width(fonts.runs(org_text, "sans"), 6.5) <= width - 36 + 0.05


def test_each_sheet_is_headed_by_the_target_of_the_text_its_rows_signed() -> None:
    """A whole-campaign packet holds local campaigns' sections, each addressed to its own
    mayor; the sheets said the campaign's "To: U.S. Mayors" over rows that signed "To: Mayor
    Emily Larson". Each sheet now carries its version's target and title (read back)."""
    from kiosk.domain.campaign import CampaignText, TextVersion, text_hash

    duluth = sample_version()
    ithaca_text = CampaignText(
        target=LocalizedText("To: Mayor Svante Myrick", "Para: Alcalde Svante Myrick"),
        title=LocalizedText("Tell Mayor Myrick to Expand Sanctuary in Ithaca"),
        statement=LocalizedText("Protect every resident of Ithaca."),
        background=LocalizedText("Why."),
    )
    ithaca = TextVersion(
        text_hash("sanctuary", "ithaca", ithaca_text), "sanctuary", "ithaca", ithaca_text
    )
    for lang, parent, mayors in (
        ("en", "To: U.S. Mayors", ("To: Mayor Emily Larson", "To: Mayor Svante Myrick")),
        ("es", "Para: Alcaldes", ("Para: Alcaldesa Emily Larson", "Para: Alcalde Svante Myrick")),
    ):
        packet = Packet(
            organization="Org",
            title=LocalizedText("Tell Your Mayor to Defy Trump", "Dígale a su alcalde"),
            target=LocalizedText("To: U.S. Mayors", "Para: Alcaldes"),
            sections=(
                PacketSection(duluth, tuple(sample_rows(3, hard_names=False))),
                PacketSection(ithaca, tuple(sample_rows(3, seed=1, hard_names=False))),
            ),
            language=lang,  # type: ignore[arg-type]
        )
        r = render(packet)
        assert r.pages == 3
        assert parent in r.text(0)
        for page, mayor, other in ((1, *mayors), (2, *reversed(mayors))):
            header = [t for t, _f, _x, y in r.drawn(page) if y > 700]
            assert mayor in header and other not in header and parent not in header, header
        if lang == "en":
            assert "Tell Mayor Myrick to Expand Sanctuary in Ithaca" in r.text(2)
            # The sheets of the Duluth section: its own title, not the campaign's.
            assert "We want Duluth to be a sanctuary city!" in r.text(1)


@pytest.mark.parametrize(
    ("language", "one", "range_"),
    [("en", "Signature 11", "Signatures 1–10"), ("es", "Firma 11", "Firmas 1–10")],
)
def test_a_sheet_of_one_signature_does_not_say_1_1(language: str, one: str, range_: str) -> None:
    """The last sheet of 11 signatures said "Signatures 11–11"; it says "Signature 11"."""
    r = render(sample_packet(11, hard_names=False, language=language))  # type: ignore[arg-type]
    assert range_ in r.text(1)
    footer = [t for t, _f, _x, y in r.drawn(2) if y < 40]
    assert one in footer and not any("11–11" in t for t in footer), footer


def _mixed_packet(language: str, es_text: bool = True) -> Packet:
    """Three signers read the Duluth petition in English, one in Spanish."""
    version = sample_version(es=es_text)
    rows = sample_rows(4, hard_names=False)
    rows = [dataclasses.replace(r, language="es" if i == 3 else "en") for i, r in enumerate(rows)]
    return Packet(
        organization="Org",
        title=version.text.title,
        target=version.text.target,
        sections=(PacketSection(version, tuple(rows)),),
        language=language,  # type: ignore[arg-type]
    )


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_cover_prints_each_wording_the_signers_read(language: str) -> None:
    """A Spanish packet printed only the Spanish statement, although most of its signers had
    put their names to the English one (and the other way round). When a version's signers
    read it in both languages, the cover prints both wordings, each with its count."""
    from kiosk.pdf.samples import DULUTH_STATEMENT, DULUTH_STATEMENT_ES

    cover = _flat(render(_mixed_packet(language)).text(0))
    assert _flat(DULUTH_STATEMENT) in cover and _flat(DULUTH_STATEMENT_ES) in cover
    if language == "en":
        assert "The text in English, as 3 signers read it" in cover
        assert "The text in Spanish, as 1 signer read it" in cover
        assert cover.index(_flat(DULUTH_STATEMENT)) < cover.index(_flat(DULUTH_STATEMENT_ES))
    else:
        assert "El texto en español, tal como lo leyó 1 firmante" in cover
        assert "El texto en inglés, tal como lo leyeron 3 firmantes" in cover
        assert cover.index(_flat(DULUTH_STATEMENT_ES)) < cover.index(_flat(DULUTH_STATEMENT))


def test_one_wording_is_printed_once_without_a_language_heading() -> None:
    from kiosk.pdf.samples import DULUTH_STATEMENT, DULUTH_STATEMENT_ES

    # A version with no Spanish text: Spanish-speaking signers read the English one.
    cover = _flat(render(_mixed_packet("es", es_text=False)).text(0))
    assert cover.count(_flat(DULUTH_STATEMENT)) == 1 and _flat(DULUTH_STATEMENT_ES) not in cover
    assert "El texto en" not in cover
    # Everyone read it in the packet's language, or the language is not known.
    packet = sample_packet(5, hard_names=False)
    cover = _flat(render(packet).text(0))
    assert _flat(DULUTH_STATEMENT_ES) not in cover and "The text in" not in cover


def test_a_cover_that_spills_a_few_lines_is_set_tighter_on_one_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A long Spanish text ran two lines onto a page of their own before the sheets. When a
    tighter statement (never under 9.5 pt) saves that page, it is used; the whole text is
    still printed, and the sheets' "text on page 1" note still points to it."""
    from kiosk.pdf import render as render_module

    designed = render_module._STATEMENT_SETTINGS[:1]

    def cover_pages(text: str, settings: tuple[tuple[float, float, float], ...]) -> int:
        with monkeypatch.context() as m:
            m.setattr(render_module, "_STATEMENT_SETTINGS", settings)
            return page_count(packet_of(text)) - 1  # one sheet of 3 rows

    def packet_of(text: str) -> Packet:
        version = sample_version(text)
        return Packet(
            organization="Org",
            title=version.text.title,
            target=version.text.target,
            sections=(PacketSection(version, tuple(sample_rows(3, hard_names=False))),),
        )

    words = 200
    while cover_pages(" ".join(f"w{i}" for i in range(words)), designed) == 1:
        words += 10  # the first text whose cover, as designed, spills onto a second page
    text = " ".join(f"w{i}" for i in range(words)) + " the last words."
    assert cover_pages(text, designed) == 2
    r = render(packet_of(text))
    assert r.pages == 2  # the cover on one page, then the sheet
    assert "the last words." in r.text(0).replace("\n", " ")
    assert "printed on page 1" in r.text(1)
    # A text of several pages keeps the designed setting unless a tighter one saves a page.
    long = "\n\n".join(f"Paragraph {i}: " + "We ask the city to act. " * 40 for i in range(12))
    assert page_count(packet_of(long)) <= cover_pages(long, designed) + 1
    assert "Paragraph 11" in render(packet_of(long)).all_text()
