"""Exports' use cases: what staff mode's exports screen asks for.

Counting what a choice covers (no key needed), making a CSV list or PDF packets in memory with
the coordinator's key (with progress and cancel), saving them to a USB stick or the exports
folder, printing them through CUPS, and auditing each step without personal data; a save or a
print marks the signatures exported (the "keep until exported" retention policy).

The pieces of work are :mod:`kiosk.exports` (records, CSV, packets, files); the print system
and the removable drives are ports (:class:`kiosk.domain.ports.PrintQueue`,
:class:`kiosk.domain.ports.DriveFinder`: CUPS and mounted USB sticks, handed in by the
composition root). This layer puts them together for a screen, typed against ports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Literal

from kiosk.domain.audit import AuditAction
from kiosk.domain.campaign import Campaign
from kiosk.domain.errors import Code, NotFound
from kiosk.domain.ports import (
    Clock,
    Destination,
    DriveFinder,
    JobState,
    Media,
    Opener,
    Printer,
    PrintError,
    PrintQueue,
    SignatureFilter,
)
from kiosk.domain.routing import ZipDirectory
from kiosk.domain.sheets import PageSize
from kiosk.domain.signature import Event
from kiosk.exports.files import destinations, save_error_code
from kiosk.exports.make import (
    MadeExport,
    Progress,
    make_csv_export,
    make_pdf_export,
    record_export,
    save_export,
)
from kiosk.services.ports import AuditRecorder, KioskStore
from kiosk.services.settings import Events, KioskSettings

log = logging.getLogger("kiosk.services")

#: The periods staff can choose: today, the last 7 days, the last 30 days, all.
PERIODS = ("today", "week", "month", "all")
_PERIOD_DAYS = {"today": 0, "week": 6, "month": 29}


@dataclass(frozen=True, slots=True)
class ExportSpec:
    """One export as staff chose it.

    Attributes:
        kind: ``pdf`` (signature packets) or ``csv`` (the contact list).
        campaign: the campaign's slug.
        flt: which signatures.
        per_local: PDF: one packet per local campaign.
        paper: PDF: ``letter`` or ``a4``.
        rows_per_sheet: PDF: signatures a sheet.
        opted_in_only: CSV: only signers who opted in to updates.
        language: PDF: labels and campaign texts.
        excel: CSV: for Excel on Windows (the UTF-8 byte-order mark first).
    """

    kind: Literal["pdf", "csv"]
    campaign: str
    flt: SignatureFilter
    per_local: bool = False
    paper: PageSize = "letter"
    rows_per_sheet: int = 10
    opted_in_only: bool = False
    language: str = "en"
    excel: bool = False


class Exports:
    """Making, saving and printing exports.

    Args:
        store: the kiosk's store.
        settings: staff settings (campaigns, the active one).
        events: the events (to choose one's signatures).
        directory: ZIP data (city and state for signers who gave only a ZIP).
        auditor: the audit trail.
        clock: the kiosk's clock.
        printers: the print system (CUPS on a kiosk).
        drives: finds mounted USB sticks.
    """

    def __init__(
        self,
        store: KioskStore,
        settings: KioskSettings,
        events: Events,
        directory: ZipDirectory | None,
        auditor: AuditRecorder,
        clock: Clock,
        printers: PrintQueue,
        drives: DriveFinder,
    ) -> None:
        self._store = store
        self.settings = settings
        self._events = events
        self._directory = directory
        self._auditor = auditor
        self._clock = clock
        self._printers = printers
        self._drives = drives

    def audit(self, action: AuditAction, **detail: object) -> None:
        """Record a step (logged, never raised, when the trail cannot be written)."""
        self.settings.audit(action, **detail)

    # -- choosing ----------------------------------------------------------------------------

    def campaign(self, slug: str | None) -> Campaign | None:
        """The installed campaign of this slug, or None."""
        return self.settings.campaign(slug)

    def events(self) -> list[Event]:
        """Every event, newest first."""
        return self._events.all()

    def since(self, period: str) -> datetime | None:
        """Where a period (:data:`PERIODS`) starts: local midnight today, 6 or 29 days before;
        None for ``all``."""
        if period not in _PERIOD_DAYS:
            return None
        now = self._clock().astimezone()
        midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight - timedelta(days=_PERIOD_DAYS[period])

    def count(self, flt: SignatureFilter) -> int:
        """How many (non-void) signatures a choice covers; needs no key."""
        return self._store.count(flt)

    # -- making ------------------------------------------------------------------------------

    def make(self, spec: ExportSpec, opener: Opener, progress: Progress | None) -> MadeExport:
        """Open the signatures and make the export in memory (slow: off the UI thread).

        Raises:
            NothingToExport: no signature matches.
            ExportCancelled: ``progress`` cancelled it.
            NotFound: the campaign is not installed.
            ValueError: a signature's text version is unknown here.
        """
        if spec.kind == "csv":
            return make_csv_export(
                self._store,
                opener,
                spec.flt,
                opted_in_only=spec.opted_in_only,
                excel=spec.excel,
                progress=progress,
            )
        from kiosk.pdf import PacketOptions

        campaign = self.settings.campaign(spec.campaign)
        if campaign is None:
            raise NotFound(Code.UNKNOWN_CAMPAIGN, spec.campaign)
        return make_pdf_export(
            self._store,
            campaign,
            self._directory,
            opener,
            spec.flt,
            language=spec.language,
            options=PacketOptions(page_size=spec.paper, rows_per_sheet=spec.rows_per_sheet),
            per_local=spec.per_local,
            progress=progress,
        )

    def made(self, made: MadeExport) -> None:
        """Audit an export that was made (kinds and counts only)."""
        self.audit(
            AuditAction.EXPORT,
            step="made",
            kind=made.kind,
            campaign=made.campaign,
            local=made.local,
            rows=made.rows,
            files=len(made.files),
            pages=sum(f.pages for f in made.files),
        )
        log.info("export made: %s, %d signatures, %d files", made.kind, made.rows, len(made.files))

    # -- saving ------------------------------------------------------------------------------

    def destinations(self, globs: tuple[str, ...]) -> list[Destination]:
        """Where exports can be saved: the removable media mounted under ``globs`` first, then
        the exports folder."""
        return destinations(self._store, self._drives.removable_media(globs))

    def save(self, made: MadeExport, dest: Destination) -> list[Path]:
        """Save ``made`` into ``dest`` atomically, never over an earlier export, then mark the
        signatures exported and audit it (slow: off the UI thread).

        Raises:
            OSError: the medium is gone, full or read-only; audited, and its code is
                :func:`kiosk.exports.save_error_code`.
        """
        try:
            paths = save_export(made, dest, self._clock())
        except Exception as exc:
            code = save_error_code(exc)
            log.warning("export not saved to %s: %s (%s)", dest.kind, code, type(exc).__name__)
            self.audit(
                AuditAction.EXPORT,
                step="save_failed",
                kind=made.kind,
                destination=dest.kind,
                error=code,
            )
            raise
        self._record(made, step="saved", destination=dest.kind)
        log.info("export saved: %d files to %s", len(paths), dest.kind)
        return paths

    def _record(
        self, made: MadeExport, action: AuditAction | None = None, **detail: object
    ) -> None:
        try:
            record_export(self._store, self._auditor, made, self._clock(), action, **detail)
        except Exception:
            log.exception("could not record the export")

    # -- printing ----------------------------------------------------------------------------

    def printers(self) -> list[Printer]:
        """The printers the print system knows (raises :class:`PrintError`)."""
        return self._printers.list_printers()

    def print_export(
        self, made: MadeExport, printer: str, paper: str, stop: Callable[[], bool]
    ) -> list[str]:
        """Send each file of a PDF export to ``printer``; stop early once ``stop()`` says so.
        Marks the signatures exported and audits it when anything was sent (slow: off the UI
        thread). Returns the CUPS job ids.

        Raises:
            PrintError: CUPS refused (audited).
        """
        media: Media = "A4" if paper == "a4" else "Letter"
        jobs: list[str] = []
        try:
            for f in made.files:
                if stop():
                    break
                title = f"Petition packet {made.campaign}" + (f" {f.name}" if f.name else "")
                jobs.append(self._printers.submit(f.data, printer, title, media))
        except Exception as exc:
            self.print_failed(exc)
            raise
        if jobs:
            self._record(made, action=AuditAction.PRINT, step="sent", jobs=len(jobs))
        return jobs

    def print_failed(self, exc: BaseException) -> str:
        """Audit a failed print; return its code (a :class:`PrintError` code, or ``failed``)."""
        code = exc.code if isinstance(exc, PrintError) else "failed"
        log.warning("printing failed: %s", code)
        self.audit(AuditAction.PRINT, step="failed", error=code)
        return code

    def job_states(self, jobs: list[str]) -> list[JobState]:
        """Where each print job is (slow: asks CUPS)."""
        return [self._printers.job_state(j) for j in jobs]

    def cancel_print(self, jobs: list[str]) -> int:
        """Cancel print jobs; audited. Returns how many could not be cancelled (too late)."""
        failed = 0
        for job in jobs:
            try:
                self._printers.cancel(job)
            except PrintError:
                failed += 1
        self.audit(AuditAction.PRINT, step="cancelled", jobs=len(jobs), too_late=failed)
        return failed
