"""Coordinator exports: decrypt the chosen signatures and write CSV lists or PDF packets.

Exports need the organization's private key (the coordinator's unlock): the kiosk cannot read
what it wrote otherwise. Voided signatures are always left out; synthetic ones only on request.
The CSV (for follow-up) carries contact details and the opt-in with its exact consent wording;
PDF delivery sheets (kiosk.pdf) never do.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import itertools
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kiosk.config import default_export_dir
from kiosk.domain.ports import Opener, SignatureFilter
from kiosk.domain.signature import Event, PersonalData, SignatureMeta, SyncState
from kiosk.files import atomic_write

log = logging.getLogger("kiosk.exports")

CSV_COLUMNS = (
    "signature_id",
    "signed_at_local",
    "campaign",
    "local_campaign",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street",
    "city",
    "state",
    "zip",
    "opt_in",
    "consent_text",
    "comment",
    "event",
    "language",
    "text_version",
    "synthetic",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^\+[0-9]{1,20}$")


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """One signature with its personal data opened."""

    meta: SignatureMeta
    personal: PersonalData
    event: Event | None

    @property
    def local_time(self) -> datetime:
        """When it was signed, in the kiosk's local time then."""
        tz = timezone(timedelta(minutes=self.meta.utc_offset_minutes))
        return self.meta.created_at.astimezone(tz)


@dataclass
class ExportResult:
    """What an export wrote and what it could not."""

    records: int = 0
    purged_skipped: int = 0
    undecryptable: int = 0
    #: Rows whose sealed data is not even bytes (a damaged record): left out, counted.
    unreadable: int = 0
    #: Synthetic signatures (``kiosk simulate``) that matched but were left out.
    synthetic_skipped: int = 0
    #: Whether a synthetic signature is in the export (its pages are marked TEST DATA).
    synthetic_included: bool = False
    #: Never synced, yet with no personal data: the store was damaged or altered.
    missing_data: int = 0

    def marks(self, store: Any) -> tuple[str, ...]:
        """The lines to stamp on every page of the export (DEMO, TEST DATA)."""
        from kiosk.demo import export_marks, is_demo

        return export_marks(is_demo(store), self.synthetic_included)


def collect(
    store: Any, opener: Opener, flt: SignatureFilter, result: ExportResult
) -> Iterator[ExportRecord]:
    """Yield the matching non-void signatures, opened, oldest first.

    Signatures whose personal data was already purged after sync (retention) are counted in
    ``result.purged_skipped``; ones that cannot be opened with this key in ``undecryptable``;
    damaged rows (sealed data that is not bytes) in ``unreadable``. None of them stops the rest.
    """
    from kiosk.crypto import CryptoError

    events = {e.id: e for e in store.events()}
    flt = SignatureFilter(
        campaign=flt.campaign,
        local_campaign=flt.local_campaign,
        event_id=flt.event_id,
        since=flt.since,
        until=flt.until,
        include_void=False,
        include_synthetic=flt.include_synthetic,
    )
    for stored in store.iter_signatures(flt):
        sig = stored.signature
        if not isinstance(sig.sealed, (bytes, bytearray, memoryview)):
            log.info("signature %s: its sealed data is not bytes; left out", sig.meta.id)
            result.unreadable += 1
            continue
        if not sig.sealed:
            if stored.sync_state is SyncState.SYNCED:
                result.purged_skipped += 1  # retention deleted it once the server had it
            else:
                result.missing_data += 1
            continue
        try:
            personal = PersonalData.from_bytes(opener.open(bytes(sig.sealed)))
        except (CryptoError, ValueError, TypeError):
            result.undecryptable += 1
            continue
        result.records += 1
        result.synthetic_included |= sig.meta.synthetic
        yield ExportRecord(sig.meta, personal, events.get(sig.meta.event_id or ""))


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection, OWASP's rule): a cell starting with
    = + - @, tab or carriage return gets a leading quote. A plain E.164 number ("+" and digits
    only, as every validated phone number is) cannot be a formula and is written as it is.
    """
    if value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def csv_row(rec: ExportRecord) -> list[str]:
    """One CSV row for a record, in CSV_COLUMNS order; every cell neutralised (:func:`_cell`)."""
    p, m = rec.personal, rec.meta
    return [
        _cell(c)
        for c in (
            str(m.id),
            rec.local_time.isoformat(timespec="seconds"),
            m.campaign,
            m.local_campaign or "",
            p.first_name,
            p.last_name,
            p.email,
            p.phone,
            p.street,
            p.city,
            p.state,
            p.zip,
            "yes" if p.opt_in else "no",
            p.consent_text,
            p.comment,
            rec.event.name if rec.event else "",
            m.lang,
            m.text_version,
            "yes" if m.synthetic else "no",
        )
    ]


def write_csv(
    records: Iterator[ExportRecord], out: io.TextIOBase | Any, opted_in_only: bool = False
) -> list[SignatureMeta]:
    """Write records as CSV (UTF-8, header row); return the metadata of the rows written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    written = []
    for rec in records:
        if opted_in_only and not rec.personal.opt_in:
            continue
        writer.writerow(csv_row(rec))
        written.append(rec.meta)
    return written


# -- PDF packets ---------------------------------------------------------------------------


def _sheet_row(rec: ExportRecord, directory: Any, include_comments: bool) -> Any:
    from kiosk.pdf import SheetRow

    p = rec.personal
    city, state = p.city, p.state
    if not city or not state:
        place = directory.lookup(p.zip[:5]) if directory is not None else None
        if place is not None:
            city = city or place.city.title()
            state = state or place.state
    event = None
    if rec.event is not None:
        event = f"{rec.event.name}, {rec.event.location}" if rec.event.location else rec.event.name
    return SheetRow(
        printed_name=p.printed_name,
        city=city,
        state=state,
        zip=p.zip,
        signed_at=rec.meta.created_at,
        utc_offset_minutes=rec.meta.utc_offset_minutes,
        ink=p.ink,
        comment=p.comment if include_comments else "",
        event_name=event,
        method=rec.meta.method,
        typed_name=p.typed_name,
    )


def build_packets(
    records: list[ExportRecord],
    campaign: Any,
    store: Any,
    directory: Any,
    language: str = "en",
    options: Any = None,
    per_local: bool = True,
    split_state: bool = False,
    per_file: int | None = None,
) -> list[tuple[str, Any]]:
    """Group opened signatures into delivery packets.

    Args:
        records: the signatures, oldest first.
        campaign: the campaign (for target lines, titles, the organization).
        store: to look up the exact text version each signature was given under.
        directory: ZIP data, to print city and state for signers who gave only a ZIP.
        language: labels and campaign texts ("en" or "es").
        options: a :class:`kiosk.pdf.PacketOptions`.
        per_local: one packet per local campaign (each to its own decision-maker); the
            signatures of the parent campaign make their own packet.
        split_state: split each packet further by the signers' state.
        per_file: split further into parts of at most this many signatures.

    Returns:
        (name, packet) pairs; the name is a file-name suffix ("" for a single packet).
    """
    from kiosk.pdf import Packet, PacketOptions, PacketSection, split_by_state, split_every

    options = options or PacketOptions()
    groups: dict[str | None, list[ExportRecord]] = {}
    for rec in records:
        key = rec.meta.local_campaign if per_local else None
        groups.setdefault(key, []).append(rec)
    out: list[tuple[str, Any]] = []
    for local_slug, recs in groups.items():
        loc = campaign.local(local_slug) if local_slug else None
        sections: dict[str, list[Any]] = {}
        for rec in recs:
            sections.setdefault(rec.meta.text_version, []).append(
                _sheet_row(rec, directory, options.include_comments)
            )
        packet_sections = []
        for version_hash, rows in sections.items():
            version = store.text_version(version_hash)
            if version is None:  # never stored: fall back to what the campaign file knows
                version = next((v for v in campaign.all_versions() if v.hash == version_hash), None)
            if version is None:
                raise ValueError(f"text version {version_hash[:12]} is unknown on this kiosk")
            packet_sections.append(PacketSection(version, tuple(rows)))
        events = sorted(
            {
                f"{r.event.name}, {r.event.location}" if r.event.location else r.event.name
                for r in recs
                if r.event is not None
            }
        )
        packet = Packet(
            organization=campaign.organization,
            title=loc.title if loc else campaign.title,
            target=loc.target() if loc else campaign.target,
            sections=tuple(packet_sections),
            events=tuple(events),
            language=language,  # type: ignore[arg-type]
            options=options,
            kind=campaign.kind,
        )
        base = local_slug or (campaign.slug if per_local and len(groups) > 1 else "")
        parts: list[tuple[str, Any]] = [(base, packet)]
        if split_state:
            parts = [
                (f"{name}-{state.lower() or 'no-state'}".strip("-"), p)
                for name, pk in parts
                for state, p in split_by_state(pk)
            ]
        if per_file:
            more = []
            for name, pk in parts:
                pieces = split_every(pk, per_file)
                if len(pieces) == 1:
                    more.append((name, pieces[0]))
                else:
                    more += [(f"{name}-part{i:02d}".strip("-"), p) for i, p in enumerate(pieces, 1)]
            parts = more
        out += parts
    return out


def packet_paths(out: Path, names: list[str]) -> list[Path]:
    """File names for packets: ``out`` itself for one unnamed packet, else ``stem-name.pdf``."""
    if names == [""]:
        return [out]
    return [out.with_name(f"{out.stem}-{name or 'all'}{out.suffix or '.pdf'}") for name in names]


# -- making exports (shared by `kiosk export` and the touch screen) -----------------------


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


def _count_synthetic(store: Any, flt: SignatureFilter, result: ExportResult) -> None:
    """Count the synthetic signatures ``flt`` leaves out (the answer names them), or note that
    the export holds some (its pages are marked)."""
    wider = SignatureFilter(
        campaign=flt.campaign,
        local_campaign=flt.local_campaign,
        event_id=flt.event_id,
        since=flt.since,
        until=flt.until,
        include_synthetic=True,
    )
    narrow = SignatureFilter(
        campaign=flt.campaign,
        local_campaign=flt.local_campaign,
        event_id=flt.event_id,
        since=flt.since,
        until=flt.until,
        include_synthetic=False,
    )
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
    store: Any,
    opener: Opener,
    flt: SignatureFilter,
    result: ExportResult,
    progress: Progress | None,
) -> Iterator[ExportRecord]:
    total = (
        int(
            store.count(
                SignatureFilter(
                    campaign=flt.campaign,
                    local_campaign=flt.local_campaign,
                    event_id=flt.event_id,
                    since=flt.since,
                    until=flt.until,
                    include_synthetic=flt.include_synthetic,
                )
            )
        )
        if progress is not None
        else 0
    )
    if progress is not None:
        progress("reading", 0, total)
    for n, rec in enumerate(collect(store, opener, flt, result), 1):
        if progress is not None and (n % 25 == 0 or n == total):
            progress("reading", n, total)
        yield rec


def make_pdf_export(
    store: Any,
    campaign: Any,
    directory: Any,
    opener: Opener,
    flt: SignatureFilter,
    *,
    language: str = "en",
    options: Any = None,
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
    packets = build_packets(
        records,
        campaign,
        store,
        directory,
        language,
        options,
        per_local=per_local,
        split_state=split_state,
        per_file=per_file,
    )
    marks = result.marks(store)
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
    store: Any,
    opener: Opener,
    flt: SignatureFilter,
    *,
    opted_in_only: bool = False,
    progress: Progress | None = None,
) -> MadeExport:
    """Open the matching signatures and write the contact list (CSV), in memory.

    A demo kiosk's list, and one holding synthetic signatures, starts with a line that says
    so (DEMO, TEST DATA) before the header row.

    Raises:
        NothingToExport: no signature matches (as for a PDF packet).
        ExportCancelled: ``progress`` cancelled it.
    """
    result = ExportResult()
    opted_in = 0
    _count_synthetic(store, flt, result)
    records = _read(store, opener, flt, result, progress)
    first = next(records, None)
    if first is None:
        raise NothingToExport(result)
    buf = io.StringIO()
    for mark in result.marks(store):
        csv.writer(buf, lineterminator="\r\n").writerow([mark])

    def counted() -> Iterator[ExportRecord]:
        nonlocal opted_in
        for rec in itertools.chain((first,), records):
            opted_in += rec.personal.opt_in
            yield rec

    written = write_csv(counted(), buf, opted_in_only)
    return MadeExport(
        "csv",
        str(flt.campaign),
        flt.local_campaign,
        [ExportFile("", buf.getvalue().encode("utf-8"), len(written))],
        [m.id for m in written],
        result,
        opted_in,
    )


def export_paths(made: MadeExport, out: Path) -> list[Path]:
    """Where each file of ``made`` goes when saved as ``out`` (one file per packet)."""
    return packet_paths(out, [f.name for f in made.files])


def write_export(made: MadeExport, out: Path) -> list[Path]:
    """Write every file of ``made`` atomically; return the paths written.

    Raises:
        OSError: a file could not be written (files written before it stay, each complete).
    """
    paths = export_paths(made, out)
    for path, f in zip(paths, made.files, strict=True):
        atomic_write(path, f.data)
    return paths


def record_export(
    store: Any, auditor: Any, made: MadeExport, at: datetime, action: Any = None, **detail: Any
) -> None:
    """Mark the signatures of ``made`` exported (retention "until exported") and audit it.

    ``detail`` must hold no personal data (kinds, counts, a destination *type*).
    """
    from kiosk.domain.audit import AuditAction

    store.mark_exported(made.ids, at)
    auditor.record(
        action or AuditAction.EXPORT,
        kind=made.kind,
        campaign=made.campaign,
        local=made.local,
        rows=made.rows,
        files=len(made.files),
        **detail,
    )


# -- where the touch screen saves --------------------------------------------------------

#: The store setting naming the exports folder (else ``KIOSK_EXPORT_DIR``, else the default).
SETTING_EXPORT_DIR = "export_dir"
#: Where removable media get mounted (udisks: /media/USER/LABEL or /run/media/USER/LABEL;
#: usbmount and hand mounts: /media/usb0, /mnt/stick). Keep in step with ``UiConfig``.
MEDIA_GLOBS = ("/media/*/*", "/run/media/*/*", "/mnt/*", "/media/*")


@dataclass(frozen=True, slots=True)
class Destination:
    """A place to save exports.

    Attributes:
        kind: ``usb`` (removable media: must be there, never created) or ``folder`` (the
            exports folder: created when missing).
        path: the folder.
        label: what the screen shows (the stick's name, or the folder's path).
    """

    kind: str
    path: Path
    label: str


def export_folder(store: Any = None) -> Path:
    """The exports folder: the ``export_dir`` setting, else ``KIOSK_EXPORT_DIR``, else
    ``~/PetitionKiosk-exports`` (outside the kiosk's data folder)."""
    chosen = store.get_setting(SETTING_EXPORT_DIR) if store is not None else None
    return Path(chosen).expanduser() if chosen else default_export_dir()


def removable_media(globs: tuple[str, ...] = MEDIA_GLOBS) -> list[Destination]:
    """Mounted removable media: folders under the usual mount roots, sorted by name.

    ``/media/*/*`` and ``/run/media/*/*`` exist only while something is mounted there (udisks
    makes and removes them); ``/mnt/*`` and ``/media/*`` count only when they are mount points.
    """
    import glob

    found: dict[Path, Destination] = {}
    for pattern in globs:
        one_level = pattern.count("*") == 1 and pattern.startswith(("/mnt/", "/media/"))
        for name in sorted(glob.glob(pattern)):
            path = Path(name)
            if not path.is_dir() or path in found:
                continue
            if one_level and not os.path.ismount(path):
                continue
            if any(path in d.path.parents or d.path in path.parents for d in found.values()):
                continue
            found[path] = Destination("usb", path, path.name)
    return sorted(found.values(), key=lambda d: d.label.lower())


def destinations(store: Any = None, globs: tuple[str, ...] = MEDIA_GLOBS) -> list[Destination]:
    """Removable media first, then the exports folder."""
    folder = export_folder(store)
    return [*removable_media(globs), Destination("folder", folder, str(folder))]


def save_error_code(exc: BaseException) -> str:
    """Why saving failed, as a code the screen words: ``full``, ``read_only``, ``gone``,
    ``failed``."""
    import errno

    code = getattr(exc, "errno", None)
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return "full"
    if code in (errno.EROFS, errno.EACCES, errno.EPERM):
        return "read_only"
    if code in (errno.ENOENT, errno.ENODEV, errno.ENXIO, errno.EIO, errno.ENOTDIR, errno.ESTALE):
        return "gone"
    return "failed"


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
