"""The kiosk's durable local store: SQLite (WAL, synchronous=FULL) through SQLAlchemy 2.

``open_store(path)`` migrates the database with Alembic and returns a ``SqlStore`` that
implements the domain's ``SignatureRepository`` and ``SettingsStore``.
"""

from kiosk.store.sql import SqlStore, open_store

__all__ = ["SqlStore", "open_store"]
