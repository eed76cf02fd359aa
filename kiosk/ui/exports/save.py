"""Saving a made export: to a USB stick (never created when it was pulled out) or the exports
folder, atomically, in the background; why it failed as a code the QML words."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.adapters.usb import MEDIA_GLOBS, Destination
from kiosk.exports.files import save_error_code
from kiosk.exports.make import MadeExport
from kiosk.services.exports import Exports
from kiosk.ui.tasks import Tasks


class SaveState(StrEnum):
    """Where saving is."""

    IDLE = "idle"
    SAVING = "saving"
    SAVED = "saved"
    FAILED = "failed"


class ExportSaver(QObject):
    """Destinations and the save.

    Args:
        exports: the exports use cases.
        tasks: runs the save off the UI thread.
        media_globs: where removable media are looked for (tests point it elsewhere).
    """

    changed = Signal()

    def __init__(
        self,
        exports: Exports,
        tasks: Tasks,
        media_globs: tuple[str, ...] = MEDIA_GLOBS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._exports = exports
        self._tasks = tasks
        self._media_globs = media_globs
        self._dests: list[Destination] = []
        self._dest = 0
        self._state = SaveState.IDLE
        self._error = ""
        self._saved_to = ""
        self._saved_files: list[str] = []
        self._saved_on_tablet = False
        #: The export being shown: a save that finishes for another one is not reported.
        self.current: MadeExport | None = None

    def reset(self, made: MadeExport | None) -> None:
        """A new export (or none) is shown: forget the last save."""
        self.current = made
        self._state, self._error, self._saved_to = SaveState.IDLE, "", ""
        self._saved_files, self._saved_on_tablet = [], False
        self.changed.emit()

    @Slot()
    def refreshDestinations(self) -> None:  # noqa: N802 - Qt naming for QML
        """Look for removable media again."""
        current = self._dests[self._dest].path if self._dest < len(self._dests) else None
        self._dests = self._exports.destinations(self._media_globs)
        self._dest = next((i for i, d in enumerate(self._dests) if d.path == current), 0)
        self.changed.emit()

    def _get_dests(self) -> list[dict[str, Any]]:
        return [
            {"kind": d.kind, "label": d.label, "path": str(d.path), "chosen": i == self._dest}
            for i, d in enumerate(self._dests)
        ]

    #: Where exports can be saved: removable media first, then the exports folder.
    destinationList = Property("QVariantList", _get_dests, notify=changed)

    @Slot(int)
    def setDestination(self, index: int) -> None:  # noqa: N802 - Qt naming for QML
        """Save to this destination (an index into ``destinationList``)."""
        if 0 <= index < len(self._dests):
            self._dest = index
            self.changed.emit()

    def _get_status(self) -> dict[str, Any]:
        return {
            "state": self._state.value,
            "error": self._error,
            "where": self._saved_to,
            "files": list(self._saved_files),
            "onTablet": self._saved_on_tablet,
        }

    #: state (``idle``, ``saving``, ``saved``, ``failed``), error (``full``, ``read_only``,
    #: ``gone``, ``failed``), where (the destination's label), the file names written, and
    #: onTablet (saved into the exports folder on the tablet's own disk, deleted after a day:
    #: :data:`kiosk.exports.files.KEEP_SAVED_EXPORTS`).
    status = Property("QVariantMap", _get_status, notify=changed)

    @Slot()
    def save(self) -> None:
        """Write the export shown to the chosen destination (in the background)."""
        made = self.current
        if made is None or self._state is SaveState.SAVING or not self._dests:
            return
        dest = self._dests[min(self._dest, len(self._dests) - 1)]
        self._state, self._error = SaveState.SAVING, ""
        self.changed.emit()
        exports = self._exports
        self._tasks.run(
            lambda: exports.save(made, dest),
            lambda paths: self._saved(made, dest, paths),
            lambda exc: self._failed(made, exc),
        )

    def _saved(self, made: MadeExport, dest: Destination, paths: list[Path]) -> None:
        if made is not self.current:
            return
        self._state, self._error = SaveState.SAVED, ""
        self._saved_to = dest.label
        self._saved_files = [p.name for p in paths]
        self._saved_on_tablet = dest.kind == "folder"
        self.changed.emit()

    def _failed(self, made: MadeExport, exc: BaseException) -> None:
        if made is not self.current:
            return
        self._state, self._error = SaveState.FAILED, save_error_code(exc)
        self.changed.emit()
