"""Slow work off the UI thread, through one helper.

``Tasks.run(fn, on_done, on_error)`` runs ``fn`` on Qt's thread pool and calls ``on_done``
(or ``on_error``) back on the UI thread. Used for the deliberately slow Argon2id work (PIN
checks, the coordinator's passphrase) so a finger on the screen never waits on it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal, Slot

from kiosk.ui._compat import hold_collections

log = logging.getLogger("kiosk.ui")


class Tasks(QObject):
    """Runs callables in the background and delivers results on the UI thread."""

    _finished = Signal(object, object, object)  # callback, result, error
    busyChanged = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._running = 0
        self._finished.connect(self._deliver)

    @property
    def running(self) -> int:
        """How many tasks have not reported back yet."""
        return self._running

    def run(
        self,
        fn: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run ``fn()`` in the background.

        Args:
            fn: the work; must not touch QML objects.
            on_done: called on the UI thread with ``fn``'s result.
            on_error: called on the UI thread with the exception, if ``fn`` raised.
        """
        self._running += 1
        hold_collections(True)
        self.busyChanged.emit()

        def job() -> None:
            try:
                result = fn()
            except BaseException as exc:  # noqa: BLE001 - delivered to on_error
                self._finished.emit((on_done, on_error), None, exc)
            else:
                self._finished.emit((on_done, on_error), result, None)

        self._pool.start(job)

    @Slot(object, object, object)
    def _deliver(self, callbacks: Any, result: Any, error: Any) -> None:
        on_done, on_error = callbacks
        self._running -= 1
        hold_collections(False)
        self.busyChanged.emit()
        if error is None:
            on_done(result)
        elif on_error is not None:
            on_error(error)
        else:
            log.error("background task failed: %s", type(error).__name__)

    def wait(self, msecs: int = -1) -> bool:
        """Wait for running tasks to finish (shutdown, tests)."""
        return bool(self._pool.waitForDone(msecs))
