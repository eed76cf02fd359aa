"""The SQLite engine with the pragmas a signature store needs.

WAL + ``synchronous=FULL`` syncs the WAL at every commit, so a committed signature survives a
power cut. The pragmas are set with pysqlite's own transaction handling switched off and
SQLAlchemy emitting ``BEGIN`` itself (SQLAlchemy's documented recipe): otherwise
``journal_mode=WAL`` can fail inside an implicit transaction and ``foreign_keys`` silently stays
off (see FIELD-NOTES). ``read_pragmas`` lets a test check they took effect.

Writes begin with ``BEGIN IMMEDIATE``; reads with a deferred ``BEGIN`` (:data:`READ_OPTION`), so
a save's duplicate check never queues behind the sync thread's marking, nor holds it up.

The WAL is copied back into the database file by a :class:`Checkpointer` on a thread of its
own, a moment after each write, not by the save that happens to fill it: SQLite's automatic
checkpoint runs inside the commit that crosses its threshold, and on a large store it cost that
save about 5 ms more (every 70th or so). The automatic checkpoint stays on at a higher threshold
(``wal_autocheckpoint``), so the WAL stays bounded even if the thread falls behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

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

log = logging.getLogger("kiosk.store")


#: Execution option of connections that only read: their transactions start with a plain
#: (deferred) ``BEGIN``, a snapshot of the last commit that never waits for a writer nor holds
#: one up. Every other transaction starts with ``BEGIN IMMEDIATE`` (the write lock at once).
READ_OPTION = "kiosk_read_only"


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


_EXPECTED_CHECKPOINT_ERRORS = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
)


class Checkpointer:
    """Checkpoints a store's WAL (``PASSIVE``: it never waits for, nor blocks, a writer or a
    reader) on a daemon thread, ``delay_s`` after the last write transaction committed, and at
    least every ``max_wait_s`` while writes keep coming (a sync pass marking its batches).

    Started by the first write; :meth:`close` stops it (a checkpoint in progress finishes).
    A checkpoint that fails is logged (at ``INFO`` for a full disk or a busy file, which the
    saves themselves report or outlast; ``WARNING`` otherwise) and tried again after the next
    write; SQLite's automatic checkpoint remains as the bound.
    """

    def __init__(self, engine: Engine, delay_s: float = 0.5, max_wait_s: float = 5.0) -> None:
        self._engine = engine
        self._delay_s = delay_s
        self._max_wait_s = max_wait_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

        @event.listens_for(engine, "commit")
        def _on_commit(conn: Any) -> None:
            if not conn.get_execution_options().get(READ_OPTION):
                self.wrote()

    def wrote(self) -> None:
        """A write transaction committed: checkpoint a moment from now."""
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kiosk-store-checkpoint", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            deadline = time.monotonic() + self._max_wait_s
            while True:  # let a burst of writes finish first, up to max_wait_s
                self._wake.clear()
                if self._stop.wait(self._delay_s):
                    return
                if not self._wake.is_set() or time.monotonic() >= deadline:
                    break
            self.checkpoint()

    def checkpoint(self) -> None:
        """One ``PASSIVE`` checkpoint now, on this thread (a failure is logged)."""
        try:
            raw = self._engine.raw_connection()
            try:
                raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").close()
            finally:
                raw.close()
        except (sqlite3.Error, DBAPIError) as exc:
            # A full disk is the saves' to report (a save fails and says so); a busy file is
            # a reader or writer of its own. Both are expected here and retried: not warnings.
            err = exc.orig if isinstance(exc, DBAPIError) else exc
            code = getattr(err, "sqlite_errorcode", None)
            level = logging.INFO if code in _EXPECTED_CHECKPOINT_ERRORS else logging.WARNING
            log.log(level, "WAL checkpoint failed (tried again after the next write): %s", exc)

    def close(self) -> None:
        """Stop the thread (waiting for a checkpoint in progress to finish)."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join()


def read_pragmas(engine: Engine) -> dict[str, str]:
    """Read back the pragmas in force on a fresh connection."""
    out: dict[str, str] = {}
    with engine.connect() as conn:
        for name, _ in PRAGMAS:
            out[name] = str(conn.exec_driver_sql(f"PRAGMA {name}").scalar())
    return out
