"""Privacy between signers: after a submit or an idle timeout, nothing of a signer is left."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtQuick import QQuickItem

from kiosk.ui.automation import Driver
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


def test_the_attract_screen_never_times_out(d: Driver, idle_clock: FakeClock) -> None:
    idle_clock.advance(10 * FAST.idle_timeout_s)
    d.settle(300)
    assert not d.shown("idle.stillHere")
    assert d.ui.vm.idle.armed is False
