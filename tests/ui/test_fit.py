"""Every signer screen fits, unclipped, at every text size a signer can reach in the tests'
grid: 100 %, 125 % (the "A A" toggle) and 200 % (the largest choice in the accessibility
options), in landscape (1280x800), portrait (800x1280) and full HD (1920x1080), in English and
Spanish: no text elided or cut, nothing outside the window (or outside its scrolling area), and
the pad stays a usable signing box, wider than tall.

The whole grid runs (3 sizes x 3 text sizes x 2 languages = 18 walks, about 8 s each). 150 %
is not walked: it lies between two walked sizes and the layouts switch on width, not on steps.
Screens: attract, the accessibility options, petition, form, form with field errors, local
campaign and its choice, the pad (review and sign), the typed signature with its errors and
with a wrong witness PIN, thanks, already signed, and the idle warning.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from kiosk.app import Kiosk
from kiosk.sync.qt import SyncController
from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, PASSPHRASE, FakeClock
from tests.ui.fit import problems
from tests.ui.steps import choose_language
from tests.ui.test_staff import sign_once, to_staff

pytestmark = pytest.mark.gui

SIZES = {"1280x800": (1280, 800), "800x1280": (800, 1280), "1920x1080": (1920, 1080)}
SCALES = {"100": 1.0, "125": 1.25, "200": 2.0}


def start_signer(d: Driver, lang: str, scale: float, failures: list[str] | None = None) -> None:
    """A new signer chooses the language and the text size (both reset after each signer)."""
    d.wait_shown("attract.signButton")
    choose_language(d, lang)
    if scale == 1.25:
        d.click("a11y.largeText")
        d.wait(lambda: d.ui.vm.largeText, "larger text")
    elif scale > 1.25:
        d.click("a11y.options")
        d.click(f"a11y.textSize.{round(scale * 100)}")
        d.wait(lambda: d.ui.vm.textScale == scale, "the text size")
        if failures is not None:
            check(d, "accessibility options", failures)
        d.click("a11y.close")
        d.wait(lambda: not d.shown("a11y.close"), "the options to close")


def check(d: Driver, screen: str, failures: list[str]) -> None:
    d.idle()
    d.frame()
    d.settle(200)
    failures.extend(f"{screen}: {p}" for p in problems(d.window, d.ui.engine.rootContext()))


def check_pad(d: Driver, screen: str, failures: list[str]) -> None:
    """The pad is a usable signing box, and it and "I can't sign with my finger" are inside
    the (unscrolled) page: the pad's page does not scroll while drawing."""
    canvas = d.item("pad.canvas")
    area = d.item("pad.typedScroll")
    area_rect = area.mapRectToScene(area.boundingRect())
    for name in ("pad.canvas", "pad.typeInstead"):
        item = d.item(name)
        rect = item.mapRectToScene(item.boundingRect())
        if rect.top() < area_rect.top() - 1 or rect.bottom() > area_rect.bottom() + 1:
            failures.append(
                f"{screen}: {name} is outside the page ({rect.top():.0f}-"
                f"{rect.bottom():.0f} of {area_rect.top():.0f}-{area_rect.bottom():.0f})"
            )
    if canvas.height() > 0.75 * canvas.width():
        failures.append(f"{screen}: a tall box ({canvas.width():.0f}x{canvas.height():.0f})")
    if canvas.height() < 150 or canvas.width() < 400:
        failures.append(f"{screen}: too small to sign ({canvas.width():.0f}x{canvas.height():.0f})")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("scale", list(SCALES), ids=[f"{s}pct" for s in SCALES])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_every_signer_screen_fits(
    d: Driver, idle_clock: FakeClock, size: str, scale: str, lang: str
) -> None:
    d.window.resize(*SIZES[size])
    text_scale = SCALES[scale]
    failures: list[str] = []
    start_signer(d, lang, text_scale, failures)
    check(d, "attract", failures)
    d.click("attract.signButton")
    check(d, "petition", failures)
    d.click("petition.continueButton")
    d.wait_shown("form.firstName")
    check(d, "form", failures)
    d.click("form.next")
    d.wait(lambda: d.text("form.firstName.error") != "", "the errors")
    check(d, "form with errors", failures)
    d.fill("form.firstName", "María José")
    d.fill("form.lastName", "Nguyễn-Svantesson")
    d.fill("form.zip", "47708")
    d.click("form.next")
    d.wait_shown("local.confirm")
    check(d, "local", failures)
    d.click("local.change")
    d.wait_shown("local.option.skokie")
    check(d, "local choice", failures)
    d.click("local.option.skokie")
    d.click("local.confirm")
    d.wait_shown("pad.canvas")
    check(d, "pad", failures)
    check_pad(d, "pad", failures)

    d.click("pad.typeInstead")  # the typed signature, its errors, a wrong witness PIN
    d.wait(lambda: d.ui.vm.flow.typing, "the typed signature")
    d.wait_shown("pad.typedName")
    check(d, "typed signature", failures)
    d.click("pad.submit")
    d.wait(lambda: d.text("pad.typedName.error") != "", "the typed errors")
    check(d, "typed signature with errors", failures)
    d.fill("pad.witnessPin", "0000")
    d.click("pad.witness")
    d.wait(lambda: d.ui.vm.flow.witnessState == "wrong", "the wrong PIN")
    check(d, "typed signature, wrong PIN", failures)
    d.click("pad.drawInstead")
    d.wait_shown("pad.canvas")
    check(d, "pad again", failures)
    check_pad(d, "pad again", failures)
    d.sign()
    d.click("pad.submit")
    d.wait_shown("thanks.done")
    check(d, "thanks", failures)
    d.click("thanks.done")

    start_signer(d, lang, text_scale)  # the same signer again: "already signed"
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.fill("form.firstName", "María José")
    d.fill("form.lastName", "Nguyễn-Svantesson")
    d.fill("form.zip", "47708")
    d.click("form.next")
    d.wait_shown("duplicate.done")
    check(d, "duplicate", failures)
    d.click("duplicate.done")

    start_signer(d, lang, text_scale)
    d.click("attract.signButton")
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    check(d, "idle", failures)
    card = d.item("idle.card")
    card_rect = card.mapRectToScene(card.boundingRect())
    for name in ("idle.title", "idle.countdown", "idle.startOver", "idle.stillHere"):
        item = d.item(name)
        if not card_rect.contains(item.mapRectToScene(item.boundingRect())):
            failures.append(f"idle: {name} sticks out of its card")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_pin_screen_fits_and_ignores_the_signers_text_size(
    d: Driver, size: str, lang: str
) -> None:
    d.window.resize(*SIZES[size])
    failures: list[str] = []
    start_signer(d, lang, 2.0)  # a signer left 200 %: the volunteer's screens stay at 100 %
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    assert d.ui.vm.textScale == 2.0  # the signer's choice is kept for when they come back
    check(d, "pin", failures)
    d.fill("pin.input", "0000")
    d.click("pin.submit")
    d.wait(lambda: d.ui.vm.staff.pinState == "wrong", "the wrong PIN")
    check(d, "pin, wrong", failures)
    assert not failures, "\n".join(failures)
    font = d.item("pin.cancel").property("font")
    assert font.pixelSize() < 30  # not doubled
    d.click("pin.cancel")
    d.wait_shown("attract.signButton")
    d.wait(lambda: d.item("attract.signButton").property("font").pixelSize() > 50, "200 % again")


STAFF_SECTIONS = ("campaign", "event", "entries", "sync", "exports", "privacy")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_every_staff_section_fits(d: Driver, size: str, lang: str) -> None:
    """Staff mode on a landscape, a portrait and a full-HD screen: the title beside or above
    the header's buttons (on a portrait tablet it was hidden behind the language switch), the
    counts, every section with a signature in its list and the contact list chosen on Exports.
    The entry is a local campaign's: its campaign line (title, place, language) is the longest,
    and wraps (it ended in "…" in portrait, losing the place and the language)."""
    sign_once(d, zip_code="47708")
    d.window.resize(*SIZES[size])
    to_staff(d)
    choose_language(d, lang)
    failures: list[str] = []
    for section in STAFF_SECTIONS:
        d.click(f"staff.tab.{section}")
        if section == "exports":
            d.click("exports.kind.csv")
            d.wait_shown("exports.excel")
        check(d, f"staff {section}", failures)
    # A packet made: its page preview beside (or, portrait, above) the files, save and print.
    d.click("staff.tab.exports")
    d.click("exports.kind.pdf")
    d.fill("exports.passphrase", PASSPHRASE)
    d.click("exports.unlock")
    d.wait(lambda: d.ui.vm.exports.unlocked, "the unlock", timeout_s=30)
    d.click("exports.make")
    d.wait(lambda: d.ui.vm.exports.state == "ready", "the packet", timeout_s=60)
    check(d, "staff exports, a packet made", failures)
    title, buttons = d.item("staff.title"), d.item("staff.close").parentItem()
    t, b = (
        title.mapRectToScene(title.boundingRect()),
        buttons.mapRectToScene(buttons.boundingRect()),
    )
    assert not t.intersects(b), f"the title {t} under the language switch and Back {b}"
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_the_first_start_and_the_connect_form_fit(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver], size: str, lang: str
) -> None:
    """The two screens a volunteer meets once: the first start (PIN and passphrase, with their
    errors) and staff mode's connect form (with the unencrypted-connection warning)."""
    failures: list[str] = []
    d = make_ui(make_kiosk(keys=False, pin=False))
    d.window.resize(*SIZES[size])
    d.wait_shown("setup.finish")
    choose_language(d, lang)
    check(d, "first start", failures)
    d.fill("setup.pin", "12")
    d.click("setup.finish")
    d.wait(lambda: d.text("setup.pin.error") != "", "the errors")
    check(d, "first start, errors", failures)

    kiosk = make_kiosk()
    sync = SyncController(kiosk.sync_engine(), start_delay_ms=0, watch_network=False)
    try:
        d = make_ui(kiosk, sync=sync)
        d.window.resize(*SIZES[size])
        to_staff(d)
        choose_language(d, lang)
        d.click("staff.tab.sync")
        d.wait_shown("staff.serverUrl")
        d.click("staff.allowInsecure")
        d.wait_shown("staff.allowInsecure.warning")
        check(d, "connect form", failures)
    finally:
        sync.stop()
    assert not failures, "\n".join(failures)
