"""The typed signature ("I can't sign with my finger"), as an outside tester drove it.

- Back to the pad with "Sign with my finger instead", nothing hidden keeps the keyboard focus:
  keys (physical or on-screen) typed into the hidden name field unseen, and closing "Start
  over" or the idle dialog handed the focus back to it, with the on-screen keyboard over the
  pad.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtQuick import QQuickItem

from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, FakeClock
from tests.ui.steps import choose_language, to_pad

pytestmark = pytest.mark.gui


def shown(item: QQuickItem | None) -> bool:
    """Whether ``item`` and all its parents are visible."""
    while item is not None:
        if not item.isVisible() or item.opacity() == 0:
            return False
        item = item.parentItem()
    return True


def focus(d: Driver) -> QQuickItem | None:
    return d.window.activeFocusItem()


def keyboard_up(d: Driver) -> bool:
    return bool(d.item("keyboard").property("active"))


def to_typed(d: Driver, lang: str = "en") -> None:
    """A signer on the typed signature, by finger (touch events) where it matters."""
    choose_language(d, lang)
    to_pad(d, "Ana", "Pérez", "47708")
    d.wait_shown("pad.canvas")
    d.tap("pad.typeInstead")
    d.wait(lambda: d.ui.vm.flow.typing, "the typed signature")
    d.idle()


def type_name_by_finger(d: Driver, letters: str) -> None:
    d.tap("pad.typedName")
    d.wait(lambda: bool(d.item("pad.typedName").hasActiveFocus()), "the name's focus")
    d.tap_keys(letters)
    d.wait(lambda: d.ui.vm.flow.typedName == letters, "the typed letters")


def nothing_hidden_has_the_focus(d: Driver) -> None:
    item = focus(d)
    assert item is None or shown(item), f"{item.objectName()} has the focus, hidden"
    assert item is None or not item.inherits("QQuickTextInput"), item.objectName()


@pytest.mark.parametrize(("lang", "size"), [("en", (1280, 800)), ("es", (800, 1280))])
def test_sign_with_my_finger_instead_leaves_nothing_in_the_hidden_name(
    d: Driver, lang: str, size: tuple[int, int]
) -> None:
    d.ui.window.resize(*size)
    to_typed(d, lang)
    type_name_by_finger(d, "An")
    d.tap("pad.drawInstead")
    d.wait(lambda: not d.ui.vm.flow.typing, "the pad again")
    d.wait_shown("pad.canvas")
    d.idle()
    nothing_hidden_has_the_focus(d)
    d.settle(200)
    pad_height = d.item("pad.canvas").height()

    # A physical key goes nowhere.
    d.type("XYZ")
    assert d.ui.vm.flow.typedName == "An"

    # "Start over", "No, keep my details": the keyboard does not come back over the pad.
    d.tap("pad.startOver")
    d.wait_shown("startOver.cancel")
    d.tap("startOver.cancel")
    d.wait(lambda: not d.shown("startOver.cancel"), "the question to close")
    d.idle()
    d.settle(200)
    d.idle()
    nothing_hidden_has_the_focus(d)
    assert not keyboard_up(d)
    assert d.item("pad.canvas").height() == pytest.approx(pad_height, abs=2)
    d.type("zz")
    assert d.ui.vm.flow.typedName == "An"

    d.tap("pad.typeInstead")
    d.wait(lambda: d.ui.vm.flow.typing, "the typed signature again")
    assert d.text("pad.typedName") == "An"


def test_with_keys_sign_with_my_finger_instead_goes_back_to_i_cant_sign(d: Driver) -> None:
    to_typed(d)
    d.fill("pad.typedName", "Ana")
    draw_instead = d.item("pad.drawInstead")
    for _ in range(20):
        if focus(d) is draw_instead:
            break
        d.key(Qt.Key.Key_Tab)
        d.idle()
    assert focus(d) is draw_instead
    d.key(Qt.Key.Key_Return)
    d.wait(lambda: focus(d) is d.find("pad.typeInstead"), "the focus on I can't sign")


def test_closing_start_over_never_gives_the_focus_to_a_hidden_field(d: Driver) -> None:
    """The focus was in the typed name when "Start over" opened; the name is hidden while the
    question shows (the typed signature is left): the focus does not go back to it."""
    to_typed(d)
    type_name_by_finger(d, "An")
    d.tap("pad.startOver")
    d.wait_shown("startOver.cancel")
    d.ui.vm.flow.setTyping(False)  # the typed name goes out of sight behind the question
    d.tap("startOver.cancel")
    d.wait(lambda: not d.shown("startOver.cancel"), "the question to close")
    d.idle()
    d.settle(200)
    d.idle()
    nothing_hidden_has_the_focus(d)
    assert not keyboard_up(d)
    d.type("zz")
    assert d.ui.vm.flow.typedName == "An"


def test_the_idle_dialog_never_gives_the_focus_back_to_a_hidden_field(
    d: Driver, idle_clock: FakeClock
) -> None:
    to_typed(d)
    type_name_by_finger(d, "An")
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    d.ui.vm.flow.setTyping(False)  # the typed name goes out of sight behind the dialog
    d.tap("idle.stillHere")
    d.wait(lambda: not d.shown("idle.stillHere"), "the dialog to close")
    d.idle()
    d.settle(100)
    nothing_hidden_has_the_focus(d)
    assert not keyboard_up(d)
    d.type("zz")
    d.key(Qt.Key.Key_Return)  # not "I'm still here" on the hidden dialog
    assert d.ui.vm.flow.typedName == "An"
    assert d.ui.vm.flow.step == "pad"
