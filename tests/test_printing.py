"""Printing through a real CUPS (scripts/cups.sh makes a cups-pdf queue whose output is read
back with pypdf): submit, follow, cancel, and the errors a volunteer can meet."""

from __future__ import annotations

import time
from datetime import UTC
from pathlib import Path

import pytest

from kiosk.adapters import printing
from kiosk.pdf import Packet, PacketOptions, PacketSection, SheetRow, render_packet
from tests.cups_support import PAUSED, cups_printer, pdf_text, printed_file
from tests.helpers import ink, mini_campaign

NAMES = ("Jose Nunez", "Ana Perez", "Lee Moua")


def _packet_pdf(page_size: str = "letter") -> bytes:
    from datetime import datetime

    campaign = mini_campaign()
    version = campaign.current_version()
    rows = tuple(
        SheetRow(
            printed_name=name,
            city="Duluth",
            state="MN",
            zip="55802",
            signed_at=datetime(2026, 3, 14, 15, 0, tzinfo=UTC),
            utc_offset_minutes=-300,
            ink=ink(i),
        )
        for i, name in enumerate(NAMES)
    )
    packet = Packet(
        organization=campaign.organization,
        title=campaign.title,
        target=campaign.target,
        sections=(PacketSection(version, rows),),
        options=PacketOptions(page_size=page_size),
    )  # type: ignore[arg-type]
    return render_packet(packet)


def test_lists_the_printers_with_the_default_first() -> None:
    printer = cups_printer()
    printers = printing.list_printers()
    names = [p.name for p in printers]
    assert printer in names and PAUSED in names
    default = printing.default_printer()
    assert default is not None and printers[0].name == default and printers[0].is_default


def test_a_packet_printed_through_cups_comes_out_whole() -> None:
    printer = cups_printer()
    pdf = _packet_pdf()
    job = printing.submit(pdf, printer, "Petition packet test", media="Letter")
    assert job.startswith(printer + "-") and job.rsplit("-", 1)[1].isdigit()
    out = printed_file(job)
    text = pdf_text(out)
    for name in NAMES:
        assert name in text
    assert printing.job_state(job) == "done"
    # CUPS keeps no copy of the printed packet in its spool (the kiosk's required setting)
    assert printing.spool_keeps_documents() is False
    number = int(job.rsplit("-", 1)[1])
    spool = Path("/var/spool/cups") / f"d{number:05d}-001"
    deadline = time.monotonic() + 10
    while spool.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not spool.exists()


def test_reading_the_spool_setting() -> None:
    assert printing.preserves_job_files("WebInterface=Yes\n") is True  # CUPS's default: a day
    assert printing.preserves_job_files("PreserveJobFiles=No\nWebInterface=Yes\n") is False
    assert printing.preserves_job_files("PreserveJobFiles=86400\n") is True
    assert printing.preserves_job_files("PreserveJobFiles=Yes\n") is True


def test_a_waiting_job_can_be_cancelled_once() -> None:
    cups_printer()
    job = printing.submit(_packet_pdf("a4"), PAUSED, "Petition packet to cancel", media="A4")
    assert printing.job_state(job) == "queued"  # the queue is stopped: it waits
    printing.cancel(job)
    assert printing.job_state(job) == "done"
    with pytest.raises(printing.PrintError) as err:
        printing.cancel(job)
    assert err.value.code == "cancel_failed"


def test_an_unknown_printer_is_refused_in_words() -> None:
    cups_printer()
    with pytest.raises(printing.PrintError) as err:
        printing.submit(b"%PDF-1.4\n", "no-such-printer-here", "x")
    assert err.value.code == "unknown_printer"
    with pytest.raises(printing.PrintError) as err:
        printing.submit(b"%PDF-1.4\n", "-d", "x")  # never taken as an option
    assert err.value.code == "unknown_printer"


def test_without_the_cups_commands_every_call_says_so(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # lp, lpstat and cancel are not on it
    for call in (
        printing.list_printers,
        printing.default_printer,
        lambda: printing.submit(b"%PDF", "any", "x"),
        lambda: printing.job_state("any-1"),
        lambda: printing.cancel("any-1"),
    ):
        with pytest.raises(printing.PrintError) as err:
            call()
        assert err.value.code == "no_cups"


def test_when_cups_knows_no_printer(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A CUPS with no queue: lpstat prints nothing (a real lpstat pointed at an empty server
    would need a second cupsd; a stand-in script prints what lpstat prints then)."""
    fake = tmp_path / "lpstat"
    fake.write_text("#!/bin/sh\necho 'lpstat: No destinations added.' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(printing.PrintError) as err:
        printing.list_printers()
    assert err.value.code == "no_printer"
