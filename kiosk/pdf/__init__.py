"""PDF signature packets: a cover and numbered signature sheets for a decision-maker.

Pure functions, data in and PDF bytes out, with reportlab; no Qt, no database. Build a
:class:`Packet` (see :mod:`kiosk.pdf.model`), split it if needed (:mod:`kiosk.pdf.split`), and
call :func:`render_packet`. See ``docs/pdf.md``.
"""

from kiosk.pdf.model import (
    MAX_ROWS_PER_SHEET,
    Packet,
    PacketOptions,
    PacketSection,
    PageSize,
    SheetRow,
)
from kiosk.pdf.render import page_count, render_packet
from kiosk.pdf.split import chunk, rows_by_state, split_by_state, split_every

__all__ = [
    "MAX_ROWS_PER_SHEET",
    "Packet",
    "PacketOptions",
    "PacketSection",
    "PageSize",
    "SheetRow",
    "chunk",
    "page_count",
    "render_packet",
    "rows_by_state",
    "split_by_state",
    "split_every",
]
