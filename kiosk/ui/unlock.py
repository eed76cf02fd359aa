"""The coordinator's unlock as staff mode's screens share it.

One :class:`kiosk.privacy.KeySession` opens the private key for every staff screen that reads
personal data (the names in Last entries, the Exports). :class:`CoordinatorUnlock` runs the
slow Argon2id unlock off the UI thread and holds its state (busy, refused) once, so opening or
locking on one screen shows on the others at once.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal, Slot

from kiosk.privacy import KeySession
from kiosk.ui.tasks import Tasks

log = logging.getLogger("kiosk.ui")


class CoordinatorUnlock(QObject):
    """The shared unlock: ``unlock(passphrase)`` in the background, ``lock()``.

    Args:
        session: the key session (it audits unlocks, failures and locks).
        tasks: runs the Argon2id work off the UI thread.
    """

    #: Anything changed: busy, refused, opened or locked.
    changed = Signal()
    #: The key was opened or dropped (screens re-read what they show with it).
    keyChanged = Signal()

    def __init__(self, session: KeySession, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._tasks = tasks
        self.busy = False
        self.failed = False

    @property
    def available(self) -> bool:
        """Whether the encrypted private key is on this kiosk at all."""
        return bool(self.session.available)

    @property
    def unlocked(self) -> bool:
        """Whether the key is open now."""
        return bool(self.session.unlocked)

    @Slot(str)
    def unlock(self, passphrase: str) -> None:
        """Open the key with the coordinator's passphrase (in the background)."""
        if self.busy or not passphrase:
            return
        self.busy, self.failed = True, False
        self.changed.emit()
        session = self.session
        self._tasks.run(lambda: session.unlock(passphrase), self._done, self._error)

    def _done(self, ok: bool) -> None:
        self.busy, self.failed = False, not ok
        self.changed.emit()
        if ok:
            self.keyChanged.emit()

    def _error(self, exc: BaseException) -> None:
        log.error("unlock failed: %s", type(exc).__name__)
        self._done(False)

    @Slot()
    def lock(self) -> None:
        """Drop the key from memory."""
        self.session.lock()
        self.failed = False
        self.changed.emit()
        self.keyChanged.emit()
