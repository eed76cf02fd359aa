"""What staff mode shows about sync, from the sync controller the app was wired with.

The controller is typed by its port, :class:`kiosk.services.sync.SyncControl`
(``kiosk.sync.qt.SyncController`` in the app): ``snapshot()``, ``sync_now()``,
``connect(url, code, allow_insecure=...)`` and the ``changed`` and ``connectFinished`` signals.
Without a controller, staff mode says "Not connected to a server" with the number of signatures
waiting (the outbox service), and offers no connect form that could do nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Property, QDateTime, QObject, QTimer, Signal, Slot

from kiosk.services.sync import Outbox, SyncControl
from kiosk.sync.status import SyncSnapshot
from kiosk.ui.i18n import I18n
from kiosk.ui.messages import sync_error_message

if TYPE_CHECKING:
    from kiosk.sync.qt import SyncController

log = logging.getLogger("kiosk.ui")


if TYPE_CHECKING:

    def _qt_controller_is_a_sync_control(controller: SyncController) -> SyncControl:
        """Never called: mypy (strict on this file) checks that the app's controller
        satisfies the port the screens are typed against."""
        return controller


class SyncStatus(QObject):
    """The sync state as staff mode shows it.

    Args:
        outbox: the signatures waiting (counted when there is no sync object).
        i18n: the UI language (dates).
        sync: the sync controller, or None when sync is not wired.
        poll_ms: how often to re-read the state while staff mode is open.
    """

    changed = Signal()
    connectChanged = Signal()

    def __init__(
        self,
        outbox: Outbox,
        i18n: I18n,
        sync: SyncControl | None = None,
        poll_ms: int = 2000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._outbox = outbox
        self._i18n = i18n
        self._sync = sync
        self._snap = SyncSnapshot()
        self._connect_busy = False
        self._connect_error = ""
        self._connect_ok = False
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self.refresh)
        i18n.languageChanged.connect(self.changed)
        i18n.languageChanged.connect(self.connectChanged)
        if sync is not None:
            self.attach(sync)
        else:
            self.refresh()

    def attach(self, sync: SyncControl) -> None:
        """Plug in the sync controller (the app does it once the first screen is up)."""
        self._sync = sync
        sync.changed.connect(self.refresh)
        sync.connectFinished.connect(self._connect_finished)
        self.refresh()

    @Slot()
    def refresh(self) -> None:
        """Re-read the snapshot (or, without sync, the pending count)."""
        if self._sync is not None:
            try:
                self._snap = self._sync.snapshot()
            except Exception:
                log.exception("reading the sync snapshot failed")
        else:
            self._snap = SyncSnapshot(pending=self._outbox.waiting())
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
            "refused": s.refused if s.server_url else 0,
            "refusedReasons": "; ".join(s.refused_reasons) if s.server_url else "",
        }

    #: The state: available, connected, serverUrl, pending(Text), running, lastSuccess,
    #: error, errorDetail, conflicts, nextAttempt, refused (signatures the server refused at
    #: the last complete pass) and refusedReasons (its words, English).
    state = Property("QVariantMap", _get, notify=changed)  # type: ignore[arg-type]  # Qt type name

    @Slot()
    def syncNow(self) -> None:  # noqa: N802 - Qt naming for QML
        """Staff's "Sync now"."""
        if self._sync is not None:
            self._sync.sync_now()
            self.refresh()

    def _get_connect(self) -> dict[str, Any]:
        # Worded on every read, so a language switch re-words a shown error.
        error = (
            sync_error_message(self._connect_error, enrolling=True) if self._connect_error else ""
        )
        return {"busy": self._connect_busy, "error": error, "ok": self._connect_ok}

    #: The connect form's state: busy, error (worded), ok.
    connectState = Property("QVariantMap", _get_connect, notify=connectChanged)  # type: ignore[arg-type]

    @Slot(str, str, bool)
    def connectServer(  # noqa: N802 - Qt naming for QML
        self, url: str, code: str, allow_insecure: bool = False
    ) -> None:
        """Staff's "Connect": enroll this kiosk with a server using a one-time code.

        Args:
            url: the server address staff typed.
            code: the one-time code.
            allow_insecure: staff turned on "Allow unencrypted connection": plain http to
                another machine on the local network (kept with the enrollment, and audited).
        """
        if self._sync is None or self._connect_busy:
            return
        self._connect_error = ""
        self._connect_ok = False
        self._connect_busy = True  # until connectFinished
        self.connectChanged.emit()
        try:
            self._sync.connect(url.strip(), code.strip(), allow_insecure=bool(allow_insecure))
        except Exception:  # a controller reports through connectFinished; never leave it busy
            log.exception("starting the enrollment failed")
            self._connect_finished(False, "failed", "")

    @Slot(bool, str, str)
    def _connect_finished(self, ok: bool, code: str, detail: str) -> None:
        self._connect_busy = False
        self._connect_ok = ok
        self._connect_error = "" if ok else (code or "failed")  # a code, worded when read
        self.connectChanged.emit()
        self.refresh()
