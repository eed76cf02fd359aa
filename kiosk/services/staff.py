"""Staff mode's use cases: first-start set-up, the PIN's outcomes, counts, the last entries.

The screens ask; this layer does it and audits it (never with a signer's personal data):
making the organization key and setting the PIN, staff coming and going, today's and all-time
counts, and the last entries with their names opened only through the coordinator's unlock.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.domain.audit import AuditAction
from kiosk.domain.ports import Clock, CryptoError, Opener, PinHasher, SignatureFilter
from kiosk.domain.signature import PersonalData, SignatureMeta, Void
from kiosk.privacy import Auditor, KeySession
from kiosk.services.pin import PinGate
from kiosk.services.ports import KeyRing, KioskStore
from kiosk.services.settings import KioskSettings
from kiosk.services.signing import Signing

log = logging.getLogger("kiosk.services")

#: How many entries "Last entries" lists.
RECENT_ENTRIES = 12


@dataclass(frozen=True, slots=True)
class Counts:
    """Signatures collected here (not void): today and all time, all campaigns and one."""

    today: int
    all: int
    active_today: int
    active_all: int


@dataclass(frozen=True, slots=True)
class RecentEntry:
    """One of the last entries as staff see it.

    Attributes:
        meta: the signature's metadata (no personal data).
        void: its void, if voided.
        name: the printed name while the coordinator's unlock is open; "" while locked, "—"
            when the personal data was already purged after sync, "?" when it cannot be opened.
    """

    meta: SignatureMeta
    void: Void | None
    name: str


class StaffDesk:
    """What staff mode does behind the PIN.

    Args:
        store: the kiosk's store.
        settings: staff settings (and the audit trail).
        signing: the signing use cases (voiding).
        keys: the key folder (set-up, the coordinator's unlock).
        pins: hashes and checks the staff PIN (Argon2id on a kiosk).
        auditor: the audit trail.
        clock: the kiosk's clock (today's counts).
    """

    def __init__(
        self,
        store: KioskStore,
        settings: KioskSettings,
        signing: Signing,
        keys: KeyRing,
        pins: PinHasher,
        auditor: Auditor,
        clock: Clock,
    ) -> None:
        self._store = store
        self._settings = settings
        self._signing = signing
        self._keys = keys
        self._pins = pins
        self._auditor = auditor
        self._clock = clock

    def audit(self, action: AuditAction, **detail: object) -> None:
        """Record a staff action (logged, never raised, when the trail cannot be written)."""
        self._settings.audit(action, **detail)

    # -- set-up and the PIN ------------------------------------------------------------------

    def is_demo(self) -> bool:
        """Whether this is a demo kiosk (every staff screen says DEMO)."""
        from kiosk.domain.demo import is_demo

        return is_demo(self._store)

    def needs_key(self) -> bool:
        """Whether the kiosk still lacks the organization's public key (it cannot seal)."""
        return not self._keys.has_public_key()

    def pin_gate(
        self, now: Callable[[], float] = time.time, max_tries: int = 5, base_delay: float = 30.0
    ) -> PinGate:
        """The staff PIN gate over this kiosk's settings."""
        return PinGate(self._store, self._pins, now=now, max_tries=max_tries, base_delay=base_delay)

    def key_session(self, idle_seconds: float) -> KeySession:
        """The coordinator's unlock, dropped after ``idle_seconds`` unused."""
        return KeySession(self._keys, self._auditor, idle_seconds=idle_seconds)

    def set_up(self, gate: PinGate, pin: str | None, passphrase: str | None) -> tuple[bool, bool]:
        """First start: make the key pair under ``passphrase`` and set the PIN (each when
        given); slow (Argon2id), so run it off the UI thread. Returns (key made, PIN set)."""
        if passphrase is not None:
            self._keys.init(passphrase)
        if pin is not None:
            gate.set_pin(pin)
        return passphrase is not None, pin is not None

    def set_up_done(self, made_key: bool, set_pin: bool) -> None:
        """Audit a finished set-up."""
        if made_key:
            self.audit(AuditAction.KEYS_CREATED, via="setup")
        if set_pin:
            self.audit(AuditAction.PIN_SET)
        log.info("kiosk set up (key made: %s, PIN set: %s)", made_key, set_pin)

    def entered(self) -> None:
        """Staff gave the right PIN."""
        self.audit(AuditAction.STAFF_ENTERED)

    def pin_refused(self, locked_for: float, via: str | None = None) -> None:
        """A wrong PIN; ``locked_for`` > 0 when it started a lockout. ``via`` says where it was
        given when not at the staff door (``"witness"``: to witness a typed signature)."""
        where = {"via": via} if via else {}
        self.audit(AuditAction.PIN_FAILED, **where)
        if locked_for > 0:
            self.audit(AuditAction.PIN_LOCKED, seconds=int(locked_for), **where)
            log.warning("staff PIN entry locked for %d s", int(locked_for))

    def left(self) -> None:
        """Staff left staff mode."""
        self.audit(AuditAction.STAFF_LEFT)

    # -- counts and entries ------------------------------------------------------------------

    def today_starts(self) -> datetime:
        """Midnight today, in the kiosk's local time."""
        now = self._clock().astimezone()
        return now.replace(hour=0, minute=0, second=0, microsecond=0)

    def counts(self, campaign: str | None) -> Counts:
        """Signatures here (not void), today and all time, all campaigns and ``campaign``."""
        today = self.today_starts()

        def count(slug: str | None, since: datetime | None) -> int:
            return self._store.count(SignatureFilter(campaign=slug, since=since))

        return Counts(
            today=count(None, today),
            all=count(None, None),
            active_today=count(campaign, today) if campaign else 0,
            active_all=count(campaign, None) if campaign else 0,
        )

    def recent(self, opener: Opener | None, limit: int = RECENT_ENTRIES) -> list[RecentEntry]:
        """The last entries, newest first, voided ones too; names only with an ``opener``."""
        return [
            RecentEntry(s.signature.meta, s.void, _name(opener, s.signature.sealed))
            for s in self._store.recent(limit, SignatureFilter(include_void=True))
        ]

    def void(self, signature_id: str, reason: str) -> Void:
        """Void one entry with a reason (kept, marked void, never deleted), audited.

        Raises:
            ValueError: ``signature_id`` is not a signature id.
            NotFound: no such signature.
            Refused: already void, or no reason.
        """
        return self._signing.void(uuid.UUID(signature_id), reason)


def _name(opener: Opener | None, sealed: bytes) -> str:
    if opener is None:
        return ""
    if not sealed:
        return "—"  # personal data already purged after sync
    try:
        return PersonalData.from_bytes(opener.open(sealed)).printed_name
    except (CryptoError, ValueError):
        return "?"
