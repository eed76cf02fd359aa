"""Every signer screen fits, unclipped, in landscape, portrait and full HD, at both text sizes,
in both languages: no text elided or cut, nothing outside the window; the pad is wider than
tall."""

from __future__ import annotations

import pytest

from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, FakeClock
from tests.ui.fit import problems

pytestmark = pytest.mark.gui

SIZES = {"1280x800": (1280, 800), "800x1280": (800, 1280), "1920x1080": (1920, 1080)}


def start_signer(d: Driver, lang: str, large: bool) -> None:
    d.wait_shown("attract.signButton")
    if lang != "en":
        d.click(f"lang.{lang}")
        d.wait(lambda: d.ui.vm.i18n.language == lang, "the language")
    if large:
        d.click("a11y.largeText")
        d.wait(lambda: d.ui.vm.largeText, "larger text")


def check(d: Driver, screen: str, failures: list[str]) -> None:
    d.idle()
    d.frame()
    d.settle(200)
    failures.extend(f"{screen}: {p}" for p in problems(d.window, d.ui.engine.rootContext()))


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("size", list(SIZES), ids=list(SIZES))
def test_every_signer_screen_fits(
    d: Driver, idle_clock: FakeClock, size: str, large: bool, lang: str
) -> None:
    d.window.resize(*SIZES[size])
    failures: list[str] = []
    start_signer(d, lang, large)
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
    canvas = d.wait_shown("pad.canvas")
    check(d, "pad", failures)
    if canvas.height() > 0.75 * canvas.width():
        failures.append(f"pad: a tall box ({canvas.width():.0f}x{canvas.height():.0f})")
    d.sign()
    d.click("pad.submit")
    d.wait_shown("thanks.done")
    check(d, "thanks", failures)
    d.click("thanks.done")

    start_signer(d, lang, large)  # the same signer again: "already signed"
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.fill("form.firstName", "María José")
    d.fill("form.lastName", "Nguyễn-Svantesson")
    d.fill("form.zip", "47708")
    d.click("form.next")
    d.wait_shown("duplicate.done")
    check(d, "duplicate", failures)
    d.click("duplicate.done")

    start_signer(d, lang, large)
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
