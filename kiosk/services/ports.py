"""What the application layer needs from the outside world, beyond the domain's ports.

The domain's :mod:`kiosk.domain.ports` describes the kiosk's store (:class:`KioskStore`:
signatures, retention's purge, the audit trail, settings); the services also record staff
actions, use the key folder and read the installed campaigns. These protocols name exactly
that, so every service is typed against an interface and the composition root
(:mod:`kiosk.app`) hands in the SQLite store, the in-memory store or anything else that keeps
the contract.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from kiosk.domain.audit import AuditAction, ChainReport
from kiosk.domain.ports import KioskStore, Opener
from kiosk.domain.service import CampaignCatalog

__all__ = ["AuditRecorder", "Campaigns", "KeyRing", "KioskStore"]


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
        """Open the private key; raises :class:`kiosk.domain.ports.CryptoError` when refused."""
        ...


#: The campaigns installed now (the catalog is replaced when campaign files are re-read).
Campaigns = Callable[[], CampaignCatalog]
