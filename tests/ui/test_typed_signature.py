"""The typed signature ("I can't sign with my finger"), as an outside tester drove it.

- Back to the pad with "Sign with my finger instead", nothing hidden keeps the keyboard focus:
  keys (physical or on-screen) typed into the hidden name field unseen, and closing "Start
  over" or the idle dialog handed the focus back to it, with the on-screen keyboard over the
  pad.
- "Witness (volunteer)" needs a PIN of the minimum length: an empty or short PIN never reaches
  the staff PIN gate, whose wrong tries lock volunteers out of staff mode.
- The witness result is scrolled into view when it changes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtQuick import QQuickItem

from kiosk.app import Kiosk
from kiosk.services.pin import PIN_MIN
from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, PIN, FakeClock
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


# -- the witness -------------------------------------------------------------------------------


def _failed(kiosk: Kiosk) -> int:
    return sum(1 for e in kiosk.store.audit_entries() if e.action == "pin_failed")


def test_witness_needs_a_pin_of_the_minimum_length_and_a_short_one_counts_nothing(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    d.wait_shown("attract.signButton")
    to_typed(d)
    gate = d.ui.vm.staff.gate
    tries = gate.tries_left()
    button = d.item("pad.witness")
    assert not button.isEnabled()  # an empty PIN field
    for _ in range(6):  # taps on the disabled button
        d.touch_at(d.center(button))
    d.click("pad.witnessPin")
    d.type("1" * (PIN_MIN - 1))
    assert not button.isEnabled()
    d.key(Qt.Key.Key_Return)  # Enter in the field: too short, nothing happens
    d.settle(100)
    assert d.ui.vm.flow.witnessState == ""
    assert d.text("pad.witnessPin") == "1" * (PIN_MIN - 1)
    # The view-model refuses it too, whoever calls it.
    for pin in ("", "1", "1" * (PIN_MIN - 1)):
        d.ui.vm.flow.witness(pin)
        assert d.ui.vm.flow.witnessState == ""
    d.settle(200)
    assert gate.tries_left() == tries and gate.locked_for() == 0
    assert _failed(kiosk) == 0
    assert not d.shown("pad.witnessStatus")

    d.type("1")  # the minimum length: the button is enabled, a wrong PIN counts
    d.wait(lambda: bool(button.isEnabled()), "the witness button")
    d.click("pad.witness")
    d.wait(lambda: d.ui.vm.flow.witnessState == "wrong", "the wrong PIN")
    assert gate.tries_left() == tries - 1
    d.wait(lambda: _failed(kiosk) == 1, "the wrong PIN in the audit trail")
    assert not button.isEnabled()  # the wrong PIN was cleared from the field

    d.fill("pad.witnessPin", PIN)
    d.key(Qt.Key.Key_Return)
    d.wait(lambda: d.ui.vm.flow.witnessed, "the witness")
    assert gate.tries_left() == gate.max_tries


def test_the_pin_screen_stays_open_after_short_witness_tries(d: Driver) -> None:
    flow = d.ui.vm.flow
    to_typed(d)
    d.click("pad.witnessPin")
    d.type("12")
    for _ in range(6):
        d.key(Qt.Key.Key_Return)
        flow.witness("")
        d.settle(30)
        d.wait(lambda: flow.witnessState != "checking", "the check")
    assert flow.witnessState == ""
    d.tap("pad.startOver")
    d.tap("startOver.confirm")
    d.wait_shown("attract.signButton")
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    assert d.ui.vm.staff.pinState != "locked" and d.ui.vm.staff.pinLockedSeconds == 0
    d.type(PIN)
    d.click("pin.submit")
    d.wait_shown("staff.close")


def test_a_witness_try_while_entry_is_locked_is_not_counted_nor_audited_again(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    flow = d.ui.vm.flow
    d.wait_shown("attract.signButton")
    to_typed(d)
    gate = d.ui.vm.staff.gate
    for _ in range(gate.max_tries):
        d.click("pad.witnessPin")
        d.type("0000")
        d.key(Qt.Key.Key_Return)
        d.wait(lambda: flow.witnessState in ("wrong", "locked"), "the answer", timeout_s=15)
    assert flow.witnessState == "locked"
    d.wait(lambda: _failed(kiosk) == gate.max_tries, "the wrong PINs in the audit trail")

    def locks() -> int:
        return sum(1 for e in kiosk.store.audit_entries() if e.action == "pin_locked")

    assert locks() == 1
    locked_for = gate.locked_for()
    seen: list[str] = []  # the refusal may come at once: "checking" is seen by its signal
    flow.typedChanged.connect(lambda: seen.append(flow.witnessState))
    d.click("pad.witnessPin")
    d.type(PIN)  # even the right PIN: entry is locked
    d.key(Qt.Key.Key_Return)
    d.wait(lambda: "checking" in seen and flow.witnessState == "locked", "the refusal")
    assert not flow.witnessed
    assert _failed(kiosk) == gate.max_tries and locks() == 1
    assert gate.locked_for() == pytest.approx(locked_for, abs=1)  # no longer lockout


@pytest.mark.parametrize(
    ("lang", "size", "scale"),
    [("en", (1280, 800), 1.0), ("es", (1280, 800), 1.5), ("es", (800, 1280), 2.0)],
)
def test_the_witness_result_is_scrolled_into_view(
    d: Driver, lang: str, size: tuple[int, int], scale: float
) -> None:
    d.ui.window.resize(*size)
    d.wait_shown("attract.signButton")
    choose_language(d, lang)
    if scale != 1.0:
        d.click("a11y.options")
        d.click(f"a11y.textSize.{round(scale * 100)}")
        d.wait(lambda: d.ui.vm.textScale == scale, "the text size")
        d.click("a11y.close")
        d.wait(lambda: not d.shown("a11y.close"), "the options to close")
    to_pad(d, "Ana", "Pérez", "47708")
    d.wait_shown("pad.canvas")
    d.tap("pad.typeInstead")
    d.wait(lambda: d.ui.vm.flow.typing, "the typed signature")
    d.tap("pad.witnessPin")
    d.tap_keys("0000")
    d.tap("pad.witness")
    d.wait(lambda: d.ui.vm.flow.witnessState == "wrong", "the wrong PIN")
    d.idle()
    d.settle(200)
    status = d.item("pad.witnessStatus")
    scroll = d.item("pad.typedScroll")
    assert status.property("text")
    top = status.mapToItem(scroll, QPointF(0, 0)).y()
    assert top >= 0 and top + status.height() <= scroll.height(), (
        top,
        status.height(),
        scroll.height(),
    )
