"""Devices' audit trails on the server: stored as pushed, checked on demand.

Each kiosk keeps a hash-chained trail of staff actions (:mod:`kiosk.domain.audit`) and pushes it
with its signatures. The server stores each entry once per (device, seq): the same entry again
is a ``duplicate``; the same seq with another hash is a ``conflict`` (the first one stays, the
other is kept in ``audit_conflicts`` for review). ``kiosk-server audit verify`` checks each
device's chain with :func:`kiosk.domain.audit.verify_chain`, so an entry altered, removed or
reordered on the kiosk (or in the database) is found.

The server keeps a trail of its own in ``server_audit``, chained the same way (``kiosk_id``
``"server"``): every export of signatures (HTTP or command line, who asked, what, how many),
and coordinators and devices added or revoked. Never any signer's personal data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select, text

from kiosk.domain.audit import GENESIS, AuditEntry, ChainReport, entry_hash, verify_chain
from kiosk.server.db import dialect_insert
from kiosk.server.models import AuditConflict, AuditEntryRecord, ServerAuditRecord
from kiosk.wire import AuditResult, WireAuditEntry

AUDIT: Table = AuditEntryRecord.__table__  # type: ignore[assignment]
AUDIT_CONFLICTS: Table = AuditConflict.__table__  # type: ignore[assignment]
SERVER_AUDIT: Table = ServerAuditRecord.__table__  # type: ignore[assignment]

#: The ``kiosk_id`` of the server's own entries in the hash.
SERVER_ID = "server"


def store_entries(
    conn: Connection, device_id: str, entries: list[WireAuditEntry], now: datetime
) -> list[AuditResult]:
    """Store pushed audit entries idempotently; one result per entry, in request order.

    Args:
        conn: a connection inside the push's write transaction.
        device_id: the authenticated device.
        entries: the validated entries.
        now: the time of receipt (aware).
    """
    if not entries:
        return []
    first: dict[int, int] = {}
    rows: list[dict[str, Any]] = []
    for i, e in enumerate(entries):
        if e.seq in first:
            continue
        first[e.seq] = i
        rows.append(
            {
                "device_id": device_id,
                "seq": e.seq,
                "at_ms": e.at_ms,
                "kiosk_id": e.kiosk_id,
                "action": e.action,
                "detail": dict(e.detail),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "received_at": now,
            }
        )
    rows.sort(key=lambda r: r["seq"])
    insert = (
        dialect_insert(conn, AUDIT)
        .on_conflict_do_nothing(index_elements=["device_id", "seq"])
        .returning(AUDIT.c.seq)
    )
    # SQLAlchemy's multi-row form (not db.insert_new_returning): it binds the JSON column.
    created = set(conn.execute(insert, rows).scalars().all())
    stored: dict[int, str] = {}
    others = [s for s in first if s not in created]
    for start in range(0, len(others), 500):
        chunk = others[start : start + 500]
        for seq, h in conn.execute(
            select(AUDIT.c.seq, AUDIT.c.hash).where(
                AUDIT.c.device_id == device_id, AUDIT.c.seq.in_(chunk)
            )
        ):
            stored[seq] = h
    results: list[AuditResult] = []
    conflicts: list[dict[str, Any]] = []
    for i, e in enumerate(entries):
        if e.seq in created and first[e.seq] == i:
            status = "created"
        elif (stored.get(e.seq) or entries[first[e.seq]].hash) == e.hash:
            status = "duplicate"
        else:
            status = "conflict"
            conflicts.append(
                {
                    "device_id": device_id,
                    "seq": e.seq,
                    "hash": e.hash,
                    "payload": e.model_dump_json(),
                    "received_at": now,
                }
            )
        results.append(AuditResult(seq=e.seq, status=status))  # type: ignore[arg-type]
    if conflicts:
        stmt = dialect_insert(conn, AUDIT_CONFLICTS).on_conflict_do_nothing(
            index_elements=["device_id", "seq", "hash"]
        )
        conn.execute(stmt, conflicts)
    return results


def entries_of(conn: Connection, device_id: str) -> list[AuditEntry]:
    """A device's stored trail, in sequence order.

    Args:
        conn: a connection.
        device_id: the device.
    """
    a = AUDIT.c
    rows = conn.execute(
        select(a.seq, a.at_ms, a.kiosk_id, a.action, a.detail, a.prev_hash, a.hash)
        .where(a.device_id == device_id)
        .order_by(a.seq)
    )
    return [
        AuditEntry(r.seq, r.at_ms, r.kiosk_id, r.action, dict(r.detail), r.prev_hash, r.hash)
        for r in rows
    ]


def verify_device(conn: Connection, device_id: str) -> tuple[ChainReport, int]:
    """Check a device's chain; also return how many conflicting entries are kept for review.

    Args:
        conn: a connection.
        device_id: the device.
    """
    report = verify_chain(entries_of(conn, device_id))
    conflicts = conn.execute(
        select(AUDIT_CONFLICTS.c.id).where(AUDIT_CONFLICTS.c.device_id == device_id)
    ).all()
    return report, len(conflicts)


def record_server(
    conn: Connection, action: str, detail: dict[str, Any], now: datetime
) -> AuditEntry:
    """Append an entry to the server's own trail.

    Args:
        conn: a connection inside a write transaction (``write_transaction``); the entry is
            committed with whatever else the transaction does.
        action: what happened (``export_csv``, ``export_pdf``, ``coordinator_added``...).
        detail: JSON-safe facts about it (who asked, the campaign, counts), never personal data.
        now: when (aware).
    """
    if conn.dialect.name == "postgresql":
        # One appender at a time (SQLite's BEGIN IMMEDIATE already serialises writers).
        conn.execute(text("LOCK TABLE server_audit IN SHARE ROW EXCLUSIVE MODE"))
    s = SERVER_AUDIT.c
    last = conn.execute(select(s.seq, s.hash).order_by(s.seq.desc()).limit(1)).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    at_ms = int(now.timestamp() * 1000)
    h = entry_hash(prev, seq, at_ms, SERVER_ID, action, detail)
    conn.execute(
        SERVER_AUDIT.insert().values(
            seq=seq, at_ms=at_ms, action=action, detail=detail, prev_hash=prev, hash=h
        )
    )
    return AuditEntry(seq, at_ms, SERVER_ID, action, detail, prev, h)


def server_entries(conn: Connection, limit: int | None = None) -> list[AuditEntry]:
    """The server's own trail in sequence order (the last ``limit`` entries if given).

    Args:
        conn: a connection.
        limit: at most this many, the newest.
    """
    s = SERVER_AUDIT.c
    query = select(s.seq, s.at_ms, s.action, s.detail, s.prev_hash, s.hash)
    if limit is not None:
        query = query.order_by(s.seq.desc()).limit(limit)
    else:
        query = query.order_by(s.seq)
    rows = [
        AuditEntry(r.seq, r.at_ms, SERVER_ID, r.action, dict(r.detail), r.prev_hash, r.hash)
        for r in conn.execute(query)
    ]
    return sorted(rows, key=lambda e: e.seq)


def verify_server(conn: Connection) -> ChainReport:
    """Check the server's own trail.

    Args:
        conn: a connection.
    """
    return verify_chain(server_entries(conn))
