"""A real CUPS for the printing tests: the queues ``scripts/cups.sh`` makes, and their output.

``cups_printer()`` runs ``scripts/cups.sh`` (installs CUPS and cups-pdf with apt when running as
root, starts cupsd, makes the queues; quick when all is there) and skips the test only when CUPS
cannot be had here, with the script's reason. cups-pdf writes each job to
``/var/spool/cups-pdf/out/<title>-job_<N>.pdf``.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRINTER = "kiosk-test-pdf"
PAUSED = "kiosk-test-paused"
OUT = Path("/var/spool/cups-pdf/out")

_ready: str | None = None


def cups_printer() -> str:
    """The test PDF printer's name, or skip (with the reason) when CUPS cannot run here."""
    global _ready
    if _ready is None:
        proc = subprocess.run(
            [str(ROOT / "scripts" / "cups.sh")],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        queues = ""
        if shutil.which("lpstat"):
            queues = subprocess.run(
                ["lpstat", "-e"], capture_output=True, text=True, check=False
            ).stdout
        if PRINTER not in queues.split() or PAUSED not in queues.split():
            reason = (
                proc.stderr.strip()
                or proc.stdout.strip()
                or f"scripts/cups.sh exited {proc.returncode}"
            )
            _ready = "skip: " + reason
        else:
            _ready = PRINTER
    if _ready.startswith("skip: "):
        pytest.skip(f"no CUPS here: {_ready.removeprefix('skip: ')}")
    return _ready


def printed_file(job_id: str, timeout_s: float = 60.0) -> Path:
    """Wait for cups-pdf's output of a job and return it, once pypdf can read it whole."""
    from pypdf import PdfReader

    number = job_id.rsplit("-", 1)[1]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for path in OUT.glob(f"*job_{number}.pdf"):
            try:
                if len(PdfReader(path).pages) > 0:
                    return path
            except Exception:  # noqa: BLE001 - still being written
                pass
        time.sleep(0.2)
    raise AssertionError(f"cups-pdf wrote nothing for job {job_id} in {timeout_s:.0f} s")


def pdf_text(path: Path) -> str:
    """All the text pypdf finds in a PDF."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
