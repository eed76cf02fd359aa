"""What staff mode shows about sync, from whatever sync object the app was wired with.

The sync object (``kiosk.sync.qt.SyncController`` in the app) needs only::

    snapshot() -> SyncSnapshot     # cheap, cached
    sync_now() -> None             # "Sync now"
    connect(url, code) -> None     # "Connect to server" (may raise, or report through
                                   # a ``connectFinished(bool ok, str code, str detail)`` signal)

and may offer a ``changed`` signal (a new snapshot). Without a sync object, staff mode says
"Not connected to a server" with the number of signatures waiting, read from the store, and
offers no connect form that could do nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import Property, QDateTime, QObject, QTimer, Signal, Slot

from kiosk.sync.status import SyncSnapshot
from kiosk.ui.i18n import I18n
from kiosk.ui.messages import sync_error_message

log = logging.getLogger("kiosk.ui")


class SyncStatus(QObject):
    """The sync state as staff mode shows it.

    Args:
        store: the kiosk store (pending count when there is no sync object).
        i18n: the UI language (dates).
        sync: the sync controller, or None when sync is not wired.
        poll_ms: how often to re-read the state while staff mode is open.
    """

    changed = Signal()
    connectChanged = Signal()

    def __init__(
        self,
        store: Any,
        i18n: I18n,
        sync: Any = None,
        poll_ms: int = 2000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._i18n = i18n
        self._sync = sync
        self._snap = SyncSnapshot()
        self._connect_busy = False
        self._connect_error = ""
        self._connect_ok = False
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.refresh)
        if sync is not None:
            changed = getattr(sync, "changed", None)
            if changed is not None:
                changed.connect(self.refresh)
            finished = getattr(sync, "connectFinished", None)
            if finished is not None:
                finished.connect(self._connect_finished)
        i18n.languageChanged.connect(self.changed)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Re-read the snapshot (or, without sync, the pending count)."""
        if self._sync is not None:
            try:
                self._snap = self._sync.snapshot()
            except Exception:  # noqa: BLE001 - a broken engine must not break staff mode
                log.exception("reading the sync snapshot failed")
        else:
            self._snap = SyncSnapshot(pending=int(self._store.pending_count()))
        self.changed.emit()

    @Slot(bool)
    def setWatching(self, on: bool) -> None:  # noqa: N802 - Qt naming for QML
        """Poll while the staff screen is showing."""
        if on:
            self.refresh()
            self._poll.start()
        else:
            self._poll.stop()

    def _when(self, moment: datetime | None) -> str:
        if moment is None:
            return ""
        qdt = QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))
        return self._i18n.date_time(qdt)

    def _get(self) -> dict[str, Any]:
        s = self._snap
        return {
            "available": self._sync is not None,
            "connected": s.server_url is not None,
            "serverUrl": s.server_url or "",
            "pending": s.pending,
            "pendingText": self._i18n.number(s.pending),
            "running": s.running,
            "lastSuccess": self._when(s.last_success),
            "error": sync_error_message(s.last_error) if s.server_url else "",
            "errorDetail": s.last_error_detail if s.server_url else "",
            "conflicts": s.conflicts,
            "nextAttempt": self._when(s.next_attempt),
        }

    #: The state: available, connected, serverUrl, pending(Text), running, lastSuccess,
    #: error, errorDetail, conflicts, nextAttempt.
    state = Property("QVariantMap", _get, notify=changed)

    @Slot()
    def syncNow(self) -> None:  # noqa: N802 - Qt naming for QML
        """Staff's "Sync now"."""
        if self._sync is not None:
            self._sync.sync_now()
            self.refresh()

    def _get_connect(self) -> dict[str, Any]:
        return {"busy": self._connect_busy, "error": self._connect_error, "ok": self._connect_ok}

    #: The connect form's state: busy, error (worded), ok.
    connectState = Property("QVariantMap", _get_connect, notify=connectChanged)

    @Slot(str, str)
    def connectServer(self, url: str, code: str) -> None:  # noqa: N802 - Qt naming for QML
        """Staff's "Connect": enroll this kiosk with a server using a one-time code."""
        if self._sync is None or self._connect_busy:
            return
        self._connect_error = ""
        self._connect_ok = False
        self._connect_busy = hasattr(self._sync, "connectFinished")
        self.connectChanged.emit()
        try:
            self._sync.connect(url.strip(), code.strip())
        except Exception as exc:  # noqa: BLE001 - worded for staff below
            code_value = getattr(getattr(exc, "code", None), "value", getattr(exc, "code", ""))
            self._connect_finished(False, str(code_value or ""), "")
            return
        if not self._connect_busy:
            self._connect_finished(True, "", "")

    @Slot(bool, str, str)
    def _connect_finished(self, ok: bool, code: str, detail: str) -> None:
        self._connect_busy = False
        self._connect_ok = ok
        self._connect_error = "" if ok else (sync_error_message(code) if code else
                                              sync_error_message("failed"))
        self.connectChanged.emit()
        self.refresh()
