"""Printing a made PDF export through CUPS, and following the jobs until they are done.

The printer list and the jobs' states are asked of CUPS off the UI thread; Cancel works before
the jobs were sent (the export being made stops), while they are being sent (they are cancelled
as soon as CUPS names them) and once queued or printing (CUPS cancels them).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from PySide6.QtCore import Property, QObject, QTimer, Signal, Slot

from kiosk.adapters.printing import JobState, Printer, PrintError
from kiosk.exports.make import MadeExport
from kiosk.services.exports import Exports
from kiosk.ui.tasks import Tasks

#: How often the state of submitted print jobs is asked of CUPS.
PRINT_POLL_MS = 1000


class PrintState(StrEnum):
    """Where printing is."""

    IDLE = "idle"
    MAKING = "making"
    SENDING = "sending"
    QUEUED = "queued"
    PRINTING = "printing"
    CANCELLING = "cancelling"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


#: The states in which a print is on its way (a second one is refused).
BUSY = (
    PrintState.MAKING,
    PrintState.SENDING,
    PrintState.QUEUED,
    PrintState.PRINTING,
    PrintState.CANCELLING,
)


class ExportPrinter(QObject):
    """Printers, the chosen one, and one print at a time.

    Args:
        exports: the exports use cases (CUPS through the printing adapter, the audit trail).
        tasks: runs CUPS commands off the UI thread.
    """

    changed = Signal()

    def __init__(self, exports: Exports, tasks: Tasks, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._exports = exports
        self._tasks = tasks
        self._printers: list[Printer] = []
        self._printer = ""
        self._printers_error = ""
        self._state = PrintState.IDLE
        self._error = ""
        self._jobs: list[str] = []
        self._cancel = False
        self._gen = 0
        self._poll = QTimer(self)
        self._poll.setInterval(PRINT_POLL_MS)
        self._poll.timeout.connect(self._poll_jobs)
        self._poll_busy = False

    @property
    def current(self) -> PrintState:
        """Where printing is."""
        return self._state

    def _set(self, state: PrintState, error: str | None = None) -> None:
        self._state = state
        if error is not None:
            self._error = error
        self.changed.emit()

    def wipe(self) -> None:
        """Forget the print (its jobs stay with CUPS)."""
        self._poll.stop()
        self._gen += 1
        self._state, self._error = PrintState.IDLE, ""
        self._jobs = []
        self._cancel = False
        self.changed.emit()

    # -- printers ----------------------------------------------------------------------------

    @Slot()
    def refreshPrinters(self) -> None:  # noqa: N802 - Qt naming for QML
        """Ask CUPS for its printers (in the background)."""
        self._tasks.run(self._exports.printers, self._got_printers, self._printers_failed)

    def _got_printers(self, printers: list[Printer]) -> None:
        self._printers = printers
        self._printers_error = ""
        names = [p.name for p in printers]
        if self._printer not in names:
            self._printer = next((p.name for p in printers if p.is_default), names[0])
        self.changed.emit()

    def _printers_failed(self, exc: BaseException) -> None:
        self._printers = []
        self._printer = ""
        self._printers_error = exc.code if isinstance(exc, PrintError) else "failed"
        self.changed.emit()

    def _get_printers(self) -> list[dict[str, Any]]:
        return [
            {"name": p.name, "default": p.is_default, "chosen": p.name == self._printer}
            for p in self._printers
        ]

    printerList = Property("QVariantList", _get_printers, notify=changed)

    @Slot(str)
    def setPrinter(self, name: str) -> None:  # noqa: N802 - Qt naming for QML
        """Print on this printer."""
        if any(p.name == name for p in self._printers):
            self._printer = name
            self.changed.emit()

    def _get_status(self) -> dict[str, Any]:
        return {
            "state": self._state.value,
            "error": self._error,
            "printersError": self._printers_error,
            "printer": self._printer,
            "jobs": len(self._jobs),
            "jobIds": list(self._jobs),
        }

    #: state (``idle``, ``making``, ``sending``, ``queued``, ``printing``, ``cancelling``,
    #: ``done``, ``cancelled``, ``failed``), error (a
    #: :class:`kiosk.adapters.printing.PrintError` code, or ``make``), printersError, the
    #: printer, and how many jobs were sent.
    status = Property("QVariantMap", _get_status, notify=changed)

    # -- one print ---------------------------------------------------------------------------

    def begin(self) -> bool:
        """A new print: False (and the reason shown) when one is on its way or no printer
        is chosen."""
        if self._state in BUSY:
            return False
        if not self._printer:
            self._set(PrintState.FAILED, self._printers_error or "no_printer")
            return False
        self._gen += 1
        self._jobs = []
        self._cancel = False
        self._error = ""
        return True

    def making(self) -> None:
        """The packet is being made first."""
        self._set(PrintState.MAKING)

    def not_made(self, cancelled: bool) -> None:
        """Making the packet stopped: cancelled, or failed."""
        if cancelled:
            self._set(PrintState.CANCELLED, "")
        else:
            self._set(PrintState.FAILED, "make")

    def send(self, made: MadeExport, paper: str) -> None:
        """Send the packet's files to the chosen printer (in the background)."""
        printer, gen = self._printer, self._gen
        self._set(PrintState.SENDING)
        exports = self._exports

        def stop() -> bool:
            return self._cancel and gen == self._gen

        self._tasks.run(
            lambda: exports.print_export(made, printer, paper, stop),
            lambda jobs: self._sent(gen, jobs),
            lambda exc: self._failed(gen, exc, audited=True),
        )

    def _sent(self, gen: int, jobs: list[str]) -> None:
        if gen != self._gen:
            return
        self._jobs = jobs
        if self._cancel:
            self._cancel_jobs()
            return
        self._set(PrintState.QUEUED)
        self._poll.start()

    def _failed(self, gen: int, exc: BaseException, audited: bool = False) -> None:
        code = (
            (exc.code if isinstance(exc, PrintError) else "failed")
            if audited
            else self._exports.print_failed(exc)
        )
        if gen != self._gen:
            return
        self._set(PrintState.FAILED, code)

    @Slot()
    def _poll_jobs(self) -> None:
        if self._poll_busy or not self._jobs:
            return
        self._poll_busy = True
        jobs, gen = list(self._jobs), self._gen
        exports = self._exports
        self._tasks.run(
            lambda: exports.job_states(jobs),
            lambda states: self._polled(gen, states),
            lambda exc: self._polled(gen, []),
        )

    def _polled(self, gen: int, states: list[JobState]) -> None:
        self._poll_busy = False
        if gen != self._gen or self._state not in (PrintState.QUEUED, PrintState.PRINTING):
            return
        if not states:
            return
        if all(s in ("done", "unknown") for s in states):
            self._poll.stop()
            self._set(PrintState.DONE)
        elif "printing" in states:
            self._set(PrintState.PRINTING)
        else:
            self._set(PrintState.QUEUED)

    def cancel(self) -> bool:
        """Cancel printing once sent or while sending; False while the packet is still being
        made (the caller stops that)."""
        if self._state is PrintState.MAKING:
            return False
        if self._state is PrintState.SENDING:
            self._cancel = True  # the jobs are cancelled as soon as CUPS names them
        elif self._state in (PrintState.QUEUED, PrintState.PRINTING):
            self._cancel_jobs()
        return True

    def _cancel_jobs(self) -> None:
        jobs, gen = list(self._jobs), self._gen
        self._poll.stop()
        self._set(PrintState.CANCELLING)
        exports = self._exports
        self._tasks.run(
            lambda: exports.cancel_print(jobs),
            lambda failed: self._cancelled(gen, len(jobs), failed),
            lambda exc: self._failed(gen, exc),
        )

    def _cancelled(self, gen: int, jobs: int, failed: int) -> None:
        if gen != self._gen:
            return
        if failed and failed == jobs:
            self._set(PrintState.DONE, "cancel_failed")
        else:
            self._set(PrintState.CANCELLED)
