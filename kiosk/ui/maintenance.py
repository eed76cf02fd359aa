"""Housekeeping while nobody is at the kiosk: the retention policy and a vacuum.

Every few minutes, when the attract screen has been showing untouched for a while (no signer,
no PIN screen, no staff mode), the privacy service's housekeeping
(:meth:`kiosk.services.privacy.Privacy.idle_housekeeping`) runs off the UI thread:
it applies the retention policy (a "days" policy comes due without any sync) and, if personal
data was purged since the last time, vacuums the database so the deleted pages leave the file.
A signer who taps "Sign" meanwhile is not kept waiting: nothing is saved until their submit,
minutes later, and a save waits for the vacuum's lock at most the store's busy timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk.services.privacy import Privacy
from kiosk.ui.idle import IdleWatcher
from kiosk.ui.tasks import Tasks

log = logging.getLogger("kiosk.ui")


class IdleMaintenance(QObject):
    """Runs the kiosk's housekeeping when the screen is idle.

    Args:
        privacy: the retention and housekeeping use cases.
        tasks: runs the work off the UI thread.
        idle: the idle watcher (disarmed while the attract screen shows; knows the last touch).
        at_rest: whether the screen is at rest (signer mode, attract screen).
        interval_s: how often to look.
        quiet_s: how long the screen must have been untouched.
    """

    #: One pass finished: whether it vacuumed.
    finished = Signal(bool)

    def __init__(
        self,
        privacy: Privacy,
        tasks: Tasks,
        idle: IdleWatcher,
        at_rest: Callable[[], bool],
        interval_s: float = 600.0,
        quiet_s: float = 120.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._privacy = privacy
        self._tasks = tasks
        self._idle = idle
        self._at_rest = at_rest
        self._quiet_s = quiet_s
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(int(interval_s * 1000))
        self._timer.timeout.connect(self.run_if_idle)
        self._timer.start()

    def stop(self) -> None:
        """No more passes (shutdown)."""
        self._timer.stop()

    @Slot()
    def run_if_idle(self) -> bool:
        """Start a pass if the screen is at rest and untouched; return whether one started."""
        if self._busy or self._idle.armed or not self._at_rest():
            return False
        if self._idle.quiet_for() < self._quiet_s:
            return False
        self._busy = True
        self._tasks.run(self._privacy.idle_housekeeping, self._done, self._failed)
        return True

    def _done(self, vacuumed: bool) -> None:
        self._busy = False
        self.finished.emit(bool(vacuumed))

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        log.warning("idle maintenance failed: %s", type(exc).__name__)
        self.finished.emit(False)
