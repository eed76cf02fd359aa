"""SQLite specifics: pragmas in force, migrations match the models, a reopened file keeps data."""

from __future__ import annotations

from pathlib import Path

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
    import pytest
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
