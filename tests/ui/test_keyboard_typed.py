"""Signing with a keyboard or a switch alone, and signing without drawing (issue #17).

A USB keyboard (or a switch interface, which sends the same keys) goes through the whole signer
flow with Tab, Shift+Tab, Enter and Space: language, petition, form, the typed signature,
submit, thank-you. Each focused control shows its focus ring. The signature lands in the store
marked typed, and the delivery sheet, read back, prints the typed name marked "Typed
signature" (and "witnessed" when a volunteer witnessed it with the staff PIN).
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtQuick import QQuickItem

from kiosk.app import Kiosk
from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import PersonalData, SignatureMethod
from kiosk.exports import make_pdf_export
from kiosk.ui.automation import Driver
from tests.ui.conftest import PASSPHRASE, PIN
from tests.ui.steps import to_pad

pytestmark = pytest.mark.gui

MAX_TABS = 40


def focused(d: Driver) -> QQuickItem | None:
    return d.window.activeFocusItem()


def ring_shown(item: QQuickItem) -> bool:
    """Whether a visible focus ring (FocusRing.qml) is drawn for ``item``."""
    pending = [item]
    while pending:
        node = pending.pop()
        for child in node.childItems():
            if child.property("target") is item and child.isVisible():
                return True
            pending.append(child)
    return False


def tab_to(d: Driver, name: str, back: bool = False) -> QQuickItem:
    """Press Tab (Shift+Tab) until ``name`` has the focus; it must show its focus ring."""
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    seen: list[str] = []
    for _ in range(MAX_TABS):
        item = focused(d)
        if item is not None and item.objectName() == name:
            if not item.inherits("QQuickTextInput"):
                assert ring_shown(item), f"{name} has the focus but no focus ring"
            return item
        d.key(key)
        d.idle()
        item = focused(d)
        seen.append(item.objectName() if item is not None else "-")
    raise AssertionError(f"Tab never reached {name}; focus went through {seen}")


def press(d: Driver, key: Qt.Key = Qt.Key.Key_Return) -> None:
    d.key(key)
    d.idle()


def sign_with_keys(d: Driver, lang: str, witness: bool) -> None:
    d.wait_shown("attract.signButton")
    if lang != "en":
        tab_to(d, f"lang.{lang}")
        press(d)
        d.wait(lambda: d.ui.vm.i18n.language == lang, "the language")
    tab_to(d, "attract.signButton")
    press(d)
    d.wait_shown("petition.continueButton")
    tab_to(d, "petition.continueButton")
    press(d, Qt.Key.Key_Space)  # Space presses a button as Enter does
    d.wait_shown("form.firstName")
    tab_to(d, "form.firstName")
    d.type("Ana")
    tab_to(d, "form.lastName")
    d.type("Pérez")
    tab_to(d, "form.zip")
    d.type("55802")
    tab_to(d, "form.next")
    press(d)
    d.wait_shown("local.confirm")
    tab_to(d, "local.confirm")
    press(d)
    d.wait_shown("pad.typeInstead")
    tab_to(d, "pad.typeInstead")
    press(d)
    d.wait(lambda: d.ui.vm.flow.typing, "the typed signature")
    tab_to(d, "pad.typedName")
    d.type("Ana María Pérez")
    tab_to(d, "pad.typedConfirm")
    press(d, Qt.Key.Key_Space)
    d.wait(lambda: d.ui.vm.flow.typedConfirmed, "the confirmation")
    if witness:
        tab_to(d, "pad.witnessPin")
        d.type("0000")  # a wrong PIN first: said, not witnessed
        press(d)
        d.wait(lambda: d.ui.vm.flow.witnessState == "wrong", "the wrong PIN")
        item = tab_to(d, "pad.witnessPin")
        item.setProperty("text", "")
        d.type(PIN)
        press(d)
        d.wait(lambda: d.ui.vm.flow.witnessed, "the witness")
    tab_to(d, "pad.submit")
    press(d)
    d.wait_shown("thanks.done")
    tab_to(d, "thanks.done")
    press(d)
    d.wait_shown("attract.signButton")


def sheet_text(kiosk: Kiosk, lang: str) -> str:
    campaign = kiosk.catalog.get(kiosk.services().signing.active_campaign())
    made = make_pdf_export(
        kiosk.store,
        campaign,
        kiosk.directory,
        kiosk.keys.unlock(PASSPHRASE),
        SignatureFilter(campaign=campaign.slug),
        language=lang,
    )
    reader = PdfReader(io.BytesIO(made.files[0].data))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


@pytest.mark.parametrize(("lang", "witness"), [("en", False), ("es", True)])
def test_a_complete_typed_signature_with_keys_alone_reaches_the_store_and_the_sheet(
    make_kiosk, make_ui, lang: str, witness: bool
) -> None:  # type: ignore[no-untyped-def]
    kiosk = make_kiosk()
    d = make_ui(kiosk)
    sign_with_keys(d, lang, witness)
    [stored] = kiosk.store.recent(1)  # type: ignore[attr-defined]
    meta = stored.signature.meta
    want = SignatureMethod.TYPED_WITNESSED if witness else SignatureMethod.TYPED
    assert meta.method is want and meta.lang == lang
    personal = PersonalData.from_bytes(kiosk.keys.unlock(PASSPHRASE).open(stored.signature.sealed))
    assert personal.typed_name == "Ana María Pérez" and personal.ink.strokes == ()
    text = sheet_text(kiosk, lang)
    assert "Ana María Pérez" in text
    mark = {
        ("en", False): "Typed signature",
        ("es", True): "Firma tecleada, con testigo del personal del quiosco (PIN)",
    }[(lang, witness)]
    assert mark in text


def test_typed_signature_refuses_another_name_and_an_unconfirmed_one(d: Driver) -> None:
    to_pad(d, "Ana", "Pérez", "55802")
    d.click("pad.typeInstead")
    d.click("pad.submit")  # nothing typed: told what to type, not just "fill this in"
    d.wait(lambda: "typed_name" in d.ui.vm.flow.errors, "the empty name's error")
    assert "your full name" in d.text("pad.typedName.error")
    d.fill("pad.typedName", "Someone Else")
    d.click("pad.submit")
    d.wait(lambda: "typed_name" in d.ui.vm.flow.errors, "the name error")
    assert "typed_confirm" in d.ui.vm.flow.errors
    assert d.ui.vm.flow.step == "pad"
    assert d.text("pad.typedName.error")
    assert d.text("pad.typedConfirm.error").startswith("!")  # not by colour alone
    # back to drawing: the pad is there again
    d.click("pad.drawInstead")
    d.wait(lambda: not d.ui.vm.flow.typing, "drawing again")
    d.wait_shown("pad.canvas")


def test_the_petition_scrolls_with_the_keyboard(d: Driver) -> None:
    d.click("attract.signButton")
    d.wait_shown("petition.continueButton")
    flick = d.item("petition.scroll")

    def overflow() -> float:
        return float(flick.property("contentHeight")) - flick.height()

    # The petition is longer than the screen, once its text is laid out: a screen can be
    # shown a frame before its column has measured every paragraph.
    d.wait(lambda: overflow() > 200, "the petition to be laid out longer than the screen")
    d.frame()
    bottom = overflow()

    def y() -> float:
        return float(flick.property("contentY"))

    # Right after the screen shows, before any Tab: the keys scroll the text.
    press(d, Qt.Key.Key_Down)
    assert y() > 0
    before = y()
    press(d, Qt.Key.Key_PageDown)
    assert y() > before + flick.height() / 2
    press(d, Qt.Key.Key_End)
    assert y() == pytest.approx(bottom)
    press(d, Qt.Key.Key_Home)
    assert y() == 0
    press(d, Qt.Key.Key_Space)
    assert y() > flick.height() / 2
    press(d, Qt.Key.Key_PageUp)
    assert y() == 0
    # The text is a Tab stop of its own, with its focus ring; there the keys scroll it too.
    tab_to(d, "petition.scroll")
    press(d, Qt.Key.Key_PageDown)
    assert y() > 0
    press(d, Qt.Key.Key_Up)
    press(d, Qt.Key.Key_End)
    assert y() == pytest.approx(bottom)
    # From a button of the page, Home still scrolls (the button does not use it).
    tab_to(d, "petition.continueButton")
    press(d, Qt.Key.Key_Home)
    assert y() == 0


def test_the_opt_in_is_reached_with_keys_and_takes_the_focus_with_its_error(d: Driver) -> None:
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.fill("form.firstName", "Ana")
    d.fill("form.lastName", "Pérez")
    d.fill("form.zip", "47708")
    box = tab_to(d, "form.optIn")  # with its focus ring
    press(d, Qt.Key.Key_Space)
    assert d.ui.vm.flow.optIn is True
    assert box.property("checked") is True
    iface = QAccessible.queryAccessibleInterface(box)
    assert iface.role() == QAccessible.Role.CheckBox and iface.state().checked
    assert iface.text(QAccessible.Text.Description) == ""
    # No email nor phone for the updates: after Next the check box has the focus and its
    # error is its description (what a screen reader and speech mode say).
    tab_to(d, "form.next")
    press(d)
    d.wait(lambda: d.text("form.optIn.error") != "", "the opt-in error")
    d.wait(lambda: focused(d) is box, "the opt-in to take the focus")
    error = d.text("form.optIn.error")
    assert iface.text(QAccessible.Text.Description) == error
    press(d, Qt.Key.Key_Return)  # Enter changes it too
    assert d.ui.vm.flow.optIn is False


def test_the_local_campaign_is_chosen_with_keys(d: Driver) -> None:
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.fill("form.firstName", "Ana")
    d.fill("form.lastName", "Pérez")
    d.fill("form.zip", "47708")
    d.click("form.next")
    d.wait_shown("local.confirm")
    routed = d.ui.vm.flow.chosenLocal
    assert routed != ""
    QAccessible.setActive(True)  # as with a screen reader: Qt reads the buttons' own state
    tab_to(d, "local.change")
    press(d)
    # The current choice has the focus (with its ring), says it is the checked option, and
    # shows it in words and with a tick.
    current = d.item(f"local.option.{routed}")
    d.wait(lambda: focused(d) is current, "the current choice to take the focus")
    assert ring_shown(current)
    iface = QAccessible.queryAccessibleInterface(current)
    assert iface.role() == QAccessible.Role.RadioButton
    assert iface.state().checkable and iface.state().checked
    assert d.shown(f"local.option.{routed}")
    labels = [t.property("text") for t in current.findChildren(QQuickItem) if t.property("text")]
    assert any(str(t).startswith("✓") for t in labels) and "Your current choice" in labels
    other = tab_to(d, "local.option.none")
    assert not QAccessible.queryAccessibleInterface(other).state().checked
    press(d, Qt.Key.Key_Space)
    d.wait(lambda: d.ui.vm.flow.chosenLocal == "", "the main campaign to be chosen")
    d.wait_shown("local.confirm")


@pytest.mark.parametrize("size", [(1280, 800), (800, 1280)], ids=["landscape", "portrait"])
def test_a_physical_keyboard_hides_the_on_screen_one_until_a_finger_comes_back(
    d: Driver, size: tuple[int, int]
) -> None:
    """At 200 % text in landscape the on-screen keyboard left a strip of about 260 px over
    the typed signature, and its error was cut off below the strip: a signer typing on a USB
    keyboard (or a switch) has no use for it. A physical key hides it; a finger brings it
    back."""
    d.window.resize(*size)
    d.click("lang.es")
    d.click("a11y.options")
    d.click("a11y.textSize.200")
    d.click("a11y.close")
    to_pad(d, "Ana", "Pérez", "55802")
    d.click("pad.typeInstead")  # a finger: the on-screen keyboard comes up on the name
    panel = d.item("keyboard")
    d.wait(lambda: bool(panel.property("active")) and panel.isVisible(), "the keyboard")
    assert d.ui.vm.hardwareKeys is False
    # Now the keys: Submit with nothing typed, the name takes the focus with its error.
    tab_to(d, "pad.submit")
    assert d.ui.vm.hardwareKeys is True
    press(d)
    name = d.item("pad.typedName")
    d.wait(lambda: focused(d) is name, "the name to take the focus")
    d.wait(lambda: d.text("pad.typedName.error") != "", "the error")
    assert not panel.isVisible() and d.window.property("keyboardCover") == 0
    d.idle()
    d.frame()
    d.settle(200)
    area = d.item("pad.typedScroll")
    area_rect = area.mapRectToScene(area.boundingRect())
    for part in ("pad.typedName", "pad.typedName.error"):
        item = d.item(part)
        rect = item.mapRectToScene(item.boundingRect())
        assert area_rect.top() - 1 <= rect.top() and rect.bottom() <= area_rect.bottom() + 1, (
            f"{part} at {rect.top():.0f}-{rect.bottom():.0f}, "
            f"visible {area_rect.top():.0f}-{area_rect.bottom():.0f}"
        )
    d.type("Ana Pérez")
    assert d.ui.vm.flow.typedName == "Ana Pérez"
    # A finger on the screen again: the on-screen keyboard is back.
    d.tap("pad.typedName")
    d.wait(lambda: panel.isVisible() and d.window.property("keyboardCover") > 0, "the keyboard")
    assert d.ui.vm.hardwareKeys is False


def test_a_tap_right_after_typing_on_a_physical_keyboard_is_not_lost(d: Driver) -> None:
    """The on-screen keyboard comes back once a tap is over, not when it starts: coming back,
    it moves the bottom bar, and a tap released away from where it was pressed does nothing."""
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.click("form.firstName")  # a finger: the on-screen keyboard comes up
    d.key(Qt.Key.Key_A)  # then a physical key: it goes
    d.wait(lambda: d.ui.vm.hardwareKeys, "the physical keyboard")
    assert d.text("form.firstName") == "a"
    d.click("form.next")  # a finger on Next (the keyboard would come back under it)
    d.wait(lambda: "last_name" in d.ui.vm.flow.errors, "Next to be pressed")
    d.wait(lambda: not d.ui.vm.hardwareKeys, "the on-screen keyboard to be back")
