"""Privacy's use cases: the retention policy, deleting personal data, the audit trail.

The rules themselves live in :mod:`kiosk.privacy` (what each policy keeps, the audit recorder,
the key session); this is what staff and the idle housekeeping ask for: read the policy and
the counts, change the policy (audited), purge and vacuum, read and check the audit trail.
Whatever the policy, only signatures the server acknowledged ever lose their personal data.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kiosk.domain.audit import AuditAction, AuditEntry, ChainReport
from kiosk.domain.ports import Clock
from kiosk.domain.signature import SyncState
from kiosk.exports.files import expire_saved_exports
from kiosk.privacy import (
    SETTING_RETENTION,
    Auditor,
    RetentionPolicy,
    apply_retention,
    idle_maintenance,
    purgeable_count_under,
    stored_policy,
    vacuum_store,
)
from kiosk.services.ports import KioskStore

log = logging.getLogger("kiosk.services")


@dataclass
class PrivacyState:
    """What the privacy screen shows, read in one go.

    Attributes:
        policy: the retention policy in force.
        purgeable: signatures whose personal data the policy lets go now.
        purged: signatures whose personal data is already gone.
        waiting: signatures the server has not acknowledged yet.
        entries: the newest audit entries with their sync state, newest first.
    """

    policy: RetentionPolicy
    purgeable: int
    purged: int
    waiting: int
    entries: list[tuple[AuditEntry, SyncState]] = field(default_factory=list)


class Privacy:
    """Retention and the audit trail.

    Args:
        store: the kiosk's store.
        auditor: the audit trail.
        clock: the kiosk's clock.
    """

    def __init__(self, store: KioskStore, auditor: Auditor, clock: Clock) -> None:
        self._store = store
        self._auditor = auditor
        self._clock = clock

    def policy(self) -> RetentionPolicy:
        """The stored policy; a malformed one reads as the default (and is logged).

        Raises:
            ValueError: never for a malformed setting (see above).
        """
        return stored_policy(self._store)

    def read(self, audit_rows: int) -> PrivacyState:
        """The policy, the counts and the newest ``audit_rows`` audit entries (slow: run it
        off the UI thread)."""
        policy = self.policy()
        by_state = self._store.counts().by_sync_state
        return PrivacyState(
            policy=policy,
            purgeable=purgeable_count_under(self._store, policy, self._clock()),
            purged=self._store.purged_count(),
            waiting=by_state.get(SyncState.PENDING.value, 0),
            entries=self._store.recent_audit(audit_rows),
        )

    def set_policy(self, policy: RetentionPolicy) -> bool:
        """Store and audit a new policy; False when it is the one in force already.

        Raises:
            Exception: the store or the audit trail could not be written.
        """
        try:
            stored = str(RetentionPolicy.parse(self._store.get_setting(SETTING_RETENTION)))
        except ValueError:
            stored = ""  # malformed: any choice replaces it
        if str(policy) == stored:
            return False
        self._store.set_setting(SETTING_RETENTION, str(policy))
        self._auditor.record(
            AuditAction.SETTINGS_CHANGED, setting=SETTING_RETENTION, value=str(policy)
        )
        log.info("retention policy set to %s", policy)
        return True

    def purge(self, vacuum: bool) -> int:
        """Apply the policy now; rewrite the file when asked or when anything went. Returns
        how many signatures' personal data was deleted (slow: off the UI thread)."""
        count = apply_retention(self._store, self._auditor, self._clock)
        if vacuum or count:
            vacuum_store(self._store)
        return count

    def delete_saved_exports(self) -> int:
        """Staff's "Delete now" for the exports saved into the exports folder on this tablet's
        own disk (their signers in clear): all of them, whatever their age; returns how many
        files went (:func:`kiosk.exports.files.expire_saved_exports`)."""
        return expire_saved_exports(self._store, self._clock(), keep=None)

    def verify(self) -> ChainReport:
        """Check the audit trail's hash chain, signatures and anchor (slow)."""
        return self._auditor.verify()

    def idle_housekeeping(self) -> bool:
        """What the kiosk does while nobody is at it (see :func:`kiosk.privacy.idle_maintenance`),
        and the exports saved on this tablet more than a day ago deleted
        (:data:`kiosk.exports.files.KEEP_SAVED_EXPORTS`); returns whether it vacuumed."""
        expire_saved_exports(self._store, self._clock())
        return idle_maintenance(self._store, self._auditor, self._clock)
