"""Making an export in memory (shared by ``kiosk export`` and the touch screen): open the
signatures, render the packets or write the list, with progress and a way to cancel; write or
record what was made.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk.adapters.files import atomic_write
from kiosk.domain.audit import AuditAction
from kiosk.domain.campaign import Campaign, TextVersion
from kiosk.domain.demo import is_demo
from kiosk.domain.ports import Destination, Opener, SettingsStore, SignatureFilter
from kiosk.domain.routing import ZipDirectory
from kiosk.exports.contacts import for_excel, write_csv
from kiosk.exports.packets import TextVersionLookup, build_packets, packet_paths
from kiosk.exports.records import ExportRecord, ExportResult, SignatureSource, collect

if TYPE_CHECKING:  # reportlab loads when a packet is made, not when the screens start
    from kiosk.pdf import PacketOptions


class ExportStore(SignatureSource, SettingsStore, Protocol):
    """What making an export reads from the kiosk's store: signatures, events, counts, the
    text versions they were given, and whether the kiosk is a demo."""

    def text_version(self, version_hash: str) -> TextVersion | None:
        """A stored text version by hash, or None."""
        ...


class ExportMarker(Protocol):
    """Marks signatures exported (retention "until exported")."""

    def mark_exported(self, ids: list[uuid.UUID], at: datetime) -> None:
        """Record that these signatures were exported here."""
        ...


class Recorder(Protocol):
    """The audit trail, as far as an export writes to it."""

    def record(self, action: AuditAction, **detail: object) -> None:
        """Append an entry (no personal data)."""
        ...


class ExportCancelled(Exception):
    """The export was cancelled while it was being made (a progress callback raised it)."""


class NothingToExport(Exception):
    """No signature matches the choice.

    Attributes:
        result: what was left out, and why (synthetic, purged, unreadable).
    """

    def __init__(self, result: ExportResult | None = None) -> None:
        super().__init__("no signatures match")
        self.result = result or ExportResult()


def _count_synthetic(store: SignatureSource, flt: SignatureFilter, result: ExportResult) -> None:
    """Count the synthetic signatures ``flt`` leaves out (the answer names them), or note that
    the export holds some (its pages are marked)."""
    wider = dataclasses.replace(flt, include_void=False, include_synthetic=True)
    narrow = dataclasses.replace(flt, include_void=False, include_synthetic=False)
    synthetic = int(store.count(wider)) - int(store.count(narrow))
    if flt.include_synthetic:
        result.synthetic_included |= synthetic > 0
    else:
        result.synthetic_skipped = synthetic


#: Progress callback: (stage, done, total). Stages: ``reading`` (signatures opened) and
#: ``rendering`` (PDF pages drawn). It may raise :class:`ExportCancelled` to stop the work.
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One file of an export, in memory.

    Attributes:
        name: the file-name suffix (see :func:`packet_paths`; "" for a single file).
        data: the file's bytes (personal data: never written anywhere but where it is saved).
        rows: the signatures in it.
        pages: its pages (PDF), 0 for a CSV.
    """

    name: str
    data: bytes
    rows: int
    pages: int = 0


@dataclass
class MadeExport:
    """What :func:`make_pdf_export` or :func:`make_csv_export` made, ready to save or print."""

    kind: str  # "pdf" | "csv"
    campaign: str
    local: str | None
    files: list[ExportFile]
    ids: list[uuid.UUID]
    result: ExportResult
    opted_in: int = 0

    @property
    def rows(self) -> int:
        """How many signatures it holds."""
        return len(self.ids)

    @property
    def suffix(self) -> str:
        """The file extension, with its dot."""
        return ".pdf" if self.kind == "pdf" else ".csv"


def _read(
    store: SignatureSource,
    opener: Opener,
    flt: SignatureFilter,
    result: ExportResult,
    progress: Progress | None,
    strokes: bool = True,
) -> Iterator[ExportRecord]:
    total = store.count(dataclasses.replace(flt, include_void=False)) if progress is not None else 0
    if progress is not None:
        progress("reading", 0, total)
    for n, rec in enumerate(collect(store, opener, flt, result, strokes), 1):
        if progress is not None and (n % 25 == 0 or n == total):
            progress("reading", n, total)
        yield rec


def make_pdf_export(
    store: ExportStore,
    campaign: Campaign,
    directory: ZipDirectory | None,
    opener: Opener,
    flt: SignatureFilter,
    *,
    language: str = "en",
    options: PacketOptions | None = None,
    per_local: bool = True,
    split_state: bool = False,
    per_file: int | None = None,
    progress: Progress | None = None,
) -> MadeExport:
    """Open the matching signatures and render their delivery packets, in memory.

    Args:
        store: the kiosk's store.
        campaign: the campaign ``flt.campaign`` names.
        directory: ZIP data (city and state for signers who gave only a ZIP).
        opener: the coordinator's unlocked key.
        flt: which signatures.
        language: labels and campaign texts ("en" or "es").
        options: a :class:`kiosk.pdf.PacketOptions`.
        per_local: one packet per local campaign (see :func:`build_packets`).
        split_state: split each packet further by the signers' state.
        per_file: at most this many signatures a file.
        progress: see :data:`Progress`.

    Raises:
        NothingToExport: no signature matches.
        ValueError: a signature's text version is unknown here.
        ExportCancelled: ``progress`` cancelled it.
    """
    from kiosk.pdf import page_count, render_packet

    result = ExportResult()
    # Decoding makes millions of ink points (no reference cycles among them); the cyclic
    # collector would walk them all again and again (seconds for 10,000 signatures). It is
    # paused meanwhile, and what was made goes straight to the oldest generation, unscanned.
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        records = list(_read(store, opener, flt, result, progress))
    finally:
        if gc.get_freeze_count() == 0:  # (unless the process froze objects itself)
            gc.freeze()
            gc.unfreeze()
        if gc_was_on:
            gc.enable()
    _count_synthetic(store, flt, result)
    if not records:
        raise NothingToExport(result)
    versions: TextVersionLookup = store.text_version
    packets = build_packets(
        records,
        campaign,
        versions,
        directory,
        language,
        options,
        per_local=per_local,
        split_state=split_state,
        per_file=per_file,
    )
    marks = result.marks(is_demo(store))
    if marks:
        packets = [(name, dataclasses.replace(p, marks=marks)) for name, p in packets]
    ids = [r.meta.id for r in records]
    del records
    counts = [page_count(packet) for _name, packet in packets]
    total, done = sum(counts), 0
    files: list[ExportFile] = []
    for (name, packet), pages in zip(packets, counts, strict=True):
        first = done

        def on_page(n: int, _total: int, first: int = first) -> None:
            if progress is not None:
                progress("rendering", first + n, total)

        data = render_packet(packet, on_page=on_page)
        done += pages
        files.append(ExportFile(name, data, packet.signature_count, pages))
    return MadeExport("pdf", str(flt.campaign), flt.local_campaign, files, ids, result)


def make_csv_export(
    store: ExportStore,
    opener: Opener,
    flt: SignatureFilter,
    *,
    opted_in_only: bool = False,
    excel: bool = False,
    progress: Progress | None = None,
) -> MadeExport:
    """Open the matching signatures and write the contact list (CSV), in memory.

    A demo kiosk's list, and one holding synthetic signatures, starts with a line that says
    so (DEMO, TEST DATA) before the header row. ``excel``: the UTF-8 byte-order mark before
    everything (:func:`kiosk.exports.contacts.for_excel`).

    Raises:
        NothingToExport: no signature matches (as for a PDF packet).
        ExportCancelled: ``progress`` cancelled it.
    """
    result = ExportResult()
    opted_in = 0
    _count_synthetic(store, flt, result)
    records = _read(store, opener, flt, result, progress, strokes=False)  # a list draws none
    first = next(records, None)
    if first is None:
        raise NothingToExport(result)
    buf = io.StringIO()
    for mark in result.marks(is_demo(store)):
        csv.writer(buf, lineterminator="\r\n").writerow([mark])

    def counted() -> Iterator[ExportRecord]:
        nonlocal opted_in
        for rec in itertools.chain((first,), records):
            opted_in += rec.personal.opt_in
            yield rec

    written = write_csv(counted(), buf, opted_in_only)
    data = buf.getvalue().encode("utf-8")
    return MadeExport(
        "csv",
        str(flt.campaign),
        flt.local_campaign,
        [ExportFile("", for_excel(data) if excel else data, len(written))],
        [m.id for m in written],
        result,
        opted_in,
    )


def export_paths(made: MadeExport, out: Path, exact: bool = False) -> list[Path]:
    """Where each file of ``made`` goes when saved as ``out`` (one file per packet; ``exact``:
    a single file is ``out`` itself, see :func:`packet_paths`)."""
    return packet_paths(out, [f.name for f in made.files], exact)


def write_export(made: MadeExport, out: Path, exact: bool = False) -> list[Path]:
    """Write every file of ``made`` atomically; return the paths written.

    Raises:
        OSError: a file could not be written (files written before it stay, each complete);
            its ``filename`` is that file's final name, never the temporary one it went to.
    """
    paths = export_paths(made, out, exact)
    for path, f in zip(paths, made.files, strict=True):
        try:
            atomic_write(path, f.data)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror or str(exc), str(path)) from exc
    return paths


def record_export(
    store: ExportMarker,
    auditor: Recorder,
    made: MadeExport,
    at: datetime,
    action: AuditAction | None = None,
    **detail: object,
) -> None:
    """Mark the signatures of ``made`` exported (retention "until exported") and audit it.

    ``detail`` must hold no personal data (kinds, counts, a destination *type*).

    The audit entry is written first: they are two commits, and a crash between them then
    leaves an export audited but not marked (retention keeps the data longer), never marked but
    not audited (personal data leaving the kiosk with no trace, and purged as if delivered).
    """
    auditor.record(
        action or AuditAction.EXPORT,
        kind=made.kind,
        campaign=made.campaign,
        local=made.local,
        rows=made.rows,
        files=len(made.files),
        **detail,
    )
    store.mark_exported(made.ids, at)


def export_stem(made: MadeExport, at: datetime) -> str:
    """The file name (without suffix) the screen saves ``made`` under."""
    what = "packet" if made.kind == "pdf" else "contacts"
    local = f"-{made.local}" if made.local and made.kind == "csv" else ""
    return f"{made.campaign}{local}-{what}-{at.astimezone():%Y-%m-%d}"


def save_export(made: MadeExport, dest: Destination, at: datetime) -> list[Path]:
    """Save ``made`` into ``dest`` atomically, one file per packet; never overwrite an earlier
    export (``-2``, ``-3``... are added).

    Raises:
        OSError: the medium is gone, full or read-only (see :func:`save_error_code`).
    """
    import errno

    if dest.kind == "usb":
        if not dest.path.is_dir():  # pulled out: never create the mount point on the root disk
            raise FileNotFoundError(errno.ENOENT, "the medium is not there", str(dest.path))
    else:
        dest.path.mkdir(parents=True, exist_ok=True)
    stem = export_stem(made, at)
    for n in range(1, 1000):
        out = dest.path / (f"{stem}{made.suffix}" if n == 1 else f"{stem}-{n}{made.suffix}")
        paths = export_paths(made, out)
        if not any(p.exists() for p in paths):
            break
    written: list[Path] = []
    for path, f in zip(paths, made.files, strict=True):
        atomic_write(path, f.data)
        written.append(path)
    return written
