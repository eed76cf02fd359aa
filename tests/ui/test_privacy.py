"""Privacy between signers: after a submit or an idle timeout, nothing of a signer is left."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtQuick import QQuickItem

from kiosk.ui.automation import Driver
from kiosk.ui.speech import ENGINE_ENV
from kiosk.ui.theme import PALETTE
from tests.ui.conftest import FAST, FakeClock
from tests.ui.steps import fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui

FIELDS = ("form.firstName", "form.lastName", "form.zip", "form.email", "form.phone", "form.comment")


def assert_nothing_left(d: Driver, old_items: list[QQuickItem]) -> None:
    """The next signer's screens hold nothing of the previous signer."""
    flow = d.ui.vm.flow
    d.wait_shown("attract.signButton")
    assert flow.step == "attract"
    assert flow.entryEmpty
    assert flow.errors == {}
    assert flow.review == {"name": "", "zip": ""}
    assert flow.chosenLocal == "" and flow.routedLocal == ""
    assert flow.optIn is False
    assert d.ui.vm.i18n.language == "en"
    assert d.ui.vm.largeText is False
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == ""
    # The old screens are gone (with their undo history); the new ones are blank.
    for item in old_items:
        with pytest.raises(RuntimeError):
            item.objectName()
    d.click("attract.signButton")
    d.click("petition.continueButton")
    for name in FIELDS:
        field = d.item(name)
        assert field.property("text") == ""
        assert field.property("canUndo") is False
    assert d.item("form.optIn").property("checked") is False
    # The one pad of the app holds no stroke and no pixel of the previous signature.
    pad = d.item("pad.canvas")
    assert pad.property("empty") is True and pad.property("pointCount") == 0
    assert pad.ink() is None  # type: ignore[attr-defined]
    d.click("form.back")
    d.click("petition.back")
    d.wait_shown("attract.signButton")
    d.click("attract.signButton")
    d.click("petition.continueButton")
    fill(d, "Otra", "Persona", "55802")
    d.click("form.next")
    d.click("local.confirm")
    d.wait_shown("pad.canvas")
    assert ink_pixels(d) == 0


def ink_pixels(d: Driver) -> int:
    """How many pixels of the pad show signature ink right now."""
    pad = d.item("pad.canvas")
    d.frame()
    d.idle()
    image = d.grab()
    area = pad.mapRectToScene(pad.boundingRect()).toRect().adjusted(8, 8, -8, -8)
    # Ink is far darker than anything else drawn on the pad (its line, its hints).
    assert QColor(PALETTE["ink"]).lightness() < 60 < QColor(PALETTE["textMuted"]).lightness()
    return sum(
        image.pixelColor(x, y).lightness() < 60
        for y in range(area.top(), area.bottom(), 2)
        for x in range(area.left(), area.right(), 2)
    )


def _fill_everything(d: Driver) -> list[QQuickItem]:
    to_form(d, "es")
    d.click("a11y.largeText")
    fill(d, "María", "Nguyễn", "47708", "maria@example.org", "612 555 0134")
    d.fill("form.comment", "secreto")
    QGuiApplication.clipboard().setText("María Nguyễn")  # as if copied from a field
    assert QGuiApplication.clipboard().text() == "María Nguyễn"
    assert d.item("form.comment").property("canUndo") is True
    d.click("form.optIn")
    return [d.item(name) for name in FIELDS]


def test_after_submit_the_next_signer_sees_nothing(d: Driver) -> None:
    old = _fill_everything(d)
    d.click("form.next")
    d.click("local.confirm")
    sign_and_submit(d)
    d.click("thanks.done")
    assert_nothing_left(d, old)


def test_idle_asks_are_you_still_there_then_wipes_everything(
    d: Driver, idle_clock: FakeClock
) -> None:
    old = _fill_everything(d)
    d.click("form.next")
    d.click("local.confirm")
    d.wait_shown("pad.canvas")
    d.sign()
    assert d.item("pad.canvas").property("pointCount") > 0
    assert ink_pixels(d) > 20
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    assert d.ui.vm.idle.secondsLeft in range(1, int(FAST.idle_countdown_s) + 1)
    idle_clock.advance(FAST.idle_countdown_s)
    d.wait(lambda: d.ui.vm.flow.step == "attract", "the wipe")
    assert not d.shown("idle.stillHere")
    assert_nothing_left(d, old)


def test_still_here_keeps_the_signers_entry(d: Driver, idle_clock: FakeClock) -> None:
    to_form(d)
    fill(d, "Ana")
    idle_clock.advance(FAST.idle_timeout_s + 3)
    d.wait_shown("idle.stillHere")
    d.click("idle.stillHere")
    d.wait(lambda: not d.shown("idle.stillHere"), "the countdown to close")
    idle_clock.advance(FAST.idle_countdown_s + 5)  # past the old deadline: nothing happens
    d.settle(300)
    assert d.ui.vm.flow.step == "form"
    assert d.text("form.firstName") == "Ana"


def test_start_over_on_the_countdown_wipes_at_once(d: Driver, idle_clock: FakeClock) -> None:
    to_form(d)
    fill(d, "Ana")
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.click("idle.startOver")
    d.wait_shown("attract.signButton")
    assert d.ui.vm.flow.entryEmpty


def test_the_attract_screen_at_rest_never_times_out(d: Driver, idle_clock: FakeClock) -> None:
    idle_clock.advance(10 * FAST.idle_timeout_s)
    d.settle(300)
    assert not d.shown("idle.stillHere")
    assert d.ui.vm.idle.armed is False


def _settings_of(d: Driver) -> tuple[object, ...]:
    vm = d.ui.vm
    return (
        vm.i18n.language,
        vm.textScale,
        vm.highContrast,
        vm.moreTimeVisit,
        vm.optionsOpen,
        vm.speech.enabled,
        vm.speech.echoPersonal,
    )


DEFAULTS = ("en", 1.0, False, False, False, False, False)


def _set_everything_on_the_attract_screen(d: Driver) -> None:
    d.click("lang.es")
    d.click("a11y.options")
    d.click("a11y.speech")
    d.click("a11y.echo")
    d.click("a11y.textSize.200")
    d.click("a11y.highContrast")
    d.click("a11y.moreTime")
    d.click("a11y.close")
    d.wait(lambda: not d.shown("a11y.panel"), "the options to close")
    assert _settings_of(d) == ("es", 2.0, True, True, False, True, True)


def test_settings_left_on_the_attract_screen_are_reset_for_the_next_signer(
    make_ui: Callable[..., Driver], idle_clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENGINE_ENV, "mock")  # before the UI picks its speech engine
    d = make_ui()
    d.wait_shown("attract.signButton")
    _set_everything_on_the_attract_screen(d)
    # The signer walks away without tapping "Sign": the attract screen is watched now.
    assert d.ui.vm.idle.armed is True
    d.wait(lambda: not d.ui.vm.speech.speaking, "speech to finish")  # a listener is not idle
    idle_clock.advance(3 * FAST.idle_timeout_s + 1)  # "more time on every screen" was on
    d.wait_shown("idle.stillHere")
    # The countdown says what is reset (the settings), not that an entry is cleared.
    assert "opciones" in d.text("idle.countdown")
    idle_clock.advance(3 * FAST.idle_countdown_s + 1)  # speech and more time: a longer one
    d.wait(lambda: _settings_of(d) == DEFAULTS, "the settings to be reset")
    assert not d.shown("idle.stillHere")
    assert d.ui.vm.idle.armed is False  # back to a resting attract screen
    # The next signer's name is not read aloud.
    spoken: list[str] = []
    d.ui.vm.speech.spoken.connect(spoken.append)
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.fill("form.firstName", "Bob")
    d.key(Qt.Key.Key_Tab)
    d.key(Qt.Key.Key_Backtab)
    d.settle(200)
    assert spoken == []


def test_the_options_left_open_on_the_attract_screen_are_closed(
    d: Driver, idle_clock: FakeClock
) -> None:
    d.click("a11y.options")
    d.wait_shown("a11y.close")
    assert d.ui.vm.optionsOpen is True and d.ui.vm.idle.armed is True
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")  # the countdown is not hidden under the options
    assert not d.shown("a11y.close")
    idle_clock.advance(FAST.idle_countdown_s + 1)
    d.wait(lambda: d.ui.vm.idle.armed is False, "the watcher to rest")
    assert _settings_of(d) == DEFAULTS and not d.shown("a11y.close")


def test_still_here_on_the_attract_screen_keeps_the_settings(
    d: Driver, idle_clock: FakeClock
) -> None:
    d.click("a11y.largeText")
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.click("idle.stillHere")
    d.wait(lambda: not d.shown("idle.stillHere"), "the countdown to close")
    idle_clock.advance(FAST.idle_countdown_s + 5)
    d.settle(300)
    assert d.ui.vm.largeText is True and d.ui.vm.idle.armed is True
    d.click("a11y.largeText")  # back to the default by hand: nothing left to watch
    assert d.ui.vm.idle.armed is False


def test_the_attract_screen_starts_at_the_top_for_the_next_signer_and_a_new_text_size(
    d: Driver,
) -> None:
    d.window.resize(1280, 560)  # the attract screen scrolls even at 100 %
    scroll = d.item("attract.scroll")

    def bottom() -> float:
        return float(scroll.property("contentHeight")) - scroll.height()

    d.idle()
    d.wait(lambda: bottom() > 50, "the attract screen to scroll")
    d.click("attract.signButton")
    d.wait_shown("petition.back")
    scroll.setProperty("contentY", bottom())  # where the signer left it
    d.click("petition.back")  # changed their mind: the entry is wiped
    d.wait_shown("attract.signButton")
    assert scroll.property("contentY") == 0
    d.click("a11y.options")
    d.click("a11y.textSize.200")
    d.click("a11y.close")
    d.wait(lambda: not d.shown("a11y.close"), "the options to close")
    scroll.setProperty("contentY", bottom())
    d.click("a11y.options")
    d.click("a11y.textSize.150")
    assert scroll.property("contentY") == 0


def test_start_over_asks_once_then_wipes_as_the_idle_timeout_does(d: Driver) -> None:
    old = _fill_everything(d)
    d.click("form.startOver")
    d.wait_shown("startOver.confirm")
    d.click("startOver.cancel")  # changed their mind again: nothing lost
    d.wait(lambda: not d.shown("startOver.confirm"), "the question to close")
    assert d.ui.vm.flow.step == "form" and d.text("form.firstName") == "María"
    d.click("form.startOver")
    d.click("startOver.confirm")
    assert_nothing_left(d, old)


@pytest.mark.parametrize("step", ["local", "pad"])
def test_start_over_from_the_local_campaign_and_the_signature(d: Driver, step: str) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "47708")
    d.click("form.next")
    d.wait_shown("local.confirm")
    if step == "pad":
        d.click("local.confirm")
        d.wait_shown("pad.canvas")
        d.sign()
    d.click(f"{step}.startOver")
    d.click("startOver.confirm")
    d.wait_shown("attract.signButton")
    assert d.ui.vm.flow.entryEmpty and d.ui.vm.flow.review == {"name": "", "zip": ""}
    assert d.item("pad.canvas").property("pointCount") == 0


def test_start_over_with_the_keyboard_holds_the_focus_in_its_question(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana")
    for _ in range(40):
        if d.window.activeFocusItem().objectName() == "form.startOver":
            break
        d.key(Qt.Key.Key_Tab)
        d.idle()
    d.key(Qt.Key.Key_Return)
    d.wait_shown("startOver.confirm")
    d.wait(lambda: d.window.activeFocusItem() is d.item("startOver.cancel"), "the safe answer")
    for _ in range(4):  # Tab goes round the two answers only
        d.key(Qt.Key.Key_Tab)
        d.idle()
        assert d.window.activeFocusItem().objectName() in ("startOver.cancel", "startOver.confirm")
    d.key(Qt.Key.Key_Escape)
    d.wait(lambda: not d.shown("startOver.confirm"), "the question to close")
    d.wait(lambda: d.window.activeFocusItem() is d.item("form.startOver"), "the focus back")
    assert d.text("form.firstName") == "Ana"
