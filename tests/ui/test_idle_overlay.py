"""While "Are you still there?" shows, nothing of the signer's entry can be read behind it."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QImage

from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, FakeClock
from tests.ui.steps import to_form

pytestmark = pytest.mark.gui


def pixels(img: QImage) -> np.ndarray:
    """The image as a height x width x 3 array."""
    rgb = img.convertToFormat(QImage.Format.Format_RGB888)
    raw = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return raw[:, : rgb.width() * 3].reshape(rgb.height(), rgb.width(), 3).astype(int)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_idle_overlay_hides_the_entry(d: Driver, idle_clock: FakeClock, lang: str) -> None:
    to_form(d, lang)
    d.fill("form.firstName", "WWWWWWWWWWWW")
    d.fill("form.lastName", "MMMMMMMMMMMM")

    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    d.settle(300)
    card = d.item("idle.title").parentItem().parentItem()  # the dialog's card
    top = card.mapToScene(QPointF(0, 0))
    img = pixels(d.grab())
    outside = np.ones(img.shape[:2], bool)
    outside[
        round(top.y()) - 2 : round(top.y() + card.height()) + 2,
        round(top.x()) - 2 : round(top.x() + card.width()) + 2,
    ] = False
    behind = img[outside]
    # Around the dialog one flat colour: no letter, field or key can be made out.
    assert int((behind.max(axis=0) - behind.min(axis=0)).max()) <= 1


def test_the_idle_dialog_holds_the_keyboard_focus_and_gives_it_back(
    d: Driver, idle_clock: FakeClock
) -> None:
    to_form(d)
    d.fill("form.firstName", "Ana")
    assert d.window.activeFocusItem() is d.item("form.firstName")
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    d.idle()
    assert d.window.activeFocusItem().objectName() == "idle.stillHere"
    # Tab and Shift+Tab go round the dialog's buttons, never into the fields behind it.
    seen = set()
    for key in [Qt.Key.Key_Tab] * 5 + [Qt.Key.Key_Backtab] * 5:
        d.key(key)
        d.idle()
        item = d.window.activeFocusItem()
        assert item is not None and item.objectName().startswith("idle."), item
        seen.add(item.objectName())
    assert {"idle.stillHere", "idle.startOver", "idle.moreTime"} <= seen
    # Typing goes nowhere behind the cover.
    d.type("XYZ")
    assert d.text("form.firstName") == "Ana" and d.text("form.lastName") == ""
    while d.window.activeFocusItem().objectName() != "idle.stillHere":
        d.key(Qt.Key.Key_Tab)
    d.key(Qt.Key.Key_Return)  # "I'm still here"
    d.wait(lambda: not d.shown("idle.stillHere"), "the dialog to close")
    # Back on the field the signer was typing in.
    d.wait(lambda: d.window.activeFocusItem() is d.item("form.firstName"), "the focus to come back")
    d.type("!")
    assert d.text("form.firstName") == "Ana!"


def test_after_the_wipe_the_focus_is_not_given_back(d: Driver, idle_clock: FakeClock) -> None:
    to_form(d)
    d.fill("form.firstName", "Ana")
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    idle_clock.advance(FAST.idle_countdown_s + 1)
    d.wait_shown("attract.signButton")
    d.settle(100)
    item = d.window.activeFocusItem()
    assert item is None or not item.inherits("QQuickTextInput")


def test_escape_answers_still_here_from_any_of_the_dialogs_buttons(
    d: Driver, idle_clock: FakeClock
) -> None:
    to_form(d)
    d.fill("form.firstName", "Ana")
    for tabs in (0, 1):
        idle_clock.advance(FAST.idle_timeout_s + 1)
        d.wait_shown("idle.stillHere")
        d.idle()
        for _ in range(tabs):  # on another of its buttons
            d.key(Qt.Key.Key_Tab)
        assert d.window.activeFocusItem().objectName().startswith("idle.")
        d.key(Qt.Key.Key_Escape)
        d.wait(lambda: not d.shown("idle.stillHere"), "the dialog to close")
        assert d.ui.vm.flow.step == "form" and d.text("form.firstName") == "Ana"
        d.wait(lambda: d.window.activeFocusItem() is d.item("form.firstName"), "focus back")
