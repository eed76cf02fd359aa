"""Printing through CUPS with its command-line client (``lp``, ``lpstat``, ``cancel``).

No Qt and no CUPS library: the kiosk runs the same commands a person would, so any printer that
CUPS knows (USB, network, a PDF queue) works, and nothing is linked. The PDF goes to ``lp`` on
its standard input: no temporary file of a packet is ever written by the kiosk.

This module is the :class:`kiosk.domain.ports.PrintQueue` the composition root hands the
exports service (``list_printers``, ``submit``, ``job_state``, ``cancel``); its values
(:class:`Printer`, ``Media``, ``JobState``) and :class:`PrintError` are the port's, re-exported
here. Every failure is a :class:`PrintError` with a ``code`` (the UI words it, translated):

- ``no_cups``: the CUPS client commands are not installed;
- ``cups_down``: the CUPS server does not answer;
- ``no_printer``: CUPS knows no printer;
- ``unknown_printer``: the printer asked for does not exist (any more);
- ``refused``: CUPS did not accept the job (printer stopped or not accepting, ...);
- ``cancel_failed``: the job could not be cancelled (already finished, or unknown).

CUPS itself writes each job's document to its spool (``/var/spool/cups``) and, by default,
keeps it there for a day after printing: a printed packet's names would stay on the tablet.
A kiosk's CUPS must run with ``PreserveJobFiles No`` (``cupsctl PreserveJobFiles=No``, see
``docs/deploy-kiosk.md``); :func:`spool_keeps_documents` tells whether it does not, and the
self-check and the Exports screen say so.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from collections.abc import Sequence

from kiosk.domain.ports import JobState as JobState
from kiosk.domain.ports import Media as Media
from kiosk.domain.ports import Printer as Printer
from kiosk.domain.ports import PrintError as PrintError

log = logging.getLogger("kiosk.adapters.printing")

#: Seconds a CUPS command may take before it counts as "CUPS does not answer".
COMMAND_TIMEOUT_S = 30.0

_REQUEST_ID = re.compile(r"request id is (\S+)")
_NOW_PRINTING = re.compile(r"now printing (\S+?)\.?\s*$", re.MULTILINE)
_DEFAULT = re.compile(r"system default destination:\s*(\S+)")


def _run(args: Sequence[str], data: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run a CUPS client command (found on PATH) with a C locale, so its output parses."""
    exe = shutil.which(args[0])
    if exe is None:
        raise PrintError("no_cups", f"{args[0]} not found")
    env = dict(os.environ, LC_ALL="C", LANG="C")
    try:
        return subprocess.run(
            [exe, *args[1:]],
            input=data,
            capture_output=True,
            env=env,
            timeout=COMMAND_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise PrintError("cups_down", f"{args[0]} did not answer") from None
    except OSError as exc:
        raise PrintError("no_cups", f"{args[0]}: {exc.strerror or exc}") from None


def _text(proc: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    return (proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace").strip())


def _server_error(stderr: str) -> bool:
    low = stderr.lower()
    return (
        "scheduler is not running" in low
        or "unable to connect" in low
        or ("connection refused" in low)
    )


def spool_keeps_documents() -> bool:
    """Whether CUPS keeps printed documents in its spool (``PreserveJobFiles`` other than
    ``No``; its default keeps them a day).

    Raises:
        PrintError: ``no_cups`` (no ``cupsctl``), ``cups_down``.
    """
    proc = _run(["cupsctl"])
    out, err = _text(proc)
    if proc.returncode != 0 or _server_error(err):
        raise PrintError("cups_down", err)
    return preserves_job_files(out)


def preserves_job_files(cupsctl_output: str) -> bool:
    """Read ``PreserveJobFiles`` from what ``cupsctl`` prints (absent: CUPS's default, a day)."""
    for line in cupsctl_output.splitlines():
        name, _, value = line.partition("=")
        if name.strip().lower() == "preservejobfiles":
            return value.strip().lower() not in ("no", "off", "false", "0")
    return True


def default_printer() -> str | None:
    """The CUPS default destination, or None when there is none."""
    out, err = _text(_run(["lpstat", "-d"]))
    if _server_error(err):
        raise PrintError("cups_down", err)
    m = _DEFAULT.search(out)
    return m.group(1) if m else None


def list_printers() -> list[Printer]:
    """Every CUPS destination, the default one first.

    Raises:
        PrintError: ``no_cups``, ``cups_down``, or ``no_printer`` when CUPS knows none.
    """
    proc = _run(["lpstat", "-e"])
    out, err = _text(proc)
    if _server_error(err):
        raise PrintError("cups_down", err)
    names = [line.strip() for line in out.splitlines() if line.strip()]
    if not names:
        raise PrintError("no_printer", err)
    default = default_printer()
    printers = [Printer(n, n == default) for n in names]
    printers.sort(key=lambda p: not p.is_default)
    return printers


def submit(pdf: bytes, printer: str, title: str, media: Media = "Letter", copies: int = 1) -> str:
    """Send a PDF to a printer; return the CUPS job id (``printer-123``).

    Args:
        pdf: the document (sent on lp's standard input: no file is written).
        printer: the CUPS destination.
        title: the job's title as CUPS shows it; never personal data.
        media: the paper.
        copies: how many copies.

    Raises:
        PrintError: ``no_cups``, ``cups_down``, ``unknown_printer`` or ``refused``.
    """
    if not printer or printer.startswith("-"):
        raise PrintError("unknown_printer", printer)
    args = ["lp", "-d", printer, "-t", title, "-o", f"media={media}", "-n", str(max(1, copies))]
    proc = _run(args, data=pdf)
    out, err = _text(proc)
    m = _REQUEST_ID.search(out)
    if proc.returncode == 0 and m:
        job = m.group(1)
        log.info("print job %s sent to %s (%d bytes)", job, printer, len(pdf))
        return job
    low = err.lower()
    if "does not exist" in low or "unknown destination" in low or "not found" in low:
        raise PrintError("unknown_printer", err)
    if _server_error(err):
        raise PrintError("cups_down", err)
    raise PrintError("refused", err or out.strip())


def _job_ids(which: str, printer: str | None) -> set[str]:
    args = ["lpstat", "-W", which, "-o"]
    if printer:
        args.append(printer)
    out, err = _text(_run(args))
    if _server_error(err):
        raise PrintError("cups_down", err)
    return {line.split()[0] for line in out.splitlines() if line.strip() and not line[0].isspace()}


def _printer_of(job_id: str) -> str:
    return job_id.rsplit("-", 1)[0]


def job_state(job_id: str) -> JobState:
    """Where a job is: ``queued``, ``printing``, ``done`` (finished, or cancelled at the
    printer), or ``unknown`` (CUPS no longer knows it)."""
    printer = _printer_of(job_id)
    if job_id in _job_ids("not-completed", printer):
        out, _err = _text(_run(["lpstat", "-p", printer]))
        if any(m.group(1) == job_id for m in _NOW_PRINTING.finditer(out)):
            return "printing"
        return "queued"
    if job_id in _job_ids("completed", printer):
        return "done"
    return "unknown"


def cancel(job_id: str) -> None:
    """Cancel a job that is still queued or printing.

    Raises:
        PrintError: ``cancel_failed`` (already finished, or unknown), ``no_cups``, ``cups_down``.
    """
    proc = _run(["cancel", job_id])
    _out, err = _text(proc)
    if proc.returncode != 0:
        if _server_error(err):
            raise PrintError("cups_down", err)
        raise PrintError("cancel_failed", err)
    log.info("print job %s cancelled", job_id)
