"""Retention of personal data after sync, and the audit trail's recording helper.

Retention policies (staff choose one; stored in the ``retention_policy`` setting):

- ``immediate``: delete a signature's personal data as soon as the server acknowledged it;
- ``days:N``: delete it N days after it was signed, once acknowledged;
- ``until_exported`` (the default): keep it until it was exported here *and* acknowledged.

Counts stay: only the sealed personal data and the duplicate-hint keys are deleted.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from kiosk.domain.audit import AuditAction, ChainReport, verify_chain
from kiosk.domain.errors import CryptoError
from kiosk.domain.ports import AuditTrail, Clock, KioskStore, SignatureRepository, utc_now

log = logging.getLogger("kiosk.privacy")

SETTING_RETENTION = "retention_policy"
#: Set when personal data was purged and the file has not been vacuumed since.
SETTING_VACUUM_DUE = "vacuum_due"
DEFAULT_RETENTION = "until_exported"


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """A parsed retention policy."""

    kind: str  # "immediate" | "days" | "until_exported"
    days: int = 0

    @classmethod
    def parse(cls, text: str | None) -> RetentionPolicy:
        """Parse a policy as typed or stored (None: the default). A stored setting is read with
        :func:`stored_policy`, which does not raise.

        Raises:
            ValueError: unknown text, or a malformed ``days:N``.
        """
        text = (text or DEFAULT_RETENTION).strip()
        if text == "immediate":
            return cls("immediate")
        if text == "until_exported":
            return cls("until_exported")
        if text.startswith("days:"):
            days = int(text.removeprefix("days:"))
            if not 0 <= days <= 3650:
                raise ValueError("days must be between 0 and 3650")
            return cls("days", days)
        raise ValueError(f"unknown retention policy {text!r}")

    def __str__(self) -> str:
        return f"days:{self.days}" if self.kind == "days" else self.kind


class _Records(Protocol):
    """What :class:`KeySession` needs of an auditor: an :class:`Auditor` or any other."""

    def record(self, action: AuditAction, **detail: object) -> None:
        """Append an entry."""
        ...


class Auditor:
    """Records staff actions in the store's hash-chained audit trail."""

    def __init__(
        self, store: AuditTrail, kiosk_id: str, clock: Clock = utc_now, keys: Any = None
    ) -> None:
        """Args:
        store: the store holding the trail.
        kiosk_id: this kiosk.
        clock: the clock.
        keys: the kiosk's :class:`kiosk.adapters.crypto.KeyFolder` (its audit key signs every entry,
            its anchor is checked); None for an unsigned trail.
        """
        self._store = store
        self._kiosk_id = kiosk_id
        self._clock = clock
        self._keys = keys

    def _sign(self, entry_hash_hex: str) -> str | None:
        try:
            return str(self._keys.sign_audit(entry_hash_hex))
        except (CryptoError, OSError) as exc:
            log.error("audit entry left unsigned (verify will report it): %s", exc)
            return None

    def record(self, action: AuditAction, **detail: Any) -> None:
        """Append an entry. ``detail`` must hold no personal data (ids, counts, names of files)."""
        sign = self._sign if self._keys is not None else None
        self._store.append_audit(action.value, detail, self._kiosk_id, self._clock(), sign)

    def verify(self) -> ChainReport:
        """Check the whole chain; with the key folder also every signature and the anchor
        (the head the server last acknowledged)."""
        if self._keys is None:
            return verify_chain(self._store.audit_entries())
        from kiosk.adapters.crypto import verify_audit_signature

        try:
            public = self._keys.audit_public_key()
        except (CryptoError, OSError) as exc:
            return ChainReport(False, 0, None, f"the audit key cannot be read: {exc}")
        return verify_chain(
            self._store.audit_entries(),
            verify_sig=lambda e: verify_audit_signature(public, e.hash, e.sig),
            anchor=self._keys.audit_anchor(),
        )


def purgeable_under(
    store: SignatureRepository, policy: RetentionPolicy, now: datetime
) -> list[uuid.UUID]:
    """The signatures whose personal data ``policy`` no longer keeps at ``now``.

    Only signatures the server acknowledged are ever listed, whatever the policy.
    """
    if policy.kind == "immediate":
        return list(store.purgeable(None, require_exported=False))
    if policy.kind == "days":
        return list(store.purgeable(now - timedelta(days=policy.days), require_exported=False))
    return list(store.purgeable(None, require_exported=True))


def purgeable_count_under(
    store: SignatureRepository, policy: RetentionPolicy, now: datetime
) -> int:
    """How many signatures :func:`purgeable_under` would list (counted, not listed)."""
    if policy.kind == "immediate":
        return store.purgeable_count(None, require_exported=False)
    if policy.kind == "days":
        return store.purgeable_count(now - timedelta(days=policy.days), require_exported=False)
    return store.purgeable_count(None, require_exported=True)


def stored_policy(store: Any) -> RetentionPolicy:
    """The policy in force: the stored setting, or the default (``until_exported``: only what
    was synced and exported loses its personal data) while the setting cannot be parsed (a
    damaged or altered store; logged, without its text) until a policy is set again.

    Args:
        store: anything with ``get_setting``.
    """
    try:
        return RetentionPolicy.parse(store.get_setting(SETTING_RETENTION))
    except ValueError:
        log.warning(
            "the stored retention policy cannot be read; %s applies until one is set",
            DEFAULT_RETENTION,
        )
        return RetentionPolicy.parse(None)


def apply_retention(store: KioskStore, auditor: Auditor, clock: Clock = utc_now) -> int:
    """Purge personal data that the policy no longer keeps; return how many were purged."""
    policy = stored_policy(store)
    ids = purgeable_under(store, policy, clock())
    if not ids:
        return 0
    purged = int(store.purge_personal(ids))
    if purged:
        store.set_setting(SETTING_VACUUM_DUE, "1")  # secure_delete zeroed it; vacuum when idle
        auditor.record(AuditAction.PURGE, count=purged, policy=str(policy))
        log.info("purged personal data of %d synced signatures (%s)", purged, policy)
    return purged


def idle_maintenance(store: KioskStore, auditor: Auditor, clock: Clock = utc_now) -> bool:
    """What the kiosk does while nobody is signing: apply the retention policy (a "days"
    policy comes due without any sync), then vacuum if personal data was purged since the last
    vacuum, so deleted pages leave the file and its WAL. Returns whether it vacuumed.
    """
    apply_retention(store, auditor, clock)
    if store.get_setting(SETTING_VACUUM_DUE) != "1":
        return False
    vacuum_store(store)
    log.info("vacuumed the store after purging personal data")
    return True


def vacuum_store(store: KioskStore) -> None:
    """Rewrite the database file (and empty its WAL); no vacuum is due after it."""
    store.vacuum()
    store.set_setting(SETTING_VACUUM_DUE, "0")


class KeySession:
    """Holds the coordinator's unlocked private key in memory, for a limited time.

    ``unlock`` opens the passphrase-protected key; the opener is dropped on ``lock()``, or when
    ``opener()`` is asked for it after ``idle_seconds`` without use. Unlocks, failed unlocks
    and locks are audited.
    """

    def __init__(
        self, keys: Any, auditor: _Records, idle_seconds: float = 300.0, monotonic: Any = None
    ) -> None:
        import time

        self._keys = keys
        self._auditor = auditor
        self._idle = idle_seconds
        self._now = monotonic or time.monotonic
        self._opener: Any = None
        self._last_use = 0.0

    @property
    def available(self) -> bool:
        """Whether the private key is on this kiosk at all."""
        return bool(self._keys.has_private_key())

    def unlock(self, passphrase: str) -> bool:
        """Try the passphrase; return True when unlocked."""
        try:
            self._opener = self._keys.unlock(passphrase)
        except CryptoError:
            self._opener = None
            self._auditor.record(AuditAction.UNLOCK_FAILED, via="staff")
            return False
        self._last_use = self._now()
        self._auditor.record(AuditAction.UNLOCK, via="staff")
        return True

    def opener(self) -> Any:
        """The unlocked opener, or None when locked (or idle too long, which locks)."""
        if self._opener is not None and self._now() - self._last_use > self._idle:
            self.lock()
        if self._opener is not None:
            self._last_use = self._now()
        return self._opener

    @property
    def unlocked(self) -> bool:
        """Whether an opener is held (without refreshing the idle timer)."""
        if self._opener is not None and self._now() - self._last_use > self._idle:
            self.lock()
        return self._opener is not None

    def lock(self) -> None:
        """Drop the private key from memory."""
        if self._opener is not None:
            self._opener = None
            self._auditor.record(AuditAction.LOCK)
