"""Render every screen of the touch screen, in English and Spanish, to docs/screenshots/.

    .venv/bin/python scripts/screenshots.py [--out DIR] [--lang en|es] [--only GROUP]

Runs offscreen over throw-away data folders (the demo campaigns, a fresh key, PIN 2468),
drives the real QML by object name like a finger would, and saves
``ui-<screen>-<lang>.png`` at 1280 x 800 with ``QQuickWindow.grabWindow``. The signer's
screens also come in variants: ``ui-<screen>-<lang>-large.png`` (1280 x 800, larger text,
125 %), ``-portrait.png`` (800 x 1280), ``-portrait-large.png``, and text at 200 % (issue #17):
``-x2.png`` (1280 x 800) and ``-portrait-x2.png`` (with the typed signature,
``ui-pad-typed-<lang>-x2.png`` and ``-portrait-x2.png``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault(
    "QT_LOGGING_RULES",
    "qt.multimedia.symbolsresolver=false;qt.qml.propertyCache.append=false",
)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtGui import QGuiApplication

from kiosk.app import open_kiosk
from kiosk.services.pin import PinGate
from kiosk.ui.automation import Driver
from kiosk.ui.main import build_ui, configure_qt
from kiosk.ui.shell import UiConfig

PIN = "2468"
PASSPHRASE = "screenshot passphrase"


class FakeClock:
    """A monotonic clock the script moves forward to show the idle countdown."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


#: Signer-screen variants: name suffix -> (window size, text scale).
VARIANTS: dict[str, tuple[tuple[int, int], float]] = {
    "": ((1280, 800), 1.0),
    "large": ((1280, 800), 1.25),
    "portrait": ((800, 1280), 1.0),
    "portrait-large": ((800, 1280), 1.25),
    "x2": ((1280, 800), 2.0),
    "portrait-x2": ((800, 1280), 2.0),
}


def _save(
    d: Driver, out: Path, screen: str, lang: str, settle_ms: int = 450, variant: str = ""
) -> None:
    d.settle(settle_ms)
    path = out / f"ui-{screen}-{lang}{'-' + variant if variant else ''}.png"
    if not d.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def _language(d: Driver, lang: str) -> None:
    if lang == "es":
        d.click("lang.es")


def setup_screen(out: Path, lang: str, qm_dir: Path) -> None:
    """The first-start screen of a kiosk with no PIN and no key."""
    kiosk = open_kiosk(tempfile.mkdtemp(prefix="kiosk-shots-setup-"))
    ui = build_ui(kiosk, qm_dir=qm_dir)
    d = Driver(ui)
    try:
        d.wait_shown("setup.finish")
        _language(d, lang)
        d.fill("setup.pin", "12")
        d.click("setup.finish")
        d.wait(lambda: d.text("setup.pin.error") != "", "the PIN error")
        d.click("setup.pinAgain")
        _save(d, out, "setup", lang)
    finally:
        ui.close()
        kiosk.close()


def signer_and_staff_screens(out: Path, lang: str, qm_dir: Path, variant: str = "") -> None:
    """Every signer screen, the idle countdown, the PIN and staff mode (staff mode in the
    default variant only)."""
    kiosk = open_kiosk(tempfile.mkdtemp(prefix="kiosk-shots-"))
    kiosk.keys.init(PASSPHRASE)
    PinGate(kiosk.store, kiosk.pins).set_pin(PIN)
    clock = FakeClock()
    config = UiConfig(thanks_s=3600, staff_hold_ms=200, idle_timeout_s=60)
    ui = build_ui(kiosk, config=config, idle_clock=clock, qm_dir=qm_dir)
    d = Driver(ui)
    size, scale = VARIANTS[variant]
    ui.window.resize(*size)
    first, last = ("María José", "Nguyễn") if lang == "es" else ("José", "Núñez")

    def start() -> None:  # each signer: language and text size (reset after every signer)
        d.wait_shown("attract.signButton")
        _language(d, lang)
        if scale == 1.25:
            d.click("a11y.largeText")
            d.wait(lambda: ui.vm.largeText, "larger text")
        elif scale > 1.25:  # from the accessibility options
            d.click("a11y.options")
            d.click(f"a11y.textSize.{round(scale * 100)}")
            d.wait(lambda: ui.vm.textScale == scale, "the text size")
            d.click("a11y.close")
            d.wait(lambda: not d.shown("a11y.close"), "the options to close")

    def save(screen: str) -> None:
        _save(d, out, screen, lang, variant=variant)

    try:
        start()
        save("attract")
        if not variant:  # the accessibility options (issue #17)
            d.click("a11y.options")
            d.wait_shown("a11y.close")
            save("options")
            d.click("a11y.close")
            d.wait(lambda: not d.shown("a11y.close"), "the options to close")

        d.click("attract.signButton")
        save("petition")
        d.click("petition.continueButton")
        d.fill("form.firstName", first)
        save("form")

        d.fill("form.zip", "477")
        d.fill("form.email", "maria@example")
        d.click("form.next")
        d.wait(lambda: d.text("form.lastName.error") != "", "the errors")
        save("form-errors")

        d.fill("form.lastName", last)
        d.fill("form.zip", "08")
        d.fill("form.email", ".org")
        d.click("form.next")
        d.wait_shown("local.confirm")
        save("local")
        d.click("local.change")
        d.wait_shown("local.option.evansville")
        save("local-choose")
        d.click("local.option.evansville")
        d.click("local.confirm")
        if variant in ("", "x2", "portrait-x2"):  # the typed signature, issue #17
            d.wait_shown("pad.canvas")
            d.click("pad.typeInstead")
            d.wait(lambda: ui.vm.flow.typing, "the typed signature")
            d.fill("pad.typedName", f"{first} {last}")
            d.click("pad.typedConfirm")
            save("pad-typed")
            d.click("pad.drawInstead")
            d.wait(lambda: not ui.vm.flow.typing, "the pad again")
            d.wait_shown("pad.canvas")
            d.idle()
            d.settle(300)
        d.sign()
        save("pad")
        d.click("pad.submit")
        d.wait_shown("thanks.done")
        save("thanks")
        d.click("thanks.done")

        # The same signer again: "you have already signed".
        start()
        d.click("attract.signButton")
        d.click("petition.continueButton")
        d.fill("form.firstName", first)
        d.fill("form.lastName", last)
        d.fill("form.zip", "47708")
        d.click("form.next")
        d.wait_shown("duplicate.done")
        save("duplicate")
        d.click("duplicate.done")

        # A Duluth signer: no local campaign, but the Duluth petition is offered.
        start()
        d.click("attract.signButton")
        d.click("petition.continueButton")
        d.fill("form.firstName", first)
        d.fill("form.lastName", last)
        d.fill("form.zip", "55802")
        d.click("form.next")
        d.wait_shown("local.offer.accept")
        save("local-offer")
        d.click("local.back")
        d.click("form.back")
        d.click("petition.back")

        # Idle: the countdown before the screen is wiped.
        start()
        d.click("attract.signButton")
        d.click("petition.continueButton")
        d.fill("form.firstName", first)
        clock.t += config.idle_timeout_s + 2
        d.wait(lambda: d.shown("idle.stillHere"), "the idle countdown")
        save("idle")
        d.click("idle.startOver")
        if variant:
            return  # staff mode: landscape, normal text only

        # Staff: the hidden corner, the PIN, staff mode.
        d.wait_shown("attract.signButton")
        _language(d, lang)
        d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
        d.wait(lambda: bool(d.item("pin.input").hasActiveFocus()), "the PIN field's focus")
        d.type("13")
        _save(d, out, "pin", lang)
        d.type("57")
        d.click("pin.submit")
        d.wait(lambda: ui.vm.staff.pinState == "wrong", "the wrong-PIN message")
        d.type(PIN)
        d.click("pin.submit")
        d.wait_shown("staff.close")
        _language(d, lang)
        _save(d, out, "staff", lang)

        d.click("staff.tab.event")
        d.fill(
            "staff.eventName", "Rally at City Hall" if lang == "en" else "Marcha en el Ayuntamiento"
        )
        d.fill("staff.eventLocation", "Duluth, MN")
        d.click("staff.eventSave")
        _save(d, out, "staff-event", lang)

        d.click("staff.tab.entries")
        d.fill("staff.unlockPassphrase", PASSPHRASE)
        d.click("staff.unlockNames")
        d.wait(lambda: ui.vm.staff.namesUnlocked, "names to unlock", timeout_s=20)
        d.click("staff.entry.0.voidButton")
        d.fill("staff.entry.0.reason", "Test entry" if lang == "en" else "Prueba")
        _save(d, out, "staff-entries", lang)
        d.click("staff.entry.0.voidConfirm")

        d.click("staff.tab.sync")
        _save(d, out, "staff-sync", lang)

        # A letter: the signed statement stands apart from the background.
        d.click("staff.tab.campaign")
        d.click("staff.campaign.thank-your-sanctuary-mayor")
        d.click("staff.close")
        d.wait_shown("attract.signButton")
        _language(d, lang)
        d.click("attract.signButton")
        _save(d, out, "petition-letter", lang)
    finally:
        ui.close()
        kiosk.close()


def privacy_and_connect_screens(out: Path, lang: str, qm_dir: Path) -> None:
    """Staff mode's Privacy screen (retention, audit trail) and the Sync connect form with
    "Allow unencrypted connection" on."""
    import random

    from kiosk.domain.audit import AuditAction
    from kiosk.domain.signature import SyncState
    from kiosk.domain.validation import SignerEntry
    from kiosk.privacy import SETTING_RETENTION
    from kiosk.simulate import human_strokes
    from kiosk.sync.qt import SyncController

    kiosk = open_kiosk(tempfile.mkdtemp(prefix="kiosk-shots-privacy-"))
    kiosk.keys.init(PASSPHRASE)
    PinGate(kiosk.store, kiosk.pins).set_pin(PIN)
    kiosk.auditor.record(AuditAction.KEYS_CREATED, via="setup")
    kiosk.auditor.record(AuditAction.PIN_SET)
    service = kiosk.service()
    rng = random.Random(7)
    names = ["Ana", "Luis", "Sofía", "Minh", "Omar"]
    metas = [
        service.submit(
            "defy-trump-expand-sanctuary",
            None,
            SignerEntry(first_name=n, last_name="Núñez", zip="47708"),
            human_strokes(rng),
            lang,
        )
        for n in names
    ]
    kiosk.store.mark_signatures([m.id for m in metas[:3]], SyncState.SYNCED)
    kiosk.store.set_setting(SETTING_RETENTION, "days:30")
    kiosk.auditor.record(AuditAction.SETTINGS_CHANGED, setting=SETTING_RETENTION, value="days:30")
    kiosk.auditor.record(
        AuditAction.EXPORT, kind="csv", campaign="defy-trump-expand-sanctuary", local=None, rows=5
    )
    kiosk.auditor.record(AuditAction.PIN_FAILED, via="witness")  # a wrong witness PIN
    kiosk.store.mark_audit([1, 2, 3], SyncState.SYNCED)
    sync = SyncController(kiosk.sync_engine(), watch_network=False)
    ui = build_ui(kiosk, sync=sync, config=UiConfig(staff_hold_ms=200), qm_dir=qm_dir)
    d = Driver(ui)
    try:
        d.wait_shown("attract.signButton")
        _language(d, lang)
        d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
        d.type(PIN)
        d.click("pin.submit")
        d.wait_shown("staff.close")
        _language(d, lang)
        d.click("staff.tab.privacy")
        privacy = ui.vm.privacy
        d.wait(
            lambda: (
                privacy.state["loaded"]
                and not privacy.state["loading"]
                and not privacy.chain["checking"]
            ),
            "the privacy screen",
        )
        _save(d, out, "staff-privacy", lang)
        d.scroll_into_view(d.item("staff.privacy.policy.untilExported"))
        _save(d, out, "staff-privacy-policy", lang)
        d.scroll_into_view(d.item("staff.privacy.audit.3"))
        _save(d, out, "staff-privacy-audit", lang)

        d.click("staff.tab.sync")
        d.fill("staff.serverUrl", "http://192.168.1.20:8000")
        d.fill("staff.enrollCode", "7K3M-Q9TX-2B8D-W4HF")
        d.click("staff.allowInsecure")
        d.wait(lambda: d.shown("staff.allowInsecure.warning"), "the warning")
        _save(d, out, "staff-sync-connect", lang)
    finally:
        ui.close()
        sync.stop()
        kiosk.close()


def exports_screens(out: Path, lang: str, qm_dir: Path) -> None:
    """Staff mode's Exports screen: the choices, then a packet made with its page preview."""
    import random

    from kiosk.domain.validation import SignerEntry
    from kiosk.simulate import human_strokes

    data = Path(tempfile.mkdtemp(prefix="kiosk-shots-exports-"))
    os.environ["KIOSK_EXPORT_DIR"] = str(data / "exports")
    kiosk = open_kiosk(data / "kiosk")
    kiosk.keys.init(PASSPHRASE)
    PinGate(kiosk.store, kiosk.pins).set_pin(PIN)
    service = kiosk.service()
    rng = random.Random(11)
    signers = [
        ("José", "Núñez", "47708"),
        ("Nguyễn", "Thị Ánh", "47708"),
        ("Ana", "Pérez", "47710"),
        ("Lee", "Moua", "47714"),
        ("Fatima", "Haddad", "47708"),
        ("Seán", "O'Brien", "60076"),
        ("María", "López", "60077"),
        ("Denise", "Larsen", "55802"),
    ]
    for first, last, zip_code in signers:
        local = service.route("defy-trump-expand-sanctuary", zip_code)
        service.submit(
            "defy-trump-expand-sanctuary",
            local.slug if local else None,
            SignerEntry(first_name=first, last_name=last, zip=zip_code),
            human_strokes(rng),
            lang,
        )
    ui = build_ui(kiosk, config=UiConfig(staff_hold_ms=200), qm_dir=qm_dir)
    d = Driver(ui)
    try:
        d.wait_shown("attract.signButton")
        _language(d, lang)
        d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
        d.type(PIN)
        d.click("pin.submit")
        d.wait_shown("staff.close")
        _language(d, lang)
        d.click("staff.tab.exports")
        d.wait_shown("exports.kind.pdf")
        _save(d, out, "staff-exports", lang)
        d.fill("exports.passphrase", PASSPHRASE)
        d.click("exports.unlock")
        d.wait(lambda: ui.vm.exports.unlocked, "the unlock", timeout_s=30)
        d.wait_shown("exports.lock")
        d.settle(400)  # the passphrase row is gone and the keyboard down: the layout moved
        d.click("exports.make")
        d.wait(lambda: ui.vm.exports.state != "making", "the packet", timeout_s=60)
        if ui.vm.exports.state != "ready":
            raise SystemExit(f"no packet: {ui.vm.exports.state} {ui.vm.exports.error}")
        d.click("exports.nextPage")
        d.scroll_into_view(d.item("exports.pageLabel"))
        _save(d, out, "staff-exports-preview", lang)
        # A portrait tablet: the title above the header's buttons, the counts two by two.
        ui.window.resize(800, 1280)
        d.click("exports.kind.csv")
        d.wait_shown("exports.excel")
        d.scroll_into_view(d.item("exports.make"))
        _save(d, out, "staff-exports", lang, variant="portrait")
    finally:
        ui.close()
        kiosk.close()


def main(argv: list[str] | None = None) -> int:
    """Render the screenshots; return 0 on success."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--lang", choices=("en", "es"), action="append")
    parser.add_argument(
        "--only",
        choices=("setup", "signer", "variants", "privacy", "exports"),
        action="append",
        help="render only these groups of screens "
        "(variants: the signer's screens large, portrait, portrait-large, x2, portrait-x2)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    configure_qt()
    app = QGuiApplication(sys.argv[:1])
    qm_dir = Path(tempfile.mkdtemp(prefix="kiosk-shots-qm-"))
    started = time.monotonic()

    def variants(out: Path, lang: str, qm_dir: Path) -> None:
        for variant in VARIANTS:
            if variant:
                signer_and_staff_screens(out, lang, qm_dir, variant)

    groups = {
        "setup": setup_screen,
        "signer": signer_and_staff_screens,
        "variants": variants,
        "privacy": privacy_and_connect_screens,
        "exports": exports_screens,
    }
    for lang in args.lang or ["en", "es"]:
        for name, render in groups.items():
            if not args.only or name in args.only:
                render(args.out, lang, qm_dir)
    print(f"done in {time.monotonic() - started:.1f} s")
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main())
