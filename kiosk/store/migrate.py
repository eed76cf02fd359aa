"""Alembic migrations of the kiosk store, run programmatically (no alembic.ini needed).

Start-up matters on a tablet: when the database is already at :data:`HEAD`, :func:`upgrade`
checks that with one query and never imports Alembic (about 0.2 s of a cold start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")

#: The newest revision in ``migrations/versions`` (a test checks it is Alembic's head).
HEAD = "0007"


def alembic_config() -> Config:
    """An Alembic config pointing at the store's migration scripts."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _recorded_revision(engine: Engine) -> str | None:
    """The revision in ``alembic_version``, without Alembic (None: no such table or row)."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except OperationalError:
        return None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the store's database to ``revision`` (by default the newest)."""
    if revision == "head" and _recorded_revision(engine) == HEAD:
        return
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    """The newest revision the code knows."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
