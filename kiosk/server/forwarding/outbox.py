"""The forwarding outbox: queueing signatures, claiming them, recording what became of them.

**Queueing.** For each destination, one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` adds a
``pending`` row for every stored signature of its campaign (or local campaign) that is not
synthetic, not voided and not from a demo device. The unique (destination, signature) key makes
a signature queued once whatever the number of processes, and is also what skips the ones queued
already (an index probe each; an anti-join on the outbox planned with stale statistics looped
over the whole outbox per signature).
The scan starts :data:`QUEUE_OVERLAP` before the last scan (a batch that was being committed
while the previous scan ran is caught by the next); a forwarder's first scan reads everything.

**Claiming.** On PostgreSQL a round locks the destination row and its due outbox rows with
``FOR UPDATE SKIP LOCKED`` in one transaction that stays open while they are sent and their
results written: another process skips them (and the destination: one sender per destination at
a time, so its rate limit holds across processes); a process that dies mid-round loses its locks
and the rows are pending again. On SQLite one process holds the forwarder lease
(:func:`take_lease`), sends outside any transaction, and writes the results only if it still
holds the lease (a fencing check in the writing transaction).

**Exactly once.** A row leaves ``pending`` in the transaction that records its answer. A process
killed between a destination's answer and that commit sends the signature again later, with the
same ``webhook-id`` or OSDI identifier, so the receiver keeps it once (docs/forwarding.md).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, false, func, literal, select, update

from kiosk.domain.metadata import META_FIELDS
from kiosk.server.audit import DEVICES
from kiosk.server.db import chunked, column_in, dialect_insert
from kiosk.server.forwarding.models import ATTEMPTS as ATTEMPTS  # re-exported
from kiosk.server.forwarding.models import DESTINATIONS
from kiosk.server.forwarding.models import LEASES as LEASES  # re-exported
from kiosk.server.forwarding.models import OUTBOX as OUTBOX  # re-exported
from kiosk.server.ingest import EVENTS, SIGNATURES, VOIDS

PENDING, SENT, DEAD, SKIPPED = "pending", "sent", "dead", "skipped"
SENDING = "sending"  # an attempt row written before the send
#: The skip reason of a signature voided after a send was started whose answer was never
#: recorded (the forwarder died): it may be at the destination.
VOIDED_AFTER_TRY = "voided_after_send_attempt"
STATES = (PENDING, SENT, DEAD, SKIPPED)
QUEUE_OVERLAP = timedelta(minutes=10)
#: Queueing this many rows at once refreshes the outbox's planner statistics (PostgreSQL).
ANALYZE_AFTER = 1000
LEASE_NAME = "forwarder"


# --- queueing --------------------------------------------------------------------------------


def enqueue(conn: Connection, dest_id: int, now: datetime, full: bool = False) -> int:
    """Queue the destination's new signatures; return how many were queued.

    Args:
        conn: a write transaction.
        dest_id: the destination.
        now: the current time (becomes the destination's ``queued_through``).
        full: scan every signature (a forwarder's first pass), not only recent ones.
    """
    d = conn.execute(
        select(
            DESTINATIONS.c.campaign, DESTINATIONS.c.local_campaign, DESTINATIONS.c.queued_through
        ).where(DESTINATIONS.c.id == dest_id)
    ).first()
    if d is None:
        return 0
    s = SIGNATURES.c
    conds = [
        s.campaign == d.campaign,
        s.synthetic.is_(False),
        ~exists().where(VOIDS.c.signature_id == s.id),
        ~exists().where(and_(DEVICES.c.id == s.device_id, DEVICES.c.demo.is_(True))),
    ]
    if d.local_campaign is not None:
        conds.append(s.local_campaign == d.local_campaign)
    if not full and d.queued_through is not None:
        conds.append(s.received_at >= d.queued_through - QUEUE_OVERLAP)
    source = select(
        literal(dest_id),
        s.id,
        literal(PENDING),
        literal(0),
        literal(now, OUTBOX.c.next_attempt_at.type),
        literal(now, OUTBOX.c.queued_at.type),
    ).where(*conds)
    stmt = (
        dialect_insert(conn, OUTBOX)
        .from_select(
            ["destination_id", "signature_id", "state", "attempts", "next_attempt_at", "queued_at"],
            source,
        )
        .on_conflict_do_nothing(index_elements=["destination_id", "signature_id"])
    )
    queued = conn.execute(stmt).rowcount or 0
    if queued >= ANALYZE_AFTER and conn.dialect.name == "postgresql":
        # Fresh statistics for the rows just added: until autovacuum's next analyze (a minute
        # or more) the planner would take the outbox for a few rows and loop over it.
        conn.exec_driver_sql("ANALYZE forward_outbox")
    conn.execute(
        update(DESTINATIONS).where(DESTINATIONS.c.id == dest_id).values(queued_through=now)
    )
    return max(queued, 0)


# --- the SQLite lease ------------------------------------------------------------------------


def take_lease(conn: Connection, owner: str, now: datetime, ttl: timedelta) -> int | None:
    """Take or renew the forwarder lease; return its epoch (a fencing token), or None when
    another live process holds it.

    Args:
        conn: a write transaction (``BEGIN IMMEDIATE`` on SQLite: one taker at a time).
        owner: this process (``host:pid:random``).
        now: the current time.
        ttl: how long the lease lasts without renewal.
    """
    row = conn.execute(
        select(LEASES.c.owner, LEASES.c.expires_at, LEASES.c.epoch).where(
            LEASES.c.name == LEASE_NAME
        )
    ).first()
    if row is None:
        conn.execute(
            LEASES.insert().values(name=LEASE_NAME, owner=owner, expires_at=now + ttl, epoch=1)
        )
        return 1
    if row.owner != owner and row.expires_at > now:
        return None
    epoch = row.epoch if row.owner == owner else row.epoch + 1
    conn.execute(
        update(LEASES)
        .where(LEASES.c.name == LEASE_NAME)
        .values(owner=owner, expires_at=now + ttl, epoch=epoch)
    )
    return int(epoch)


def renew_lease(conn: Connection, owner: str, epoch: int, now: datetime, ttl: timedelta) -> bool:
    """Extend ``owner``'s lease at ``epoch`` while it works; False when it was taken over (a
    taker changes the owner and the epoch, so renewing a lapsed lease nobody took is safe)."""
    done = conn.execute(
        update(LEASES)
        .where(LEASES.c.name == LEASE_NAME, LEASES.c.owner == owner, LEASES.c.epoch == epoch)
        .values(expires_at=now + ttl)
    )
    return bool(done.rowcount)


def holds_lease(conn: Connection, owner: str, epoch: int, now: datetime) -> bool:
    """Whether ``owner`` still holds the lease at ``epoch`` (checked in the writing transaction)."""
    row = conn.execute(
        select(LEASES.c.owner, LEASES.c.expires_at, LEASES.c.epoch).where(
            LEASES.c.name == LEASE_NAME
        )
    ).first()
    return row is not None and row.owner == owner and row.epoch == epoch and row.expires_at > now


#: The ``forward_leases`` row a working forwarder touches (every :data:`SEEN_EVERY` seconds at
#: most), on either database: when a forwarder last ran, for the console and ``forward status``.
SEEN_NAME = "seen"
SEEN_EVERY = 30.0


def mark_seen(conn: Connection, owner: str, now: datetime) -> None:
    """Record that ``owner`` ran a pass at ``now``."""
    stmt = dialect_insert(conn, LEASES).values(name=SEEN_NAME, owner=owner, expires_at=now, epoch=0)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[LEASES.c.name], set_={"owner": owner, "expires_at": now}
        )
    )


def last_seen(conn: Connection) -> datetime | None:
    """When a forwarder last ran a pass (None: never)."""
    value = conn.execute(
        select(LEASES.c.expires_at).where(LEASES.c.name == SEEN_NAME)
    ).scalar_one_or_none()
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def release_lease(conn: Connection, owner: str) -> None:
    """Give the lease up (a clean stop), so another process takes over at once."""
    conn.execute(
        update(LEASES)
        .where(LEASES.c.name == LEASE_NAME, LEASES.c.owner == owner)
        .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
    )


# --- claiming --------------------------------------------------------------------------------


@dataclass(slots=True)
class Item:
    """One claimed outbox row with what sending it needs (the personal data still sealed)."""

    outbox_id: int
    signature_id: uuid.UUID
    attempts: int
    row: Any = None  # the signature, event and flags; None when the signature is gone
    #: A send was started before (a ``sending`` attempt row): it may have arrived.
    tried: bool = False


def lock_destination(conn: Connection, dest_id: int) -> bool:
    """PostgreSQL: lock the destination row for this round, skipping it if another process
    holds it. Returns whether this process has it."""
    # FOR NO KEY UPDATE: it does not block the attempt rows (foreign keys to the destination)
    # that :func:`mark_sending` inserts from another transaction during the round.
    q = (
        select(DESTINATIONS.c.id)
        .where(DESTINATIONS.c.id == dest_id, DESTINATIONS.c.paused.is_(False))
        .with_for_update(skip_locked=True, key_share=True)
    )
    return conn.execute(q).first() is not None


def claim(conn: Connection, dest_id: int, now: datetime, limit: int) -> list[Item]:
    """The destination's due pending rows, oldest first, with their signatures.

    On PostgreSQL the rows are locked ``FOR UPDATE SKIP LOCKED`` until the transaction ends.
    """
    o = OUTBOX.c
    q = (
        select(o.id, o.signature_id, o.attempts)
        .where(o.destination_id == dest_id, o.state == PENDING, o.next_attempt_at <= now)
        .order_by(o.next_attempt_at, o.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        q = q.with_for_update(skip_locked=True, of=OUTBOX)
    items = [Item(r.id, r.signature_id, r.attempts) for r in conn.execute(q)]
    if not items:
        return items
    s = SIGNATURES.c
    e = EVENTS.c
    rows = conn.execute(
        select(
            *(s[name] for name in META_FIELDS),
            s.sealed,
            VOIDS.c.signature_id.is_not(None).label("voided"),
            func.coalesce(DEVICES.c.demo, false()).label("demo"),
            e.name.label("event_name"),
            e.location.label("event_location"),
            e.started_at.label("event_started_at"),
        )
        .select_from(
            SIGNATURES.outerjoin(VOIDS, VOIDS.c.signature_id == s.id)
            .outerjoin(EVENTS, e.id == s.event_id)
            .outerjoin(DEVICES, DEVICES.c.id == s.device_id)
        )
        .where(column_in(conn, s.id, [i.signature_id for i in items]))
    )
    by_id = {r.id: r for r in rows}
    tried = set(
        conn.execute(
            select(ATTEMPTS.c.signature_id).where(
                ATTEMPTS.c.destination_id == dest_id,
                ATTEMPTS.c.result == SENDING,
                column_in(conn, ATTEMPTS.c.signature_id, [i.signature_id for i in items]),
            )
        ).scalars()
    )
    for item in items:
        item.row = by_id.get(item.signature_id)
        item.tried = item.signature_id in tried
    return items


def mark_sending(
    conn: Connection, dest_id: int, items: Sequence[Item], now: datetime, worker: str
) -> None:
    """Record, in a transaction committed *before* the sends, that these items are about to be
    sent (``sending`` attempt rows). If the forwarder dies before recording the answers and a
    void arrives meanwhile, the signature is then reported as possibly sent before its void
    (:func:`sent_then_voided`) instead of silently skipped."""
    rows = [
        {
            "destination_id": dest_id,
            "signature_id": i.signature_id,
            "at": now,
            "result": SENDING,
            "status": None,
            "reason": None,
            "worker": worker[:80],
        }
        for i in items
        if i.row is not None and not i.row.voided
    ]
    if rows:
        conn.execute(ATTEMPTS.insert(), rows)


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed item: ``sent``, ``retry``, ``dead``, ``rate_limited``,
    ``skipped`` or ``untried`` (not attempted this round: the destination said to wait)."""

    kind: str
    status: int | None = None
    reason: str | None = None
    retry_after: float | None = None
    remote_id: str | None = None


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter: ``base * 2**(attempts-1)``, at most ``cap``, times a
    random factor in [0.5, 1) so that failed sends do not come back in lockstep."""

    base: float = 30.0
    cap: float = 6 * 3600.0

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        """Seconds before the next attempt after ``attempts`` failed ones."""
        raw = min(self.cap, self.base * 2.0 ** max(attempts - 1, 0))
        return raw * (0.5 + (rng or random).random() / 2)


@dataclass(slots=True)
class RoundReport:
    """Counts of one round (what the server's audit trail records)."""

    counts: Counter[str] = field(default_factory=Counter)
    digest: str = ""


def record(
    conn: Connection,
    dest_id: int,
    max_attempts: int,
    results: Sequence[tuple[Item, Outcome]],
    now: datetime,
    worker: str,
    backoff: Backoff,
) -> RoundReport:
    """Write each item's new state and one attempt row per send or skip; hold the destination
    after a 429. Returns the round's counts and a digest of its attempts (for the audit trail).
    """
    report = RoundReport()
    updates: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    hold: float | None = None
    lines: list[str] = []
    for item, out in results:
        if out.kind == "untried":
            continue
        n = item.attempts
        state, next_at, sent_at = PENDING, now, None
        if out.kind == "sent":
            state, n, sent_at = SENT, n + 1, now
        elif out.kind == "skipped":
            state = SKIPPED
        elif out.kind == "dead":
            state, n = DEAD, n + 1
        elif out.kind == "rate_limited":
            wait = out.retry_after or 60.0
            hold = max(hold or 0.0, wait)
            next_at = now + timedelta(seconds=wait)
        else:  # retry
            n += 1
            if n >= max_attempts:
                state = DEAD
            else:
                next_at = now + timedelta(seconds=backoff.delay(n))
        updates.append(
            {
                "_id": item.outbox_id,
                "state": state,
                "attempts": n,
                "next_attempt_at": next_at,
                "reason": out.reason,
                "last_status": out.status,
                "sent_at": sent_at,
                "remote_id": out.remote_id,
            }
        )
        result = DEAD if state == DEAD else out.kind
        report.counts[result] += 1
        attempts.append(
            {
                "destination_id": dest_id,
                "signature_id": item.signature_id,
                "at": now,
                "result": result,
                "status": out.status,
                "reason": out.reason,
                "worker": worker[:80],
            }
        )
        lines.append(f"{item.signature_id}:{result}:{out.status or ''}")
    if updates:
        from sqlalchemy import bindparam

        o = OUTBOX.c
        stmt = (
            update(OUTBOX)
            .where(o.id == bindparam("_id"))
            .values(
                state=bindparam("state"),
                attempts=bindparam("attempts"),
                next_attempt_at=bindparam("next_attempt_at"),
                reason=bindparam("reason"),
                last_status=bindparam("last_status"),
                sent_at=bindparam("sent_at"),
                remote_id=bindparam("remote_id"),
            )
        )
        conn.execute(stmt.execution_options(synchronize_session=False), updates)
        conn.execute(ATTEMPTS.insert(), attempts)
    if hold is not None:
        conn.execute(
            update(DESTINATIONS)
            .where(DESTINATIONS.c.id == dest_id)
            .values(not_before=now + timedelta(seconds=hold))
        )
    report.digest = hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()
    return report


# --- reading state ---------------------------------------------------------------------------


def state_counts(conn: Connection) -> dict[int, Counter[str]]:
    """``{destination id: Counter(state -> rows)}``."""
    o = OUTBOX.c
    out: dict[int, Counter[str]] = {}
    for dest, state, n in conn.execute(
        select(o.destination_id, o.state, func.count()).group_by(o.destination_id, o.state)
    ):
        out.setdefault(dest, Counter())[state] = int(n)
    return out


def skip_reason_counts(conn: Connection) -> dict[int, Counter[str]]:
    """``{destination id: Counter(skip reason -> rows)}`` (why signatures were never sent)."""
    o = OUTBOX.c
    out: dict[int, Counter[str]] = {}
    q = (
        select(o.destination_id, o.reason, func.count())
        .where(o.state == SKIPPED)
        .group_by(o.destination_id, o.reason)
    )
    for dest, reason, n in conn.execute(q):
        out.setdefault(int(dest), Counter())[reason or ""] = int(n)
    return out


def failing_counts(conn: Connection) -> dict[int, int]:
    """``{destination id: pending rows that failed at least once}`` (being retried)."""
    o = OUTBOX.c
    q = (
        select(o.destination_id, func.count())
        .where(o.state == PENDING, o.attempts > 0)
        .group_by(o.destination_id)
    )
    return {int(dest): int(n) for dest, n in conn.execute(q)}


def _forwarded_then_voided() -> Any:
    o = OUTBOX.c
    return (o.state == SENT) | ((o.state == SKIPPED) & (o.reason == VOIDED_AFTER_TRY))


def _voided_chunks(conn: Connection) -> Iterator[Sequence[Any]]:
    """The voided signatures' ids (a small table), in chunks: the queries below look their
    outbox rows up by ``signature_id``. A join let SQLite drive from the outbox instead (every
    row forwarded: 40 ms with 200,000)."""
    return chunked(sorted(v for (v,) in conn.execute(select(VOIDS.c.signature_id))))


def sent_then_voided_counts(conn: Connection) -> dict[int, int]:
    """``{destination id: signatures forwarded and voided afterwards}``, counted from the
    voids by signature id, never by listing them."""
    o = OUTBOX.c
    out: Counter[int] = Counter()
    for chunk in _voided_chunks(conn):
        q = (
            select(o.destination_id, func.count())
            .where(o.signature_id.in_(chunk), _forwarded_then_voided())
            .group_by(o.destination_id)
        )
        for dest, n in conn.execute(q):
            out[int(dest)] += int(n)
    return dict(out)


def sent_then_voided(
    conn: Connection, dest_id: int | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Signatures that were forwarded and voided afterwards (the CRM still holds them), oldest
    send first (the first ``limit``, if given)."""
    o = OUTBOX.c
    rows: list[Any] = []
    for chunk in _voided_chunks(conn):
        q = (
            select(
                o.id,
                o.destination_id,
                o.signature_id,
                o.sent_at,
                o.remote_id,
                VOIDS.c.voided_at,
                VOIDS.c.reason,
            )
            .select_from(OUTBOX.join(VOIDS, VOIDS.c.signature_id == o.signature_id))
            .where(o.signature_id.in_(chunk), _forwarded_then_voided())
        )
        if dest_id is not None:
            q = q.where(o.destination_id == dest_id)
        rows.extend(conn.execute(q))
    # As ORDER BY sent_at, id did: rows never sent (NULL) first.
    never = datetime.min.replace(tzinfo=UTC)
    rows.sort(key=lambda r: (r.sent_at is not None, r.sent_at or never, r.id))
    return [
        {
            "destination_id": r.destination_id,
            "signature_id": str(r.signature_id),
            "sent_at": r.sent_at.isoformat() if r.sent_at else None,
            "voided_at": r.voided_at.isoformat(),
            "remote_id": r.remote_id,
            "certain": r.sent_at is not None,
        }
        for r in rows[:limit]
    ]


def items_in_state(
    conn: Connection, dest_id: int, state: str, limit: int = 50
) -> list[dict[str, Any]]:
    """The destination's rows in ``state`` (dead letters, skips), oldest first."""
    o = OUTBOX.c
    q = (
        select(o.signature_id, o.attempts, o.reason, o.last_status, o.queued_at)
        .where(o.destination_id == dest_id, o.state == state)
        .order_by(o.queued_at, o.id)
        .limit(limit)
    )
    return [
        {
            "signature_id": str(r.signature_id),
            "attempts": r.attempts,
            "reason": r.reason,
            "last_status": r.last_status,
            "queued_at": r.queued_at.isoformat(),
        }
        for r in conn.execute(q)
    ]


def requeue(
    conn: Connection, dest_id: int, now: datetime, signature_ids: Sequence[uuid.UUID] | None = None
) -> int:
    """Put dead-lettered rows back to ``pending`` with their attempts reset; return how many.

    Args:
        conn: a write transaction.
        dest_id: the destination.
        now: due from now.
        signature_ids: only these (None: every dead row of the destination).
    """
    o = OUTBOX.c
    stmt = (
        update(OUTBOX)
        .where(o.destination_id == dest_id, o.state == DEAD)
        .values(state=PENDING, attempts=0, next_attempt_at=now, reason=None)
    )
    if signature_ids is not None:
        stmt = stmt.where(column_in(conn, o.signature_id, list(signature_ids)))
    return int(conn.execute(stmt).rowcount or 0)
