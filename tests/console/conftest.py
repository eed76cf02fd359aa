"""The server tests' database fixtures (SQLite and PostgreSQL, a migrated database per test)
for the console's tests that need no browser."""

from __future__ import annotations

from tests.server.conftest import (  # noqa: F401 - fixtures, found by name
    api,
    client,
    db_url,
    engine,
    pg_database,
    server,
    settings,
    sqlite_migrated,
)
