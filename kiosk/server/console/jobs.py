"""Console exports as background jobs: PDF packets or a CSV list, made in a thread of the
process that took the request, with their progress and then their file kept in
``console_jobs`` (so any server process can show and hand it out).

Every finished export writes an entry to the server's audit trail in the transaction that
stores its file: an export the trail cannot record is never offered for download. A file is
stored encrypted with a key derived from the organization's private key
(:meth:`kiosk.server.keys.KeyRing.seal_export`): a copy of the database alone holds no signer in
clear. Files are handed out for :data:`KEEP_FOR` and deleted by every server process every
:data:`EXPIRE_EVERY` (:func:`expire`), whoever looks at them; a job whose process died is marked
failed.
"""

from __future__ import annotations

import dataclasses
import io
import secrets
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, delete, select, update
from sqlalchemy.exc import OperationalError

from kiosk.adapters.crypto import CryptoError
from kiosk.domain.demo import export_marks, mark_csv
from kiosk.exports import for_excel
from kiosk.server import audit as server_audit
from kiosk.server import exports as server_exports
from kiosk.server import log
from kiosk.server.db import write_transaction
from kiosk.server.keys import KeyRing
from kiosk.server.models import ConsoleJob, table_of

if TYPE_CHECKING:
    from kiosk.pdf import PacketOptions

JOBS = table_of(ConsoleJob)
#: How long a finished export's file is kept for download.
KEEP_FOR = timedelta(hours=24)
#: A job still "running" after this long belongs to a process that died.
STUCK_AFTER = timedelta(hours=2)
#: How often a server process deletes the jobs older than :data:`KEEP_FOR` (and at its start).
EXPIRE_EVERY = timedelta(minutes=10)


def start(
    engine: Engine,
    keyring: KeyRing | None,
    coordinator_id: int,
    params: dict[str, Any],
    now: datetime,
    clock: Callable[[], datetime],
) -> str:
    """Record a job and start it in a thread; return its id.

    Args:
        params: ``kind`` (pdf/csv), ``campaign``, ``local`` (slug, ``*`` for one packet per
            local campaign, or empty for the whole campaign), ``since`` and ``until`` (ISO
            date-times or empty: at or after, before), ``event`` (an event id or empty),
            ``include_synthetic``, ``lang``; ``paper``, ``rows``, ``comments``, ``split_state``,
            ``per_file`` (PDF);
            ``excel`` (CSV: the UTF-8 byte-order mark first).
    """
    job_id = secrets.token_hex(16)
    with write_transaction(engine) as conn:
        conn.execute(
            JOBS.insert().values(
                id=job_id,
                coordinator_id=coordinator_id,
                kind=params["kind"],
                params=params,
                state="queued",
                done=0,
                total=1,
                created_at=now,
            )
        )
    thread = threading.Thread(
        target=_run,
        args=(engine, keyring, job_id, coordinator_id, params, clock),
        name=f"console-export-{job_id[:8]}",
        daemon=True,
    )
    thread.start()
    return job_id


def _set(engine: Engine, job_id: str, **values: Any) -> None:
    with write_transaction(engine) as conn:
        conn.execute(update(JOBS).where(JOBS.c.id == job_id).values(**values))


def _run(
    engine: Engine,
    keyring: KeyRing | None,
    job_id: str,
    coordinator_id: int,
    params: dict[str, Any],
    clock: Callable[[], datetime],
) -> None:
    try:
        _set(engine, job_id, state="running")
        data, filename, records, extra = _make(engine, keyring, job_id, params)
        sealed = server_exports.require_keys(keyring).seal_export(data)
        del data
        query = _query(params)
        detail = {
            "channel": "console",
            "coordinator": coordinator_id,
            **server_exports.audit_detail(query),
            "records": records,
            **extra,
        }
        with write_transaction(engine) as conn:
            server_audit.record_server(
                conn, "export_pdf" if params["kind"] == "pdf" else "export_csv", detail, clock()
            )
            conn.execute(
                update(JOBS)
                .where(JOBS.c.id == job_id)
                .values(
                    state="done",
                    result=sealed,
                    filename=filename,
                    finished_at=clock(),
                    message=str(records),
                )
            )
        log.info(
            "console: coordinator %s exported %s (%d rows)", coordinator_id, query.campaign, records
        )
    except server_exports.ExportError as exc:
        # "CODE: words": the page shows the code's sentence in its language (web._job_failure);
        # test data left out is the console's own sentence (its form has a box for it, the
        # words name the command line's option)
        code = exc.code
        if code == "nothing_to_export" and exc.synthetic_left_out:
            code = "nothing_to_export_test_data"
        _record_failure(engine, job_id, f"{code}: {exc}", clock)
    except OperationalError as exc:
        log.warning(
            "console export %s stopped: the database is unavailable (%s)",
            job_id,
            type(getattr(exc, "orig", exc)).__name__,
        )
        _record_failure(engine, job_id, DATABASE_FAILED, clock)
    except Exception as exc:  # noqa: BLE001 - a background job records its failure and ends
        log.exception("console export %s failed", job_id)
        _record_failure(engine, job_id, type(exc).__name__, clock)


#: A job's message when the database failed under it (a PostgreSQL restart).
DATABASE_FAILED = (
    "database_unavailable: the database was unavailable during the export; start it again"
)
#: How long a job that failed keeps trying to record it while the database does not answer.
RECORD_FAILURE_FOR = timedelta(minutes=2)


def _record_failure(
    engine: Engine, job_id: str, message: str, clock: Callable[[], datetime]
) -> None:
    """Mark a job failed. The database may be down at that moment (it is often why the job
    failed): try again, 0.5 s to 10 s apart, for :data:`RECORD_FAILURE_FOR`; a job left
    "running" showed a frozen progress bar for :data:`STUCK_AFTER`."""
    deadline = time.monotonic() + RECORD_FAILURE_FOR.total_seconds()
    wait = 0.5
    while True:
        try:
            _set(engine, job_id, state="failed", message=message, finished_at=clock())
            return
        except OperationalError:
            if time.monotonic() + wait > deadline:
                log.error(
                    "console export %s: its failure could not be recorded (the database is "
                    "unavailable); it is shown as running until it is %s old",
                    job_id,
                    STUCK_AFTER,
                )
                return
            time.sleep(wait)
            wait = min(wait * 2, 10.0)


def _query(params: dict[str, Any]) -> server_exports.ExportQuery:
    local = params.get("local") or None
    since = params.get("since") or None
    until = params.get("until") or None
    return server_exports.ExportQuery(
        params["campaign"],
        None if local == "*" else local,
        datetime.fromisoformat(since) if since else None,
        bool(params.get("include_synthetic")),
        until=datetime.fromisoformat(until) if until else None,
        event=params.get("event") or None,
    )


def _options(params: dict[str, Any]) -> PacketOptions:
    """The sheets' layout a job asked for (a job made before these choices: the defaults)."""
    from kiosk.pdf import PacketOptions

    return PacketOptions(
        page_size=params.get("paper") or "letter",
        rows_per_sheet=int(params.get("rows") or 10),
        include_comments=bool(params.get("comments")),
    )


def _make(
    engine: Engine, keyring: KeyRing | None, job_id: str, params: dict[str, Any]
) -> tuple[bytes, str, int, dict[str, Any]]:
    from kiosk.pdf import render_packet

    query = _query(params)
    slug = params["campaign"]
    synthetic = bool(params.get("include_synthetic"))
    if params["kind"] == "csv":
        with engine.connect() as conn:
            data, result = server_exports.export_csv(conn, keyring, query)
        data = mark_csv(data, export_marks(False, synthetic))
        if params.get("excel"):  # the byte-order mark before everything, TEST DATA too
            data = for_excel(data)
        _set(engine, job_id, done=1, total=1)
        return data, f"{slug}.csv", result.records, {}
    per_local = params.get("local") == "*" or query.local_campaign is not None
    lang = params.get("lang", "en")
    files: list[tuple[str, bytes]] = []
    result = server_exports.ServerExportResult()
    # One local campaign's signatures opened at a time, each packet drawn as it comes: a
    # whole campaign of 200,000 is never held opened at once in the server's process.
    with engine.connect() as conn:
        packets = server_exports.iter_packets(
            conn,
            keyring,
            query,
            result,
            lang,
            _options(params),
            per_local=per_local,
            split_state=bool(params.get("split_state")),
            per_file=params.get("per_file") or None,
        )
        for i, (name, packet) in enumerate(packets):
            if synthetic:
                packet = dataclasses.replace(packet, marks=export_marks(False, True))
            files.append(
                (
                    _pdf_name(slug, name, per_local, query.local_campaign, lang),
                    render_packet(packet),
                )
            )
            del packet
            # done: the first step (reading) and each packet; a split makes more packets
            # than local campaigns, so the total grows with them
            _set(engine, job_id, done=i + 2, total=max(result.groups, i + 1) + 1)
    extra = {"lang": lang, "packets": len(files)}
    if len(files) == 1:
        return files[0][1], files[0][0], result.records, extra
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buf.getvalue(), _zip_name(slug, lang), result.records, extra


#: "packet" in a file's name, in the sheets' language (a Spanish packet was ``packet-….pdf``
#: in ``…-packets.zip``).
_PACKET = {"en": ("packet", "packets"), "es": ("paquete", "paquetes")}


def _zip_name(slug: str, lang: str) -> str:
    """The ZIP of a campaign's packets: ``{slug}-packets.zip``, ``{slug}-paquetes.zip``."""
    return f"{slug}-{_PACKET.get(lang, _PACKET['en'])[1]}.zip"


def _pdf_name(slug: str, key: str, per_local: bool, local: str | None, lang: str = "en") -> str:
    """A packet's file name: the campaign's, the local campaign's, and each part's (split by
    state or by size: ``evansville-in``, ``part02``) so no two files of a ZIP share one; a
    local campaign's starts with "packet" in the sheets' language."""
    if not key:
        return f"{slug}.pdf"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in str(key))[:80]
    if per_local and not local:
        return f"{_PACKET.get(lang, _PACKET['en'])[0]}-{safe}.pdf"
    return f"{slug}-{safe}.pdf"


def expire(conn: Connection, now: datetime) -> int:
    """Delete the jobs made more than :data:`KEEP_FOR` ago (their files too) and mark failed
    those still running after :data:`STUCK_AFTER` (their process died); return how many were
    deleted."""
    j = JOBS.c
    deleted = conn.execute(delete(JOBS).where(j.created_at < now - KEEP_FOR)).rowcount
    conn.execute(
        update(JOBS)
        .where(j.state.in_(("queued", "running")), j.created_at < now - STUCK_AFTER)
        .values(state="failed", message="stopped: stopped with its server process")
    )
    return int(deleted or 0)


def expire_now(engine: Engine, now: datetime) -> None:
    """:func:`expire` in a write transaction of its own; logs what it deleted."""
    with write_transaction(engine) as conn:
        deleted = expire(conn, now)
    if deleted:
        log.info("console: deleted %d export(s) older than %s", deleted, KEEP_FOR)


def list_jobs(conn: Connection, coordinator_id: int, now: datetime) -> list[dict[str, Any]]:
    """A coordinator's jobs, newest first (without their files), after :func:`expire`."""
    j = JOBS.c
    expire(conn, now)
    return [
        dict(r._mapping)
        for r in conn.execute(
            select(
                j.id,
                j.kind,
                j.params,
                j.state,
                j.done,
                j.total,
                j.message,
                j.filename,
                j.created_at,
            )
            .where(j.coordinator_id == coordinator_id)
            .order_by(j.created_at.desc())
            .limit(50)
        )
    ]


def get_job(
    conn: Connection, job_id: str, coordinator_id: int, now: datetime
) -> dict[str, Any] | None:
    """One of a coordinator's jobs (without its file), or None (also when expired)."""
    j = JOBS.c
    row = conn.execute(
        select(j.id, j.kind, j.state, j.done, j.total, j.message, j.filename).where(
            j.id == job_id, j.coordinator_id == coordinator_id, j.created_at >= now - KEEP_FOR
        )
    ).first()
    return None if row is None else dict(row._mapping)


def job_file(
    conn: Connection,
    job_id: str,
    coordinator_id: int,
    now: datetime,
    keyring: KeyRing | None,
) -> tuple[str, bytes] | None:
    """A finished job's file name and bytes, or None: no such job of this coordinator's, not
    finished, older than :data:`KEEP_FOR` (even before :func:`expire` deleted it), or made with
    a key this server no longer has."""
    j = JOBS.c
    row = conn.execute(
        select(j.filename, j.result).where(
            j.id == job_id,
            j.coordinator_id == coordinator_id,
            j.state == "done",
            j.created_at >= now - KEEP_FOR,
        )
    ).first()
    if row is None or row.result is None:
        return None
    if keyring is None:
        log.warning("console export %s: no organization key is configured to open it", job_id)
        return None
    try:
        return row.filename, keyring.open_export(bytes(row.result))
    except CryptoError:
        log.warning("console export %s: made with a key this server does not have", job_id)
        return None
