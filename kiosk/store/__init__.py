"""The kiosk's durable local store: SQLite (WAL, synchronous=FULL) through SQLAlchemy 2.

``open_store(path)`` migrates the database with Alembic and returns a ``SqlStore`` that
implements the domain's ``SignatureRepository`` and ``SettingsStore``. They are imported on
first use, so that :mod:`kiosk.store.peek` (read-only counts for quick commands) does not load
SQLAlchemy.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SqlStore", "open_store"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kiosk.store import sql

        return getattr(sql, name)
    raise AttributeError(name)
