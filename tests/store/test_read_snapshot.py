"""Reads on the SQLite store are snapshots that take no write lock; writes still take it at once.

Before, every transaction began with ``BEGIN IMMEDIATE``, reads included: a save's duplicate
check queued behind any writer (the sync thread marking a batch), and held writers up in turn.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event

from kiosk.domain.service import SigningService
from kiosk.domain.signature import SyncState
from kiosk.store.sql import open_store
from tests.helpers import entry, ink
from tests.store.test_contract import make_service


def _service(store: Any) -> SigningService:
    return make_service(store)


def test_reads_answer_while_another_connection_holds_the_write_lock(tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk.db")
    try:
        service = _service(store)
        meta = service.submit("mini-test", None, entry(), ink(), "en", "consent")
        store.set_setting("greeting", "hola")
        other = sqlite3.connect(tmp_path / "kiosk.db", isolation_level=None)
        other.execute("PRAGMA busy_timeout=0")
        other.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
        try:
            # Each of these waited for the lock (up to 10 s, then "database is locked").
            assert service.already_signed("mini-test", service.validate_form("mini-test", entry()))
            assert store.get_setting("greeting") == "hola"
            stored = store.get(meta.id)
            assert stored is not None and stored.sync_state is SyncState.PENDING
            assert [r[1] for r in store.pending_rows(0, 10)] == [str(meta.id)]
            assert store.pending_count() == 1
        finally:
            other.execute("ROLLBACK")
    finally:
        store.close()


def test_writes_begin_immediate_and_reads_deferred(tmp_path: Path) -> None:
    store = open_store(tmp_path / "kiosk.db")
    seen: list[str] = []

    def trace(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", trace)
    try:
        service = _service(store)
        service.submit("mini-test", None, entry(), ink(), "en", "consent")
        # The save: a deferred BEGIN for the duplicate check, BEGIN IMMEDIATE for the write.
        assert seen == ["BEGIN", "BEGIN IMMEDIATE"]
        seen.clear()
        store.set_setting("a", "b")
        assert store.get_setting("a") == "b"
        assert seen == ["BEGIN IMMEDIATE", "BEGIN"]
    finally:
        store.close()
