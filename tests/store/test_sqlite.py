"""SQLite specifics: pragmas in force, migrations match the models, a reopened file keeps data."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kiosk.store.db import read_pragmas
from kiosk.store.migrate import current_revision, head_revision
from kiosk.store.models import Base
from kiosk.store.sql import open_store


def test_pragmas_take_effect(tmp_path: Path) -> None:
    store = open_store(tmp_path / "k.db")
    try:
        assert read_pragmas(store.engine) == {
            "journal_mode": "wal",
            "synchronous": "2",  # FULL
            "foreign_keys": "1",
            "busy_timeout": "10000",
            "secure_delete": "1",
            "wal_autocheckpoint": "10000",
        }
    finally:
        store.close()


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    store = open_store(tmp_path / "k.db")
    try:
        assert current_revision(store.engine) == head_revision()
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == []
    finally:
        store.close()


def test_reopen_is_idempotent_and_keeps_settings(tmp_path: Path) -> None:
    store = open_store(tmp_path / "k.db")
    store.set_setting("kiosk_id", "abc")
    store.close()
    again = open_store(tmp_path / "k.db")
    try:
        assert again.get_setting("kiosk_id") == "abc"
    finally:
        again.close()


def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    from sqlalchemy.exc import IntegrityError

    store = open_store(tmp_path / "k.db")
    try:
        with pytest.raises(IntegrityError), store.engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO voids (signature_id, reason, voided_ms, kiosk_id, sync_state) "
                "VALUES ('no-such-signature', 'x', 0, 'k', 'pending')"
            )
    finally:
        store.close()


def test_the_fast_start_knows_the_newest_migration(tmp_path: Path) -> None:
    """``upgrade`` skips Alembic when the file is at ``HEAD``: ``HEAD`` must be the real head,
    or a new migration would never run on kiosks that are already set up."""
    import subprocess
    import sys

    from kiosk.store.migrate import HEAD

    assert head_revision() == HEAD
    open_store(tmp_path / "k.db").close()
    probe = (
        "import sys; from kiosk.store.sql import open_store; "
        f"open_store({str(tmp_path / 'k.db')!r}).close(); "
        "print('alembic' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # an up-to-date store opens without importing Alembic


def test_the_wal_is_checkpointed_on_a_thread_of_its_own_after_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write is followed, a moment later, by a checkpoint on the store's own thread (not in
    the committing save); reads checkpoint nothing; closing the store stops the thread."""
    import sqlite3
    import threading
    import time

    from tests.helpers import checkpoint_threads

    store = open_store(tmp_path / "k.db")
    ran_on = checkpoint_threads(monkeypatch)
    try:
        time.sleep(1.5)  # the migration's own write is checkpointed
        ran_on.clear()
        store.counts()
        store.get_setting("language")
        time.sleep(1.5)
        assert ran_on == []  # reads alone: no checkpoint
        for i in range(5):
            store.set_setting(f"k{i}", "v")  # a burst of writes
        deadline = time.monotonic() + 20
        while not ran_on and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ran_on == ["kiosk-store-checkpoint"]  # once for the burst, on its thread
        # Everything in the WAL is in the database file now: a checkpoint has nothing to copy.
        with sqlite3.connect(tmp_path / "k.db") as conn:
            busy, frames, done = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        assert busy == 0 and frames == done
    finally:
        store.close()
    assert not any(t.name == "kiosk-store-checkpoint" for t in threading.enumerate())


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("SQLITE_FULL", "INFO"),  # the save that hit the full disk says so, once
        ("SQLITE_BUSY", "INFO"),
        ("SQLITE_IOERR", "WARNING"),
    ],
)
def test_a_failed_checkpoint_is_a_warning_only_when_it_is_unexpected(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    code: str,
    level: str,
) -> None:
    """A full disk must not print a second line beside the CLI's one "the disk is full" error
    (issue #11 item 9): the checkpointer logs it, and a busy file, below WARNING."""
    import logging
    import sqlite3

    from kiosk.adapters.sqlite_wal import Checkpointer
    from kiosk.store.db import make_engine

    engine = make_engine(tmp_path / "k.db")
    try:
        error = sqlite3.OperationalError("simulated")
        error.sqlite_errorcode = getattr(sqlite3, code)

        def fail() -> None:
            raise error

        monkeypatch.setattr(engine, "raw_connection", fail)
        with caplog.at_level(logging.DEBUG, logger="kiosk.sqlite"):
            Checkpointer(engine).checkpoint()
        records = [r for r in caplog.records if "WAL checkpoint failed" in r.getMessage()]
        assert [r.levelname for r in records] == [level]
    finally:
        engine.dispose()


def test_a_row_that_cannot_be_read_back_is_none_by_id_and_cannot_be_voided(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A signature whose stored time was altered (the file damaged, or edited) is ``None`` by
    id, as for every other read, logged by its ``seq`` and never its values; voiding it says it
    is not there instead of failing with a traceback."""
    import sqlite3

    from kiosk.domain.errors import NotFound
    from tests.store.test_contract import _submit, make_service

    store = open_store(tmp_path / "kiosk.db")
    try:
        service = make_service(store)
        kept, altered = (
            _submit(service).id,
            _submit(service, first_name="Ana", email="ana@example.org").id,
        )
        db = sqlite3.connect(tmp_path / "kiosk.db")
        with db:
            db.execute("UPDATE signatures SET created_ms = 'soon' WHERE id = ?", (str(altered),))
        db.close()
        with caplog.at_level("ERROR", logger="kiosk.store"):
            assert store.get(altered) is None
        assert "cannot be read back" in caplog.text and "soon" not in caplog.text
        assert store.get(kept) is not None
        with pytest.raises(NotFound):
            service.void(altered, "a test")
    finally:
        store.close()
