"""Render a signature packet to PDF bytes: a cover, then numbered signature sheets.

The cover (target line, title, count, date range, events and places, organization, and the exact
text of every version signed) is laid out with reportlab's Platypus, which wraps and paginates
long statements. The sheets are written straight as content-stream operators: text through the
fonts' subsets, table rules as a handful of paths, and each signature as a compact vector path
(:mod:`kiosk.pdf.ink_path`), in a second content stream of the page. That keeps 10,000
signatures under 2 s and 10 MB.

Every page carries a running header (target and campaign), "Page X of Y" and, on sheets, the
short hash of the text version the signatures on it were given under.
"""

from __future__ import annotations

import gc
import math
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from typing import NamedTuple, Self

from reportlab import rl_config
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFStream
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, Paragraph, Table, TableStyle

from kiosk.domain.campaign import CampaignText, Lang
from kiosk.pdf import labels
from kiosk.pdf.fonts import FontSet, Run, get_fonts, has_placeholder
from kiosk.pdf.ink_path import Box, InkStyle, signature_ops, stroke_state_ops
from kiosk.pdf.model import Packet, PacketSection, SheetRow, date_range

__all__ = ["page_count", "render_packet"]

_PAGE_SIZES = {"letter": LETTER, "a4": A4}
_MARGIN_X = 36.0
_MARGIN_TOP = 36.0
_MARGIN_BOTTOM = 30.0
_FOOTER_SIZE = 7.5
_MAX_ROW_HEIGHT = 90.0
_INK = InkStyle()
_PAGES_PER_BATCH = 32  # 320 signatures of a 10-row sheet: five batches of 64 for ink_path

# Colours as PDF operands.
_TEXT = "0.1 0.1 0.12"
_MUTED = "0.38 0.38 0.42"
_RULE = "0.55 0.55 0.6"
_GRID = "0.78 0.78 0.8"
_HEAD_FILL = "0.93 0.93 0.95"
_MARK = "0.75 0.05 0.05"
_MARK_WASH = "0.97 0.82 0.82"
_ACCENT = Color(0.12, 0.2, 0.45)


def render_packet(packet: Packet, on_page: Callable[[int, int], None] | None = None) -> bytes:
    """Render ``packet`` as a PDF.

    Args:
        packet: the packet (cover data, sections and rows, options).
        on_page: called after each page is drawn with (pages drawn, total pages); progress
            for the touch screen. An exception it raises stops the rendering (a cancel).

    Returns:
        The PDF file's bytes.
    """
    saved = rl_config.useA85
    rl_config.useA85 = 0  # binary streams: a quarter smaller, and no slow pure-Python ASCII85
    # The rows hold millions of ink points that cannot form reference cycles; a full garbage
    # collection triggered by the render's own allocations would walk them all (0.6 s for
    # 10,000 signatures). Freezing what exists keeps collections to the render's objects.
    # (Skipped if the process froze objects itself: unfreezing would undo that.)
    freeze = gc.get_freeze_count() == 0
    if freeze:
        gc.freeze()
    try:
        return _render(packet, on_page)
    finally:
        if freeze:
            gc.unfreeze()
        rl_config.useA85 = saved


def _render(packet: Packet, on_page: Callable[[int, int], None] | None = None) -> bytes:
    fonts = get_fonts()
    pagesize = _PAGE_SIZES[packet.options.page_size]
    plan = _plan(packet, fonts)

    out = BytesIO()
    canvas = _canvas(out, pagesize, fonts)
    with _PageCompressor(canvas, on_page, plan.total) as compressor:
        _draw(canvas, fonts, packet, pagesize, plan, compressor)
    canvas.save()
    fonts.forget(canvas._doc)
    return out.getvalue()


def _draw(
    canvas: Canvas,
    fonts: FontSet,
    packet: Packet,
    pagesize: tuple[float, float],
    plan: _Plan,
    compressor: _PageCompressor,
) -> None:
    """Draw the cover and every section's sheets on ``canvas``, as :func:`_plan` laid them
    out."""
    cover_pages, statement_pages, total, tight = plan
    title = packet.title.get(packet.language)
    canvas.setTitle(title)
    canvas.setAuthor(packet.organization)
    canvas.setSubject(packet.target.get(packet.language))
    canvas.setCreator("Petition Kiosk")
    _cover(canvas, fonts, packet, total, compressor, tight=tight)
    layout = _Layout.make(packet, pagesize)
    page = cover_pages
    number = packet.first_number
    for index, section in enumerate(packet.sections):
        statement_page = statement_pages.get(index, 1)
        page, number = _sheets(
            canvas,
            fonts,
            packet,
            layout,
            section,
            statement_page,
            page,
            total,
            number,
            compressor,
        )


def page_count(packet: Packet) -> int:
    """The number of pages :func:`render_packet` makes for ``packet``.

    Args:
        packet: the packet.
    """
    return _plan(packet, get_fonts()).total


class _Plan(NamedTuple):
    """How a packet's pages fall, from a dry run of its cover."""

    cover_pages: int
    #: The page each section's statement starts on, by the section's index.
    statement_pages: dict[int, int]
    total: int
    #: The statement's setting, an index into :data:`_STATEMENT_SETTINGS`.
    tight: int


def _plan(packet: Packet, fonts: FontSet) -> _Plan:
    """A dry run of the cover: its page count, the page of each statement, the total, and
    the statement's tightness (:data:`_STATEMENT_SETTINGS`).

    A cover that runs onto another page is tried tighter: the first setting that needs a page
    fewer is kept (a long Spanish text had its last two lines alone on a page before the
    sheets). Otherwise the text stays as designed.
    """
    pagesize = _PAGE_SIZES[packet.options.page_size]

    def dry_run(tight: int) -> tuple[int, dict[int, int]]:
        scratch = _canvas(BytesIO(), pagesize, fonts)
        try:
            return _cover(scratch, fonts, packet, 0, tight=tight)
        finally:
            fonts.forget(scratch._doc)

    tight = 0
    cover_pages, statement_pages = dry_run(0)
    if cover_pages > 1:
        for tighter in range(1, len(_STATEMENT_SETTINGS)):
            pages, placed = dry_run(tighter)
            if pages < cover_pages:
                tight, cover_pages, statement_pages = tighter, pages, placed
                break
    total = cover_pages + sum(_sheet_count(packet, s) for s in packet.sections)
    return _Plan(cover_pages, statement_pages, total, tight)


def _sheet_count(packet: Packet, section: PacketSection) -> int:
    return math.ceil(len(section.rows) / packet.options.rows_per_sheet)


def _canvas(out: BytesIO, pagesize: tuple[float, float], fonts: FontSet) -> Canvas:
    # The initial font is an embedded one, so no page refers to a non-embedded Helvetica.
    return Canvas(
        out,
        pagesize=pagesize,
        pageCompression=1,
        invariant=1,
        initialFontName=fonts.font_name("sans"),
    )


class _PageCompressor:
    """Deflates each finished page's content stream on a worker thread.

    zlib releases the GIL, so on a machine with two cores the compression overlaps with drawing
    the next pages. The compressed bytes go into the page as a stream whose /Filter is already
    set, which reportlab writes out as is.

    A sheet's signatures go into a second content stream of the page, deflated with Huffman
    coding only (``Z_HUFFMAN_ONLY``): path numbers are nearly random digits, so looking for
    repeated strings (what makes level 6 slow) gains 1.5 % there, at nine times the time. The
    page's text and rules, which do repeat, keep the usual level 6.
    """

    def __init__(
        self,
        canvas: Canvas,
        on_page: Callable[[int, int], None] | None = None,
        total: int = 0,
    ) -> None:
        self.canvas = canvas
        self.on_page = on_page
        self.total = total
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pdf-deflate")
        self.pending: list[tuple[object, Future[bytes], Future[bytes] | None]] = []

    def page_done(self, signatures: str = "") -> None:
        """Call right after ``canvas.showPage()``.

        Args:
            signatures: the page's signature groups, drawn after the rest of the page.
        """
        page = self.canvas._doc.Pages.pages[-1]
        data = page.stream.encode("utf-8")
        page.stream = ""
        extra = None
        if signatures:
            # Blank signatures are short, alike groups: those compress far better with level 6.
            level = 6 if len(signatures) < 400 * signatures.count("EMC") else None
            extra = self.pool.submit(_deflate_digits, signatures.encode("ascii"), level)
        self.pending.append((page, self.pool.submit(zlib.compress, data, 6), extra))
        if self.on_page is not None:
            self.on_page(len(self.pending), self.total)  # may raise: a cancel

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        try:
            if exc_type is not None:
                return  # the document is abandoned
            doc = self.canvas._doc
            for page, future, extra in self.pending:
                stream = _flate_stream(future.result())
                if extra is None:
                    page.Contents = stream
                else:
                    # An array of the two streams, written inline (not as an object of its
                    # own): object numbers are fixed when an object is registered.
                    first = doc.Reference(stream).format(doc)
                    second = doc.Reference(_flate_stream(extra.result())).format(doc)
                    page.Contents = b"[" + first + b" " + second + b"]"
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pending.clear()


def _deflate_digits(data: bytes, level: int | None = None) -> bytes:
    """Deflate with Huffman coding only (see :class:`_PageCompressor`), or at ``level``."""
    if level is not None:
        return zlib.compress(data, level)
    z = zlib.compressobj(6, zlib.DEFLATED, 15, 9, zlib.Z_HUFFMAN_ONLY)
    return z.compress(data) + z.flush()


def _flate_stream(data: bytes) -> PDFStream:
    return PDFStream(PDFDictionary({"Filter": PDFName("FlateDecode")}), data)


# --- the cover -------------------------------------------------------------------------------


class _Mark(Flowable):  # type: ignore[misc]
    """Records the page it lands on (the page where a section's statement starts)."""

    def __init__(self, key: int, sink: dict[int, int]) -> None:
        super().__init__()
        self.key = key
        self.sink = sink

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        self.sink[self.key] = self.canv.getPageNumber()


#: The statement's font size, leading and space after a paragraph: as designed, then two
#: tighter settings (never under 9.5 pt) that :func:`_plan` uses only when they save a page.
_STATEMENT_SETTINGS: tuple[tuple[float, float, float], ...] = (
    (10.5, 15, 7),
    (10, 13.5, 5),
    (9.5, 12.5, 4),
)


@dataclass(frozen=True, slots=True)
class _Styles:
    org: ParagraphStyle
    kind: ParagraphStyle
    target: ParagraphStyle
    title: ParagraphStyle
    label: ParagraphStyle
    value: ParagraphStyle
    heading: ParagraphStyle
    version: ParagraphStyle
    version_title: ParagraphStyle
    statement: ParagraphStyle
    note: ParagraphStyle

    @classmethod
    def make(cls, fonts: FontSet, tight: int = 0) -> _Styles:
        """The cover's styles; ``tight`` (0, 1 or 2) sets the statement closer and a little
        smaller, so a text that ran a few lines onto a page of its own fits (see :func:`_plan`)."""
        size, leading, after = _STATEMENT_SETTINGS[tight]
        sans = fonts.font_name("sans")
        bold = fonts.font_name("sans-bold")
        serif = fonts.font_name("serif")
        serif_bold = fonts.font_name("serif-bold")
        italic = fonts.font_name("sans-italic")
        grey = Color(0.38, 0.38, 0.42)
        text = Color(0.1, 0.1, 0.12)
        return cls(
            org=ParagraphStyle("org", fontName=bold, fontSize=9.5, leading=12, textColor=grey),
            kind=ParagraphStyle(
                "kind", fontName=bold, fontSize=9, leading=12, textColor=_ACCENT, spaceBefore=18
            ),
            target=ParagraphStyle(
                "target",
                fontName=serif_bold,
                fontSize=20,
                leading=25,
                textColor=text,
                spaceBefore=4,
            ),
            title=ParagraphStyle(
                "title",
                fontName=serif,
                fontSize=15,
                leading=20,
                textColor=text,
                spaceBefore=4,
                spaceAfter=14,
            ),
            label=ParagraphStyle("label", fontName=bold, fontSize=9, leading=12, textColor=grey),
            value=ParagraphStyle("value", fontName=sans, fontSize=10, leading=13, textColor=text),
            heading=ParagraphStyle(
                "heading",
                fontName=bold,
                fontSize=11,
                leading=14,
                textColor=_ACCENT,
                spaceBefore=18,
                spaceAfter=4,
            ),
            version=ParagraphStyle(
                "version",
                fontName=sans,
                fontSize=8.5,
                leading=11,
                textColor=grey,
                spaceBefore=8,
                spaceAfter=6,
            ),
            version_title=ParagraphStyle(
                "version_title",
                fontName=serif_bold,
                fontSize=12,
                leading=16,
                textColor=text,
                spaceAfter=4,
            ),
            statement=ParagraphStyle(
                "statement",
                fontName=serif,
                fontSize=size,
                leading=leading,
                textColor=text,
                spaceAfter=after,
            ),
            note=ParagraphStyle(
                "note", fontName=italic, fontSize=8, leading=10.5, textColor=grey, spaceBefore=14
            ),
        )


def _para(fonts: FontSet, text: str, style: ParagraphStyle, role: str) -> Paragraph:
    """A paragraph printing ``text`` literally; newlines become line breaks."""
    lines = [fonts.markup(line, role) for line in text.split("\n")]
    return Paragraph("<br/>".join(lines), style)


def _statement(fonts: FontSet, text: str, style: ParagraphStyle) -> list[Flowable]:
    """The statement exactly as written: blank lines part paragraphs, newlines break lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    out: list[Flowable] = []
    block: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip():
            block.append(line)
        elif block:
            out.append(_para(fonts, "\n".join(block), style, "serif"))
            block = []
    return out


def _readings(section: PacketSection, lang: str) -> list[tuple[str, int]]:
    """The wordings of a version's statement its signers read: (language, signatures), the
    packet's language first. Signers who read it in the other language saw the same words
    when the version has no text of its own there (the kiosk shows English), and then count
    with the packet's language; so do rows whose language is not known."""
    text = section.version.text.statement
    own = text.get(lang)
    counts = {lang: 0}
    for row in section.rows:
        read_in = row.language if row.language in ("en", "es") else lang
        if text.get(read_in) == own:
            read_in = lang
        counts[read_in] = counts.get(read_in, 0) + 1
    return [(lang, counts[lang]), *sorted((k, n) for k, n in counts.items() if k != lang)]


def _cover_story(
    fonts: FontSet, packet: Packet, sink: dict[int, int], tight: int = 0
) -> tuple[list[Flowable], bool]:
    """The cover's flowables, and whether some text needed the placeholder."""
    lang = packet.language
    st = _Styles.make(fonts, tight)
    target = packet.target.get(lang)
    title = packet.title.get(lang)
    rows = packet.rows()
    story: list[Flowable] = [
        _para(fonts, packet.organization, st.org, "sans-bold"),
        _para(fonts, labels.label(lang, packet.kind.value).upper(), st.kind, "sans-bold"),
        _para(fonts, target, st.target, "serif-bold"),
        _para(fonts, title, st.title, "serif"),
    ]
    placeholder = any(
        has_placeholder(fonts.runs(t, "sans"))
        for t in (packet.organization, target, title, *packet.events)
    )
    summary = [(labels.label(lang, "signatures"), labels.number(len(rows)))]
    if packet.note:  # "Part 2 of 5: signatures 2,001–4,000 of 10,000", under the count it explains
        summary.append(("", packet.note))
    summary.append((labels.label(lang, "collected"), labels.date_span(lang, date_range(rows))))
    # One table row per event and per version, so a long list can break across pages.
    for i, event in enumerate(packet.events):
        summary.append((labels.label(lang, "events") if i == 0 else "", event))
    summary.append((labels.label(lang, "organization"), packet.organization))
    if len(packet.sections) > 1:
        for i, section in enumerate(packet.sections):
            summary.append(
                (labels.label(lang, "versions") if i == 0 else "", section.version.short)
            )
    table = Table(
        [
            [_para(fonts, k, st.label, "sans-bold"), _para(fonts, v, st.value, "sans")]
            for k, v in summary
        ],
        colWidths=[118, None],
        hAlign="LEFT",
        repeatRows=0,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), fonts.font_name("sans")),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, Color(0.55, 0.55, 0.6)),
                ("LINEBELOW", (0, -1), (-1, -1), 0.6, Color(0.55, 0.55, 0.6)),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
                *[("TOPPADDING", (0, i), (-1, i), 5) for i, (k, _) in enumerate(summary) if k],
            ]
        )
    )
    story.append(table)
    many = len(packet.sections) > 1
    story.append(
        _para(
            fonts,
            labels.label(lang, "text_heading_many" if many else "text_heading"),
            st.heading,
            "sans-bold",
        )
    )
    for index, section in enumerate(packet.sections):
        text = section.version.text
        story.append(_Mark(index, sink))
        story.append(
            _para(
                fonts,
                labels.label(
                    lang,
                    "version_line",
                    hash=section.version.short,
                    count=labels.count(lang, len(section.rows)),
                    dates=labels.date_span(lang, date_range(section.rows)),
                ),
                st.version,
                "sans",
            )
        )
        v_target = text.target.get(lang)
        v_title = text.title.get(lang)
        if v_target.strip() and v_target != target:
            story.append(_para(fonts, v_target, st.version_title, "serif-bold"))
        if many or (v_title.strip() and v_title != title):
            story.append(_para(fonts, v_title, st.version_title, "serif-bold"))
        readings = _readings(section, lang)
        for read_in, count in readings:
            wording = text.statement.get(read_in)
            if len(readings) > 1:
                heading = labels.label(
                    lang,
                    {0: "text_in_none", 1: "text_in_one"}.get(count, "text_in"),
                    language=labels.label(lang, f"lang_{read_in}"),
                    n=labels.number(count),
                )
                story.append(_para(fonts, heading, st.version, "sans-bold"))
            story.extend(_statement(fonts, wording, st.statement))
            placeholder |= has_placeholder(fonts.runs(wording, "serif", logical=True))
    for row in rows:
        if has_placeholder(fonts.runs(row.printed_name, "sans")) or has_placeholder(
            fonts.runs(row.city, "sans")
        ):
            placeholder = True
            break
    if placeholder:
        story.append(_para(fonts, labels.label(lang, "placeholder_note"), st.note, "sans-italic"))
    return story, placeholder


def _cover(
    canvas: Canvas,
    fonts: FontSet,
    packet: Packet,
    total: int,
    compressor: _PageCompressor | None = None,
    tight: int = 0,
) -> tuple[int, dict[int, int]]:
    """Draw the cover pages; return how many there were and each statement's page."""
    sink: dict[int, int] = {}
    story, _ = _cover_story(fonts, packet, sink, tight)
    width, height = canvas._pagesize
    pages = 0
    while True:
        pages += 1
        _cover_chrome(canvas, fonts, packet, pages, total or pages)
        frame = Frame(
            _MARGIN_X,
            _MARGIN_BOTTOM + 20,
            width - 2 * _MARGIN_X,
            height - _MARGIN_TOP - _MARGIN_BOTTOM - 26 - (0 if pages == 1 else 40),
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        if not _fill(frame, story, canvas) and story:
            story.pop(0)  # cannot fit even on an empty page: leave it out rather than loop
        canvas.showPage()
        if compressor is not None:
            compressor.page_done()
        if not story:
            break
    return pages, sink


def _fill(frame: Frame, story: list[Flowable], canvas: Canvas) -> bool:
    """Put as much of ``story`` in ``frame`` as fits, splitting the flowable that does not.

    Returns whether anything was added; what is left stays in ``story``.
    """
    added = False
    while story:
        head = story[0]
        if frame.add(head, canvas, trySplit=0):
            story.pop(0)
            added = True
            continue
        parts = frame.split(head, canvas) or []
        if len(parts) > 1 and frame.add(parts[0], canvas, trySplit=0):
            story[0:1] = parts[1:]
            added = True
        break
    return added


def _cover_chrome(canvas: Canvas, fonts: FontSet, packet: Packet, page: int, total: int) -> None:
    """The cover's footer, and a running header on its continuation pages."""
    width, height = canvas._pagesize
    lang = packet.language
    ops = _Ops()
    doc = canvas._doc
    _stamp(ops, fonts, doc, packet, width, height)
    if page > 1:
        _header(ops, fonts, doc, packet, width, height, None)
    hashes = ", ".join(s.version.short for s in packet.sections)
    key = "footer_version" if len(packet.sections) == 1 else "footer_versions"
    left = labels.label(lang, key, hash=hashes, hashes=hashes) if packet.sections else ""
    right = labels.label(lang, "page", n=page, total=total)
    if fonts.width(fonts.runs(left, "sans"), _FOOTER_SIZE) > _footer_room(fonts, width, "", right):
        # Too many versions for one line (a whole campaign of many local campaigns): their
        # number, and where the summary lists them all.
        left = labels.label(lang, "footer_versions_many", n=len(packet.sections))
    _footer(ops, fonts, doc, width, left, "", right)
    canvas.addLiteral(ops.content())


# --- the sheets ------------------------------------------------------------------------------


class _Ops(list[str]):
    """A page's operators: graphics in order, then all text, one ``BT ... ET`` per colour.

    Grouping text saves repeating the colour and the text-object set-up for every string; each
    string is placed with a relative ``Td`` from the previous one.
    """

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, list[tuple[int, int, str]]] = {}

    def text(self, color: str, x: float, y: float, show: str) -> None:
        """Queue ``show`` (``Tf``/``Tj`` operators) at ``x, y`` in ``color``."""
        # Positions in tenths of a point, so relative moves add up exactly.
        self.texts.setdefault(color, []).append((round(x * 10), round(y * 10), show))

    def content(self) -> str:
        """The page's content stream."""
        out = list(self)
        for color, items in self.texts.items():
            parts = [f"BT {color} rg"]
            px = py = 0
            for x, y, show in items:
                parts.append(f"{(x - px) / 10:.1f} {(y - py) / 10:.1f} Td {show}")
                px, py = x, y
            parts.append("ET")
            out.append("\n".join(parts))
        return "\n".join(out)


@dataclass(frozen=True, slots=True)
class _Column:
    key: str
    x: float
    width: float


@dataclass(frozen=True, slots=True)
class _Layout:
    width: float
    height: float
    table_top: float  # top of the column-label row
    label_height: float
    row_height: float
    columns: tuple[_Column, ...]

    @classmethod
    def make(cls, packet: Packet, pagesize: tuple[float, float]) -> _Layout:
        width, height = pagesize
        usable = width - 2 * _MARGIN_X
        if packet.options.include_comments:
            fractions = (
                ("no", 0.05),
                ("name", 0.225),
                ("place", 0.185),
                ("date", 0.105),
                ("signature", 0.245),
                ("comment", 0.19),
            )
        else:
            fractions = (
                ("no", 0.05),
                ("name", 0.285),
                ("place", 0.235),
                ("date", 0.12),
                ("signature", 0.31),
            )
        cols = []
        x = _MARGIN_X
        for key, f in fractions:
            cols.append(_Column(key, x, usable * f))
            x += usable * f
        table_top = height - _MARGIN_TOP - 50
        label_height = 16.0
        bottom = _MARGIN_BOTTOM + 16
        rows = packet.options.rows_per_sheet
        row_height = min((table_top - label_height - bottom) / rows, _MAX_ROW_HEIGHT)
        return cls(width, height, table_top, label_height, row_height, tuple(cols))

    def column(self, key: str) -> _Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


def _sheets(
    canvas: Canvas,
    fonts: FontSet,
    packet: Packet,
    layout: _Layout,
    section: PacketSection,
    statement_page: int,
    page: int,
    total: int,
    number: int,
    compressor: _PageCompressor,
) -> tuple[int, int]:
    """Draw one section's sheets; return the last page number and the next row number."""
    rps = packet.options.rows_per_sheet
    rows = section.rows
    sig = layout.column("signature")
    boxes = []
    for i in range(rps):
        top = layout.table_top - layout.label_height - i * layout.row_height
        boxes.append(
            Box(sig.x + 1, top - layout.row_height + 1, sig.width - 2, layout.row_height - 2)
        )
    # Signatures are computed a few pages at a time: numpy works best on batches.
    per_batch = rps * _PAGES_PER_BATCH
    for start in range(0, len(rows), per_batch):
        batch = rows[start : start + per_batch]
        ink_ops = signature_ops(
            [r.ink for r in batch],
            [boxes[i % rps] for i in range(len(batch))],
            _INK,
            standalone=False,
        )
        for p in range(0, len(batch), rps):
            page += 1
            page_rows = batch[p : p + rps]
            ops = _sheet_page(
                canvas,
                fonts,
                packet,
                layout,
                section,
                statement_page,
                page,
                total,
                number,
                page_rows,
            )
            number += len(page_rows)
            canvas.addLiteral(ops)
            canvas.showPage()
            compressor.page_done(_signature_stream(ink_ops[p : p + rps]))
    return page, number


def _sheet_page(
    canvas: Canvas,
    fonts: FontSet,
    packet: Packet,
    layout: _Layout,
    section: PacketSection,
    statement_page: int,
    page: int,
    total: int,
    number: int,
    rows: Sequence[SheetRow],
) -> str:
    """A sheet's header, table, rows and footer; not its signatures (see
    :func:`_signature_stream`)."""
    lang = packet.language
    doc = canvas._doc
    ops = _Ops()
    _stamp(ops, fonts, doc, packet, layout.width, layout.height)
    note = labels.label(lang, "sheet_note", page=statement_page, hash=section.version.short)
    _header(ops, fonts, doc, packet, layout.width, layout.height, note, section.version.text)
    _table(ops, fonts, doc, packet, layout, len(rows))
    rh = layout.row_height
    top = layout.table_top - layout.label_height
    for i, row in enumerate(rows):
        _row(ops, fonts, doc, packet, layout, top - i * rh, number + i, row)
    left = labels.label(lang, "footer_version", hash=section.version.short)
    middle = labels.label(
        lang,
        "rows" if len(rows) > 1 else "rows_one",
        first=labels.number(number),
        last=labels.number(number + len(rows) - 1),
    )
    _footer(
        ops, fonts, doc, layout.width, left, middle, labels.label(lang, "page", n=page, total=total)
    )
    return ops.content()


def _signature_stream(ink_ops: Sequence[str]) -> str:
    """A sheet's signature groups, under one stroke state, as the page's second stream."""
    return "\n".join(("q " + stroke_state_ops(_INK), *ink_ops, "Q\n"))


def _stamp(
    ops: _Ops, fonts: FontSet, doc: object, packet: Packet, width: float, height: float
) -> None:
    """The packet's marks (TEST DATA, DEMO): one red line in the top margin, and the first mark
    written large and pale diagonally across the page, under everything else."""
    if not packet.marks:
        return
    line = "  ·  ".join(packet.marks)
    _line(
        ops,
        fonts,
        doc,
        line,
        "sans-bold",
        9.0,
        5.0,
        _MARGIN_X,
        height - _MARGIN_TOP + 14,
        width - 2 * _MARGIN_X,
        _MARK,
    )
    big = packet.marks[0].split(",")[0].split(":")[0]
    runs = fonts.runs(big, "sans-bold")
    size = min(90.0, 0.9 * math.hypot(width, height) / max(fonts.width(runs, 1.0), 1.0))
    w = fonts.width(runs, size)
    c = s = math.sqrt(0.5)
    ops.append(
        f"q {c:.4f} {s:.4f} {-s:.4f} {c:.4f} {width / 2:.2f} {height / 2:.2f} cm "
        f"BT {_MARK_WASH} rg {-w / 2:.2f} {-size * 0.35:.2f} Td "
        f"{fonts.show_ops(doc, runs, size)} ET Q"
    )


def _header(
    ops: _Ops,
    fonts: FontSet,
    doc: object,
    packet: Packet,
    width: float,
    height: float,
    note: str | None,
    text: CampaignText | None = None,
) -> None:
    """Target line, campaign title and (on sheets) which text the signers signed.

    On a sheet, ``text`` is the version its rows signed: its own target and title head the
    sheet (a local campaign's "To: Mayor ..." in a whole-campaign packet, an earlier target
    under an earlier text), the packet's when it has none.
    """
    lang = packet.language
    target = packet.target.get(lang)
    title = packet.title.get(lang)
    if text is not None:
        target = text.target.get(lang).strip() or target
        title = text.title.get(lang).strip() or title
    usable = width - 2 * _MARGIN_X
    y = height - _MARGIN_TOP - 11
    # The organization, right-aligned on the target's line, in at most 0.4 of the width:
    # a long name shrinks, then ends in "…"; it is never left out (a loose sheet says who
    # submits it).
    org_size, (org_runs,) = _fit(fonts, packet.organization, "sans", 8.0, 6.5, usable * 0.4, 8.0, 1)
    org_w = fonts.width(org_runs, org_size)
    target_room = usable - org_w - 16
    _line(
        ops,
        fonts,
        doc,
        target,
        "sans-bold",
        12.0,
        9.0,
        _MARGIN_X,
        y,
        target_room,
        _TEXT,
    )
    _text(ops, fonts, doc, org_runs, org_size, _MARGIN_X + usable - org_w, y + 1, _MUTED)
    y -= 15
    _line(ops, fonts, doc, title, "sans", 10.0, 8.0, _MARGIN_X, y, usable, _TEXT)
    if note is not None:
        y -= 13
        _line(ops, fonts, doc, note, "sans-italic", 8.0, 6.5, _MARGIN_X, y, usable, _MUTED)
    rule = height - _MARGIN_TOP - 46
    ops.append(
        f"q {_RULE} RG 0.8 w {_MARGIN_X:.2f} {rule:.2f} m {width - _MARGIN_X:.2f} {rule:.2f} l S Q"
    )


def _footer_room(fonts: FontSet, width: float, middle: str, right: str) -> float:
    """The width a footer's left text has before it would touch the middle or right one."""
    if middle:
        end = (width - fonts.width(fonts.runs(middle, "sans"), _FOOTER_SIZE)) / 2
    else:
        end = width - _MARGIN_X - fonts.width(fonts.runs(right, "sans"), _FOOTER_SIZE)
    return end - 12 - _MARGIN_X


def _footer(
    ops: _Ops, fonts: FontSet, doc: object, width: float, left: str, middle: str, right: str
) -> None:
    y = _MARGIN_BOTTOM
    rule = y + 10
    ops.append(
        f"q {_GRID} RG 0.5 w {_MARGIN_X:.2f} {rule:.2f} m {width - _MARGIN_X:.2f} {rule:.2f} l S Q"
    )
    size = _FOOTER_SIZE
    if left:  # never over the middle or right text: cut with "…" if it must be
        room = _footer_room(fonts, width, middle, right)
        _line(ops, fonts, doc, left, "sans", size, size, _MARGIN_X, y, room, _MUTED)
    if middle:
        runs = fonts.runs(middle, "sans")
        w = fonts.width(runs, size)
        _text(ops, fonts, doc, runs, size, (width - w) / 2, y, _MUTED)
    runs = fonts.runs(right, "sans")
    w = fonts.width(runs, size)
    _text(ops, fonts, doc, runs, size, width - _MARGIN_X - w, y, _MUTED)


def _table(ops: _Ops, fonts: FontSet, doc: object, packet: Packet, layout: _Layout, n: int) -> None:
    """Column labels, row rules and column rules for ``n`` rows."""
    lang = packet.language
    x0 = layout.columns[0].x
    x1 = layout.columns[-1].x + layout.columns[-1].width
    top = layout.table_top
    lh = layout.label_height
    bottom = top - lh - n * layout.row_height
    ops.append(f"q {_HEAD_FILL} rg {x0:.2f} {top - lh:.2f} {x1 - x0:.2f} {lh:.2f} re f Q")
    names = {
        "no": "col_no",
        "name": "col_name",
        "place": "col_place",
        "date": "col_date",
        "signature": "col_signature",
        "comment": "col_comment",
    }
    for col in layout.columns:
        _line(
            ops,
            fonts,
            doc,
            labels.label(lang, names[col.key]),
            "sans-bold",
            7.5,
            6.0,
            col.x + 4,
            top - 11,
            col.width - 8,
            _MUTED,
        )
    path = []
    for i in range(n + 1):
        y = top - lh - i * layout.row_height
        path.append(f"{x0:.2f} {y:.2f} m {x1:.2f} {y:.2f} l")
    for col in layout.columns[1:]:
        path.append(f"{col.x:.2f} {top:.2f} m {col.x:.2f} {bottom:.2f} l")
    ops.append(f"q {_GRID} RG 0.5 w " + " ".join(path) + " S")
    ops.append(f"{_RULE} RG 0.8 w {x0:.2f} {bottom:.2f} {x1 - x0:.2f} {top - bottom:.2f} re S Q")


def _row(
    ops: _Ops,
    fonts: FontSet,
    doc: object,
    packet: Packet,
    layout: _Layout,
    top: float,
    number: int,
    row: SheetRow,
) -> None:
    """A row's number, name, place, date (and event), and comment; not the signature."""
    lang = packet.language
    rh = layout.row_height
    pad = 4.0 if rh >= 24 else 2.5
    room = rh - 2 * pad

    no = layout.columns[0]
    runs = fonts.runs(labels.number(number), "sans")
    size = 8.0
    w = fonts.width(runs, size)
    _text(ops, fonts, doc, runs, size, no.x + no.width - 4 - w, top - pad - 0.8 * size - 1, _MUTED)

    name = layout.column("name")
    _block(
        ops, fonts, doc, row.printed_name or "—", "sans", 10.0, 6.5, name, top, pad, room, 3, _TEXT
    )

    place = layout.column("place")
    where = ", ".join(p for p in (row.city.strip(), row.state.strip()) if p)
    where = f"{where} {row.zip.strip()}".strip()
    _block(ops, fonts, doc, where or "—", "sans", 9.0, 7.0, place, top, pad, room, 2, _TEXT)

    date = layout.column("date")
    used = _block(
        ops,
        fonts,
        doc,
        labels.short_date(lang, row.local_date),
        "sans",
        9.0,
        7.0,
        date,
        top,
        pad,
        room,
        1,
        _TEXT,
    )
    if row.event_name and room - used >= 8:
        _block(
            ops,
            fonts,
            doc,
            row.event_name,
            "sans",
            7.0,
            6.0,
            date,
            top - used - 1,
            pad,
            room - used - 1,
            2,
            _MUTED,
        )

    if row.typed:
        _typed_signature(ops, fonts, doc, lang, layout, top, pad, room, row)

    if packet.options.include_comments and row.comment.strip():
        comment = layout.column("comment")
        _block(
            ops,
            fonts,
            doc,
            row.comment,
            "sans-italic",
            7.5,
            6.5,
            comment,
            top,
            pad,
            room,
            12,
            _TEXT,
        )


def _typed_signature(
    ops: _Ops,
    fonts: FontSet,
    doc: object,
    lang: Lang,
    layout: _Layout,
    top: float,
    pad: float,
    room: float,
    row: SheetRow,
) -> None:
    """A typed signature in the signature box: the name the signer typed, in italics, and
    under it, always, "Typed signature" (witnessed or not), so it never passes for ink."""
    sig = layout.column("signature")
    mark = labels.label(lang, "typed_witnessed" if row.method.witnessed else "typed")
    # The mark first: it must be there whatever room the name leaves.
    mark_size = 6.5 if room >= 20 else 5.0
    mark_lines = 2 if room >= 30 else 1
    mark_size, mark_runs = _fit(
        fonts, mark, "sans-bold", mark_size, 4.5, sig.width - 8, room, mark_lines
    )
    mark_h = mark_size * 1.18 * len(mark_runs)
    y = top - pad - room + mark_h - 0.8 * mark_size
    for runs in mark_runs:
        _text(ops, fonts, doc, runs, mark_size, sig.x + 4, y, _MUTED)
        y -= mark_size * 1.18
    name_room = max(room - mark_h - 3, 6.0)
    _block(
        ops,
        fonts,
        doc,
        row.typed_name or "—",
        "sans-italic",
        11.0,
        6.0,
        sig,
        top,
        pad,
        name_room,
        2,
        _TEXT,
    )


def _block(
    ops: _Ops,
    fonts: FontSet,
    doc: object,
    text: str,
    role: str,
    size: float,
    min_size: float,
    col: _Column,
    top: float,
    pad: float,
    room: float,
    max_lines: int,
    color: str,
) -> float:
    """Draw ``text`` in a column from ``top`` down: shrunk, wrapped, at worst cut with "…".

    Returns the height used.
    """
    width = col.width - 8
    size, lines = _fit(fonts, text, role, size, min_size, width, room, max_lines)
    leading = size * 1.18
    y = top - pad - 0.8 * size - 1
    for runs in lines:
        _text(ops, fonts, doc, runs, size, col.x + 4, y, color)
        y -= leading
    return 1 + 0.8 * size + leading * (len(lines) - 1) + 0.3 * size


def _fit(
    fonts: FontSet,
    text: str,
    role: str,
    size: float,
    min_size: float,
    width: float,
    room: float,
    max_lines: int,
) -> tuple[float, list[tuple[Run, ...]]]:
    """The largest size (down to ``min_size``) at which ``text`` fits, and its lines."""
    key = (text, role, size, min_size, width, room, max_lines)
    hit = _FIT_CACHE.get(key)
    if hit is not None and hit[0] is fonts:
        return hit[1], hit[2]
    fitted = _fit_uncached(fonts, text, role, size, min_size, width, room, max_lines)
    if len(_FIT_CACHE) > 20_000:
        _FIT_CACHE.clear()
    _FIT_CACHE[key] = (fonts, fitted[0], fitted[1])
    return fitted


# Layouts of repeated strings (dates, places, events, labels): the same for every page.
_FIT_CACHE: dict[tuple[object, ...], tuple[FontSet, float, list[tuple[Run, ...]]]] = {}


def _fit_uncached(
    fonts: FontSet,
    text: str,
    role: str,
    size: float,
    min_size: float,
    width: float,
    room: float,
    max_lines: int,
) -> tuple[float, list[tuple[Run, ...]]]:
    runs = fonts.runs(text, role)
    w = fonts.width(runs, size)
    if w <= width:
        return size, [runs]
    shrunk = math.floor(size * width / w * 4) / 4
    if shrunk >= min_size and fonts.width(runs, shrunk) <= width:
        return shrunk, [runs]
    s = size
    while s >= min_size:
        lines_room = max(1, min(max_lines, int((room - 0.8 * s) // (s * 1.18)) + 1))
        lines = _wrap(fonts, text, role, s, width, lines_room)
        if lines is not None:
            return s, lines
        s -= 0.5
    s = min_size
    lines_room = max(1, min(max_lines, int((room - 0.8 * s) // (s * 1.18)) + 1))
    return s, _wrap(fonts, text, role, s, width, lines_room, cut=True) or [runs]


def _wrap(
    fonts: FontSet,
    text: str,
    role: str,
    size: float,
    width: float,
    max_lines: int,
    cut: bool = False,
) -> list[tuple[Run, ...]] | None:
    """Break ``text`` into at most ``max_lines`` lines of ``width``; None if it does not fit.

    With ``cut``, the last line ends in "…" instead. Lines break at spaces, or anywhere in a
    word longer than a line (names in scripts without spaces).
    """
    words = fonts.clean(text).split()
    lines: list[str] = []
    cur = ""

    def fits(s: str) -> bool:
        return fonts.width(fonts.runs(s, role), size) <= width

    for word in words:
        candidate = f"{cur} {word}" if cur else word
        if fits(candidate):
            cur = candidate
            continue
        if cur:
            lines.append(cur)
            cur = ""
        while not fits(word):
            cut_at = len(word) - 1
            while cut_at > 1 and not fits(word[:cut_at]):
                cut_at -= 1
            lines.append(word[:cut_at])
            word = word[cut_at:]
        cur = word
    if cur:
        lines.append(cur)
    if len(lines) > max_lines:
        if not cut:
            return None
        lines = lines[:max_lines]
        last = lines[-1] + "…"
        while len(last) > 1 and not fits(last):
            last = last[:-2].rstrip() + "…"
        lines[-1] = last
    return [fonts.runs(line, role) for line in lines]


def _line(
    ops: _Ops,
    fonts: FontSet,
    doc: object,
    text: str,
    role: str,
    size: float,
    min_size: float,
    x: float,
    y: float,
    width: float,
    color: str,
) -> None:
    """One line at ``x, y``: shrunk to fit ``width`` down to ``min_size``, then cut with "…"."""
    s, lines = _fit(fonts, text, role, size, min_size, width, size, 1)
    _text(ops, fonts, doc, lines[0], s, x, y, color)


def _text(
    ops: _Ops,
    fonts: FontSet,
    doc: object,
    runs: tuple[Run, ...],
    size: float,
    x: float,
    y: float,
    color: str,
) -> None:
    ops.text(color, x, y, fonts.show_ops(doc, runs, size))
