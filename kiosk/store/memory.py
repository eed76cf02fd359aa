"""An in-memory repository with the same contract as the SQLite store, for fast tests.

It imports nothing but the domain; the contract test in ``tests/store`` runs the same checks
against this and :class:`kiosk.store.sql.SqlStore`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from kiosk.domain.audit import GENESIS, AuditEntry, entry_hash
from kiosk.domain.campaign import TextVersion
from kiosk.domain.metadata import stored_values
from kiosk.domain.ports import Counts, OutboxRow, Requeued, SignatureFilter, StoredSignature
from kiosk.domain.signature import Event, SealedSignature, SyncState, Void


@dataclass
class _Entry:
    signature: SealedSignature
    state: SyncState = SyncState.PENDING
    void: Void | None = None
    void_state: SyncState = SyncState.PENDING
    exported_at: datetime | None = None


@dataclass
class MemoryStore:
    """Everything in dicts; nothing survives the process."""

    _rows: dict[uuid.UUID, _Entry] = field(default_factory=dict)
    _order: list[uuid.UUID] = field(default_factory=list)
    _versions: dict[str, TextVersion] = field(default_factory=dict)
    _events: dict[str, tuple[Event, SyncState]] = field(default_factory=dict)
    _settings: dict[str, str] = field(default_factory=dict)
    _audit: list[tuple[AuditEntry, SyncState]] = field(default_factory=list)

    def close(self) -> None:
        """Nothing to release."""

    def add(self, signature: SealedSignature, version: TextVersion) -> None:
        """Store a signature (ids are unique)."""
        if signature.meta.id in self._rows:
            raise ValueError("duplicate signature id")
        self._versions.setdefault(version.hash, version)
        self._rows[signature.meta.id] = _Entry(signature)
        self._order.append(signature.meta.id)

    def add_many(self, items: list[tuple[SealedSignature, TextVersion]]) -> None:
        """Store several signatures, all or none (ids are unique)."""
        ids = [sig.meta.id for sig, _ in items]
        if len(set(ids)) != len(ids) or any(i in self._rows for i in ids):
            raise ValueError("duplicate signature id")
        for sig, version in items:
            self.add(sig, version)

    def pending_rows(self, after_seq: int, limit: int) -> list[OutboxRow]:
        """The next pending signatures after ``after_seq`` (position + 1 is the seq)."""
        out: list[OutboxRow] = []
        for pos in range(max(after_seq, 0), len(self._order)):
            e = self._rows[self._order[pos]]
            if e.state is not SyncState.PENDING:
                continue
            stored = stored_values(e.signature.meta).values()
            out.append((pos + 1, *stored, e.signature.sealed))
            if len(out) >= limit:
                break
        return out

    def mark_ranges(self, ranges: list[tuple[int, int]], state: SyncState) -> None:
        """Give the pending signatures with seq in these inclusive ranges ``state``."""
        for lo, hi in ranges:
            for pos in range(max(lo, 1) - 1, min(hi, len(self._order))):
                e = self._rows[self._order[pos]]
                if e.state is SyncState.PENDING:
                    e.state = state

    def add_void(self, void: Void) -> None:
        """Store a void for an existing signature."""
        entry = self._rows.get(void.signature_id)
        if entry is None:
            raise KeyError(void.signature_id)
        if entry.void is not None:
            raise ValueError("already void")
        entry.void = void

    def save_text_version(self, version: TextVersion, seen: datetime | None = None) -> None:
        """Store a text version if new."""
        self._versions.setdefault(version.hash, version)

    def get(self, signature_id: uuid.UUID) -> StoredSignature | None:
        """Return one signature, or None."""
        e = self._rows.get(signature_id)
        return StoredSignature(e.signature, e.state, e.void) if e else None

    def has_dedupe_key(self, campaign: str, keys: tuple[str, ...]) -> bool:
        """Whether a non-void signature of ``campaign`` carries one of these keys."""
        wanted = set(keys)
        return any(
            e.void is None
            and e.signature.meta.campaign == campaign
            and wanted.intersection(e.signature.dedupe_keys)
            for e in self._rows.values()
        )

    @staticmethod
    def _match(e: _Entry, flt: SignatureFilter) -> bool:
        m = e.signature.meta
        return (
            (flt.campaign is None or m.campaign == flt.campaign)
            and (flt.local_campaign is None or m.local_campaign == flt.local_campaign)
            and (flt.event_id is None or m.event_id == flt.event_id)
            and (flt.since is None or m.created_at >= flt.since)
            and (flt.until is None or m.created_at < flt.until)
            and (flt.include_void or e.void is None)
            and (flt.include_synthetic or not m.synthetic)
        )

    def _entries(self, flt: SignatureFilter) -> list[_Entry]:
        return [self._rows[i] for i in self._order if self._match(self._rows[i], flt)]

    def count(self, flt: SignatureFilter) -> int:
        """Count the signatures matching ``flt``."""
        return len(self._entries(flt))

    def counts(self) -> Counts:
        """Counts of non-void signatures by campaign, local campaign, event and sync state."""
        by_campaign: dict[str, int] = {}
        by_local: dict[str, int] = {}
        by_event: dict[str, int] = {}
        by_sync: dict[str, int] = {}
        voided = 0
        for e in self._rows.values():
            m = e.signature.meta
            by_sync[e.state.value] = by_sync.get(e.state.value, 0) + 1
            if e.void is not None:
                voided += 1
                continue
            by_campaign[m.campaign] = by_campaign.get(m.campaign, 0) + 1
            if m.local_campaign is not None:
                k = f"{m.campaign}/{m.local_campaign}"
                by_local[k] = by_local.get(k, 0) + 1
            ek = m.event_id or ""
            by_event[ek] = by_event.get(ek, 0) + 1
        return Counts(sum(by_campaign.values()), voided, by_campaign, by_local, by_event, by_sync)

    def recent(self, limit: int, flt: SignatureFilter | None = None) -> list[StoredSignature]:
        """The newest signatures first."""
        flt = flt or SignatureFilter(include_void=True)
        entries = self._entries(flt)[::-1][:limit]
        return [StoredSignature(e.signature, e.state, e.void) for e in entries]

    def iter_signatures(
        self, flt: SignatureFilter, *, on_unreadable: Callable[[int], None] | None = None
    ) -> Iterator[StoredSignature]:
        """All matching signatures, oldest first (every record here can be read back)."""
        for e in self._entries(flt):
            yield StoredSignature(
                SealedSignature(e.signature.meta, e.signature.sealed, ()), e.state, e.void
            )

    def pending_signatures(self, limit: int) -> list[SealedSignature]:
        """Signatures the server has not acknowledged, oldest first."""
        out = [
            SealedSignature(e.signature.meta, e.signature.sealed, ())
            for i in self._order
            if (e := self._rows[i]).state is SyncState.PENDING
        ]
        return out[:limit]

    def pending_voids(self, limit: int) -> list[Void]:
        """Voids the server has not acknowledged, oldest first."""
        voids = [
            e.void
            for e in self._rows.values()
            if e.void is not None and e.void_state is SyncState.PENDING
        ]
        return sorted(voids, key=lambda v: v.voided_at)[:limit]

    def pending_count(self) -> int:
        """How many signatures and voids wait for the server."""
        return sum(
            (e.state is SyncState.PENDING)
            + (e.void is not None and e.void_state is SyncState.PENDING)
            for e in self._rows.values()
        )

    def mark_signatures(self, ids: list[uuid.UUID], state: SyncState) -> None:
        """Record the server's answer for these signatures."""
        for i in ids:
            if i in self._rows:
                self._rows[i].state = state

    def mark_voids(self, ids: list[uuid.UUID], state: SyncState) -> None:
        """Record the server's answer for the voids of these signatures."""
        for i in ids:
            if i in self._rows:
                self._rows[i].void_state = state

    def text_version(self, version_hash: str) -> TextVersion | None:
        """Return a stored text version by hash."""
        return self._versions.get(version_hash)

    def text_versions(self, campaign: str) -> list[TextVersion]:
        """Every text version stored for a campaign."""
        return [v for v in self._versions.values() if v.campaign == campaign]

    def save_event(self, event: Event) -> None:
        """Create or update an event."""
        self._events[event.id] = (event, SyncState.PENDING)

    def events(self) -> list[Event]:
        """All events, newest first."""
        return sorted(
            (e for e, _ in self._events.values()), key=lambda e: e.started_at, reverse=True
        )

    def pending_events(self) -> list[Event]:
        """Events not yet sent to the server."""
        return [e for e, st in self._events.values() if st is SyncState.PENDING]

    def mark_events(self, ids: list[str], state: SyncState) -> None:
        """Record that the server has these events."""
        for i in ids:
            if i in self._events:
                self._events[i] = (self._events[i][0], state)

    def get_setting(self, key: str) -> str | None:
        """Return a setting, or None."""
        return self._settings.get(key)

    def set_setting(self, key: str, value: str | None) -> None:
        """Set or delete a setting."""
        if value is None:
            self._settings.pop(key, None)
        else:
            self._settings[key] = value

    # Retention

    def mark_exported(self, ids: list[uuid.UUID], at: datetime) -> None:
        """Record that these signatures were exported (the first time counts)."""
        _ms(at)  # refuses a naive time, as the SQLite store does
        for i in ids:
            e = self._rows.get(i)
            if e is not None and e.exported_at is None:
                e.exported_at = at

    def purgeable(self, synced_before: datetime | None, require_exported: bool) -> list[uuid.UUID]:
        """Synced signatures that still hold personal data and fit the retention policy."""
        limit = _ms(synced_before) if synced_before is not None else None
        return [
            i
            for i in self._order
            if (e := self._rows[i]).state is SyncState.SYNCED
            and e.signature.sealed
            and (limit is None or _ms(e.signature.meta.created_at) < limit)
            and (not require_exported or e.exported_at is not None)
        ]

    def purgeable_count(self, synced_before: datetime | None, require_exported: bool) -> int:
        """How many signatures :meth:`purgeable` would list."""
        return len(self.purgeable(synced_before, require_exported))

    def purge_personal(self, ids: list[uuid.UUID]) -> int:
        """Delete the sealed personal data and dedupe keys of synced signatures; counts stay."""
        purged = 0
        for i in dict.fromkeys(ids):
            e = self._rows.get(i)
            if e is None or e.state is not SyncState.SYNCED or not e.signature.sealed:
                continue
            e.signature = SealedSignature(e.signature.meta, b"", ())
            purged += 1
        return purged

    def purged_count(self) -> int:
        """How many signatures' personal data was deleted (they still count)."""
        return sum(1 for e in self._rows.values() if not e.signature.sealed)

    def vacuum(self) -> None:
        """Nothing to reclaim: deleted data is gone from memory."""

    # The audit trail

    def append_audit(
        self,
        action: str,
        detail: dict[str, Any],
        kiosk_id: str,
        at: datetime,
        sign: Callable[[str], str | None] | None = None,
    ) -> AuditEntry:
        """Append one entry to the chain; return it (``detail`` as JSON would read it back)."""
        detail_norm = json.loads(json.dumps(detail, sort_keys=True, ensure_ascii=False))
        last = self._audit[-1][0] if self._audit else None
        seq = last.seq + 1 if last else 1
        prev = last.hash if last else GENESIS
        at_ms = _ms(at)
        digest = entry_hash(prev, seq, at_ms, kiosk_id, action, detail_norm)
        sig = sign(digest) if sign is not None else None
        entry = AuditEntry(seq, at_ms, kiosk_id, action, detail_norm, prev, digest, sig)
        self._audit.append((entry, SyncState.PENDING))
        return entry

    def sign_unsigned_audit(self, sign: Callable[[str], str]) -> int:
        """Sign the entries that have no signature yet; return how many were signed."""
        signed = 0
        for n, (entry, st) in enumerate(self._audit):
            if entry.sig is None:
                self._audit[n] = (replace(entry, sig=sign(entry.hash)), st)
                signed += 1
        return signed

    def audit_entries(self, after_seq: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """Entries after ``after_seq``, in sequence order."""
        out = [e for e, _ in self._audit if e.seq > after_seq]
        return out if limit is None else out[: max(limit, 0)]

    def pending_audit(self, limit: int) -> list[AuditEntry]:
        """Entries not yet acknowledged by the server, in sequence order."""
        return [e for e, st in self._audit if st is SyncState.PENDING][: max(limit, 0)]

    def recent_audit(self, limit: int) -> list[tuple[AuditEntry, SyncState]]:
        """The newest ``limit`` entries, newest first, each with its sync state."""
        return self._audit[::-1][: max(limit, 0)]

    def mark_audit(self, seqs: list[int], state: SyncState) -> None:
        """Record the server's answer for these entries."""
        wanted = set(seqs)
        self._audit = [(e, state if e.seq in wanted else st) for e, st in self._audit]

    def requeue_acknowledged(self, audit_after_seq: int | None) -> Requeued:
        """Everything the server acknowledged, pending again (see the port)."""
        synced, pending = SyncState.SYNCED, SyncState.PENDING
        signatures = unrecoverable = voids = events = audit = 0
        for e in self._rows.values():
            if e.state is synced:
                if e.signature.sealed:
                    e.state = pending
                    signatures += 1
                else:
                    unrecoverable += 1
            if e.void is not None and e.void_state is synced:
                e.void_state = pending
                voids += 1
        for key, (event, st) in list(self._events.items()):
            if st is synced:
                self._events[key] = (event, pending)
                events += 1
        again = [
            (
                e,
                pending
                if st is synced and audit_after_seq is not None and e.seq > audit_after_seq
                else st,
            )
            for e, st in self._audit
        ]
        audit = sum(1 for (_, a), (_, b) in zip(self._audit, again, strict=True) if a is not b)
        self._audit = again
        return Requeued(signatures, unrecoverable, voids, events, audit)


def _ms(moment: datetime) -> int:
    """Aware datetime to Unix milliseconds (as the SQLite store keeps times)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return int(moment.timestamp() * 1000)
