"""The SQLAlchemy implementation of the domain's repositories, on one SQLite file.

Every write is one short transaction (``BEGIN IMMEDIATE``), committed with the WAL synced to
disk before the method returns; reads run in a deferred ``BEGIN`` (a snapshot that takes no
write lock), so a save's duplicate check never waits for the sync thread's writes. Counts use the indexes on campaign, local campaign, event and
sync state, and stay fast with hundreds of thousands of signatures.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Select, bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.domain.audit import GENESIS, AuditEntry, entry_hash
from kiosk.domain.campaign import TextVersion, text_from_dict, text_to_dict
from kiosk.domain.metadata import STORED_COLUMNS, from_ms, meta_from_stored, stored_values, to_ms
from kiosk.domain.ports import Counts, OutboxRow, Requeued, SignatureFilter, StoredSignature
from kiosk.domain.signature import (
    Event,
    SealedSignature,
    SyncState,
    Void,
)
from kiosk.store.db import READ_OPTION, checkpointer, make_engine
from kiosk.store.models import (
    AuditRow,
    DedupeKeyRow,
    EventRow,
    SealedRow,
    SettingRow,
    SignatureRow,
    SignatureTallyRow,
    TextVersionRow,
    VoidRow,
)
from kiosk.store.peek import read_counts, read_pending_count

log = logging.getLogger("kiosk.store")


def _void(row: VoidRow) -> Void:
    return Void(uuid.UUID(row.signature_id), row.reason, from_ms(row.voided_ms), row.kiosk_id)


_R = TypeVar("_R")
_T = TypeVar("_T")


def _readable(
    rows: Iterable[_R],
    convert: Callable[[_R], _T],
    what: Callable[[_R], str],
    limit: int = sys.maxsize,
    skipped: Callable[[_R], object] | None = None,
) -> list[_T]:
    """The first ``limit`` of ``rows`` converted to domain records, leaving out (with an error
    in the log, naming the row, never its values, and given to ``skipped``) any that cannot be
    read back because the file was damaged or altered: such a row stays as it is, and the
    rows behind it go on."""
    out: list[_T] = []
    for row in rows:
        if len(out) >= limit:
            break
        try:
            out.append(convert(row))
        except (ValueError, TypeError, OverflowError) as exc:
            log.error(
                "%s cannot be read back (%s: the store was damaged or altered); left as it is "
                "and skipped",
                what(row),
                type(exc).__name__,
            )
            if skipped is not None:
                skipped(row)
    return out


def _row_name(row: SignatureRow) -> str:
    return f"signature row {row.seq}"


def _audit_entry(row: AuditRow) -> AuditEntry:
    """The domain's entry for a stored ``audit_log`` row."""
    return AuditEntry(
        row.seq,
        row.at_ms,
        row.kiosk_id,
        row.action,
        json.loads(row.detail_json),
        row.prev_hash,
        row.hash,
        row.sig,
    )


class _AuditMixin:
    """The audit trail and retention (personal-data purge) on the SQLite store."""

    engine: Any
    _session: Any
    _read_session: Any

    def append_audit(
        self,
        action: str,
        detail: dict[str, Any],
        kiosk_id: str,
        at: datetime,
        sign: Callable[[str], str | None] | None = None,
    ) -> AuditEntry:
        """Append one entry to the chain, durably; return it.

        Args:
            action: what happened.
            detail: facts (no personal data).
            kiosk_id: this kiosk.
            at: when.
            sign: signs the entry's hash (the kiosk's audit key); None leaves it unsigned.
        """
        detail_json = json.dumps(detail, sort_keys=True, ensure_ascii=False)
        detail_norm = json.loads(detail_json)
        with self._session.begin() as s:
            last = s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1)).first()
            seq = (last.seq + 1) if last else 1
            prev = last.hash if last else GENESIS
            at_ms = to_ms(at)
            digest = entry_hash(prev, seq, at_ms, kiosk_id, action, detail_norm)
            sig = sign(digest) if sign is not None else None
            s.add(
                AuditRow(
                    seq=seq,
                    at_ms=at_ms,
                    kiosk_id=kiosk_id,
                    action=action,
                    detail_json=detail_json,
                    prev_hash=prev,
                    hash=digest,
                    sync_state=SyncState.PENDING.value,
                    sig=sig,
                )
            )
        return AuditEntry(seq, at_ms, kiosk_id, action, detail_norm, prev, digest, sig)

    def sign_unsigned_audit(self, sign: Callable[[str], str]) -> int:
        """Sign the entries made before the kiosk had an audit key (once, on upgrade).

        Returns:
            How many entries were signed.
        """
        with self._session.begin() as s:
            rows = s.scalars(select(AuditRow).where(AuditRow.sig.is_(None))).all()
            for row in rows:
                row.sig = sign(row.hash)
        return len(rows)

    def audit_entries(self, after_seq: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """Entries in sequence order."""
        with self._read_session() as s:
            q = select(AuditRow).where(AuditRow.seq > after_seq).order_by(AuditRow.seq)
            if limit is not None:
                q = q.limit(limit)
            return [_audit_entry(r) for r in s.scalars(q)]

    def pending_audit(self, limit: int) -> list[AuditEntry]:
        """Audit entries not yet acknowledged by the server, in order."""
        with self._read_session() as s:
            rows = s.scalars(
                select(AuditRow)
                .where(AuditRow.sync_state == SyncState.PENDING.value)
                .order_by(AuditRow.seq)
                .execution_options(yield_per=max(limit, 1))
            )
            return _readable(rows, _audit_entry, lambda r: f"audit entry {r.seq}", limit)

    def recent_audit(self, limit: int) -> list[tuple[AuditEntry, SyncState]]:
        """The newest ``limit`` entries, newest first, each with its sync state."""
        with self._read_session() as s:
            rows = s.scalars(select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit))
            return [(_audit_entry(r), SyncState(r.sync_state)) for r in rows]

    def mark_audit(self, seqs: list[int], state: SyncState) -> None:
        """Record that the server has these audit entries."""
        if not seqs:
            return
        with self._session.begin() as s:
            s.execute(update(AuditRow).where(AuditRow.seq.in_(seqs)).values(sync_state=state.value))

    def requeue_acknowledged(self, audit_after_seq: int | None) -> Requeued:
        """Everything the server acknowledged, pending again, in one transaction (the port
        says when: a server restored from an older backup)."""
        synced, pending = SyncState.SYNCED.value, SyncState.PENDING.value
        has_data = exists().where(SealedRow.seq == SignatureRow.seq)
        with self._session.begin() as s:

            def run(stmt: Any) -> int:
                done = s.execute(stmt.execution_options(synchronize_session=False))
                return int(getattr(done, "rowcount", 0) or 0)

            unrecoverable = s.scalar(
                select(func.count())
                .select_from(SignatureRow)
                .where(SignatureRow.sync_state == synced, ~has_data)
            )
            return Requeued(
                signatures=run(
                    update(SignatureRow)
                    .where(SignatureRow.sync_state == synced, has_data)
                    .values(sync_state=pending)
                ),
                unrecoverable=int(unrecoverable or 0),
                voids=run(
                    update(VoidRow).where(VoidRow.sync_state == synced).values(sync_state=pending)
                ),
                events=run(
                    update(EventRow).where(EventRow.sync_state == synced).values(sync_state=pending)
                ),
                audit=0
                if audit_after_seq is None
                else run(
                    update(AuditRow)
                    .where(AuditRow.sync_state == synced, AuditRow.seq > audit_after_seq)
                    .values(sync_state=pending)
                ),
            )

    def mark_exported(self, ids: list[uuid.UUID], at: datetime) -> None:
        """Record that these signatures were exported (for the keep-until-exported policy)."""
        with self._session.begin() as s:
            for start in range(0, len(ids), 500):
                chunk = [str(i) for i in ids[start : start + 500]]
                s.execute(
                    update(SignatureRow)
                    .where(SignatureRow.id.in_(chunk), SignatureRow.exported_ms.is_(None))
                    .values(exported_ms=to_ms(at))
                )

    def purgeable(self, synced_before: datetime | None, require_exported: bool) -> list[uuid.UUID]:
        """Synced signatures that still hold personal data and fit the retention policy.

        Args:
            synced_before: only signatures created before this moment (None: any age).
            require_exported: only signatures that were exported.
        """
        sql, params = _purgeable("s.id", synced_before, require_exported)
        with self._read_session() as s:
            return [uuid.UUID(i) for i in s.scalars(text(sql), params)]

    def purgeable_count(self, synced_before: datetime | None, require_exported: bool) -> int:
        """How many signatures :meth:`purgeable` would list, counted in SQLite: the privacy
        screen and ``kiosk retention show`` only say how many (listing 120,000 ids as UUIDs
        to count them took 0.41 s of 200,000 stored)."""
        sql, params = _purgeable("count(*)", synced_before, require_exported)
        with self._read_session() as s:
            return int(s.scalar(text(sql), params) or 0)

    def purge_personal(self, ids: list[uuid.UUID]) -> int:
        """Delete the sealed personal data and dedupe keys of synced signatures; counts stay.

        Only signatures the server has acknowledged are purged (``secure_delete`` is on, so
        the freed pages are zeroed; ``vacuum()`` later shrinks the file).
        """
        purged = 0
        with self._session.begin() as s:
            for start in range(0, len(ids), 500):
                chunk = [str(i) for i in ids[start : start + 500]]
                seqs = list(
                    s.scalars(
                        select(SignatureRow.seq).where(
                            SignatureRow.id.in_(chunk),
                            SignatureRow.sync_state == SyncState.SYNCED.value,
                            SignatureRow.sealed.is_not(None),
                        )
                    )
                )
                if not seqs:
                    continue
                s.execute(delete(DedupeKeyRow).where(DedupeKeyRow.signature_seq.in_(seqs)))
                s.execute(delete(SealedRow).where(SealedRow.seq.in_(seqs)))
                purged += len(seqs)
        return purged

    def purged_count(self) -> int:
        """How many signatures' personal data retention has deleted (they still count): the
        signatures without a sealed row, from the running counts (``signature_tally``);
        asking each signature whether it has one took 0.13 s of 200,000 stored."""
        with self._read_session() as s:
            q = select(func.sum(SignatureTallyRow.n - SignatureTallyRow.held))
            return int(s.scalar(q) or 0)

    def vacuum(self) -> None:
        """Checkpoint the WAL and rebuild the file so deleted data leaves no trace on disk."""
        raw = self.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.execute("VACUUM")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.close()
        finally:
            raw.close()


class SqlStore(_AuditMixin):
    """Signatures, voids, text versions, events and settings in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = make_engine(path)
        self._checkpointer = checkpointer(self.engine)
        self._session = sessionmaker(self.engine, expire_on_commit=False)
        # Reads: a snapshot (deferred BEGIN), never the write lock (kiosk.store.db.READ_OPTION).
        self._reader = self.engine.execution_options(**{READ_OPTION: True})
        self._read_session = sessionmaker(self._reader, expire_on_commit=False)

    def close(self) -> None:
        """Refresh the planner's statistics (:meth:`optimize`) and release the connections."""
        try:
            self.optimize()
        except DBAPIError as exc:  # a full or read-only disk: the statistics can wait
            log.warning("could not refresh query statistics: %s", type(exc.orig).__name__)
        self._checkpointer.close()
        self.engine.dispose()

    # -- writes ------------------------------------------------------------------------------

    def add(self, signature: SealedSignature, version: TextVersion) -> None:
        """Store a signature and (if new) its text version in one durable transaction.

        This is the hot path of every signer, so it uses Core statements on one connection
        rather than the ORM unit of work.
        """
        m = signature.meta
        with self.engine.begin() as conn:
            conn.execute(_NEW_VERSION, _version_values(version, to_ms(m.created_at)))
            seq = conn.execute(
                insert(SignatureRow).returning(SignatureRow.seq), _signature_values(signature)
            ).scalar_one()
            conn.execute(insert(SealedRow), {"seq": seq, "sealed": signature.sealed})
            keys = list(dict.fromkeys(signature.dedupe_keys))
            if keys:
                conn.execute(insert(DedupeKeyRow), [{"key": k, "signature_seq": seq} for k in keys])

    def add_void(self, void: Void) -> None:
        """Store a void and mark its signature, in one durable transaction."""
        with self._session.begin() as s:
            s.add(
                VoidRow(
                    signature_id=str(void.signature_id),
                    reason=void.reason,
                    voided_ms=to_ms(void.voided_at),
                    kiosk_id=void.kiosk_id,
                    sync_state=SyncState.PENDING.value,
                )
            )
            s.execute(
                update(SignatureRow)
                .where(SignatureRow.id == str(void.signature_id))
                .values(voided=True)
            )

    def save_text_version(self, version: TextVersion, seen: datetime) -> None:
        """Store a text version if it is new (e.g. pulled from the server)."""
        with self.engine.begin() as conn:
            conn.execute(_NEW_VERSION, _version_values(version, to_ms(seen)))

    def mark_signatures(self, ids: list[uuid.UUID], state: SyncState) -> None:
        """Record the server's answer for these signatures."""
        if not ids:
            return
        with self._session.begin() as s:
            s.execute(
                update(SignatureRow)
                .where(SignatureRow.id.in_([str(i) for i in ids]))
                .values(sync_state=state.value)
            )

    def mark_voids(self, ids: list[uuid.UUID], state: SyncState) -> None:
        """Record the server's answer for the voids of these signatures."""
        if not ids:
            return
        with self._session.begin() as s:
            s.execute(
                update(VoidRow)
                .where(VoidRow.signature_id.in_([str(i) for i in ids]))
                .values(sync_state=state.value)
            )

    def save_event(self, event: Event) -> None:
        """Create or update an event."""
        with self._session.begin() as s:
            row = s.get(EventRow, event.id)
            if row is None:
                s.add(
                    EventRow(
                        id=event.id,
                        name=event.name,
                        location=event.location,
                        started_ms=to_ms(event.started_at),
                        sync_state=SyncState.PENDING.value,
                    )
                )
            else:
                row.name, row.location = event.name, event.location
                row.started_ms = to_ms(event.started_at)
                row.sync_state = SyncState.PENDING.value

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or with None, delete) a setting durably."""
        with self._session.begin() as s:
            if value is None:
                s.execute(delete(SettingRow).where(SettingRow.key == key))
            else:
                s.merge(SettingRow(key=key, value=value))

    # -- reads -------------------------------------------------------------------------------

    def get_setting(self, key: str) -> str | None:
        """Return a setting, or None."""
        with self._read_session() as s:
            row = s.get(SettingRow, key)
            return row.value if row else None

    def get(self, signature_id: uuid.UUID) -> StoredSignature | None:
        """Return one signature with its state, or None (also for a row that cannot be read
        back: the file was damaged or altered; it is logged by its ``seq``, as every read
        logs such a row)."""
        with self._read_session() as s:
            row = s.scalar(select(SignatureRow).where(SignatureRow.id == str(signature_id)))
            if row is None:
                return None
            found = _readable([row], lambda r: self._stored(s, r), _row_name)
            return found[0] if found else None

    def _stored(
        self, s: Session, row: SignatureRow, keys: tuple[str, ...] | None = None
    ) -> StoredSignature:
        if keys is None:
            keys = tuple(
                s.scalars(select(DedupeKeyRow.key).where(DedupeKeyRow.signature_seq == row.seq))
            )
        void = None
        if row.voided:
            vrow = s.get(VoidRow, row.id)
            void = _void(vrow) if vrow else None
        return StoredSignature(
            SealedSignature(meta_from_stored(row), row.sealed or b"", keys),
            SyncState(row.sync_state),
            void,
        )

    def has_dedupe_key(self, campaign: str, keys: tuple[str, ...]) -> bool:
        """Whether a non-void signature of ``campaign`` carries one of these keys.

        Asked on every save, so it is driven from ``dedupe_keys``' own key (a handful of rows,
        whatever the store holds) and then checks those signatures by their primary key: two
        index searches that need no statistics (``tests/store/test_query_plans.py``). Left to
        itself, SQLite may walk the campaign's signatures instead (see FIELD-NOTES).
        """
        if not keys:
            return False
        with self._reader.connect() as conn:
            seqs = list(conn.execute(_SEQS_BY_KEY, {"keys": list(keys)}).scalars())
            if not seqs:
                return False
            hit = conn.execute(_LIVE_OF_CAMPAIGN, {"seqs": seqs, "campaign": campaign}).first()
            return hit is not None

    @staticmethod
    def _filtered(q: Select[Any], flt: SignatureFilter) -> Select[Any]:
        if flt.campaign is not None:
            q = q.where(SignatureRow.campaign == flt.campaign)
        if flt.local_campaign is not None:
            q = q.where(SignatureRow.local_campaign == flt.local_campaign)
        if flt.event_id is not None:
            q = q.where(SignatureRow.event_id == flt.event_id)
        if flt.since is not None:
            q = q.where(SignatureRow.created_ms >= to_ms(flt.since))
        if flt.until is not None:
            q = q.where(SignatureRow.created_ms < to_ms(flt.until))
        if not flt.include_void:
            q = q.where(SignatureRow.voided.is_(False))
        if not flt.include_synthetic:
            q = q.where(SignatureRow.synthetic.is_(False))
        return q

    def count(self, flt: SignatureFilter) -> int:
        """Count the signatures matching ``flt``.

        Without a time bound the running counts answer (``signature_tally``: a few rows,
        whatever the store holds). With one, the signatures of that period are counted from
        the ``created_ms`` index, never by walking a whole campaign (see :func:`_in_period`).
        """
        with self._read_session() as s:
            if flt.since is None and flt.until is None:
                return int(s.scalar(_tallied(flt)) or 0)
            q = _in_period(select(func.count()).select_from(SignatureRow), flt)
            return int(s.scalar(q) or 0)

    def counts(self) -> Counts:
        """Counts of non-void signatures by campaign, local campaign, event and sync state."""
        return self._raw(read_counts)

    def _raw(self, read: Any) -> Any:
        """Run a :mod:`kiosk.store.peek` reader on a pooled DB-API connection (autocommit)."""
        raw = self.engine.raw_connection()
        try:
            return read(raw.driver_connection)
        finally:
            raw.close()

    def recent(self, limit: int, flt: SignatureFilter | None = None) -> list[StoredSignature]:
        """The newest signatures first."""
        flt = flt or SignatureFilter(include_void=True)
        with self._read_session() as s:
            q = self._filtered(select(SignatureRow), flt).order_by(SignatureRow.seq.desc())
            rows = s.scalars(q.limit(limit))
            return _readable(rows, lambda r: self._stored(s, r), _row_name)

    def iter_signatures(
        self,
        flt: SignatureFilter,
        *,
        on_unreadable: Callable[[int], None] | None = None,
        chunk: int = 2000,
    ) -> Iterator[StoredSignature]:
        """All matching signatures, oldest first, read in chunks.

        A row that cannot be read back (the file was damaged or altered: an id that is no UUID,
        a time that is not a number) is left out, logged by its ``seq`` and given to
        ``on_unreadable``; the rest go on.
        """
        last = 0
        while True:
            with self._read_session() as s:
                q = self._filtered(select(SignatureRow), flt).where(SignatureRow.seq > last)
                rows = list(s.scalars(q.order_by(SignatureRow.seq).limit(chunk)))
                out = _readable(
                    rows,
                    lambda r: self._stored(s, r, keys=()),
                    _row_name,
                    skipped=None if on_unreadable is None else lambda r: on_unreadable(r.seq),
                )
            if not rows:
                return
            last = rows[-1].seq
            yield from out

    def pending_signatures(self, limit: int) -> list[SealedSignature]:
        """Signatures the server has not acknowledged, oldest first."""
        with self._read_session() as s:
            rows = s.scalars(
                select(SignatureRow)
                .where(SignatureRow.sync_state == SyncState.PENDING.value)
                .order_by(SignatureRow.seq)
                .limit(limit)
            )
            return [SealedSignature(meta_from_stored(r), r.sealed or b"", ()) for r in rows]

    def pending_rows(self, after_seq: int, limit: int) -> list[OutboxRow]:
        """The next ``limit`` pending signatures after ``after_seq``, oldest first, as plain
        tuples of the columns sync sends (see :data:`kiosk.domain.ports.OutboxRow`).

        One search of the ``(sync_state, seq)`` index from the cursor: a sync pass reads each
        pending row once, however many batches are in flight.
        """
        return self._raw(lambda conn: conn.execute(_PENDING_ROWS, (after_seq, limit)).fetchall())

    def mark_ranges(self, ranges: list[tuple[int, int]], state: SyncState) -> None:
        """Give every *pending* signature whose ``seq`` is in one of these inclusive ranges the
        state ``state``, in one durable transaction.

        A range of a batch read with :meth:`pending_rows` holds exactly that batch's rows, so
        marking a batch is one index range per run of acknowledged rows instead of a lookup
        per id.
        """
        if not ranges:
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql(
                "UPDATE signatures SET sync_state = ? "
                "WHERE sync_state = 'pending' AND seq BETWEEN ? AND ?",
                [(state.value, lo, hi) for lo, hi in ranges],
            )

    def pending_voids(self, limit: int) -> list[Void]:
        """Voids the server has not acknowledged, oldest first."""
        with self._read_session() as s:
            rows = s.scalars(
                select(VoidRow)
                .where(VoidRow.sync_state == SyncState.PENDING.value)
                .order_by(VoidRow.voided_ms)
                .execution_options(yield_per=max(limit, 1))
            )
            return _readable(rows, _void, lambda r: f"void of {r.signature_id!r}", limit)

    def pending_count(self) -> int:
        """How many signatures and voids wait for the server."""
        return int(self._raw(read_pending_count))

    def text_version(self, version_hash: str) -> TextVersion | None:
        """Return a stored text version by hash."""
        with self._read_session() as s:
            row = s.get(TextVersionRow, version_hash)
            if row is None:
                return None
            return TextVersion(
                row.hash,
                row.campaign,
                row.local_campaign,
                text_from_dict(json.loads(row.text_json)),
            )

    def text_versions(self, campaign: str) -> list[TextVersion]:
        """Every text version stored for a campaign, oldest first."""
        with self._read_session() as s:
            rows = s.scalars(
                select(TextVersionRow)
                .where(TextVersionRow.campaign == campaign)
                .order_by(TextVersionRow.first_seen_ms)
            )
            return [
                TextVersion(
                    r.hash, r.campaign, r.local_campaign, text_from_dict(json.loads(r.text_json))
                )
                for r in rows
            ]

    def events(self) -> list[Event]:
        """All events, newest first."""
        with self._read_session() as s:
            rows = s.scalars(select(EventRow).order_by(EventRow.started_ms.desc()))
            return [Event(r.id, r.name, r.location, from_ms(r.started_ms)) for r in rows]

    def pending_events(self) -> list[Event]:
        """Events not yet sent to the server."""
        with self._read_session() as s:
            rows = s.scalars(select(EventRow).where(EventRow.sync_state == SyncState.PENDING.value))
            return _readable(
                rows,
                lambda r: Event(r.id, r.name, r.location, from_ms(r.started_ms)),
                lambda r: f"event {r.id!r}",
            )

    def mark_events(self, ids: list[str], state: SyncState) -> None:
        """Record that the server has these events."""
        if not ids:
            return
        with self._session.begin() as s:
            s.execute(update(EventRow).where(EventRow.id.in_(ids)).values(sync_state=state.value))

    def add_many(self, items: list[tuple[SealedSignature, TextVersion]]) -> None:
        """Store several new signatures with their dedupe keys in one durable transaction.

        For saves that need not be committed one by one (``kiosk simulate``, imports,
        benchmarks): all of them or none are stored, and all are on disk when this returns.
        """
        if not items:
            return
        now_ms = int(time.time() * 1000)
        with self.engine.begin() as conn:
            versions = {v.hash: v for _, v in items}.values()
            conn.execute(_NEW_VERSION, [_version_values(v, now_ms) for v in versions])
            conn.execute(insert(SignatureRow), [_signature_values(sig) for sig, _ in items])
            by_id = {str(sig.meta.id): sig for sig, _ in items}
            ids = list(by_id)
            sealed_rows: list[dict[str, Any]] = []
            key_rows: list[dict[str, Any]] = []
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                for seq, sid in conn.execute(
                    select(SignatureRow.seq, SignatureRow.id).where(SignatureRow.id.in_(chunk))
                ):
                    sig = by_id[sid]
                    sealed_rows.append({"seq": seq, "sealed": sig.sealed})
                    key_rows += [
                        {"key": k, "signature_seq": seq} for k in dict.fromkeys(sig.dedupe_keys)
                    ]
            conn.execute(insert(SealedRow), sealed_rows)
            if key_rows:
                conn.execute(insert(DedupeKeyRow), key_rows)

    def bulk_add(self, items: list[tuple[SealedSignature, TextVersion]]) -> None:
        """Add many signatures in one transaction (benchmarks and imports): :meth:`add_many`."""
        self.add_many(items)

    def optimize(self) -> None:
        """Let SQLite refresh the statistics its planner uses (``PRAGMA optimize``, cheap).

        SQLite's advice is to run it when closing a connection and now and then; with
        ``analysis_limit`` set, the ``ANALYZE`` it may run samples a few hundred rows per index
        instead of reading the whole store.
        """
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA analysis_limit=400")
            conn.exec_driver_sql("PRAGMA optimize")


def _tallied(flt: SignatureFilter) -> Select[Any]:
    """How many signatures match ``flt`` (which has no time bound), from the running counts."""
    t = SignatureTallyRow
    q = select(func.sum(t.n))
    if flt.campaign is not None:
        q = q.where(t.campaign == flt.campaign)
    if flt.local_campaign is not None:
        q = q.where(t.local_campaign == flt.local_campaign)
    if flt.event_id is not None:
        q = q.where(t.event_id == flt.event_id)
    if not flt.include_void:
        q = q.where(t.voided.is_(False))
    if not flt.include_synthetic:
        q = q.where(t.synthetic.is_(False))
    return q


def _in_period(q: Select[Any], flt: SignatureFilter) -> Select[Any]:
    """``q`` over the signatures matching ``flt``, which has a time bound, driven from the
    ``created_ms`` index: the campaign's and the event's terms are written so that no index
    can serve them (``campaign || ''``), or SQLite, without statistics, walks every signature
    of the campaign to find today's (40 ms on 200,000 stored, for none today)."""
    if flt.campaign is not None:
        q = q.where(SignatureRow.campaign.concat("") == flt.campaign)
    if flt.local_campaign is not None:
        q = q.where(SignatureRow.local_campaign.concat("") == flt.local_campaign)
    if flt.event_id is not None:
        q = q.where(SignatureRow.event_id.concat("") == flt.event_id)
    return SqlStore._filtered(q, replace(flt, campaign=None, local_campaign=None, event_id=None))


def _purgeable(
    what: str, synced_before: datetime | None, require_exported: bool
) -> tuple[str, dict[str, Any]]:
    """The query of ``what`` (``s.id``, ``count(*)``) over the synced signatures that still hold
    personal data and fit a retention policy (:meth:`SqlStore.purgeable`), with its parameters.

    Driven from the rows still held (``ix_signature_sealed_seq``: no blob read), each signature
    then found by its ``seq``; ``CROSS JOIN`` keeps SQLite to that order, which it would not
    choose itself without statistics (it walked every synced signature asking each for its
    sealed row: 0.17 s on 200,000 stored, 60 % purged; 0.025 s so). The cost follows the
    personal data still held, which retention keeps small.
    """
    where = ["s.sync_state = :synced"]
    params: dict[str, Any] = {"synced": SyncState.SYNCED.value}
    if synced_before is not None:
        where.append("s.created_ms < :before")
        params["before"] = to_ms(synced_before)
    if require_exported:
        where.append("s.exported_ms IS NOT NULL")
    sql = (
        f"SELECT {what} FROM signature_sealed b "
        f"CROSS JOIN signatures s ON s.seq = b.seq WHERE {' AND '.join(where)}"
    )
    return sql, params


#: The outbox from a cursor: the columns sync sends, in wire order (``OutboxRow``).
_PENDING_ROWS = (
    f"SELECT seq, {', '.join(STORED_COLUMNS)}, "
    "(SELECT b.sealed FROM signature_sealed b WHERE b.seq = signatures.seq) FROM signatures "
    "WHERE sync_state = 'pending' AND seq > ? ORDER BY seq LIMIT ?"
)

#: The signatures carrying any of some dedupe keys: a search of ``dedupe_keys``' primary key.
_SEQS_BY_KEY = select(DedupeKeyRow.signature_seq).where(
    DedupeKeyRow.key.in_(bindparam("keys", expanding=True))
)

#: Which of some signatures (by ``seq``, the rowid) are live signatures of a campaign.
_LIVE_OF_CAMPAIGN = (
    select(SignatureRow.seq)
    .where(
        SignatureRow.seq.in_(bindparam("seqs", expanding=True)),
        SignatureRow.campaign == bindparam("campaign"),
        SignatureRow.voided.is_(False),
    )
    .limit(1)
)


#: Insert a text version unless it is already stored (versions never change once stored).
_NEW_VERSION = insert(TextVersionRow).prefix_with("OR IGNORE")


def _version_values(version: TextVersion, seen_ms: int) -> dict[str, Any]:
    """The ``text_versions`` row of a version first seen at ``seen_ms``."""
    return {
        "hash": version.hash,
        "campaign": version.campaign,
        "local_campaign": version.local_campaign,
        "text_json": json.dumps(text_to_dict(version.text), ensure_ascii=False),
        "first_seen_ms": seen_ms,
    }


def _signature_values(signature: SealedSignature) -> dict[str, Any]:
    """The ``signatures`` row of a new, pending signature."""
    return {
        **stored_values(signature.meta),
        "voided": False,
        "sync_state": SyncState.PENDING.value,
    }


def open_store(path: Path | str) -> SqlStore:
    """Open (creating and migrating as needed) the store at ``path``."""
    from kiosk.store.migrate import upgrade

    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    store = SqlStore(p)
    upgrade(store.engine)
    return store
