"""Read-only answers from the kiosk's store with nothing but :mod:`sqlite3`.

The counts that ``kiosk status`` prints, and the settings it reads, come from these functions:
the quick commands open the file read-only here, without SQLAlchemy, migrations or the sync
engine (a status on 200,000 signatures spends its time counting, not importing), and
:class:`kiosk.store.sql.SqlStore` answers ``counts()`` and ``pending_count()`` with the same
statements on its own connection, so there is one definition of each count.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from kiosk.domain.counts import Counts

# The counts come from the running counts (``signature_tally``, kept by triggers: migration
# 0006), a few rows whatever the store holds; counting the signatures themselves took 50 ms on
# 200,000 stored. A local campaign or an event that is none is "" there.
_BY_LOCAL = (
    "SELECT campaign, local_campaign, sum(n) FROM signature_tally WHERE voided = 0 "
    "GROUP BY campaign, local_campaign HAVING sum(n) > 0"
)
_BY_EVENT = (
    "SELECT event_id, sum(n) FROM signature_tally WHERE voided = 0 "
    "GROUP BY event_id HAVING sum(n) > 0"
)
_VOIDED = "SELECT coalesce(sum(n), 0) FROM signature_tally WHERE voided = 1"
_STORED = "SELECT coalesce(sum(n), 0) FROM signature_tally"
# Every sync state but "synced" is counted from the (sync_state, seq) index: those are the
# few (waiting, refused, damaged); the synced ones, most of a busy kiosk's store, are the rest.
_SYNCED = "synced"
_BY_SYNC = (
    f"SELECT sync_state, count(*) FROM signatures WHERE sync_state < '{_SYNCED}' "
    f"GROUP BY sync_state UNION ALL SELECT sync_state, count(*) FROM signatures "
    f"WHERE sync_state > '{_SYNCED}' GROUP BY sync_state"
)
_PENDING = (
    "SELECT (SELECT count(*) FROM signatures WHERE sync_state = 'pending')"
    " + (SELECT count(*) FROM voids WHERE sync_state = 'pending')"
)


def read_counts(conn: Any) -> Counts:
    """Counts of non-void signatures by campaign, local campaign, event and sync state.

    Args:
        conn: a DB-API connection to the store (:mod:`sqlite3`).
    """
    by_campaign: dict[str, int] = {}
    by_local: dict[str, int] = {}
    for camp, loc, n in conn.execute(_BY_LOCAL).fetchall():
        by_campaign[camp] = by_campaign.get(camp, 0) + n
        if loc:
            by_local[f"{camp}/{loc}"] = n
    by_event = {(e or ""): n for e, n in conn.execute(_BY_EVENT).fetchall()}
    by_sync = dict(conn.execute(_BY_SYNC).fetchall())
    synced = int(conn.execute(_STORED).fetchone()[0]) - sum(by_sync.values())
    if synced > 0:
        by_sync[_SYNCED] = synced
    voided = int(conn.execute(_VOIDED).fetchone()[0])
    return Counts(
        total=sum(by_campaign.values()),
        voided=voided,
        by_campaign=by_campaign,
        by_local=by_local,
        by_event=by_event,
        by_sync_state=by_sync,
    )


def read_pending_count(conn: Any) -> int:
    """How many signatures and voids wait for the server."""
    return int(conn.execute(_PENDING).fetchone()[0])


class EventNames(NamedTuple):
    """An event's names, with the fields of :class:`kiosk.domain.signature.Event` (whose
    module brings numpy with the ink: a quick command does without; ``started_at`` as
    :func:`kiosk.domain.metadata.from_ms` makes it)."""

    id: str
    name: str
    location: str
    started_at: datetime


class StoreReader:
    """The store file opened read-only: settings, counts and the outbox size.

    Raises :class:`sqlite3.Error` when the file cannot be read as a store (missing, another
    schema); callers fall back to opening the kiosk.
    """

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise sqlite3.OperationalError(f"no store at {path}")
        self._conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        self._conn.execute("PRAGMA busy_timeout=10000")

    def get_setting(self, key: str) -> str | None:
        """Return a setting, or None."""
        row = self._conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def counts(self) -> Counts:
        """See :func:`read_counts`."""
        return read_counts(self._conn)

    def pending_count(self) -> int:
        """See :func:`read_pending_count`."""
        return read_pending_count(self._conn)

    def events(self) -> list[EventNames]:
        """All events, newest first (as :meth:`kiosk.store.sql.SqlStore.events`)."""
        rows = self._conn.execute(
            "SELECT id, name, location, started_ms FROM events ORDER BY started_ms DESC"
        ).fetchall()
        return [
            EventNames(i, name, location, datetime.fromtimestamp(ms / 1000, UTC))
            for i, name, location, ms in rows
        ]

    def quick_check(self, limit: int = 20) -> list[str]:
        """SQLite's ``quick_check``: every page of the file read and its structure checked
        (not the values), read-only. Empty when the file is sound; else the first ``limit``
        problems SQLite found, in its words."""
        rows = [str(r[0]) for r in self._conn.execute(f"PRAGMA quick_check({int(limit)})")]
        return [] if rows == ["ok"] else rows

    def close(self) -> None:
        """Close the file."""
        self._conn.close()
