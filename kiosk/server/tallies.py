"""Running counts for ``/stats`` and ``/totals``, and the quarantine of unreadable signatures.

Everything the statistics show is computed once, when a record changes, in the transaction
that changes it, and kept in the database (``stat_counts``, ``signer_counts``,
``signature_facts``), so every server process and every restart shares it and a request reads a
few hundred small rows instead of scanning (let alone decrypting) every signature.

When a signature arrives and the server has the organization's private key, it is opened once
and checked against the strict schema (:mod:`kiosk.domain.personal`; of the ink only its size
and header: counting never looks at a stroke, and an export that finds the strokes broken leaves
the signature out and counts it as unreadable): it is then ``ok`` (its signer's keyed digest is
kept) or
``quarantined`` (no configured key opens it, or its contents break the schema: counted apart,
never exported, never counted toward a total). Without a key it is ``pending``; a background
job (:func:`read_pending`, started by the server when it has a key) opens pending ones later.

The counts, per :func:`contribution`: ``signatures`` (stored), ``voided``, ``synthetic`` (not
voided), ``quarantined`` (stored, voided or not; also per campaign as
``quarantined:SLUG``), ``pending`` (not opened yet), and for every signature that is neither
voided, synthetic nor quarantined: ``campaign:SLUG``, ``local:SLUG/LOCAL``, ``device:ID``,
``event:ID`` and ``day:YYYY-MM-DD`` (the kiosk's local date). ``unique:SLUG`` counts distinct
signers (name + five-digit ZIP, normalised) among the ``ok`` ones. ``version:HASH`` counts every
signature stored under a text version, whatever its state (the console's campaigns page; a
stored signature is never deleted and never changes its text version, so it is only ever
added, when the signature arrives; migration 0018 counted those stored before).

The same signatures that ``campaign:SLUG`` counts are also counted per UTC hour, kiosk-local
date, event and device (``hour_counts``, :func:`hour_contribution`): the console's charts sum
those rows instead of scanning a month of signatures.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import unicodedata
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, column, func, select, table, text, update
from sqlalchemy.exc import OperationalError

from kiosk.adapters.crypto import CryptoError
from kiosk.domain.personal import PersonalDataError, PersonalFields, parse_personal
from kiosk.server import log
from kiosk.server.bulk import copy_rows, sqlite_insert_rows
from kiosk.server.db import chunked, dialect_insert, write_transaction
from kiosk.server.models import (
    HourCount,
    Signature,
    SignatureFact,
    SignatureVoid,
    SignerCount,
    StatCount,
    table_of,
)

PENDING, OK, QUARANTINED = "pending", "ok", "quarantined"

FACTS = table_of(SignatureFact)
COUNTS = table_of(StatCount)
SIGNERS = table_of(SignerCount)
HOURS = table_of(HourCount)
_SIGS = table_of(Signature)
_VOIDS = table_of(SignatureVoid)
_CHUNK = 500
_SIGNER_KEY_NAME = "meta:signer-key-id"
#: The id of the set of configured keys (:func:`_keyring_id`) the stored facts were read with.
_KEYRING_NAME = "meta:keyring-id"
#: Why a signature no configured key opens is quarantined: read again whenever the keys change.
NO_KEY_OPENS_IT = "no configured key opens it"
#: The advisory lock :func:`prepare_keys` holds on PostgreSQL ("kiosk" is the migrations').
_PG_KEYS_LOCK = 0x6B696F736B02


# --- reading one record ------------------------------------------------------------------------


def normalise_signer(personal: PersonalFields | Any) -> tuple[str, str]:
    """The key that makes two signatures the same signer: name and five-digit ZIP, normalised
    (accents, case and spacing ignored). Takes validated values only."""
    name = f"{personal.first_name} {personal.last_name}"
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return " ".join(folded.replace("-", " ").replace(".", " ").split()), personal.zip[:5]


def signer_digest(key: bytes, signer: tuple[str, str]) -> bytes:
    """The keyed 16-byte digest of a normalised signer."""
    data = "\x1f".join(signer).encode("utf-8")
    return hashlib.blake2b(data, key=key, digest_size=16).digest()


#: What opening a sealed blob found: ``(state, reason, signer digest)``.
Reading = tuple[str, str | None, bytes | None]


def read_record(keys: Any, sealed: bytes) -> Reading:
    """Open and check one sealed blob: ``(state, reason, signer digest)``; never raises for
    anything the blob holds."""
    try:
        data = keys.open(sealed)
    except CryptoError:
        return QUARANTINED, NO_KEY_OPENS_IT, None
    try:
        fields = parse_personal(data, check_strokes=False)  # no stroke is looked at to count
    except PersonalDataError as exc:
        return QUARANTINED, str(exc)[:200], None
    return OK, None, signer_digest(keys.signer_key, normalise_signer(fields))


# --- what one signature adds to the counts -----------------------------------------------------


def contribution(row: Any, state: str, voided: bool) -> Counter[str]:
    """The counts one signature adds, in a state, voided or not (see the module docstring).

    Args:
        row: anything with the signature's ``campaign``, ``local_campaign``, ``device_id``,
            ``event_id``, ``created_at``, ``utc_offset_minutes`` and ``synthetic``.
    """
    c: Counter[str] = Counter(signatures=1)
    if voided:
        c["voided"] += 1
        c[f"voided-device:{row.device_id}"] += 1
    if state == QUARANTINED:
        c["quarantined"] += 1
        c[f"quarantined:{row.campaign}"] += 1
    elif state == PENDING:
        c["pending"] += 1
    if voided:
        return c
    if row.synthetic:
        c["synthetic"] += 1
    elif state != QUARANTINED:
        c[f"campaign:{row.campaign}"] += 1
        if row.local_campaign is not None:
            c[f"local:{row.campaign}/{row.local_campaign}"] += 1
        c[f"device:{row.device_id}"] += 1
        if row.event_id is not None:
            c[f"event:{row.event_id}"] += 1
        local = row.created_at + timedelta(minutes=row.utc_offset_minutes)
        c[f"day:{local.date().isoformat()}"] += 1
    return c


#: ``hour_counts``' key: campaign, UTC hour (``YYYY-MM-DDTHH``), the kiosk's local date, event
#: (``""`` for none), device.
HourKey = tuple[str, str, str, str, str]


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def hour_key(
    campaign: str,
    event_id: str | None,
    device_id: str,
    created_at: datetime,
    utc_offset_minutes: int,
) -> HourKey:
    """Where one signature is counted in ``hour_counts``."""
    minute = _Clock.minute_of(created_at)
    local_day = _Clock.local_day(minute, utc_offset_minutes)
    return _Clock().key(campaign, event_id, device_id, minute, local_day)


class _Clock:
    """:func:`hour_key` (the UTC hour, the kiosk's local day) worked out from whole minutes
    (exact integers; a time has no offset finer than a minute). One clock kept for many
    signatures makes each hour's and day's text once: a push counts hundreds of signatures,
    most within a few hours, at about a fifth of the cost of ``strftime`` and ``isoformat`` for
    each."""

    def __init__(self) -> None:
        self._hours: dict[int, str] = {}
        self._days: dict[int, str] = {}

    @staticmethod
    def minute_of(moment: datetime) -> int:
        """Minutes from 0001-01-01 00:00 UTC to ``moment`` (naive: UTC)."""
        u = _as_utc(moment) if moment.tzinfo is not UTC else moment
        return (u.toordinal() * 24 + u.hour) * 60 + u.minute

    @staticmethod
    def local_day(minute: int, utc_offset_minutes: int) -> int:
        """The kiosk's local date (a ``date.toordinal`` day number) at ``minute``
        (:meth:`minute_of`) and its UTC offset."""
        return (minute + utc_offset_minutes) // 1440

    def hour(self, minute: int) -> str:
        """``YYYY-MM-DDTHH`` of the UTC hour holding ``minute``."""
        h = minute // 60
        text = self._hours.get(h)
        if text is None:
            text = self._hours[h] = f"{date.fromordinal(h // 24).isoformat()}T{h % 24:02d}"
        return text

    def day(self, day: int) -> str:
        """``YYYY-MM-DD`` of a day number (``date.toordinal``)."""
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date.fromordinal(day).isoformat()
        return text

    def key(
        self,
        campaign: str,
        event_id: str | None,
        device_id: str,
        minute: int,
        local_day: int,
    ) -> HourKey:
        """:func:`hour_key` of a signature made at ``minute`` (:meth:`minute_of`) on the kiosk's
        ``local_day`` (:meth:`local_day`)."""
        return campaign, self.hour(minute), self.day(local_day), event_id or "", device_id


def hour_contribution(row: Any, state: str, voided: bool) -> Counter[HourKey]:
    """What one signature adds to ``hour_counts``: one, where ``campaign:SLUG`` counts it (not
    voided, synthetic or quarantined); nothing otherwise. ``row`` as for :func:`contribution`."""
    if voided or row.synthetic or state == QUARANTINED:
        return Counter()
    key = hour_key(
        row.campaign, row.event_id, row.device_id, row.created_at, row.utc_offset_minutes
    )
    return Counter({key: 1})


def _counts_signer(state: str, synthetic: bool, voided: bool) -> bool:
    return state == OK and not synthetic and not voided


#: Rows per running count on PostgreSQL (a count is the sum of its shards). Each database
#: connection adds to its own shard, so concurrent pushes (each on its own connection) do not
#: wait for one another's commit on the same hot rows (``signatures``, ``day:...``). SQLite has
#: one writer at a time and keeps one row per count (shard 0).
SHARDS = 16
_SHARD_KEY = "kiosk_count_shard"
_next_shard = itertools.count(os.getpid())


def _shard(conn: Connection) -> int:
    if conn.dialect.name != "postgresql":
        return 0
    info = conn.connection.info  # lives as long as the database connection
    shard = info.get(_SHARD_KEY)
    if shard is None:
        shard = info[_SHARD_KEY] = next(_next_shard) % SHARDS
    return int(shard)


_UPSERTS: dict[tuple[str, str], Any] = {}


def _adding(conn: Connection, table: Any) -> Any:
    """``INSERT ... ON CONFLICT (primary key) DO UPDATE SET n = n + excluded.n`` on ``table``, one
    statement per table and dialect, run with a list of rows (``executemany``: SQLAlchemy then
    sends one multi-row statement on PostgreSQL). A statement with the rows in its ``VALUES``
    was a new statement to compile at every push, about a millisecond of the server's CPU."""
    cache_key = (conn.dialect.name, table.name)
    stmt = _UPSERTS.get(cache_key)
    if stmt is None:
        insert = dialect_insert(conn, table)
        stmt = _UPSERTS[cache_key] = insert.on_conflict_do_update(
            index_elements=[c.name for c in table.primary_key.columns],
            set_={"n": table.c.n + insert.excluded.n},
        )
    return stmt


def add_counts(conn: Connection, deltas: Counter[str]) -> None:
    """Add to the running counts, in this connection's shard (one statement; names in one
    order, so concurrent transactions on a shard lock them in the same order)."""
    shard = _shard(conn)
    rows = [{"name": k, "shard": shard, "n": v} for k, v in sorted(deltas.items()) if v]
    if rows:
        conn.execute(_adding(conn, COUNTS), rows)


_HOUR_NAMES = ("campaign", "hour", "day", "event_id", "device_id")


def add_hours(conn: Connection, deltas: Counter[HourKey]) -> None:
    """Add to ``hour_counts``, in this connection's shard (as :func:`add_counts`)."""
    shard = _shard(conn)
    rows = [
        {**dict(zip(_HOUR_NAMES, k, strict=True)), "shard": shard, "n": v}
        for k, v in sorted(deltas.items())
        if v
    ]
    if rows:
        conn.execute(_adding(conn, HOURS), rows)


def _add_signers(conn: Connection, deltas: Counter[tuple[str, bytes]]) -> Counter[str]:
    """Add to the signer counts; return the change in unique signers per campaign."""
    rows = [{"campaign": c, "signer": s, "n": v} for (c, s), v in sorted(deltas.items()) if v]
    unique: Counter[str] = Counter()
    if not rows:
        return unique
    stmt = dialect_insert(conn, SIGNERS)
    stmt = stmt.on_conflict_do_update(
        index_elements=["campaign", "signer"], set_={"n": SIGNERS.c.n + stmt.excluded.n}
    ).returning(SIGNERS.c.campaign, SIGNERS.c.signer, SIGNERS.c.n)
    added = {(r["campaign"], r["signer"]): r["n"] for r in rows}
    for campaign, signer, after in conn.execute(stmt, rows):  # n after the change: exact even
        before = after - added[(campaign, bytes(signer))]  # under concurrent pushes
        if before <= 0 < after:
            unique[f"unique:{campaign}"] += 1
        elif after <= 0 < before:
            unique[f"unique:{campaign}"] -= 1
    return unique


# --- the hooks called by ingest ----------------------------------------------------------------


def on_signatures_stored(
    conn: Connection,
    device_id: str,
    signatures: Sequence[Any],
    keys: Any,
    now: datetime,
    readings: Sequence[Reading] | None = None,
) -> None:
    """Count signatures just stored (each once: the ones answered ``created``), opening them if
    the server has a key.

    Args:
        conn: the push's transaction.
        device_id: the device that pushed them.
        signatures: the stored :class:`kiosk.wire.WireSignature` objects.
        keys: the server's :class:`kiosk.server.keys.KeyRing`, or None.
        now: the time of receipt.
        readings: each signature already opened with ``keys`` (:func:`read_record`), in the
            same order, when that was done before the transaction; None: opened here.
    """
    if not signatures:
        return
    facts: list[tuple[Any, ...]] = []
    groups: Counter[tuple[Any, ...]] = Counter()
    signer_deltas: Counter[tuple[str, bytes]] = Counter()
    hour_deltas: Counter[HourKey] = Counter()
    versions: Counter[str] = Counter()
    quarantined = 0
    read_at = None if keys is None else now
    clock = _Clock()
    for i, s in enumerate(signatures):
        if keys is None:
            state, reason, digest = PENDING, None, None
        elif readings is not None:
            state, reason, digest = readings[i]
        else:
            state, reason, digest = read_record(keys, s.sealed)
        quarantined += state == QUARANTINED
        minute = clock.minute_of(s.created_at)
        local_day = clock.local_day(minute, s.utc_offset_minutes)
        if state != QUARANTINED and not s.synthetic:
            hour_deltas[clock.key(s.campaign, s.event_id, device_id, minute, local_day)] += 1
        facts.append((s.id, state, reason, digest, read_at))
        versions[s.text_version] += 1
        # Signatures that add the same counts are counted together (one contribution each).
        groups[(state, s.campaign, s.local_campaign, s.event_id, s.synthetic, local_day)] += 1
        if digest is not None and _counts_signer(state, s.synthetic, False):
            signer_deltas[(s.campaign, digest)] += 1
    _insert_facts(conn, facts)
    deltas: Counter[str] = Counter()
    for (state, campaign, local, event, synthetic, day), n in groups.items():
        row = _Row(campaign, local, device_id, event, date.fromordinal(day), synthetic)
        for name, v in contribution(row, state, voided=False).items():
            deltas[name] += v * n
    for version, n in versions.items():
        deltas[f"version:{version}"] += n
    deltas.update(_add_signers(conn, signer_deltas))
    add_counts(conn, deltas)
    add_hours(conn, hour_deltas)
    if quarantined:
        log.warning(
            "quarantine: %d signature(s) from device %s could not be read (see "
            "`kiosk-server quarantine list`)",
            quarantined,
            device_id,
        )


_FACT_COLUMNS = ("signature_id", "state", "reason", "signer", "read_at")


def _insert_facts(conn: Connection, facts: list[tuple[Any, ...]]) -> None:
    """Insert the facts of signatures stored in this transaction (new ids: nothing to merge);
    on PostgreSQL with ``COPY``."""
    if conn.dialect.name == "postgresql":
        copy_rows(conn, FACTS, _FACT_COLUMNS, facts)
    else:
        sqlite_insert_rows(conn, FACTS, _FACT_COLUMNS, facts)


def on_voids_stored(conn: Connection, signature_ids: Iterable[uuid.UUID]) -> None:
    """Move signatures just voided (each once) out of the counts they were in."""
    ids = sorted(set(signature_ids))
    if not ids:
        return
    deltas: Counter[str] = Counter()
    signer_deltas: Counter[tuple[str, bytes]] = Counter()
    hour_deltas: Counter[HourKey] = Counter()
    for chunk in chunked(ids):
        stmt = (
            select(FACTS.c.state, FACTS.c.signer, *_row_columns())
            .select_from(FACTS.join(_SIGS, _SIGS.c.id == FACTS.c.signature_id))
            .where(FACTS.c.signature_id.in_(chunk))
            .with_for_update(of=FACTS)
        )
        for r in conn.execute(stmt):
            deltas.update(contribution(r, r.state, True))
            deltas.subtract(contribution(r, r.state, False))
            hour_deltas.subtract(hour_contribution(r, r.state, False))
            if r.signer is not None and _counts_signer(r.state, r.synthetic, False):
                signer_deltas[(r.campaign, r.signer)] -= 1
    deltas.update(_add_signers(conn, signer_deltas))
    add_counts(conn, deltas)
    add_hours(conn, hour_deltas)


class _Row:
    """What :func:`contribution` reads of a stored row, for signatures just pushed (the local
    date already worked out: ``created_at`` at midnight and an offset of 0)."""

    __slots__ = (
        "campaign",
        "created_at",
        "device_id",
        "event_id",
        "local_campaign",
        "synthetic",
        "utc_offset_minutes",
    )

    def __init__(
        self,
        campaign: str,
        local_campaign: str | None,
        device_id: str,
        event_id: str | None,
        day: date,
        synthetic: bool,
    ) -> None:
        self.campaign = campaign
        self.local_campaign = local_campaign
        self.device_id = device_id
        self.event_id = event_id
        self.created_at = datetime(day.year, day.month, day.day, tzinfo=UTC)
        self.utc_offset_minutes = 0
        self.synthetic = synthetic


def _row_columns() -> list[Any]:
    s = _SIGS.c
    return [
        s.campaign,
        s.local_campaign,
        s.device_id,
        s.event_id,
        s.created_at,
        s.utc_offset_minutes,
        s.synthetic,
    ]


# --- reading what arrived without a key --------------------------------------------------------


def _key_id(keys: Any) -> int:
    return int.from_bytes(hashlib.blake2b(keys.signer_key, digest_size=7).digest(), "big")


def _keyring_id(keys: Any) -> int:
    joined = b"".join(sorted(keys.public_keys))
    return int.from_bytes(hashlib.blake2b(joined, digest_size=7).digest(), "big")


def _stored_id(conn: Connection, name: str) -> int | None:
    have = conn.execute(select(func.sum(COUNTS.c.n)).where(COUNTS.c.name == name)).scalar_one()
    return None if have is None else int(have)


def _read_again_unopened(conn: Connection) -> int:
    """Put every signature quarantined because no configured key opened it back to
    ``pending`` (the keys changed: a key file added, or a wrong one replaced by the right one),
    adjusting the counts. Returns how many."""
    f, s = FACTS.c, _SIGS.c
    rows = conn.execute(
        select(f.signature_id, *_row_columns())
        .select_from(FACTS.join(_SIGS, s.id == f.signature_id))
        .where(f.state == QUARANTINED, f.reason == NO_KEY_OPENS_IT)
    ).all()
    if not rows:
        return 0
    ids = [r.signature_id for r in rows]
    voided = {  # of these rows only, as read_pending looks them up, not every void stored
        v
        for part in chunked(ids)
        for (v,) in conn.execute(
            select(_VOIDS.c.signature_id).where(_VOIDS.c.signature_id.in_(part))
        )
    }
    deltas: Counter[str] = Counter()
    hour_deltas: Counter[HourKey] = Counter()
    for r in rows:
        v = r.signature_id in voided
        deltas.update(contribution(r, PENDING, v))
        deltas.subtract(contribution(r, QUARANTINED, v))
        hour_deltas.update(hour_contribution(r, PENDING, v))
        hour_deltas.subtract(hour_contribution(r, QUARANTINED, v))
    conn.execute(
        update(FACTS)
        .where(f.state == QUARANTINED, f.reason == NO_KEY_OPENS_IT)
        .values(state=PENDING, reason=None, read_at=None)
    )
    add_counts(conn, deltas)
    add_hours(conn, hour_deltas)
    return len(rows)


def prepare_keys(conn: Connection, keys: Any) -> int:
    """Make the stored facts match the configured keys: if the signer digests were made with
    another key (the oldest key file was dropped), every ``ok`` signature goes back to
    ``pending`` to be read again; if the set of keys changed at all, so does every signature
    no key opened before (a server once started with a wrong key file quarantined every
    signature it read: the right one brings them back). Returns how many were reset.

    On PostgreSQL it first takes a transaction-level advisory lock: server processes starting
    together (``--workers N``, several hosts) each read "no key recorded" otherwise, and each
    added the key's id, so the stored id matched no key and the next start read every
    signature again (the unique-signer counts wrong meanwhile)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_KEYS_LOCK})
    reset = 0
    ring, ring_had = _keyring_id(keys), _stored_id(conn, _KEYRING_NAME)
    if ring != ring_had:
        reset += _read_again_unopened(conn)
        add_counts(conn, Counter({_KEYRING_NAME: ring - (ring_had or 0)}))
    want = _key_id(keys)
    have = _stored_id(conn, _SIGNER_KEY_NAME)
    if have == want:
        return reset
    if have is not None:
        ok = conn.execute(
            update(FACTS).where(FACTS.c.state == OK).values(state=PENDING, signer=None)
        ).rowcount
        conn.execute(SIGNERS.delete())
        conn.execute(COUNTS.delete().where(COUNTS.c.name.like("unique:%")))
        add_counts(conn, Counter(pending=ok))
        reset += ok
    add_counts(conn, Counter({_SIGNER_KEY_NAME: want - (have or 0)}))
    return reset


#: How many of the signatures read before a server's keys are tried on (:func:`keys_open_read`).
KEY_CHECK_SAMPLE = 20


def keys_open_read(conn: Connection, keys: Any) -> tuple[int, int]:
    """Try ``keys`` on the signatures read most recently with the keys of before (``ok``: a
    device cannot make one): ``(opened, tried)``, at most :data:`KEY_CHECK_SAMPLE` tried.
    None opened of several tried means the wrong key files (the public key file given as the
    private one, a key of another organization): the server refuses to start with them rather
    than quarantine every signature it reads."""
    f, s = FACTS.c, _SIGS.c
    sealed = conn.execute(
        select(s.sealed)
        .select_from(FACTS.join(_SIGS, s.id == f.signature_id))
        .where(f.state == OK)
        .order_by(f.read_at.desc())
        .limit(KEY_CHECK_SAMPLE)
    ).scalars()
    opened = tried = 0
    for blob in sealed:
        tried += 1
        try:
            keys.open(bytes(blob))
            opened += 1
        except CryptoError:
            pass
    return opened, tried


def read_pending(conn: Connection, keys: Any, now: datetime, limit: int = _CHUNK) -> int:
    """Open up to ``limit`` pending signatures and move them to ``ok`` or ``quarantined``,
    adjusting the counts. Returns how many were read (0: nothing left)."""
    f, s = FACTS.c, _SIGS.c
    stmt = (
        select(f.signature_id, s.sealed, *_row_columns())
        .select_from(FACTS.join(_SIGS, s.id == f.signature_id))
        .where(f.state == PENDING)
        .order_by(f.signature_id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        stmt = stmt.with_for_update(of=FACTS, skip_locked=True)
    rows = conn.execute(stmt).all()
    if not rows:
        return 0
    ids = [r.signature_id for r in rows]
    voided = {
        v
        for (v,) in conn.execute(
            select(_VOIDS.c.signature_id).where(_VOIDS.c.signature_id.in_(ids))
        )
    }
    deltas: Counter[str] = Counter()
    signer_deltas: Counter[tuple[str, bytes]] = Counter()
    hour_deltas: Counter[HourKey] = Counter()
    for r in rows:
        state, reason, digest = read_record(keys, r.sealed)
        v = r.signature_id in voided
        deltas.update(contribution(r, state, v))
        deltas.subtract(contribution(r, PENDING, v))
        hour_deltas.update(hour_contribution(r, state, v))
        hour_deltas.subtract(hour_contribution(r, PENDING, v))
        if digest is not None and _counts_signer(state, r.synthetic, v):
            signer_deltas[(r.campaign, digest)] += 1
        conn.execute(
            update(FACTS)
            .where(f.signature_id == r.signature_id)
            .values(state=state, reason=reason, signer=digest, read_at=now)
        )
    deltas.update(_add_signers(conn, signer_deltas))
    add_counts(conn, deltas)
    add_hours(conn, hour_deltas)
    return len(rows)


def catch_up(engine: Engine, keys: Any, stop: threading.Event | None = None) -> int:
    """Read every pending signature, a chunk per transaction. Returns how many were read."""
    total = 0
    with write_transaction(engine) as conn:
        reset = prepare_keys(conn, keys)
    if reset:
        log.warning(
            "the configured keys changed: reading %d signature(s) again (signer digests made "
            "with another key, or none of the keys before opened them)",
            reset,
        )
    while stop is None or not stop.is_set():
        with write_transaction(engine) as conn:
            n = read_pending(conn, keys, datetime.now(UTC))
        if not n:
            break
        total += n
    if total:
        log.info("read %d signature(s) that arrived without a private key", total)
    return total


#: Seconds the reader waits before trying again after the database failed, doubling up to
#: :data:`READER_RETRY_MAX`.
READER_RETRY_FIRST = 1.0
READER_RETRY_MAX = 60.0


def start_catch_up(
    engine: Engine, keys: Any, retry_first: float | None = None
) -> tuple[threading.Thread, threading.Event]:
    """Run :func:`catch_up` in a background thread (the server starts it when it has a key).

    When the database fails under it (restarted, unreachable: an ``OperationalError``), the
    reader waits and tries again, from one second up to a minute apart, until it has read
    everything or the server stops: a database restart must not leave signatures unread (out
    of the unique-signer counts, a bad one never quarantined) until the next server restart.
    Any other error is a bug: it is logged and the reader ends.

    Args:
        engine: the server's engine.
        keys: the organization's :class:`kiosk.server.keys.KeyRing`.
        retry_first: the first wait after a database failure (:data:`READER_RETRY_FIRST`).
    """
    stop = threading.Event()
    first = READER_RETRY_FIRST if retry_first is None else retry_first

    def run() -> None:
        wait = first
        while not stop.is_set():
            try:
                catch_up(engine, keys, stop)
                return
            except OperationalError as exc:
                log.warning(
                    "reading pending signatures: the database is unavailable (%s); trying again "
                    "in %.0f s",
                    type(getattr(exc, "orig", exc)).__name__,
                    wait,
                )
                stop.wait(wait)
                wait = min(wait * 2, READER_RETRY_MAX)
            except Exception:  # noqa: BLE001 - a bug: logged, and the next start retries
                log.exception("reading pending signatures stopped")
                return

    thread = threading.Thread(target=run, name="kiosk-read-pending", daemon=True)
    thread.start()
    return thread, stop


# --- counting what is already stored (migration) ----------------------------------------------


def count_existing(conn: Connection) -> None:
    """Mark every stored signature ``pending`` and compute the counts from scratch (the
    migration that adds these tables, 0007, runs it once, on its empty tables)."""
    s = _SIGS.c
    voided = {v for (v,) in conn.execute(select(_VOIDS.c.signature_id))}
    deltas: Counter[str] = Counter()
    batch: list[dict[str, Any]] = []
    for r in conn.execute(select(s.id, *_row_columns())):
        deltas.update(contribution(r, PENDING, r.id in voided))
        batch.append({"signature_id": r.id, "state": PENDING})
        if len(batch) >= 5000:
            conn.execute(FACTS.insert(), batch)
            batch = []
    if batch:
        conn.execute(FACTS.insert(), batch)
    # The table as migration 0007 made it (one row per name; 0012 adds the shards later).
    counts = table("stat_counts", column("name"), column("n"))
    rows = [{"name": k, "n": v} for k, v in sorted(deltas.items()) if v]
    if rows:
        conn.execute(counts.insert(), rows)


# --- reading the counts ------------------------------------------------------------------------


def read_counts(conn: Connection) -> dict[str, int]:
    """Every running count that is not zero."""
    total = func.sum(COUNTS.c.n)
    return {
        name: int(n)
        for name, n in conn.execute(select(COUNTS.c.name, total).group_by(COUNTS.c.name))
        if n and not name.startswith("meta:")
    }


def by_prefix(counts: dict[str, int], prefix: str) -> dict[str, int]:
    """``{rest: n}`` of the counts named ``prefix:rest`` (sorted)."""
    p = prefix + ":"
    return {k[len(p) :]: v for k, v in sorted(counts.items()) if k.startswith(p)}


def quarantined(conn: Connection, limit: int | None = None) -> list[dict[str, Any]]:
    """The quarantined signatures in the order they were found unreadable (``read_at``, by
    ``ix_signature_facts_state_read``: the first ``limit`` read without sorting them all): id,
    campaign, local campaign, device, kiosk, when it was received and why it could not be read
    (never anything it holds)."""
    f, s = FACTS.c, _SIGS.c
    stmt = (
        select(
            s.id,
            s.campaign,
            s.local_campaign,
            s.device_id,
            s.kiosk_id,
            s.received_at,
            s.synthetic,
            f.reason,
        )
        .select_from(FACTS.join(_SIGS, s.id == f.signature_id))
        .where(f.state == QUARANTINED)
        .order_by(f.read_at, f.signature_id)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    return [
        {
            "id": str(r.id),
            "campaign": r.campaign,
            "local_campaign": r.local_campaign,
            "device_id": r.device_id,
            "kiosk_id": r.kiosk_id,
            "received_at": r.received_at.isoformat(),
            "synthetic": r.synthetic,
            "reason": r.reason,
        }
        for r in conn.execute(stmt)
    ]
