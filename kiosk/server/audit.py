"""Devices' audit trails on the server: stored as pushed, checked on demand.

Each kiosk keeps a hash-chained trail of staff actions (:mod:`kiosk.domain.audit`) and pushes it
with its signatures. The server stores each entry once per (device, seq): the same entry again
is a ``duplicate``; the same seq with another hash is a ``conflict`` (the first one stays, the
other is kept in ``audit_conflicts`` for review). ``kiosk-server audit verify`` checks each
device's chain with :func:`kiosk.domain.audit.verify_chain`, so an entry altered, removed or
reordered on the kiosk (or in the database) is found.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, select

from kiosk.domain.audit import AuditEntry, ChainReport, verify_chain
from kiosk.server.db import dialect_insert
from kiosk.server.models import AuditConflict, AuditEntryRecord
from kiosk.wire import AuditResult, WireAuditEntry

AUDIT: Table = AuditEntryRecord.__table__  # type: ignore[assignment]
AUDIT_CONFLICTS: Table = AuditConflict.__table__  # type: ignore[assignment]


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
