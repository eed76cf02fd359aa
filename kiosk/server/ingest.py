"""Storing a pushed batch: signatures, then voids, then events, in one transaction.

Signatures are inserted with ``INSERT ... ON CONFLICT (id) DO NOTHING RETURNING id`` in one
multi-row statement; for the ids that already existed the stored content hash is compared with
the pushed one: equal is a ``duplicate`` (a retry), different is a ``conflict`` (the stored
signature is kept; the pushed one goes to the ``conflicts`` table once). Voids work the same way
keyed by signature id, except that a void of a signature the server does not have is answered
``unknown`` and not stored. Events are upserted (last push wins).

A device acts only on its own records: a void of a signature another device pushed, and a change
to an event another device created, are answered ``forbidden``, stored nowhere, and written to
the server's audit trail (``foreign_records_refused``: which device, how many of each).

Before anything is stored, signatures the server cannot accept are answered ``rejected`` with a
reason and left out (:func:`refuse_signatures`: an unknown campaign or local campaign, a campaign
the device is not enrolled for, an implausible ``created_at``); the rest of the batch goes on.
New signatures and voids also update the running counts (:mod:`kiosk.server.tallies`).

Within one batch the first occurrence of an id is the one inserted; later occurrences are
compared with what is stored after it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import Connection, func, select, update

from kiosk.domain.metadata import META_FIELDS, meta_tuple
from kiosk.server import log
from kiosk.server.bulk import insert_new, sqlite_insert_rows
from kiosk.server.db import chunked, column_in, dialect_insert, insert_new_returning
from kiosk.server.models import (
    Conflict,
    Device,
    EventRecord,
    Signature,
    SignatureVoid,
    table_of,
)
from kiosk.server.tallies import Reading
from kiosk.wire import (
    EventResult,
    PushRequest,
    PushResponse,
    SignatureResult,
    VoidResult,
    WireEvent,
    WireSignature,
    WireVoid,
)

SIGNATURES = table_of(Signature)
VOIDS = table_of(SignatureVoid)
DEVICES = table_of(Device)
CONFLICTS = table_of(Conflict)
EVENTS = table_of(EventRecord)


def _lookup(conn: Connection, key: Any, value: Any, ids: Iterable[Any]) -> dict[Any, Any]:
    """``{key: value}`` for the rows whose ``key`` is in ``ids``."""
    out: dict[Any, Any] = {}
    for chunk in chunked(list(ids)):
        for k, v in conn.execute(select(key, value).where(column_in(conn, key, chunk))):
            out[k] = v
    return out


@dataclass(frozen=True, slots=True)
class PreparedPush:
    """A validated push with what can be worked out of it alone, before its write transaction
    (:func:`prepare_push`): on SQLite the transaction holds the database's one write lock, so
    the push that came next is prepared while this one is being stored."""

    push: PushRequest
    #: Each signature's :meth:`kiosk.wire.WireSignature.content_hash`, in request order.
    hashes: tuple[str, ...]
    #: Each signature opened with the organization's key (:func:`kiosk.server.tallies.
    #: read_record`), in request order (None for one found stored already, which is never
    #: counted again); None when the server has no key.
    readings: tuple[Reading | None, ...] | None
    #: Ids of its signatures found stored before the transaction (:func:`stored_already`).
    stored: frozenset[uuid.UUID] = frozenset()


def prepare_push(
    push: PushRequest, keys: Any = None, stored: frozenset[uuid.UUID] = frozenset()
) -> PreparedPush:
    """What :func:`store_push` needs of ``push`` that reads nothing stored: the content hashes
    and, with ``keys``, every signature opened (the costly parts of storing a batch), except
    those in ``stored`` (:func:`stored_already`: a retry's, or a kiosk's sending everything
    again after a server restore), which stay stored and are never counted again.

    Args:
        push: the validated batch.
        keys: the organization's :class:`kiosk.server.keys.KeyRing`, or None.
        stored: ids of the batch's signatures already stored.
    """
    from kiosk.server.tallies import read_record

    sigs = push.signatures
    readings = (
        None
        if keys is None
        else tuple(None if s.id in stored else read_record(keys, s.sealed) for s in sigs)
    )
    return PreparedPush(push, tuple(s.content_hash() for s in sigs), readings, stored)


def stored_already(conn: Connection, push: PushRequest) -> frozenset[uuid.UUID]:
    """The ids of the push's signatures already stored, found before the write transaction so
    that :func:`prepare_push` need not open them again (about 60 us each; a batch of 1,000 sent
    again cost 60 ms of opening for nothing), and PostgreSQL does not try a ``COPY`` of them
    that fails (:func:`kiosk.server.bulk.insert_new`). A batch is new or sent again as a whole, so
    only when its first or last signature is stored are the others looked up: a new batch
    costs one lookup of two ids. Stored stays stored: what this finds is still stored when
    the batch is.

    Args:
        conn: a connection (a read: no write lock is taken).
        push: the validated batch.
    """
    sigs = push.signatures
    if not sigs:
        return frozenset()
    ends = {sigs[0].id, sigs[-1].id}
    if not _lookup(conn, SIGNATURES.c.id, SIGNATURES.c.id, ends):
        return frozenset()
    return frozenset(_lookup(conn, SIGNATURES.c.id, SIGNATURES.c.id, {s.id for s in sigs}))


def store_push(
    conn: Connection,
    device_id: str,
    push: PushRequest | PreparedPush,
    now: datetime,
    keys: Any = None,
) -> PushResponse:
    """Store a batch and say what happened to every item.

    Args:
        conn: a connection inside the batch's (single) write transaction.
        device_id: the authenticated device that pushed the batch.
        push: the validated batch, or the same prepared by :func:`prepare_push` (with the same
            ``keys``) before the transaction began.
        now: the time of receipt (aware).
        keys: the organization's :class:`kiosk.server.keys.KeyRing` (None: not configured), to
            open each new signature once for the statistics and the quarantine.

    Returns:
        One result per item, in request order.
    """
    prepared = push if isinstance(push, PreparedPush) else prepare_push(push, keys)
    push = prepared.push
    refused = refuse_signatures(conn, device_id, push.signatures, now)
    kept = [i for i in range(len(push.signatures)) if i not in refused]
    accepted = [push.signatures[i] for i in kept]
    hashes = [prepared.hashes[i] for i in kept]
    readings = None if prepared.readings is None else [prepared.readings[i] for i in kept]
    stored = _store_signatures(conn, device_id, accepted, hashes, now, bool(prepared.stored))
    _tally_signatures(conn, device_id, accepted, stored, keys, now, readings)
    sig_results = _with_refused(push.signatures, refused, stored)
    void_results = _store_voids(conn, device_id, push.voids, now)
    _tally_voids(conn, push.voids, void_results)
    event_results, past_limit = _store_events(conn, device_id, push.events, now)
    from kiosk.server.audit import (
        advance_head,
        record_device_refusal,
        register_key,
        store_entries,
    )

    if push.audit_key is not None:
        register_key(conn, device_id, push.audit_key, now)
    audit_results = store_entries(conn, device_id, push.audit, now)
    head = advance_head(conn, device_id) if push.audit or push.audit_key else None
    foreign_voids = sum(1 for r in void_results if r.status == "forbidden")
    foreign_events = sum(1 for r in event_results if r.status == "forbidden") - past_limit
    if past_limit:
        record_device_refusal(
            conn, "device_event_limit", device_id, {"device": device_id, "events": past_limit}, now
        )
        log.warning(
            "device %s has made %d events, the most a device may: %d new one(s) refused",
            device_id,
            MAX_EVENTS_PER_DEVICE,
            past_limit,
        )
    if foreign_voids or foreign_events:
        record_device_refusal(
            conn,
            "foreign_records_refused",
            device_id,
            {"device": device_id, "voids": foreign_voids, "events": foreign_events},
            now,
        )
        log.warning(
            "device %s tried to act on another device's records: %d void(s), %d event(s) refused",
            device_id,
            foreign_voids,
            foreign_events,
        )
    _count_received(conn, device_id, sum(1 for r in sig_results if r.status == "created"))
    _log_push(device_id, sig_results, void_results, event_results)
    if audit_results:
        log.info("push from device %s: %d audit entries", device_id, len(audit_results))
    return PushResponse(
        signatures=sig_results,
        voids=void_results,
        events=event_results,
        audit=audit_results,
        audit_head=head if push.audit_key is not None else None,
    )


def _count_received(conn: Connection, device_id: str, created: int) -> None:
    """Add ``created`` to the device's ``signatures_received`` (in the push's transaction, its
    last write: on PostgreSQL the device's row stays locked only until the commit, which
    two pushes of one kiosk in flight at once then wait for in turn)."""
    if created:
        d = DEVICES.c
        conn.execute(
            update(DEVICES)
            .where(d.id == device_id)
            .values(signatures_received=d.signatures_received + created)
        )


#: The earliest ``created_at`` accepted (no kiosk signed anything before this).
EARLIEST_SIGNED = datetime(2020, 1, 1, tzinfo=UTC)
#: How far ahead of the server's clock a ``created_at`` may be (kiosk clocks drift).
CLOCK_SLACK = timedelta(days=1)


def refuse_signatures(
    conn: Connection, device_id: str, signatures: list[WireSignature], now: datetime
) -> dict[int, str]:
    """The signatures to refuse, by index, with the reason: a campaign or local campaign the
    server does not know, a campaign the device is not enrolled for, or an implausible
    ``created_at``. Everything else in the batch is stored as usual."""
    if not signatures:
        return {}
    from kiosk.server.campaigns import CAMPAIGNS
    from kiosk.server.devices import device_campaigns

    slugs = sorted({s.campaign for s in signatures})
    known: dict[str, frozenset[str]] = {}
    for slug, content_hash in conn.execute(
        select(CAMPAIGNS.c.slug, CAMPAIGNS.c.content_hash).where(CAMPAIGNS.c.slug.in_(slugs))
    ):
        known[slug] = _local_slugs(conn, slug, content_hash)
    allowed = device_campaigns(conn, device_id)
    latest = now + CLOCK_SLACK
    refused: dict[int, str] = {}
    for i, s in enumerate(signatures):
        if s.campaign not in known:
            refused[i] = f"unknown campaign {s.campaign}: import it on the server first"
        elif s.local_campaign is not None and s.local_campaign not in known[s.campaign]:
            refused[i] = f"campaign {s.campaign} has no local campaign {s.local_campaign}"
        elif allowed is not None and s.campaign not in allowed:
            refused[i] = f"this device is not enrolled for campaign {s.campaign}"
        elif not EARLIEST_SIGNED <= s.created_at <= latest:
            refused[i] = "created_at is before 2020 or ahead of the server's clock"
    if refused:
        log.warning(
            "push from device %s: %d signature(s) refused (%s)",
            device_id,
            len(refused),
            "; ".join(sorted(set(refused.values())))[:500],
        )
    return refused


_LOCALS: dict[tuple[str, str], frozenset[str]] = {}


def _local_slugs(conn: Connection, slug: str, content_hash: str) -> frozenset[str]:
    """A campaign's local campaign slugs, read once per version of its document."""
    key = (slug, content_hash)
    found = _LOCALS.get(key)
    if found is None:
        from kiosk.server.campaigns import CAMPAIGNS

        doc = conn.execute(
            select(CAMPAIGNS.c.document).where(CAMPAIGNS.c.slug == slug)
        ).scalar_one()
        locals_ = doc.get("local", []) if isinstance(doc, dict) else []
        found = frozenset(
            loc["slug"]
            for loc in locals_
            if isinstance(loc, dict) and isinstance(loc.get("slug"), str)
        )
        if len(_LOCALS) > 1000:
            _LOCALS.clear()
        _LOCALS[key] = found
    return found


def _with_refused(
    signatures: list[WireSignature], refused: dict[int, str], stored: list[SignatureResult]
) -> list[SignatureResult]:
    """The results in request order: the refused ones ``rejected``, the others as stored."""
    if not refused:
        return stored
    rest = iter(stored)
    return [
        SignatureResult(id=s.id, status="rejected", reason=refused[i])
        if i in refused
        else next(rest)
        for i, s in enumerate(signatures)
    ]


def _tally_signatures(
    conn: Connection,
    device_id: str,
    signatures: list[WireSignature],
    results: list[SignatureResult],
    keys: Any,
    now: datetime,
    readings: list[Reading | None] | None,
) -> None:
    """Count (and, with a key, check what opening them found) the signatures stored just now."""
    from kiosk.server.tallies import on_signatures_stored

    created = [i for i, r in enumerate(results) if r.status == "created"]
    new = [signatures[i] for i in created]
    # A signature answered "created" was not stored before its push, so it was opened.
    opened = None if readings is None else [cast(Reading, readings[i]) for i in created]
    on_signatures_stored(conn, device_id, new, keys, now, opened)


def _tally_voids(conn: Connection, voids: list[WireVoid], results: list[VoidResult]) -> None:
    """Take the signatures voided just now out of the counts."""
    from kiosk.server.tallies import on_voids_stored

    on_voids_stored(
        conn, [v.signature_id for v, r in zip(voids, results, strict=True) if r.status == "created"]
    )


#: The stored columns of a signature, in the order :func:`_store_signatures` builds its rows.
_SIGNATURE_COLUMNS = (
    *META_FIELDS,
    "sealed",
    "content_hash",
    "device_id",
    "received_at",
)


#: Builds a batch's results in one validation call (a model instance each, as before).
_SIGNATURE_RESULTS = TypeAdapter(list[SignatureResult])


def _store_signatures(
    conn: Connection,
    device_id: str,
    signatures: list[WireSignature],
    hashes: list[str],
    now: datetime,
    some_stored: bool = False,
) -> list[SignatureResult]:
    if not signatures:
        return []
    first: dict[uuid.UUID, int] = {}
    rows: list[tuple[Any, ...]] = []
    for i, s in enumerate(signatures):
        if s.id in first:
            continue
        first[s.id] = i
        rows.append((*meta_tuple(s), s.sealed, hashes[i], device_id, now))
    # One lock order, so overlapping batches can't deadlock; by the UUID's integer, which orders
    # as the UUID does without a Python-level comparison per pair.
    rows.sort(key=lambda r: r[0].int)
    if conn.dialect.name == "postgresql":
        # A batch known to hold stored ids (sent again) skips the COPY that would fail on them.
        created = set(
            insert_new(
                conn, SIGNATURES, _SIGNATURE_COLUMNS, rows, ("id",), "id", try_copy=not some_stored
            )
        )
        stored = {sid: hashes[first[sid]] for sid in created}
        stored.update(
            _lookup(
                conn,
                SIGNATURES.c.id,
                SIGNATURES.c.content_hash,
                [i for i in first if i not in created],
            )
        )
    else:
        # SQLite: the write transaction holds the database's one write lock (BEGIN IMMEDIATE),
        # so the ids stored are looked up first and the others inserted by a plain INSERT (one
        # that exists after all fails the push, never skipped silently).
        stored = _lookup(conn, SIGNATURES.c.id, SIGNATURES.c.content_hash, first)
        new = [r for r in rows if r[0] not in stored]
        sqlite_insert_rows(conn, SIGNATURES, _SIGNATURE_COLUMNS, new)
        created = {r[0] for r in new}
        stored.update((sid, hashes[first[sid]]) for sid in created)
    answers: list[dict[str, Any]] = []
    conflicts: list[tuple[str, uuid.UUID, str, str]] = []
    for i, s in enumerate(signatures):
        if s.id in created and first[s.id] == i:
            status = "created"
        elif stored[s.id] == hashes[i]:
            status = "duplicate"
        else:
            status = "conflict"
            conflicts.append(("signature", s.id, hashes[i], s.model_dump_json()))
        answers.append({"id": s.id, "status": status})
    _record_conflicts(conn, device_id, conflicts, now)
    return _SIGNATURE_RESULTS.validate_python(answers)  # one call for the batch, not one a row


def _store_voids(
    conn: Connection, device_id: str, voids: list[WireVoid], now: datetime
) -> list[VoidResult]:
    if not voids:
        return []
    hashes = [v.content_hash() for v in voids]
    first: dict[uuid.UUID, int] = {}
    for i, v in enumerate(voids):
        first.setdefault(v.signature_id, i)
    owners = _lookup(conn, SIGNATURES.c.id, SIGNATURES.c.device_id, first)
    known = {sid for sid, owner in owners.items() if owner == device_id}
    rows: list[dict[str, Any]] = []
    for sid, i in first.items():
        if sid not in known:
            continue
        v = voids[i]
        rows.append(
            {
                "signature_id": sid,
                "reason": v.reason,
                "voided_at": v.voided_at,
                "kiosk_id": v.kiosk_id,
                "content_hash": hashes[i],
                "device_id": device_id,
                "received_at": now,
            }
        )
    rows.sort(key=lambda r: r["signature_id"])
    created = set(insert_new_returning(conn, VOIDS, rows, ("signature_id",), "signature_id"))
    stored = {sid: hashes[first[sid]] for sid in created}
    stored.update(
        _lookup(
            conn,
            VOIDS.c.signature_id,
            VOIDS.c.content_hash,
            [sid for sid in known if sid not in created],
        )
    )
    results: list[VoidResult] = []
    conflicts: list[tuple[str, uuid.UUID, str, str]] = []
    for i, v in enumerate(voids):
        sid = v.signature_id
        if sid in owners and sid not in known:
            status = "forbidden"  # another device's signature
        elif sid not in known:
            status = "unknown"
        elif sid in created and first[sid] == i:
            status = "created"
        elif stored[sid] == hashes[i]:
            status = "duplicate"
        else:
            status = "conflict"
            conflicts.append(("void", sid, hashes[i], v.model_dump_json()))
        results.append(VoidResult(id=sid, status=status))  # type: ignore[arg-type]
    _record_conflicts(conn, device_id, conflicts, now)
    return results


def _record_conflicts(
    conn: Connection,
    device_id: str,
    conflicts: list[tuple[str, uuid.UUID, str, str]],
    now: datetime,
) -> None:
    if not conflicts:
        return
    unique = {(kind, rid, h): payload for kind, rid, h, payload in conflicts}
    rows = [
        {
            "kind": kind,
            "record_id": rid,
            "content_hash": h,
            "payload": payload,
            "device_id": device_id,
            "received_at": now,
        }
        for (kind, rid, h), payload in sorted(unique.items())
    ]
    stmt = dialect_insert(conn, CONFLICTS).on_conflict_do_nothing(
        index_elements=["kind", "record_id", "content_hash"]
    )
    conn.execute(stmt, rows)
    log.warning(
        "conflict: %d pushed record(s) from device %s differ from stored ones with the same id: %s",
        len(rows),
        device_id,
        ", ".join(f"{kind} {rid}" for kind, rid, _ in unique),
    )


#: The most events one device may make: a kiosk makes one per rally or tabling day; a device
#: pushing thousands made the console's pages megabytes long. The ones past it are answered
#: ``forbidden`` (nothing stored; the kiosk keeps them as conflicts for staff to see).
MAX_EVENTS_PER_DEVICE = 1000


def _store_events(
    conn: Connection, device_id: str, events: list[WireEvent], now: datetime
) -> tuple[list[EventResult], int]:
    """Store a push's events; return a result each and how many new ones were past
    :data:`MAX_EVENTS_PER_DEVICE` (answered ``forbidden`` with another device's)."""
    if not events:
        return [], 0
    t = EVENTS
    state: dict[str, tuple[str, str, datetime]] = {}
    foreign: set[str] = set()
    for chunk in chunked(list({e.id for e in events})):
        for r in conn.execute(
            select(t.c.id, t.c.name, t.c.location, t.c.started_at, t.c.device_id).where(
                column_in(conn, t.c.id, chunk)
            )
        ):
            if r.device_id != device_id:
                foreign.add(r.id)
            state[r.id] = (r.name, r.location, r.started_at)
    before = dict(state)
    new_ids = {e.id for e in events if e.id not in state}
    room = MAX_EVENTS_PER_DEVICE
    if new_ids:
        room -= conn.execute(
            select(func.count()).select_from(t).where(t.c.device_id == device_id)
        ).scalar_one()
    over: set[str] = set()
    results: list[EventResult] = []
    for e in events:
        current = (e.name, e.location, e.started_at)
        previous = state.get(e.id)
        if e.id in foreign or e.id in over:
            results.append(EventResult(id=e.id, status="forbidden"))
            continue
        if previous is None and room <= 0:
            over.add(e.id)
            results.append(EventResult(id=e.id, status="forbidden"))
            continue
        if previous is None:
            room -= 1
            status = "created"
        elif previous == current:
            status = "duplicate"
        else:
            status = "updated"
        state[e.id] = current
        results.append(EventResult(id=e.id, status=status))  # type: ignore[arg-type]
    rows = [
        {
            "id": eid,
            "name": name,
            "location": location,
            "started_at": started_at,
            "device_id": device_id,
            "updated_at": now,
        }
        for eid, (name, location, started_at) in sorted(state.items())
        if before.get(eid) != (name, location, started_at)
    ]
    if rows:
        stmt = dialect_insert(conn, EVENTS).values(rows)
        # Only the device that created an event may change it: checked above, and again here,
        # in the statement itself, for an event another device created since that read (two
        # devices pushing the same new id at once on PostgreSQL both read nothing).
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"],
            set_={
                "name": stmt.excluded.name,
                "location": stmt.excluded.location,
                "started_at": stmt.excluded.started_at,
                "device_id": stmt.excluded.device_id,
                "updated_at": stmt.excluded.updated_at,
            },
            where=EVENTS.c.device_id == stmt.excluded.device_id,
        ).returning(EVENTS.c.id)
        written = set(conn.execute(stmt).scalars())
        taken = {r["id"] for r in rows} - written
        if taken:
            results = [
                EventResult(id=r.id, status="forbidden") if r.id in taken else r for r in results
            ]
    return results, len(over)


def _log_push(
    device_id: str,
    sigs: list[SignatureResult],
    voids: list[VoidResult],
    events: list[EventResult],
) -> None:
    def tally(results: Sequence[SignatureResult | VoidResult | EventResult]) -> str:
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        return ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"

    log.info(
        "push from device %s: signatures (%s); voids (%s); events (%s)",
        device_id,
        tally(sigs),
        tally(voids),
        tally(events),
    )
