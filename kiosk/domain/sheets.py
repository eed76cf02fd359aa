"""How a delivery packet's signature sheets may be laid out: the choices every export offers
(the kiosk's Exports screen and command line, the server's command line and console)."""

from __future__ import annotations

from typing import Literal

PageSize = Literal["letter", "a4"]
#: The paper sizes, U.S. Letter first (the default).
PAGE_SIZES: tuple[PageSize, ...] = ("letter", "a4")
#: The most rows a sheet can hold and stay legible.
MAX_ROWS_PER_SHEET = 30
#: The signatures per sheet offered to choose from.
ROWS_PER_SHEET_CHOICES = (10, 15, 20, 30)
