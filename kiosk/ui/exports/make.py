"""Making an export in the background: progress, Cancel, and what was made.

Making needs the coordinator's unlock (:class:`kiosk.ui.unlock.CoordinatorUnlock`, shared by
staff mode); the work runs off the UI thread through the exports service and stops at the next
signature or page once cancelled. What was made stays in memory until it is wiped.
"""

from __future__ import annotations

import logging
import threading
import time
from enum import StrEnum
from typing import Any

from PySide6.QtCore import Property, QObject, Signal, Slot

from kiosk.exports.make import ExportCancelled, MadeExport, NothingToExport
from kiosk.services.exports import Exports, ExportSpec
from kiosk.ui.i18n import I18n
from kiosk.ui.tasks import Tasks
from kiosk.ui.unlock import CoordinatorUnlock

log = logging.getLogger("kiosk.ui")


class MakeState(StrEnum):
    """Where making an export is."""

    IDLE = "idle"
    MAKING = "making"
    READY = "ready"
    CANCELLED = "cancelled"
    FAILED = "failed"


class MakeError(StrEnum):
    """Why making failed (the QML words it)."""

    NONE = ""
    LOCKED = "locked"
    NOTHING = "nothing"
    FAILED = "failed"


class _Job:
    """One export being made: its cancel flag and its progress reports."""

    def __init__(self, maker: ExportMaker, job_id: int) -> None:
        self.id = job_id
        self.cancelled = threading.Event()
        self._maker = maker
        self._last = 0.0

    def progress(self, stage: str, done: int, total: int) -> None:
        """Called on the worker thread; raises :class:`ExportCancelled` once cancelled."""
        if self.cancelled.is_set():
            raise ExportCancelled()
        now = time.monotonic()
        if now - self._last >= 0.05 or done >= total:
            self._last = now
            self._maker.progressed.emit(self.id, stage, done, total)


class ExportMaker(QObject):
    """Makes one export at a time.

    Args:
        exports: the exports use cases.
        unlock: the coordinator's unlock.
        i18n: the UI language (numbers).
        tasks: runs the work off the UI thread.
    """

    changed = Signal()
    #: The coordinator must unlock first (a refused make).
    needsUnlock = Signal()
    #: Making starts: what was made before is dropped.
    starting = Signal()
    #: Something new was made.
    made = Signal()
    #: Making stopped without a result: whether it was cancelled (else it failed).
    stopped = Signal(bool)
    #: Progress from the worker thread: (job, stage, done, total).
    progressed = Signal(int, str, int, int)

    def __init__(
        self,
        exports: Exports,
        unlock: CoordinatorUnlock,
        i18n: I18n,
        tasks: Tasks,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._exports = exports
        self._unlock = unlock
        self._i18n = i18n
        self._tasks = tasks
        self._job: _Job | None = None
        self._next_job = 0
        self._state = MakeState.IDLE
        self._error = MakeError.NONE
        self._stage = ""
        self._done = 0
        self._total = 0
        self._made: MadeExport | None = None
        self.paper = "letter"
        self.progressed.connect(self._on_progress)

    @property
    def result(self) -> MadeExport | None:
        """What was made, if anything."""
        return self._made

    @property
    def current(self) -> MakeState:
        """Where making is."""
        return self._state

    def _set(self, state: MakeState, error: MakeError = MakeError.NONE) -> None:
        self._state, self._error = state, error

    def wipe(self) -> None:
        """Forget what was made (and stop what is being made)."""
        if self._job is not None:
            self._job.cancelled.set()
        self._job = None
        self._made = None
        self._set(MakeState.IDLE)
        self._stage = ""
        self._done = self._total = 0
        self.changed.emit()

    def key_opened(self) -> None:
        """The shared key was opened: a "locked" refusal no longer holds."""
        if self._unlock.unlocked and self._error is MakeError.LOCKED:
            self._set(MakeState.IDLE)
            self.changed.emit()

    # -- properties --------------------------------------------------------------------------

    def _get_state(self) -> str:
        return self._state.value

    #: ``idle``, ``making``, ``ready``, ``cancelled`` or ``failed``.
    state = Property(str, _get_state, notify=changed)

    def _get_error(self) -> str:
        return self._error.value

    #: Why making failed: ``locked``, ``nothing``, ``failed`` ("" otherwise).
    error = Property(str, _get_error, notify=changed)

    def _get_progress(self) -> dict[str, Any]:
        n = self._i18n.number
        fraction = self._done / self._total if self._total else 0.0
        if self._stage == "reading":
            fraction *= 0.3
        elif self._stage == "rendering":
            fraction = 0.3 + 0.7 * fraction
        return {
            "stage": self._stage,
            "done": n(self._done),
            "total": n(self._total),
            "fraction": fraction,
        }

    #: stage (``reading`` or ``rendering``), done and total (worded numbers), fraction.
    progress = Property("QVariantMap", _get_progress, notify=changed)

    def _get_result(self) -> dict[str, Any]:
        made = self._made
        if made is None:
            return {}
        n = self._i18n.number
        return {
            "kind": made.kind,
            "rows": made.rows,
            "rowsText": n(made.rows),
            "files": len(made.files),
            "pages": sum(f.pages for f in made.files),
            "pagesText": n(sum(f.pages for f in made.files)),
            "optedIn": made.opted_in,
            "optedInText": n(made.opted_in),
            "purged": made.result.purged_skipped,
            "undecryptable": made.result.undecryptable,
            "fileList": [
                {"name": self._file_label(made, f.name), "rows": f.rows, "pages": f.pages}
                for f in made.files
            ],
        }

    def _file_label(self, made: MadeExport, name: str) -> str:
        campaign = self._exports.campaign(made.campaign)
        if campaign is None:  # a campaign removed meanwhile
            return name
        loc = campaign.local(name) if name else None
        if loc is not None:
            return f"{loc.place}, {loc.state}"
        return campaign.title.get(self._i18n.language)

    #: What was made: kind, rows, files, pages, optedIn, and each file's label, rows and pages.
    summary = Property("QVariantMap", _get_result, notify=changed)

    # -- making ------------------------------------------------------------------------------

    def start(self, spec: ExportSpec) -> bool:
        """Make ``spec`` in the background; False when refused (making already, locked, or
        nothing chosen)."""
        if self._state is MakeState.MAKING:
            return False
        session = self._unlock.session
        opener = session.opener() if session.unlocked else None
        if opener is None:
            self._set(MakeState.FAILED, MakeError.LOCKED)
            self.changed.emit()
            self.needsUnlock.emit()
            return False
        if not spec.campaign:
            self._set(MakeState.FAILED, MakeError.NOTHING)
            self.changed.emit()
            return False
        self._made = None
        self.starting.emit()
        self._next_job += 1
        job = _Job(self, self._next_job)
        self._job = job
        self._set(MakeState.MAKING)
        self._stage = "reading"
        self._done = self._total = 0
        self.paper = spec.paper
        self.changed.emit()
        exports = self._exports
        self._tasks.run(
            lambda: exports.make(spec, opener, job.progress),
            lambda made: self._made_done(job, made),
            lambda exc: self._make_failed(job, exc),
        )
        log.info("export started (%s)", spec.kind)
        return True

    @Slot(int, str, int, int)
    def _on_progress(self, job_id: int, stage: str, done: int, total: int) -> None:
        if self._job is None or job_id != self._job.id or self._state is not MakeState.MAKING:
            return
        self._stage, self._done, self._total = stage, done, total
        self.changed.emit()

    def _made_done(self, job: _Job, made: MadeExport) -> None:
        if job is not self._job or job.cancelled.is_set():
            return  # cancelled or wiped meanwhile: drop it
        self._job = None
        self._made = made
        self._set(MakeState.READY)
        self._exports.made(made)
        self.made.emit()
        self.changed.emit()

    def _make_failed(self, job: _Job, exc: BaseException) -> None:
        if job is not self._job:
            return
        self._job = None
        cancelled = isinstance(exc, ExportCancelled)
        if cancelled:
            self._set(MakeState.CANCELLED)
        elif isinstance(exc, NothingToExport):
            self._set(MakeState.FAILED, MakeError.NOTHING)
        else:
            log.error("export failed: %s", type(exc).__name__)
            self._set(MakeState.FAILED, MakeError.FAILED)
        self.stopped.emit(cancelled)
        self.changed.emit()

    def cancel(self) -> bool:
        """Stop the export being made (it stops at the next signature or page); whether one
        was being made."""
        if self._job is None:
            return False
        self._job.cancelled.set()
        self._job = None
        self._set(MakeState.CANCELLED)
        log.info("export cancelled")
        self.stopped.emit(True)
        self.changed.emit()
        return True
