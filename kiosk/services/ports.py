"""What the application layer needs from the outside world, beyond the domain's ports.

The domain's :mod:`kiosk.domain.ports` describes a signature repository and a settings store;
the kiosk's services also read the audit trail, purge personal data and mark exports, and they
record staff actions. These protocols name exactly that, so every service is typed against an
interface and the composition root (:mod:`kiosk.app`) hands in the SQLite store, the in-memory
store or anything else that keeps the contract.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from kiosk.domain.audit import AuditAction, AuditEntry, ChainReport
from kiosk.domain.ports import Opener, SettingsStore, SignatureRepository
from kiosk.domain.service import CampaignCatalog
from kiosk.domain.signature import SyncState


class KioskStore(SignatureRepository, SettingsStore, Protocol):
    """The kiosk's store as the application layer uses it."""

    def pending_count(self) -> int:
        """How many signatures the server has not acknowledged yet."""
        ...

    def recent_audit(self, limit: int) -> list[tuple[AuditEntry, SyncState]]:
        """The newest audit entries first, each with its sync state."""
        ...

    def purgeable(self, synced_before: datetime | None, require_exported: bool) -> list[uuid.UUID]:
        """Acknowledged signatures whose personal data may go (see :mod:`kiosk.privacy`)."""
        ...

    def purge_personal(self, ids: list[uuid.UUID]) -> int:
        """Delete the personal data of these signatures; return how many lost it."""
        ...

    def purged_count(self) -> int:
        """How many signatures' personal data was deleted so far."""
        ...

    def vacuum(self) -> None:
        """Rewrite the database file so deleted pages leave it."""
        ...

    def mark_exported(self, ids: list[uuid.UUID], at: datetime) -> None:
        """Record that these signatures were exported here (retention "until exported")."""
        ...


class AuditRecorder(Protocol):
    """Records staff actions in the hash-chained audit trail (:class:`kiosk.privacy.Auditor`)."""

    def record(self, action: AuditAction, **detail: object) -> None:
        """Append an entry; ``detail`` holds no personal data."""
        ...

    def verify(self) -> ChainReport:
        """Check the whole chain."""
        ...


class KeyRing(Protocol):
    """The kiosk's key folder as staff set-up and the coordinator's unlock use it."""

    def has_public_key(self) -> bool:
        """Whether the organization's public key is installed (so the kiosk can seal)."""
        ...

    def has_private_key(self) -> bool:
        """Whether the passphrase-protected private key is on this kiosk."""
        ...

    def init(self, passphrase: str) -> object:
        """Make the organization key pair, the private key under ``passphrase``."""
        ...

    def unlock(self, passphrase: str) -> Opener:
        """Open the private key; raises :class:`kiosk.crypto.CryptoError` when refused."""
        ...


#: The campaigns installed now (the catalog is replaced when campaign files are re-read).
Campaigns = Callable[[], CampaignCatalog]
