"""Run the Alembic migrations programmatically (``kiosk-server migrate`` and ``serve``).

On PostgreSQL the upgrade holds a transaction-level advisory lock, so several server processes
starting together migrate one after the other; on SQLite the write lock does the same.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from kiosk.server import log

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x6B696F736B  # "kiosk"


def alembic_config() -> Config:
    """An Alembic configuration pointing at the server's migrations (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision the code knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database.

    Args:
        engine: the server's engine.
    """
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database up to ``revision``.

    Args:
        engine: the server's engine.
        revision: target revision (``head`` by default).

    Returns:
        The revisions before and after.
    """
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        before = MigrationContext.configure(conn).get_current_revision()
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        after = MigrationContext.configure(conn).get_current_revision()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)
    return before, after


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database down to ``revision`` (``base`` empties it). For tests and repairs.

    Args:
        engine: the server's engine.
        revision: target revision.
    """
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
