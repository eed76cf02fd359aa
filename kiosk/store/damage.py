"""Telling a damaged store file from other failures, for a message a person can act on.

A ``kiosk.db`` truncated, overwritten or with flipped bytes makes SQLite answer
``SQLITE_CORRUPT`` ("database disk image is malformed") or ``SQLITE_NOTADB`` ("file is not a
database"), at open or at the first read of a damaged page. No import of SQLAlchemy here: the
command line and the app check any exception's chain.
"""

from __future__ import annotations

from typing import Final

#: SQLite's primary result codes for a damaged file.
_DAMAGE_CODES: Final = (11, 26)  # SQLITE_CORRUPT, SQLITE_NOTADB

STORE_DAMAGED: Final = (
    "the kiosk's store (kiosk.db in its data folder) is damaged and cannot be read ({detail}); "
    "nothing was changed or deleted. Stop the kiosk and its sync timer, copy the whole data "
    "folder somewhere safe before anything else, and ask for help recovering it: signatures "
    "the server acknowledged are safe there, the others are only in that file"
)


def store_damage(exc: BaseException) -> str | None:
    """SQLite's words if ``exc`` (or what caused it) says the store file is damaged, else None."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        code = getattr(cur, "sqlite_errorcode", None)
        if isinstance(code, int) and code & 0xFF in _DAMAGE_CODES:
            return str(cur.args[0]) if cur.args else type(cur).__name__
        cur = getattr(cur, "orig", None) or cur.__cause__ or cur.__context__
    return None


def store_damaged_message(exc: BaseException) -> str | None:
    """The worded message for a damaged store, or None if ``exc`` is something else."""
    detail = store_damage(exc)
    return None if detail is None else STORE_DAMAGED.format(detail=detail)
