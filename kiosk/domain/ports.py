"""Interfaces the domain and the application layer need from the outside world: storage,
sealing, clocks, PIN hashing, printing and removable drives.

The SQLAlchemy store (:mod:`kiosk.store`) and the in-memory store (:mod:`kiosk.store.memory`)
both implement :class:`KioskStore`: signatures and their outbox (:class:`SignatureRepository`,
with retention's purge), the audit trail (:class:`AuditTrail`) and settings
(:class:`SettingsStore`). One contract test (``tests/store/test_contract.py``) runs against
both and checks that each implements every method declared here. Callers type what they use
against these protocols; nobody probes a store with ``getattr``.

The devices and slow hashes the application layer (:mod:`kiosk.services`) drives are ports
too, with the plain values and the error they exchange, so no service imports an adapter:
:class:`PinHasher` (Argon2id, :mod:`kiosk.adapters.crypto`), :class:`PrintQueue` (CUPS,
:mod:`kiosk.adapters.printing`) and :class:`DriveFinder` (mounted USB sticks,
:mod:`kiosk.adapters.usb`). The composition root (:mod:`kiosk.app`) hands in the real ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from kiosk.domain.audit import AuditEntry
from kiosk.domain.campaign import TextVersion
from kiosk.domain.counts import Counts as Counts  # its own module: kiosk status reads it alone
from kiosk.domain.errors import CryptoError as CryptoError  # as light: the crypto adapter's
from kiosk.domain.signature import Event, SealedSignature, SyncState, Void

#: The clock every layer takes (injected by tests): returns the current aware UTC time.
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock: an aware UTC datetime."""
    return datetime.now(UTC)


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

    def iter_signatures(
        self, flt: SignatureFilter, *, on_unreadable: Callable[[int], None] | None = None
    ) -> Iterator[StoredSignature]:
        """All matching signatures, oldest first; a row that cannot be read back (a damaged
        store) is left out and its ``seq`` given to ``on_unreadable``."""
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

    def pending_rows(self, after_seq: int, limit: int) -> list[OutboxRow]:
        """Unacknowledged signatures after an outbox cursor, oldest first, as plain tuples."""
        ...

    def mark_ranges(self, ranges: list[tuple[int, int]], state: SyncState) -> None:
        """Give the pending signatures in these inclusive ``seq`` ranges ``state``."""
        ...

    def pending_count(self) -> int:
        """How many signatures and voids wait for the server."""
        ...

    def save_text_version(self, version: TextVersion, seen: datetime) -> None:
        """Store a text version if new (one the server sent, seen at ``seen``)."""
        ...

    def save_event(self, event: Event) -> None:
        """Create or update an event."""
        ...

    def events(self) -> list[Event]:
        """All events, newest first."""
        ...

    def pending_events(self) -> list[Event]:
        """Events not yet sent to the server."""
        ...

    def mark_events(self, ids: list[str], state: SyncState) -> None:
        """Record the server's answer for these events."""
        ...

    # Retention: the personal data of synced signatures may be deleted; the counts stay.

    def mark_exported(self, ids: list[uuid.UUID], at: datetime) -> None:
        """Record that these signatures were exported (for the keep-until-exported policy)."""
        ...

    def purgeable(self, synced_before: datetime | None, require_exported: bool) -> list[uuid.UUID]:
        """Synced signatures that still hold personal data and fit the retention policy.

        Args:
            synced_before: only signatures created before this moment (None: any age).
            require_exported: only signatures that were exported.
        """
        ...

    def purgeable_count(self, synced_before: datetime | None, require_exported: bool) -> int:
        """How many signatures :meth:`purgeable` would list (without listing them)."""
        ...

    def purge_personal(self, ids: list[uuid.UUID]) -> int:
        """Delete the sealed personal data and dedupe keys of these signatures, durably.

        Only signatures the server has acknowledged are purged; the others are left alone.

        Returns:
            How many signatures lost their personal data now.
        """
        ...

    def purged_count(self) -> int:
        """How many signatures' personal data retention has deleted (they still count)."""
        ...

    def vacuum(self) -> None:
        """Reclaim the space of deleted data so it leaves no trace (a no-op where none can)."""
        ...


class AuditTrail(Protocol):
    """The append-only, hash-chained audit trail of staff actions (:mod:`kiosk.domain.audit`)."""

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
        ...

    def sign_unsigned_audit(self, sign: Callable[[str], str]) -> int:
        """Sign the entries that have no signature yet; return how many were signed."""
        ...

    def audit_entries(self, after_seq: int = 0, limit: int | None = None) -> list[AuditEntry]:
        """Entries after ``after_seq``, in sequence order."""
        ...

    def pending_audit(self, limit: int) -> list[AuditEntry]:
        """Entries not yet acknowledged by the server, in sequence order."""
        ...

    def recent_audit(self, limit: int) -> list[tuple[AuditEntry, SyncState]]:
        """The newest ``limit`` entries, newest first, each with its sync state."""
        ...

    def mark_audit(self, seqs: list[int], state: SyncState) -> None:
        """Record the server's answer for these entries."""
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
        """Return the plaintext of ``sealed``; raises :class:`CryptoError` when it cannot."""
        ...


class PinHasher(Protocol):
    """Hashes the staff PIN slowly on purpose (a stored hash must not give the PIN away), and
    checks a try against the stored hash."""

    def hash_pin(self, pin: str) -> str:
        """The hash to store for ``pin`` (salted: two calls give two hashes)."""
        ...

    def verify_pin(self, stored: str, pin: str) -> bool:
        """Whether ``pin`` matches ``stored`` (False for a malformed hash, never raises)."""
        ...


#: The paper a print job asks for.
Media = Literal["Letter", "A4"]
#: Where a print job is: waiting, on the printer, finished (or cancelled at the printer), or
#: forgotten by the print system.
JobState = Literal["queued", "printing", "done", "unknown"]


class PrintError(Exception):
    """Printing failed; ``code`` says why (``no_cups``, ``cups_down``, ``no_printer``,
    ``unknown_printer``, ``refused``, ``cancel_failed``: the UI words it), ``detail`` is the
    print system's own text."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Printer:
    """A printer the print system knows."""

    name: str
    is_default: bool = False


class PrintQueue(Protocol):
    """The print system (CUPS through its command-line client: :mod:`kiosk.adapters.printing`).
    Every method raises :class:`PrintError` when it fails."""

    def list_printers(self) -> list[Printer]:
        """The printers the print system knows, the default one first."""
        ...

    def submit(
        self, pdf: bytes, printer: str, title: str, media: Media = "Letter", copies: int = 1
    ) -> str:
        """Send a PDF; return the job's id."""
        ...

    def job_state(self, job_id: str) -> JobState:
        """Where a job is."""
        ...

    def cancel(self, job_id: str) -> None:
        """Cancel a job (``cancel_failed`` when it is too late)."""
        ...


@dataclass(frozen=True, slots=True)
class Destination:
    """A place to save exports.

    Attributes:
        kind: ``usb`` (removable media: must be there, never created) or ``folder`` (the
            exports folder: created when missing).
        path: the folder.
        label: what the screen shows (the stick's name, or the folder's path).
    """

    kind: str
    path: Path
    label: str


class DriveFinder(Protocol):
    """Finds the removable drives (USB sticks) mounted now (:mod:`kiosk.adapters.usb`)."""

    def removable_media(self, globs: tuple[str, ...]) -> list[Destination]:
        """The mounted drives under these mount-point patterns, as ``usb`` destinations."""
        ...


@dataclass(frozen=True, slots=True)
class Requeued:
    """What :meth:`KioskStore.requeue_acknowledged` made pending again.

    ``signatures``: acknowledged signatures that still hold their personal data, pending again;
    ``unrecoverable``: acknowledged signatures whose personal data retention already deleted
    (they cannot be sent again); ``voids``, ``events``, ``audit``: pending again.
    """

    signatures: int = 0
    unrecoverable: int = 0
    voids: int = 0
    events: int = 0
    audit: int = 0


class KioskStore(SignatureRepository, AuditTrail, SettingsStore, Protocol):
    """Everything a kiosk keeps durably: what the sync engine and the composition root use."""

    def requeue_acknowledged(self, audit_after_seq: int | None) -> Requeued:
        """Make everything the server acknowledged pending again, in one transaction, for a
        server that lost it (restored from an older backup): signatures that still hold their
        personal data, voids, events, and the audit entries after ``audit_after_seq`` (the head
        the server still has; None: the audit trail is left as it is). Sent again, what the server kept is answered ``duplicate`` and
        what it lost is stored again; nothing is sent twice into one database."""
        ...

    def close(self) -> None:
        """Release the store (files, connections)."""
        ...
