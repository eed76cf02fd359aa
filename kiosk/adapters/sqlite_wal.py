"""Checkpointing a SQLite WAL on a thread of its own, shared by the kiosk's store and the
server's SQLite database.

SQLite's automatic checkpoint runs inside the commit that crosses its threshold, so the write
that happens to fill the WAL pays for copying it back into a file that grows with the data: on
the kiosk every 70th save or so cost about 5 ms more at 200,000 stored, and on the server every
third push of 500 signatures. A :class:`Checkpointer` checkpoints a moment after writes instead,
``PASSIVE`` (it never waits for, nor blocks, a writer or a reader); the engine keeps the
automatic checkpoint at a higher threshold (``PRAGMA wal_autocheckpoint``) as the bound on the
WAL if the thread falls behind.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import DBAPIError

log = logging.getLogger("kiosk.sqlite")

#: A full disk is for the writes themselves to report (the write fails and says so); a busy file
#: is a reader or writer of its own. Both are expected and retried: logged below WARNING.
_EXPECTED_CHECKPOINT_ERRORS = frozenset(
    {sqlite3.SQLITE_FULL, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED}
)


class Checkpointer:
    """Checkpoints an engine's WAL (``PASSIVE``) on a daemon thread, ``delay_s`` after the last
    write transaction committed, and at least every ``max_wait_s`` while writes keep coming.

    Started by the first write; :meth:`close` stops it (a checkpoint in progress finishes).
    A checkpoint that fails is logged (at ``INFO`` for a full disk or a busy file, which the
    writes themselves report or outlast; ``WARNING`` otherwise) and tried again after the next
    write; SQLite's automatic checkpoint remains as the bound.

    Args:
        engine: a SQLite engine in WAL mode.
        delay_s: quiet time after a write before checkpointing.
        max_wait_s: longest time between checkpoints while writes go on.
        is_write: tells a committing connection that wrote from one that only read (default:
            every commit counts as a write).
        thread_name: the thread's name (seen in a profiler or a thread dump).
    """

    def __init__(
        self,
        engine: Engine,
        delay_s: float = 0.5,
        max_wait_s: float = 5.0,
        is_write: Callable[[Any], bool] | None = None,
        thread_name: str = "sqlite-checkpoint",
    ) -> None:
        self._engine = engine
        self._thread_name = thread_name
        self._delay_s = delay_s
        self._max_wait_s = max_wait_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

        def _on_commit(conn: Any) -> None:
            if is_write is None or is_write(conn):
                self.wrote()

        self._listener = _on_commit
        event.listen(engine, "commit", _on_commit)

    def wrote(self) -> None:
        """A write transaction committed: checkpoint a moment from now."""
        with self._lock:
            if self._stop.is_set():
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name=self._thread_name, daemon=True
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
            err = exc.orig if isinstance(exc, DBAPIError) else exc
            code = getattr(err, "sqlite_errorcode", None)
            level = logging.INFO if code in _EXPECTED_CHECKPOINT_ERRORS else logging.WARNING
            log.log(level, "WAL checkpoint failed (tried again after the next write): %s", exc)

    def close(self) -> None:
        """Stop the thread (waiting for a checkpoint in progress to finish) and stop listening
        to the engine's commits."""
        with self._lock:
            self._stop.set()
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join()
        if event.contains(self._engine, "commit", self._listener):
            event.remove(self._engine, "commit", self._listener)
