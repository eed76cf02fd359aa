"""Interfaces the domain needs from the outside world: storage, sealing, clocks.

The SQLAlchemy store (:mod:`kiosk.store`) and the in-memory store (:mod:`kiosk.store.memory`)
implement ``SignatureRepository``; one contract test runs against both.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from kiosk.domain.campaign import TextVersion
from kiosk.domain.signature import Event, SealedSignature, SyncState, Void


@dataclass(frozen=True, slots=True)
class SignatureFilter:
    """Which signatures a query covers. None means "any"."""

    campaign: str | None = None
    local_campaign: str | None = None
    event_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    include_void: bool = False
    include_synthetic: bool = True


@dataclass(frozen=True, slots=True)
class Counts:
    """Counts of non-void signatures, by the dimensions staff and sync care about."""

    total: int
    voided: int
    by_campaign: dict[str, int] = field(default_factory=dict)
    by_local: dict[str, int] = field(default_factory=dict)  # "campaign/local"
    by_event: dict[str, int] = field(default_factory=dict)
    by_sync_state: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class StoredSignature:
    """A signature read back from the store, with its local state."""

    signature: SealedSignature
    sync_state: SyncState
    void: Void | None


#: One pending signature as sync reads it: ``(seq, id, campaign, local_campaign, text_version,
#: lang, kiosk_id, event_id, created_ms, utc_offset_minutes, synthetic, method, sealed)``;
#: ``method`` is a ``SignatureMethod`` value; ``seq`` is the
#: store's insertion order (the outbox cursor), ``created_ms`` Unix milliseconds (UTC), and
#: ``sealed`` None or empty when the personal data is missing.
OutboxRow = tuple[
    int, str, str, str | None, str, str, str, str | None, int, int, bool, str, bytes | None
]


class SignatureRepository(Protocol):
    """Durable storage of signatures, voids, text versions and events."""

    def add(self, signature: SealedSignature, version: TextVersion) -> None:
        """Store a new signature (and its text version if new); durable when this returns."""
        ...

    def add_many(self, items: list[tuple[SealedSignature, TextVersion]]) -> None:
        """Store several new signatures in one transaction; all durable when this returns."""
        ...

    def add_void(self, void: Void) -> None:
        """Store a void for an existing signature; durable when this returns."""
        ...

    def get(self, signature_id: uuid.UUID) -> StoredSignature | None:
        """Return one signature, or None."""
        ...

    def has_dedupe_key(self, campaign: str, keys: tuple[str, ...]) -> bool:
        """Whether a non-void signature of ``campaign`` carries any of these dedupe keys."""
        ...

    def count(self, flt: SignatureFilter) -> int:
        """Count the signatures matching ``flt``."""
        ...

    def counts(self) -> Counts:
        """Counts by campaign, local campaign, event and sync state."""
        ...

    def recent(self, limit: int, flt: SignatureFilter | None = None) -> list[StoredSignature]:
        """The newest signatures first."""
        ...

    def iter_signatures(self, flt: SignatureFilter) -> Iterator[StoredSignature]:
        """All matching signatures, oldest first."""
        ...

    def pending_signatures(self, limit: int) -> list[SealedSignature]:
        """Signatures not yet acknowledged by the server, oldest first."""
        ...

    def pending_voids(self, limit: int) -> list[Void]:
        """Voids not yet acknowledged by the server, oldest first."""
        ...

    def mark_signatures(self, ids: list[uuid.UUID], state: SyncState) -> None:
        """Record the server's answer for these signatures."""
        ...

    def mark_voids(self, ids: list[uuid.UUID], state: SyncState) -> None:
        """Record the server's answer for the voids of these signatures."""
        ...

    def text_version(self, version_hash: str) -> TextVersion | None:
        """Return a stored text version by hash."""
        ...

    def text_versions(self, campaign: str) -> list[TextVersion]:
        """Every text version stored for a campaign."""
        ...

    def save_event(self, event: Event) -> None:
        """Create or update an event."""
        ...

    def events(self) -> list[Event]:
        """All events, newest first."""
        ...


class SettingsStore(Protocol):
    """Small durable key-value settings (active campaign, PIN hash, failure counter...)."""

    def get_setting(self, key: str) -> str | None:
        """Return a setting, or None."""
        ...

    def set_setting(self, key: str, value: str | None) -> None:
        """Set (or with None, delete) a setting durably."""
        ...


class Sealer(Protocol):
    """Encrypts personal data to the organization's public key (write-only on the kiosk)."""

    def seal(self, plaintext: bytes) -> bytes:
        """Return the sealed form of ``plaintext``."""
        ...


class Opener(Protocol):
    """Decrypts sealed personal data (needs the organization's private key)."""

    def open(self, sealed: bytes) -> bytes:
        """Return the plaintext of ``sealed``."""
        ...
