"""Devices' audit trails on the server: stored as pushed, checked on demand.

Each kiosk keeps a hash-chained trail of staff actions (:mod:`kiosk.domain.audit`) and pushes it
with its signatures. The server stores each entry once per (device, seq): the same entry again
is a ``duplicate``; the same seq with another hash is a ``conflict`` (the first one stays, the
other is kept in ``audit_conflicts`` for review). ``kiosk-server audit verify`` checks each
device's chain with :func:`kiosk.domain.audit.verify_chain`, so an entry altered, removed or
reordered on the kiosk (or in the database) is found.

Keyed and anchored (docs/threat-model.md, item 3): a kiosk registers the public half of its
Ed25519 audit key with its first audit push (``audit_key``; trust on first use, written to the
server's trail) and signs every entry's hash. The server then advances the device's **anchor**
(``devices.audit_head_seq`` / ``audit_head_hash``) over every entry that links and carries a good
signature, and answers it (``audit_head``) so the kiosk keeps it too. ``audit verify`` checks a
device's stored chain, every signature against the registered key (the server holds no private
key, so its copy cannot be rewritten and re-signed from the database), and that the chain
reaches its anchor with the anchor's hash (entries deleted at the end are found).

The server keeps a trail of its own in ``server_audit``, chained the same way (``kiosk_id``
``"server"``): every export of signatures (HTTP or command line, who asked, what, how many),
and coordinators and devices added or revoked. Never any signer's personal data.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, func, select, text

from kiosk.adapters.crypto import verify_audit_signature
from kiosk.domain.audit import (
    GENESIS,
    AuditAnchor,
    AuditEntry,
    ChainReport,
    entry_hash,
    verify_chain,
)
from kiosk.server import log
from kiosk.server.db import dialect_insert
from kiosk.server.models import AuditConflict, AuditEntryRecord, Device, ServerAuditRecord, table_of
from kiosk.wire import AuditHead, AuditResult, WireAuditEntry

AUDIT = table_of(AuditEntryRecord)
AUDIT_CONFLICTS = table_of(AuditConflict)
SERVER_AUDIT = table_of(ServerAuditRecord)
DEVICES = table_of(Device)

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
                "sig": e.sig,
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


def register_key(conn: Connection, device_id: str, key: str, now: datetime) -> None:
    """Register a device's audit public key the first time it sends one.

    A different key later is not taken (the first stays; the attempt is logged and audited):
    replacing it would let whoever holds the token re-sign a rewritten trail.

    Args:
        conn: the push's write transaction.
        device_id: the authenticated device.
        key: the public key (base64 of 32 bytes, checked by the wire schema).
        now: when (aware).
    """
    d = DEVICES.c
    current = conn.execute(select(d.audit_public_key).where(d.id == device_id)).scalar_one_or_none()
    if current == key:
        return
    if current is None:
        # The server's trail before the device's row, the order every push takes them in (a
        # refused foreign record is audited before the push marks its device seen): the other
        # order deadlocked with such a push of the same device.
        lock_server_trail(conn)
        # Entries stored before (an older kiosk's, unsigned) are anchored as they stand.
        head = advance_head(conn, device_id)
        signed_from = (head.seq if head else 0) + 1
        conn.execute(
            DEVICES.update()
            .where(d.id == device_id)
            .values(audit_public_key=key, audit_signed_from=signed_from)
        )
        record_server(
            conn,
            "device_audit_key_registered",
            {"device": device_id, "signed_from": signed_from},
            now,
        )
        return
    log.warning("device %s sent another audit key; the registered one stays", device_id)
    record_device_refusal(conn, "device_audit_key_refused", device_id, {"device": device_id}, now)


def _sig_ok(key: str | None, signed_from: int | None, entry: AuditEntry) -> bool:
    if key is None or entry.seq < (signed_from or 1):
        return True
    return verify_audit_signature(key, entry.hash, entry.sig)


def advance_head(conn: Connection, device_id: str) -> AuditHead | None:
    """Move the device's anchor over the stored entries that link to it (and, once it has a
    key, are signed by it); return the anchor.

    Args:
        conn: the push's write transaction.
        device_id: the device.
    """
    d = DEVICES.c
    dev = _audit_state(conn, device_id)
    seq, prev = dev.audit_head_seq or 0, dev.audit_head_hash or GENESIS
    start = seq
    for e in _paged_entries(conn, device_id, after_seq=seq, page=1000):
        linked = e.seq == seq + 1 and e.prev_hash == prev
        if (
            not linked
            or not _sig_ok(dev.audit_public_key, dev.audit_signed_from, e)
            or (entry_hash(e.prev_hash, e.seq, e.at_ms, e.kiosk_id, e.action, e.detail) != e.hash)
        ):
            break
        seq, prev = e.seq, e.hash
    if seq != start:
        conn.execute(
            DEVICES.update()
            .where(d.id == device_id)
            .values(audit_head_seq=seq, audit_head_hash=prev)
        )
    return AuditHead(seq=seq, hash=prev) if seq else None


def entries_of(
    conn: Connection, device_id: str, after_seq: int = 0, limit: int | None = None
) -> list[AuditEntry]:
    """A device's stored trail, in sequence order.

    Args:
        conn: a connection.
        device_id: the device.
        after_seq: only entries after this one.
        limit: at most this many.
    """
    a = AUDIT.c
    query = (
        select(a.seq, a.at_ms, a.kiosk_id, a.action, a.detail, a.prev_hash, a.hash, a.sig)
        .where(a.device_id == device_id, a.seq > after_seq)
        .order_by(a.seq)
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditEntry(r.seq, r.at_ms, r.kiosk_id, r.action, dict(r.detail), r.prev_hash, r.hash, r.sig)
        for r in conn.execute(query)
    ]


def _paged(
    read: Callable[[int, int], list[AuditEntry]], after_seq: int, page: int
) -> Iterator[AuditEntry]:
    """A trail after ``after_seq``, read ``page`` entries at a time by ``read(after, limit)``
    (a trail of hundreds of thousands is never held in memory at once, and a reader that stops
    early reads no further)."""
    while True:
        batch = read(after_seq, page)
        yield from batch
        if len(batch) < page:
            return
        after_seq = batch[-1].seq


def _paged_entries(
    conn: Connection, device_id: str, after_seq: int = 0, page: int = 5000
) -> Iterator[AuditEntry]:
    """A device's stored trail after ``after_seq``, ``page`` entries at a time."""
    return _paged(
        lambda after, n: entries_of(conn, device_id, after_seq=after, limit=n), after_seq, page
    )


def _audit_state(conn: Connection, device_id: str) -> Any:
    """The device's audit key (and from which entry it signs) and its anchor."""
    d = DEVICES.c
    return conn.execute(
        select(d.audit_public_key, d.audit_signed_from, d.audit_head_seq, d.audit_head_hash).where(
            d.id == device_id
        )
    ).one()


def verify_device(
    conn: Connection, device_id: str, checked: ChainReport | None = None, state: Any = None
) -> tuple[ChainReport, int]:
    """Check a device's chain, its signatures (once it registered a key) and its anchor; also
    return how many conflicting entries are kept for review.

    Args:
        conn: a connection.
        device_id: the device.
        checked: an earlier whole report of this chain (with its ``head``), under the same key:
            only the entries added since are checked, and the report covers them all.
        state: the device's audit state (:func:`_audit_state`) when the caller read it already.
    """
    dev = state if state is not None else _audit_state(conn, device_id)
    key = dev.audit_public_key
    anchor = (
        AuditAnchor(dev.audit_head_seq, dev.audit_head_hash)
        if dev.audit_head_seq and dev.audit_head_hash
        else None
    )
    verify_sig = (lambda e: _sig_ok(key, dev.audit_signed_from, e)) if key else None
    if checked is not None and checked.ok and checked.head is not None:
        after, _hash = checked.head
        tail = verify_chain(
            _paged_entries(conn, device_id, after_seq=after),
            verify_sig=verify_sig,
            anchor=anchor,
            start=checked.head,
        )
        report = dataclasses.replace(
            tail, entries=checked.entries + tail.entries, head=tail.head or checked.head
        )
    else:
        report = verify_chain(_paged_entries(conn, device_id), verify_sig=verify_sig, anchor=anchor)
    conflicts = conn.execute(
        select(AUDIT_CONFLICTS.c.id).where(AUDIT_CONFLICTS.c.device_id == device_id)
    ).all()
    return report, len(conflicts)


def audit_states(conn: Connection) -> dict[str, Any]:
    """Every device's audit state (:func:`_audit_state`) and the last ``seq`` of its stored
    trail (``last_seq``, 0 for none), in two queries for all the devices."""
    d, a = DEVICES.c, AUDIT.c
    last: dict[str, int] = {
        device: int(seq)
        for device, seq in conn.execute(select(a.device_id, func.max(a.seq)).group_by(a.device_id))
    }
    return {
        r.id: SimpleNamespace(
            audit_public_key=r.audit_public_key,
            audit_signed_from=r.audit_signed_from,
            audit_head_seq=r.audit_head_seq,
            audit_head_hash=r.audit_head_hash,
            last_seq=int(last.get(r.id) or 0),
        )
        for r in conn.execute(
            select(
                d.id, d.audit_public_key, d.audit_signed_from, d.audit_head_seq, d.audit_head_hash
            )
        )
    }


def _server_entries_after(
    conn: Connection, after_seq: int, page: int = 5000
) -> Iterator[AuditEntry]:
    """The server's trail after ``after_seq``, in sequence order, ``page`` entries at a time."""
    s = SERVER_AUDIT.c

    def read(after: int, limit: int) -> list[AuditEntry]:
        query = _server_query().where(s.seq > after).order_by(s.seq).limit(limit)
        return [_server_entry(r) for r in conn.execute(query)]

    return _paged(read, after_seq, page)


class ChainChecks:
    """The console's checks of the chains (every device's and the server's own), kept per
    server process: each view checks only the entries added since the last view (a chain
    whose state and last entry have not moved is not read at all), and every chain again in
    full at most :attr:`full_every` seconds apart (an entry edited in the database shows by
    then; ``kiosk-server audit verify`` checks everything at once). A device that pushed a long
    trail made every view of the audit page check all of it again (100,000 entries: 3.75 s a
    view); the server's own trail (a forwarding round, an export, a sign-in each add one) was
    read in full at every view (20,000 entries: 0.19 s), and 300 devices cost three queries
    each (0.2 s on PostgreSQL) when nothing had changed.
    """

    def __init__(self, full_every: float = 600.0, clock: Callable[[], float] = time.monotonic):
        self.full_every = full_every
        self._clock = clock
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[float, tuple[Any, ...], ChainReport]] = {}

    def _earlier(
        self, name: str, key: tuple[Any, ...], now: float
    ) -> tuple[float, ChainReport | None, tuple[Any, ...] | None]:
        """(when the last full check was, the kept report to continue from or None, and the
        key it was kept under). A report is continued from under the same audit key (the first
        two of ``key``) and within :attr:`full_every`."""
        with self._lock:
            kept = self._kept.get(name)
        if kept is not None and kept[1][:2] == key[:2] and now - kept[0] < self.full_every:
            return kept[0], kept[2], kept[1]
        return now, None, None

    def device(self, conn: Connection, device_id: str, state: Any = None) -> ChainReport:
        """The device's chain report, checked as the class says. ``state``: its entry of
        :func:`audit_states`, when the caller read every device's at once."""
        state = state if state is not None else _audit_state(conn, device_id)
        last_seq = getattr(state, "last_seq", None)
        key = (
            state.audit_public_key,
            state.audit_signed_from,
            state.audit_head_seq,
            state.audit_head_hash,
            last_seq,
        )
        now = self._clock()
        full_at, earlier, kept_key = self._earlier(device_id, key, now)
        # Broken stays broken until the next full check; a chain whose state and last entry
        # have not moved (known only with audit_states' last_seq) is not read again.
        if earlier is not None and (not earlier.ok or (last_seq is not None and kept_key == key)):
            return earlier
        report, _conflicts = verify_device(conn, device_id, earlier, state)
        with self._lock:
            self._kept[device_id] = (full_at, key, report)
        return report

    def server(self, conn: Connection) -> ChainReport:
        """The server's own trail, checked as the class says."""
        now = self._clock()
        full_at, earlier, _key = self._earlier(SERVER_ID, (), now)
        if earlier is not None and not earlier.ok:
            return earlier
        if earlier is not None and earlier.head is not None:
            tail = verify_chain(_server_entries_after(conn, earlier.head[0]), start=earlier.head)
            report = dataclasses.replace(
                tail, entries=earlier.entries + tail.entries, head=tail.head or earlier.head
            )
        else:
            report = verify_chain(_server_entries_after(conn, 0))
        with self._lock:
            self._kept[SERVER_ID] = (full_at, (), report)
        return report


def record_export_refused(
    conn: Connection, coordinator_id: int, role: str, channel: str, now: datetime
) -> None:
    """Write to the server's trail that an account whose role exports nothing asked for an
    export (``channel``: ``console`` or ``api``)."""
    record_server(
        conn,
        "export_refused",
        {"coordinator": coordinator_id, "role": role, "channel": channel},
        now,
    )


def lock_server_trail(conn: Connection) -> None:
    """Take the server trail's append lock for the rest of the transaction (PostgreSQL; SQLite's
    ``BEGIN IMMEDIATE`` already serialises writers): one appender at a time. A transaction that
    will also update a device's row takes it before that row, as a push does."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE server_audit IN SHARE ROW EXCLUSIVE MODE"))


#: The least time between two entries of one kind a device's own requests cause
#: (:func:`record_device_refusal`), per server process.
DEVICE_REFUSAL_INTERVAL = 60.0
_refusals_written: dict[tuple[str, str], float] = {}
_refusals_since: dict[tuple[str, str], int] = {}
_refusals_lock = threading.Lock()


def record_device_refusal(
    conn: Connection, action: str, device_id: str, detail: dict[str, Any], now: datetime
) -> AuditEntry | None:
    """:func:`record_server` for something a device keeps sending that is refused (another
    audit key, records of another device): at most one entry per
    :data:`DEVICE_REFUSAL_INTERVAL` per device, kind and process, carrying how many more were
    refused since the last one (``"again"``), so a device pushing in a loop cannot flood the
    trail out of the console's view (the revoked-device refusals were already so). Every one
    is logged by the caller."""
    again = device_refusal_due(action, device_id)
    if again is None:
        return None
    return record_server(conn, action, with_again(detail, again), now)


def with_again(detail: dict[str, Any], again: int) -> dict[str, Any]:
    """``detail`` of a refusal written after :func:`device_refusal_due`, with how many more
    were refused since the last one written (``"again"``, left out when none were)."""
    return {**detail, "again": again} if again else detail


def device_refusal_due(action: str, device_id: str) -> int | None:
    """Whether a refusal of ``action`` for ``device_id`` is to be written now (the throttle of
    :func:`record_device_refusal`, for a caller that opens its write transaction only then):
    None when one was written less than :data:`DEVICE_REFUSAL_INTERVAL` ago (this one is
    counted), else how many were refused since the last one written."""
    key = (action, device_id)
    clock = time.monotonic()
    with _refusals_lock:
        last = _refusals_written.get(key)
        if last is not None and clock - last < DEVICE_REFUSAL_INTERVAL:
            _refusals_since[key] = _refusals_since.get(key, 0) + 1
            return None
        _refusals_written[key] = clock
        return _refusals_since.pop(key, 0)


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
    lock_server_trail(conn)
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
    query = _server_query()
    if limit is not None:
        query = query.order_by(s.seq.desc()).limit(limit)
    else:
        query = query.order_by(s.seq)
    return sorted((_server_entry(r) for r in conn.execute(query)), key=lambda e: e.seq)


def _server_query() -> Any:
    s = SERVER_AUDIT.c
    return select(s.seq, s.at_ms, s.action, s.detail, s.prev_hash, s.hash)


def _server_entry(r: Any) -> AuditEntry:
    return AuditEntry(r.seq, r.at_ms, SERVER_ID, r.action, dict(r.detail), r.prev_hash, r.hash)


def verify_server(conn: Connection) -> ChainReport:
    """Check the server's own trail.

    Args:
        conn: a connection.
    """
    return verify_chain(_server_entries_after(conn, 0))
