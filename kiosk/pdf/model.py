"""What a signature packet is made of: plain, frozen data, ready to render.

A packet is what a coordinator hands a decision-maker: a cover page and numbered signature
sheets. It is built from the store by the caller (one packet per local campaign, or split further
with :mod:`kiosk.pdf.split`) and rendered by :func:`kiosk.pdf.render.render_packet`.

Privacy by construction: a :class:`SheetRow` has no field for an email address, a phone number
or a street address, so a delivery packet cannot show them whatever the caller passes.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from kiosk.domain.campaign import CampaignKind, Lang, LocalizedText, TextVersion
from kiosk.domain.ink import Ink
from kiosk.domain.sheets import MAX_ROWS_PER_SHEET as MAX_ROWS_PER_SHEET  # re-exported
from kiosk.domain.sheets import PAGE_SIZES
from kiosk.domain.sheets import PageSize as PageSize  # re-exported
from kiosk.domain.signature import SignatureMethod


@dataclass(frozen=True, slots=True)
class PacketOptions:
    """How a packet is laid out.

    Attributes:
        page_size: "letter" (the default, for U.S. offices) or "a4".
        rows_per_sheet: signatures per sheet, 1 to 30 (10 by default; 20 makes thinner packets).
        include_comments: whether each row shows the signer's comment.
    """

    page_size: PageSize = "letter"
    rows_per_sheet: int = 10
    include_comments: bool = False

    def __post_init__(self) -> None:
        if self.page_size not in PAGE_SIZES:
            raise ValueError(f"page_size must be 'letter' or 'a4', not {self.page_size!r}")
        if not 1 <= self.rows_per_sheet <= MAX_ROWS_PER_SHEET:
            raise ValueError(f"rows_per_sheet must be 1 to {MAX_ROWS_PER_SHEET}")


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One signature as it appears on a delivery sheet.

    Attributes:
        printed_name: the signer's name as typed (first and last).
        city: the signer's city, may be empty.
        state: the two-letter state code, may be empty.
        zip: the ZIP code.
        signed_at: when the signature was given (timezone-aware).
        utc_offset_minutes: the kiosk's UTC offset at that moment, so the sheet prints the
            local date the signer saw.
        ink: the drawn signature (no strokes for a typed one).
        comment: the signer's comment (printed only if the packet's options say so).
        event_name: the event or place where the signature was collected, if known.
        method: drawn, typed, or typed and witnessed by a volunteer with the staff PIN.
        typed_name: a typed signature's name, printed in the signature box and marked
            "typed signature" (a row with a typed name is printed as typed whatever
            ``method`` says: a packet never presents a typed signature as drawn).
        language: the language the signer read the text in ("en" or "es"; "" when not
            known): the cover prints each wording signers put their names to.
    """

    printed_name: str
    city: str
    state: str
    zip: str
    signed_at: datetime
    utc_offset_minutes: int
    ink: Ink
    comment: str = ""
    event_name: str | None = None
    method: SignatureMethod = SignatureMethod.DRAWN
    typed_name: str = ""
    language: str = ""

    @property
    def typed(self) -> bool:
        """Whether the signature box shows a typed name instead of ink."""
        return self.method.typed or bool(self.typed_name)

    def __post_init__(self) -> None:
        if self.signed_at.tzinfo is None or self.signed_at.utcoffset() is None:
            raise ValueError("signed_at must be timezone-aware")
        if not -16 * 60 <= self.utc_offset_minutes <= 16 * 60:
            raise ValueError("utc_offset_minutes out of range")

    @property
    def local_date(self) -> date:
        """The date of signing where the kiosk stood."""
        return self.signed_at.astimezone(_zone(self.utc_offset_minutes)).date()


@functools.lru_cache(maxsize=128)
def _zone(offset_minutes: int) -> timezone:
    return timezone(timedelta(minutes=offset_minutes))


@dataclass(frozen=True, slots=True)
class PacketSection:
    """The signatures given under one text version, with that version's exact text.

    Attributes:
        version: the text version (target line, title, statement as signed).
        rows: the signatures, in the order they are printed.
    """

    version: TextVersion
    rows: tuple[SheetRow, ...]


@dataclass(frozen=True, slots=True)
class Packet:
    """A delivery packet: a cover page, then the sheets of each section in order.

    Attributes:
        organization: who collected the signatures and delivers them.
        title: the campaign's title.
        target: the target line, e.g. "To: Mayor Emily Larson".
        sections: one per text version the signatures were given under.
        events: the events and places where signatures were collected, as printed on the cover.
        language: the language of the labels and of the campaign texts ("en" or "es").
        options: page size, rows per sheet, comments.
        kind: a petition or a letter (only changes a label on the cover).
        note: an extra line on the cover, e.g. "Part 2 of 5" (the split helpers set it).
        first_number: the number printed on the first row (later parts of a split continue).
        marks: lines stamped across the top of every page, in red, and diagonally over it:
            "TEST DATA, not signatures" for synthetic signatures, "DEMO" for a demo kiosk's
            (:mod:`kiosk.demo`), so such a packet can never be delivered by mistake.
    """

    organization: str
    title: LocalizedText
    target: LocalizedText
    sections: tuple[PacketSection, ...]
    events: tuple[str, ...] = ()
    language: Lang = "en"
    options: PacketOptions = field(default_factory=PacketOptions)
    kind: CampaignKind = CampaignKind.PETITION
    note: str | None = None
    first_number: int = 1
    marks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.language not in ("en", "es"):
            raise ValueError(f"language must be 'en' or 'es', not {self.language!r}")
        if self.first_number < 1:
            raise ValueError("first_number must be at least 1")

    @property
    def signature_count(self) -> int:
        """The number of rows over all sections."""
        return sum(len(s.rows) for s in self.sections)

    def rows(self) -> list[SheetRow]:
        """Every row, section after section."""
        return [row for section in self.sections for row in section.rows]

    def date_range(self) -> tuple[date, date] | None:
        """The first and last local signing dates, or None for an empty packet."""
        return date_range(self.rows())


def date_range(rows: list[SheetRow] | tuple[SheetRow, ...]) -> tuple[date, date] | None:
    """Return the first and last local signing dates of ``rows``, or None if there are none.

    Args:
        rows: the rows.
    """
    dates = [row.local_date for row in rows]
    if not dates:
        return None
    return min(dates), max(dates)
