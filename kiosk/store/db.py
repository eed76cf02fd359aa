"""The SQLite engine with the pragmas a signature store needs.

WAL + ``synchronous=FULL`` syncs the WAL at every commit, so a committed signature survives a
power cut. The pragmas are set with pysqlite's own transaction handling switched off and
SQLAlchemy emitting ``BEGIN`` itself (SQLAlchemy's documented recipe): otherwise
``journal_mode=WAL`` can fail inside an implicit transaction and ``foreign_keys`` silently stays
off (see FIELD-NOTES). ``read_pragmas`` lets a test check they took effect.

Writes begin with ``BEGIN IMMEDIATE``; reads with a deferred ``BEGIN`` (:data:`READ_OPTION`), so
a save's duplicate check never queues behind the sync thread's marking, nor holds it up.

The WAL is copied back into the database file by a
:class:`~kiosk.adapters.sqlite_wal.Checkpointer` on a thread of its own, a moment after each
write, not by the save that happens to fill it (:func:`checkpointer`); the automatic checkpoint
stays on at a higher threshold (``wal_autocheckpoint``), so the WAL stays bounded even if the
thread falls behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event

from kiosk.adapters.sqlite_wal import Checkpointer

PRAGMAS = (
    ("journal_mode", "WAL"),
    ("synchronous", "FULL"),
    ("foreign_keys", "ON"),
    ("busy_timeout", "10000"),
    ("secure_delete", "ON"),
    # The Checkpointer checkpoints after writes; SQLite's own, in the committing save, only
    # when the WAL has grown past this many pages (about 40 MB) without it.
    ("wal_autocheckpoint", "10000"),
)

#: Execution option of connections that only read: their transactions start with a plain
#: (deferred) ``BEGIN``, a snapshot of the last commit that never waits for a writer nor holds
#: one up. Every other transaction starts with ``BEGIN IMMEDIATE`` (the write lock at once).
READ_OPTION = "kiosk_read_only"


def _text(raw: bytes) -> str:
    """A stored text as read back: UTF-8, with any bytes that are not (a damaged or altered
    file) read as U+FFFD, so one bad byte shows as one replacement character where it is
    instead of failing every read that meets the row (the signature's sync, the exports)."""
    return raw.decode("utf-8", "replace")


def make_engine(path: Path | str) -> Engine:
    """Create the engine for a store file, with WAL, synchronous=FULL and foreign keys.

    Transactions take the write lock as they begin (``BEGIN IMMEDIATE``), except on
    connections with the :data:`READ_OPTION` execution option (``engine.execution_options(
    **{READ_OPTION: True})``), which read a snapshot without it.
    """
    engine = create_engine(f"sqlite:///{path}", pool_pre_ping=False)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN (see below)
        dbapi_conn.text_factory = _text
        cur = dbapi_conn.cursor()
        for name, value in PRAGMAS:
            cur.execute(f"PRAGMA {name}={value}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_OPTION):
            conn.exec_driver_sql("BEGIN")  # a snapshot; takes no write lock
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def checkpointer(engine: Engine) -> Checkpointer:
    """The store's background checkpoints: after writes, not after reads (:data:`READ_OPTION`)."""
    return Checkpointer(
        engine,
        is_write=lambda conn: not conn.get_execution_options().get(READ_OPTION),
        thread_name="kiosk-store-checkpoint",
    )


def read_pragmas(engine: Engine) -> dict[str, str]:
    """Read back the pragmas in force on a fresh connection."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for name, _ in PRAGMAS:
            out[name] = str(conn.exec_driver_sql(f"PRAGMA {name}").scalar())
    return out
