"""Staff mode's Exports screen, driven like a finger: refused while locked, the shared unlock,
a PDF packet per local campaign with its page preview, save (exports folder, USB stick, a stick
pulled out), the CSV contact list, cancel, the wipe on leaving, printing through a real CUPS,
and the audit trail. Everything is real: SQLite, sealed data, PDFs read back with pypdf."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.app import Kiosk
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import SyncState
from kiosk.simulate import simulate
from kiosk.ui.automation import Driver
from tests.cups_support import PAUSED, cups_printer, pdf_text, printed_file
from tests.helpers import entry, ink
from tests.ui.conftest import FAST, PASSPHRASE
from tests.ui.test_staff import to_staff

pytestmark = pytest.mark.gui

CAMPAIGN = "defy-trump-expand-sanctuary"
PEOPLE = (  # first, last, ZIP, email, phone, opted in
    ("José", "Núñez", "47708", "jose@example.org", "+1 812 555 0100", True),  # Evansville
    ("Ana", "Pérez", "55802", "ana@example.org", "", False),  # Duluth: the parent campaign
    ("Lee", "Moua", "47708", "", "+1 812 555 0199", False),  # Evansville
)
SECRETS = ("@example", "812 555", "8125550", "jose@", "ana@")


@pytest.fixture(autouse=True)
def export_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The exports folder of these tests (never the real home folder)."""
    folder = tmp_path / "exports"
    monkeypatch.setenv("KIOSK_EXPORT_DIR", str(folder))
    return folder


def seed(kiosk: Kiosk, synthetic: int = 2) -> list[uuid.UUID]:
    """Three signers through the signing service (and a few synthetic ones); their ids."""
    service = kiosk.service()
    ids = []
    for i, (first, last, zip_code, email, phone, opt_in) in enumerate(PEOPLE):
        local = service.route(CAMPAIGN, zip_code)
        meta = service.submit(
            CAMPAIGN,
            local.slug if local else None,
            entry(
                first_name=first,
                last_name=last,
                zip=zip_code,
                email=email,
                phone=phone,
                opt_in=opt_in,
            ),
            ink(i),
            "en",
            consent_text="Send me updates.",
        )
        ids.append(meta.id)
    if synthetic:
        simulate(service, CAMPAIGN, synthetic, seed=5)
    return ids


def details(kiosk: Kiosk, action: str) -> list[dict[str, object]]:
    """The audit trail's details of one action, oldest first."""
    return [e.detail for e in kiosk.store.audit_entries() if e.action == action]


def to_exports(d: Driver) -> None:
    """Staff mode's Exports screen."""
    to_staff(d)
    d.click("staff.tab.exports")
    d.wait_shown("exports.kind.pdf")


def unlock(d: Driver) -> None:
    """The coordinator's passphrase on the Exports screen."""
    d.fill("exports.passphrase", PASSPHRASE)
    d.click("exports.unlock")
    d.wait(lambda: d.ui.vm.exports.unlocked, "the unlock", timeout_s=30)


def make(d: Driver) -> None:
    """Make what is chosen; wait until it is ready."""
    d.click("exports.make")
    d.wait(lambda: d.ui.vm.exports.state != "making", "the export", timeout_s=60)
    assert d.ui.vm.exports.state == "ready", d.text("exports.error")


def save(d: Driver) -> None:
    """Save; wait for the answer."""
    d.click("exports.save")
    d.wait(lambda: d.ui.vm.exports.saveStatus["state"] != "saving", "the save", timeout_s=30)


def test_refused_while_locked_then_a_packet_per_local_campaign_previewed_and_saved(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver], export_dir: Path
) -> None:
    kiosk = make_kiosk()
    ids = seed(kiosk)
    d = make_ui(kiosk)
    to_exports(d)
    panel = d.ui.vm.exports
    d.click(f"exports.campaign.{CAMPAIGN}")
    assert d.text("exports.count") == "Matching signatures: 3"  # synthetic ones left out
    d.click("exports.synthetic")
    d.wait(lambda: d.text("exports.count") == "Matching signatures: 5", "the count with them")
    d.click("exports.synthetic")
    d.click("exports.local.evansville")
    d.wait(lambda: d.text("exports.count") == "Matching signatures: 2", "one local campaign")
    d.click("exports.local.each")

    # Locked: refused, nothing decrypted, nothing audited as an export.
    d.click("exports.make")
    d.wait(lambda: d.text("exports.error") != "", "the refusal")
    assert d.text("exports.error") == "Exports need the coordinator's passphrase first."
    assert panel.made is None and not details(kiosk, "export")

    d.fill("exports.passphrase", "not the passphrase")
    d.click("exports.unlock")
    d.wait(lambda: panel.unlockFailed, "the wrong passphrase", timeout_s=30)
    assert d.text("exports.passphrase.error") == "Wrong passphrase."
    unlock(d)
    assert d.ui.vm.staff.namesUnlocked  # one unlock opens staff mode's names too

    make(d)
    made = panel.made
    assert made is not None and made.kind == "pdf" and made.rows == 3
    assert [f.name for f in made.files] == ["evansville", CAMPAIGN]
    assert d.text("exports.summary") == "Packet ready. Signatures: 3 · Pages: 4 · Files: 2"

    # The preview: real pages, rendered in memory, page X of Y.
    pages = len(PdfReader(io.BytesIO(made.files[0].data)).pages)
    assert made.files[0].pages == pages == 2
    assert d.text("exports.pageLabel") == f"Page 1 of {pages}"
    image = d.item("exports.preview")
    d.wait(lambda: image.property("implicitWidth") == 900, "the preview image")
    assert image.property("implicitHeight") == round(900 * 11 / 8.5)  # a Letter page
    page = panel.preview_image(0, 0)
    assert not page.isNull() and page.width() == 900 and page.height() == round(900 * 11 / 8.5)
    dark = sum(
        1
        for x in range(0, 900, 9)
        for y in range(0, page.height(), 9)
        if page.pixelColor(x, y).lightness() < 128
    )
    assert dark > 50  # text and signatures, not a blank page
    d.click("exports.nextPage")
    d.wait(lambda: d.text("exports.pageLabel") == f"Page 2 of {pages}", "the next page")
    d.click("exports.file.1")
    d.wait(lambda: d.text("exports.pageLabel") == "Page 1 of 2", "the second file")

    # Save to the exports folder: one file per packet, read back.
    d.click("exports.dest.0")
    save(d)
    files = sorted(export_dir.iterdir())
    assert [p.name for p in files] == [
        f"{CAMPAIGN}-packet-{p.name.split('-packet-')[1][:10]}-{name}.pdf"
        for p, name in zip(files, [CAMPAIGN, "evansville"], strict=True)
    ]
    assert d.text("exports.saveMessage").startswith(f"Saved to {export_dir}: ")
    # On the tablet's own disk: it says the file goes after a day, or by "Delete now".
    assert "On this tablet it is deleted after a day" in d.text("exports.saveMessage")
    evansville = pdf_text(files[1])
    assert "José Núñez" in evansville and "Lee Moua" in evansville and "Ana Pérez" not in evansville
    assert "Mayor" in evansville
    assert "Ana Pérez" in pdf_text(files[0])
    for text in (evansville, pdf_text(files[0])):
        for secret in SECRETS:
            assert secret not in text

    # Audited without personal data; the signatures count as exported for retention.
    made_entry, saved_entry = details(kiosk, "export")
    assert made_entry["step"] == "made" and made_entry["rows"] == 3 and made_entry["files"] == 2
    assert saved_entry["step"] == "saved" and saved_entry["destination"] == "folder"
    trail = json.dumps([e.detail for e in kiosk.store.audit_entries()], ensure_ascii=False)
    for word in ("José", "Núñez", "Pérez", "Moua", "@example", str(export_dir)):
        assert word not in trail
    everything = [s.signature.meta.id for s in kiosk.store.iter_signatures(SignatureFilter())]
    kiosk.store.mark_signatures(everything, SyncState.SYNCED)
    assert set(kiosk.store.purgeable(None, require_exported=True)) == set(ids)

    # Leaving staff mode drops the made export and its preview pages.
    d.click("staff.close")
    d.wait_shown("attract.signButton")
    assert panel.made is None and panel.result == {} and panel.preview["source"] == ""
    assert panel.preview_image(0, 0).isNull()
    assert not d.ui.vm.staff.session.unlocked


def test_csv_to_a_usb_stick_and_a_stick_pulled_out_loses_nothing(
    make_kiosk: Callable[..., Kiosk],
    make_ui: Callable[..., Driver],
    tmp_path: Path,
    export_dir: Path,
) -> None:
    stick = tmp_path / "media" / "volunteer" / "KINGSTON"
    stick.mkdir(parents=True)
    kiosk = make_kiosk()
    seed(kiosk)
    config = dataclasses.replace(FAST, media_globs=(str(tmp_path / "media" / "*" / "*"),))
    d = make_ui(kiosk, config=config)
    to_exports(d)
    panel = d.ui.vm.exports
    unlock(d)
    d.click(f"exports.campaign.{CAMPAIGN}")
    d.click("exports.kind.csv")
    d.click("exports.optedIn")
    d.wait(lambda: panel.optedInOnly, "opted in only")
    make(d)
    assert d.text("exports.summary") == "Contact list ready. Rows: 1 · Opted in to updates: 1"
    assert d.shown("exports.csvSummary") and not d.shown("exports.preview")
    assert [x["kind"] for x in panel.destinationList] == ["usb", "folder"]
    assert d.text("exports.dest.0") == "USB stick KINGSTON"
    save(d)
    (saved,) = stick.iterdir()
    assert saved.suffix == ".csv" and d.text("exports.saveMessage") == (
        f"Saved to KINGSTON: {saved.name}"
    )
    rows = list(csv.DictReader(io.StringIO(saved.read_text("utf-8"))))
    assert [(r["first_name"], r["email"], r["opt_in"]) for r in rows] == [
        ("José", "jose@example.org", "yes")
    ]

    d.click("exports.optedIn")
    make(d)
    assert d.text("exports.summary") == "Contact list ready. Rows: 3 · Opted in to updates: 1"
    shutil.rmtree(stick)  # the stick is pulled out before Save
    save(d)
    assert panel.saveStatus == {
        "state": "failed",
        "error": "gone",
        "where": "",
        "files": [],
        "onTablet": False,
    }
    assert d.text("exports.saveMessage").startswith(
        "Not saved: the USB stick is not there any more. Nothing was lost"
    )
    assert not stick.exists()  # the mount point was not made on the kiosk's own disk
    d.click("exports.refreshDest")
    d.wait(lambda: [x["kind"] for x in panel.destinationList] == ["folder"], "the stick gone")
    save(d)
    (again,) = export_dir.iterdir()
    assert len(list(csv.DictReader(io.StringIO(again.read_text("utf-8"))))) == 3
    steps = [(x["step"], x.get("destination"), x.get("error")) for x in details(kiosk, "export")]
    assert steps == [
        ("made", None, None),
        ("saved", "usb", None),
        ("made", None, None),
        ("save_failed", "usb", "gone"),
        ("saved", "folder", None),
    ]


def test_a_contact_list_for_excel_starts_with_the_byte_order_mark(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver], export_dir: Path
) -> None:
    """``exports.excel`` is offered with the CSV only, as ``exports.optedIn`` is; checked, the
    saved list is the plain one with the UTF-8 byte-order mark first. Like ``exports.optedIn``
    it stays as chosen across a PDF and after staff mode is left (until the app restarts)."""
    kiosk = make_kiosk()
    seed(kiosk, synthetic=0)
    d = make_ui(kiosk)
    to_exports(d)
    panel = d.ui.vm.exports
    unlock(d)
    d.click(f"exports.campaign.{CAMPAIGN}")
    assert not d.shown("exports.excel") and not d.shown("exports.optedIn")  # a PDF is chosen
    d.click("exports.kind.csv")
    box = d.wait_shown("exports.excel")
    assert d.shown("exports.optedIn") and not box.property("checked") and not panel.excel
    assert box.property("text") == "For Excel (Windows): letters such as á and ñ show correctly"
    make(d)
    save(d)
    (plain,) = export_dir.iterdir()
    d.click("exports.excel")
    d.wait(lambda: panel.excel and box.property("checked"), "for Excel")
    make(d)
    save(d)
    (excel,) = set(export_dir.iterdir()) - {plain}
    assert plain.read_bytes().startswith(b"signature_id,")
    assert excel.read_bytes() == b"\xef\xbb\xbf" + plain.read_bytes()
    rows = list(csv.DictReader(io.StringIO(excel.read_text("utf-8-sig"))))
    assert rows == list(csv.DictReader(io.StringIO(plain.read_text("utf-8"))))
    assert [r["first_name"] for r in rows] == ["José", "Ana", "Lee"]

    # Kept as exports.optedIn is: hidden (and unused) for a PDF, there again for the CSV, and
    # still chosen when staff mode is opened again.
    d.click("exports.optedIn")
    d.wait(lambda: panel.optedInOnly, "opted in only")
    d.click("exports.kind.pdf")
    d.wait(lambda: not d.shown("exports.excel"), "the check box hidden for a PDF")
    make(d)
    made = panel.made
    assert made is not None and made.files[0].data.startswith(b"%PDF")
    d.click("exports.kind.csv")
    assert d.wait_shown("exports.excel").property("checked") and panel.optedInOnly
    d.click("staff.close")
    d.wait_shown("attract.signButton")
    to_exports(d)
    d.click("exports.kind.csv")
    assert d.wait_shown("exports.excel").property("checked")
    assert (panel.excel, panel.optedInOnly) == (True, True)


def test_cancel_stops_a_long_export(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk()
    simulate(kiosk.service(), "duluth-sanctuary", 600, seed=3)
    d = make_ui(kiosk)
    to_exports(d)
    panel = d.ui.vm.exports
    reports: list[tuple[str, int, int]] = []
    panel._progressed.connect(lambda _job, stage, done, total: reports.append((stage, done, total)))
    unlock(d)
    d.click("exports.campaign.duluth-sanctuary")
    d.click("exports.synthetic")
    d.wait(lambda: d.text("exports.count") == "Matching signatures: 600", "the count")
    d.click("exports.make")
    # The first export of a process imports the PDF renderer first (reportlab: seconds on a
    # slow hour of this machine, whose shell keeps no bytecode), then reads: the default 5 s
    # wait ran out before the first 25 signatures were read in half the runs of one evening.
    d.wait(lambda: any(done > 0 for _s, done, _t in reports), "the first progress", timeout_s=60)
    assert d.shown("exports.progress") and d.text("exports.progressText").startswith(
        "Opening signatures: "
    )
    d.click("exports.cancel")
    d.wait(lambda: d.ui.tasks.running == 0, "the export to stop", timeout_s=30)
    assert panel.state == "cancelled" and panel.made is None
    assert d.text("exports.error") == "Cancelled: nothing was made."
    assert all(stage == "reading" for stage, _d, _t in reports)  # it never got to drawing pages
    assert max(done for _s, done, _t in reports) < 600
    assert not details(kiosk, "export")


def test_print_from_the_screen_through_cups_and_cancel_a_waiting_job(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    printer = cups_printer()
    kiosk = make_kiosk()
    service = kiosk.service()
    names = ("Maria Lopez", "Tom Baker")  # ASCII: cups-pdf re-distills, and drops the
    for i, name in enumerate(names):  # Unicode map of accented letters
        first, last = name.split()
        service.submit(
            "duluth-sanctuary",
            None,
            entry(first_name=first, last_name=last, zip="55802"),
            ink(i),
            "en",
        )
    d = make_ui(kiosk)
    to_exports(d)
    panel = d.ui.vm.exports
    d.wait(lambda: panel.printerList != [], "the printers")
    chosen = [p for p in panel.printerList if p["chosen"]]
    assert len(chosen) == 1 and chosen[0]["default"]  # the default printer is preselected
    assert not d.item("exports.print").isEnabled()  # locked: nothing to print
    unlock(d)
    d.click("exports.campaign.duluth-sanctuary")
    index = [p["name"] for p in panel.printerList].index(printer)
    d.click(f"exports.printer.{index}")
    d.click("exports.print")  # makes the packet first, then sends it
    d.wait(lambda: panel.printStatus["state"] == "done", "the print", timeout_s=60)
    assert d.text("exports.printStatus") == "Printed."
    (job,) = panel.printStatus["jobIds"]
    text = pdf_text(printed_file(job))
    for name in names:
        assert name in text
    (sent,) = details(kiosk, "print")
    assert sent["step"] == "sent" and sent["rows"] == 2 and sent["jobs"] == 1

    # A stopped printer: the job waits in the queue until it is cancelled.
    paused = [p["name"] for p in panel.printerList].index(PAUSED)
    d.click(f"exports.printer.{paused}")
    d.click("exports.print")
    d.wait(lambda: panel.printStatus["state"] == "queued", "the queued job", timeout_s=30)
    assert d.text("exports.printStatus") == "Waiting in the printer's queue…"
    (waiting,) = panel.printStatus["jobIds"]
    d.click("exports.printCancel")
    d.wait(lambda: panel.printStatus["state"] == "cancelled", "the cancel", timeout_s=30)
    assert d.text("exports.printStatus") == "Printing cancelled."
    from kiosk.adapters import printing

    assert printing.job_state(waiting) == "done"
    assert [x["step"] for x in details(kiosk, "print")] == ["sent", "sent", "cancelled"]


def test_a_printer_removed_after_it_was_chosen_is_worded(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    cups_printer()
    gone = "kiosk-test-unplugged"
    subprocess.run(
        ["lpadmin", "-p", gone, "-E", "-v", "cups-pdf:/"], check=True, capture_output=True
    )
    try:
        kiosk = make_kiosk()
        seed(kiosk, synthetic=0)
        d = make_ui(kiosk)
        to_exports(d)
        panel = d.ui.vm.exports
        d.wait(lambda: gone in [p["name"] for p in panel.printerList], "the printers")
        unlock(d)
        make(d)
        d.click(f"exports.printer.{[p['name'] for p in panel.printerList].index(gone)}")
    finally:
        subprocess.run(["lpadmin", "-x", gone], check=True, capture_output=True)
    d.click("exports.print")
    d.wait(lambda: panel.printStatus["state"] == "failed", "the refusal", timeout_s=30)
    assert d.text("exports.printStatus") == (
        "That printer is not there any more. Choose another one."
    )
    assert details(kiosk, "print") == [{"step": "failed", "error": "unknown_printer"}]


def test_a_change_of_choice_counts_the_signatures_once(
    make_kiosk: Callable[..., Kiosk],
    make_ui: Callable[..., Driver],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """matchCount and matchText are read together at each change, and each counted the
    signatures again (10 ms at 200,000 stored, on the screen's thread)."""
    kiosk = make_kiosk()
    seed(kiosk)
    d = make_ui(kiosk)
    to_exports(d)
    choice = d.ui.vm.exports.choice
    calls: list[object] = []
    count = choice._exports.count

    def counting(spec: object) -> int:
        calls.append(spec)
        return count(spec)  # type: ignore[arg-type]

    monkeypatch.setattr(choice._exports, "count", counting)
    d.click(f"exports.campaign.{CAMPAIGN}")
    d.wait(lambda: d.text("exports.count") == "Matching signatures: 3", "the count")
    calls.clear()
    d.click("exports.synthetic")
    d.wait(lambda: d.text("exports.count") == "Matching signatures: 5", "the count with them")
    assert len(calls) == 1
