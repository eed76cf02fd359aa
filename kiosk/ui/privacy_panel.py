"""Staff mode's privacy screen: the retention policy and the audit trail.

- **Retention**: staff choose how long a signer's personal data stays on the kiosk once the
  server has the signature (:class:`kiosk.privacy.RetentionPolicy`: as soon as the server has
  it, N days after signing, or until exported here). Whatever the policy, personal data is only
  deleted after the server acknowledged the signature (``store.purgeable`` lists synced
  signatures only), so no choice here can lose a signature. A change is audited
  (``settings_changed``) and applied at once; "Delete now" applies the policy and rewrites the
  database file (``VACUUM``) so deleted data leaves no trace on disk.
- **Audit trail**: the newest entries in words (time, action, detail, whether the server has
  it) and the hash chain's check (:meth:`kiosk.privacy.Auditor.verify`).

The work is the application layer's (:class:`kiosk.services.privacy.Privacy`); reading the
store, purging, vacuuming and checking the chain run off the UI thread
(:class:`kiosk.ui.tasks.Tasks`).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Property, QCoreApplication, QDateTime, QObject, Signal, Slot

from kiosk.domain.audit import ChainReport
from kiosk.domain.signature import SyncState
from kiosk.privacy import KeySession, RetentionPolicy
from kiosk.services.privacy import Privacy, PrivacyState
from kiosk.ui.i18n import I18n
from kiosk.ui.messages import audit_action_text, audit_detail_text, chain_text
from kiosk.ui.tasks import Tasks

log = logging.getLogger("kiosk.ui")

#: How many audit entries the screen lists (newest first).
AUDIT_ROWS = 50
#: The "after N days" choices offered (a policy set otherwise, e.g. ``days:14`` by the command
#: line, is shown as an extra choice).
DAY_CHOICES = (1, 7, 30, 90)
#: The day count picked when staff choose "after a number of days" without choosing one.
DEFAULT_DAYS = 30

translate = QCoreApplication.translate  # lupdate finds the "translate(" calls below


class PrivacyPanel(QObject):
    """The view-model behind ``PrivacySection.qml`` (``app.privacy`` in QML).

    Args:
        privacy: the retention and audit-trail use cases.
        session: the coordinator's unlock, shared with the rest of staff mode.
        i18n: the UI language.
        tasks: runs slow work off the UI thread.
    """

    changed = Signal()
    entriesChanged = Signal()
    chainChanged = Signal()
    #: "Delete now" (or a policy change) finished: how many signatures' personal data went.
    purged = Signal(int)

    def __init__(
        self,
        privacy: Privacy,
        session: KeySession,
        i18n: I18n,
        tasks: Tasks,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._privacy = privacy
        self._session = session
        self._i18n = i18n
        self._tasks = tasks
        self._loaded: PrivacyState | None = None
        self._generation = 0
        self._loading = False
        self._busy = False
        self._last_purged = -1
        self._last_files = 0
        # A read or a deletion failed (worded when read, so a language switch re-words it).
        self._store_failed = False
        self._chain: ChainReport | None = None
        self._checking = False
        self._chain_generation = 0
        i18n.languageChanged.connect(self._on_language)

    @Slot()
    def _on_language(self) -> None:
        self.changed.emit()
        self.entriesChanged.emit()
        self.chainChanged.emit()

    def _policy(self) -> RetentionPolicy:
        if self._loaded is not None:
            return self._loaded.policy
        return RetentionPolicy.parse(None)

    # -- reading (off the UI thread) -----------------------------------------------------------

    @Slot()
    def refresh(self) -> None:
        """Re-read the policy, the counts and the newest audit entries, then check the chain."""
        self._generation += 1
        generation = self._generation
        self._loading = True
        self.changed.emit()
        privacy = self._privacy

        def work() -> PrivacyState:
            return privacy.read(AUDIT_ROWS)

        def done(loaded: PrivacyState) -> None:
            if generation != self._generation:
                return  # a newer read is on its way
            self._loaded = loaded
            self._loading = False
            self.changed.emit()
            self.entriesChanged.emit()

        self._tasks.run(work, done, self._failed)
        self.verify()

    @Slot()
    def verify(self) -> None:
        """Check the audit trail's hash chain (the whole trail, off the UI thread)."""
        self._chain_generation += 1
        generation = self._chain_generation
        self._checking = True
        self.chainChanged.emit()

        def done(report: ChainReport) -> None:
            if generation != self._chain_generation:
                return
            self._chain = report
            self._checking = False
            if not report.ok:
                log.warning("audit trail broken at entry %s: %s", report.broken_at, report.reason)
            self.chainChanged.emit()

        def failed(exc: BaseException) -> None:
            if generation == self._chain_generation:
                self._checking = False
                self._chain = None
                self.chainChanged.emit()
            self._failed(exc)

        self._tasks.run(self._privacy.verify, done, failed)

    def _failed(self, exc: BaseException) -> None:
        log.error("privacy screen: %s", type(exc).__name__, exc_info=exc)
        self._loading = False
        self._busy = False
        self._store_failed = True
        self.changed.emit()

    # -- retention ---------------------------------------------------------------------------

    def _get_state(self) -> dict[str, Any]:
        loaded = self._loaded
        policy = self._policy()
        days = sorted({*DAY_CHOICES, policy.days} if policy.kind == "days" else set(DAY_CHOICES))
        return {
            "loaded": loaded is not None,
            "loading": self._loading,
            "kind": policy.kind,
            "days": policy.days,
            "dayChoices": days,
            "policy": str(policy),
            "purgeable": loaded.purgeable if loaded else 0,
            "purged": loaded.purged if loaded else 0,
            "waiting": loaded.waiting if loaded else 0,
            "busy": self._busy,
            "lastPurged": self._last_purged,
            "lastFiles": self._last_files,
            "error": (
                translate(
                    "Privacy", "This kiosk could not read or change its data. Nothing was deleted."
                )
                if self._store_failed
                else ""
            ),
        }

    #: The retention state: loaded, loading, kind (``immediate`` | ``days`` |
    #: ``until_exported``), days, dayChoices, policy (the setting), purgeable (personal data
    #: the policy lets go now), purged (already deleted), waiting (not on the server yet), busy
    #: (deleting), lastPurged (the last "Delete now", -1 before any), lastFiles (the export
    #: files saved on this tablet the last "Delete now" deleted), error (worded).
    state = Property("QVariantMap", _get_state, notify=changed)

    @Slot(str, int)
    def setPolicy(self, kind: str, days: int = 0) -> None:  # noqa: N802 - Qt naming for QML
        """Staff chose a policy: store it, audit it and apply it at once.

        Args:
            kind: ``immediate``, ``days`` or ``until_exported``.
            days: for ``days``, how many days after signing (0: the last one, or 30).
        """
        if self._busy:
            return
        current = self._policy()
        if kind == "days" and days <= 0:
            days = current.days if current.kind == "days" else DEFAULT_DAYS
        try:
            policy = RetentionPolicy.parse(f"days:{days}" if kind == "days" else kind)
        except ValueError:
            log.warning("refused retention policy %r", kind)
            return
        try:
            if not self._privacy.set_policy(policy):
                return
        except Exception as exc:  # noqa: BLE001 - worded for staff
            self._failed(exc)
            return
        if self._loaded is not None:
            self._loaded.policy = policy
        self._purge(vacuum=False)

    @Slot()
    def deleteNow(self) -> None:  # noqa: N802 - Qt naming for QML
        """Staff's "Delete now": apply the policy, then rewrite the file (off the UI thread)."""
        self._purge(vacuum=True)

    def _purge(self, vacuum: bool) -> None:
        if self._busy:
            return
        self._busy = True
        self._store_failed = False
        self.changed.emit()
        privacy = self._privacy

        def work() -> tuple[int, int]:
            count = privacy.purge(vacuum)
            # "Delete now" (vacuum) also deletes the exports saved on this tablet's disk
            return count, privacy.delete_saved_exports() if vacuum else 0

        def done(counts: tuple[int, int]) -> None:
            count, files = counts
            self._busy = False
            if vacuum:
                self._last_purged, self._last_files = count, files
            self.purged.emit(count)
            self.refresh()

        self._tasks.run(work, done, self._failed)

    # -- the audit trail ---------------------------------------------------------------------

    def _get_entries(self) -> list[dict[str, Any]]:
        if self._loaded is None:
            return []
        rows: list[dict[str, Any]] = []
        for entry, sync_state in self._loaded.entries:
            moment = QDateTime.fromMSecsSinceEpoch(entry.at_ms)
            rows.append(
                {
                    "seq": entry.seq,
                    "time": self._i18n.date_time(moment),
                    "action": audit_action_text(entry.action),
                    "detail": audit_detail_text(entry.action, entry.detail),
                    "synced": sync_state is SyncState.SYNCED,
                    "sync": (
                        translate("Privacy", "On the server")
                        if sync_state is SyncState.SYNCED
                        else translate("Privacy", "Differs from the server's copy")
                        if sync_state is SyncState.CONFLICT
                        else translate("Privacy", "Not on the server yet")
                    ),
                }
            )
        return rows

    #: The newest audit entries, newest first: seq, time (local), action and detail in words,
    #: synced, sync (in words).
    entries = Property("QVariantList", _get_entries, notify=entriesChanged)

    def _get_chain(self) -> dict[str, Any]:
        report = self._chain
        return {
            "checking": self._checking,
            "known": report is not None,
            "ok": bool(report and report.ok),
            "entries": report.entries if report else 0,
            "brokenAt": (report.broken_at or 0) if report else 0,
            "text": chain_text(report) if report is not None else "",
        }

    #: The chain check: checking, known, ok, entries, brokenAt, text (worded).
    chain = Property("QVariantMap", _get_chain, notify=chainChanged)
