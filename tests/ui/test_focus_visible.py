"""Every focused field is scrolled into view above the on-screen keyboard, on every screen:
tapped with a finger or reached with the keyboard's own Next key (first-run set-up passphrases
included)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtQml import QQmlProperty
from PySide6.QtQuick import QQuickItem

from kiosk.app import Kiosk
from kiosk.ui.automation import Driver
from tests.ui.conftest import PIN
from tests.ui.steps import to_form

pytestmark = pytest.mark.gui

SIZES = {"1280x800": (1280, 800), "800x1280": (800, 1280)}


def flickable(item: QQuickItem) -> QQuickItem | None:
    node = item.parentItem()
    while node is not None and not node.inherits("QQuickFlickable"):
        node = node.parentItem()
    return node


def assert_above_keyboard(d: Driver, name: str) -> None:
    """``name`` has the focus and lies, whole, in its screen's visible part above the keyboard."""
    d.wait(lambda: bool(d.item(name).hasActiveFocus()), f"{name} to have the focus")
    panel = d.item("keyboard")
    d.wait(lambda: bool(panel.property("active")), "the keyboard")
    d.idle()
    d.frame()
    d.settle(300)
    item = d.item(name)
    top = item.mapToScene(QPointF(0, 0)).y()
    bottom = top + item.height()
    limit_top, limit_bottom = 0.0, panel.y()
    flick = flickable(item)
    if flick is not None:
        f_top = flick.mapToScene(QPointF(0, 0)).y()
        limit_top, limit_bottom = f_top, min(limit_bottom, f_top + flick.height())
    assert top >= limit_top - 0.5 and bottom <= limit_bottom + 0.5, (
        f"{name} at {top:.0f}-{bottom:.0f}, visible {limit_top:.0f}-{limit_bottom:.0f}"
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_set_up_fields_come_into_view_one_after_the_other(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver], size: str
) -> None:
    d = make_ui(make_kiosk(keys=False, pin=False))
    d.window.resize(*SIZES[size])
    d.wait_shown("setup.finish")
    d.tap("setup.pin")
    assert_above_keyboard(d, "setup.pin")
    for name, text in (
        ("setup.pinAgain", "2468"),
        ("setup.passphrase", "2468"),
        ("setup.passphraseAgain", "correct horse"),
    ):
        d.tap_keys(text)
        d.tap_keys(["\n"])  # the keyboard's Next key
        assert_above_keyboard(d, name)


@pytest.mark.parametrize("size", list(SIZES))
def test_form_fields_come_into_view_with_the_next_key(d: Driver, size: str) -> None:
    d.window.resize(*SIZES[size])
    to_form(d, "es")
    d.tap("form.firstName")
    assert_above_keyboard(d, "form.firstName")
    steps = (
        ("a", "form.lastName"),
        ("a", "form.zip"),
        ("5", "form.phone"),
        ("5", "form.email"),
        ("a", "form.comment"),
    )
    for text, name in steps:  # type into the focused field, then its Next key
        d.tap_keys(text)
        d.tap_keys(["\n"])
        assert_above_keyboard(d, name)


def test_staff_fields_come_into_view(d: Driver) -> None:
    d.window.resize(800, 1280)
    d.hold("staff.corner", lambda: d.shown("pin.submit"), "the PIN screen")
    d.type(PIN)
    d.click("pin.submit")
    d.wait_shown("staff.close")
    for tab, fields in (
        ("staff.tab.event", ("staff.eventName", "staff.eventLocation")),
        ("staff.tab.entries", ("staff.unlockPassphrase",)),
        ("staff.tab.exports", ("exports.passphrase",)),
    ):
        d.click(tab)
        for name in fields:
            d.tap(name)
            assert_above_keyboard(d, name)


def _inside_its_scroll(d: Driver, item: QQuickItem) -> bool:
    flick = flickable(item)
    assert flick is not None
    top = item.mapToScene(QPointF(0, 0)).y()
    f_top = flick.mapToScene(QPointF(0, 0)).y()
    return top >= f_top - 0.5 and top + item.height() <= f_top + flick.height() + 0.5


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_button_reached_with_tab_at_200_percent_is_scrolled_into_view(
    d: Driver, lang: str
) -> None:
    if lang != "en":
        d.click(f"lang.{lang}")
    d.click("a11y.options")
    d.click("a11y.textSize.200")
    d.click("a11y.close")
    d.wait(lambda: not d.shown("a11y.close"), "the options to close")
    scroll = d.item("attract.scroll")
    scroll.setProperty("contentY", 0)
    d.idle()
    names: list[str] = []
    for _ in range(20):
        d.key(Qt.Key.Key_Tab)
        d.idle()
        d.settle(50)
        item = d.window.activeFocusItem()
        names.append(item.objectName())
        if flickable(item) is scroll and item is not scroll:
            assert _inside_its_scroll(d, item), f"{item.objectName()} is outside the screen"
    assert "attract.signButton" in names


def _ring_of(field: QQuickItem) -> QQuickItem | None:
    pending = [field]
    while pending:
        node = pending.pop()
        for child in node.childItems():
            if child.property("target") is field:
                return child
            pending.append(child)
    return None


@pytest.mark.parametrize("contrast", [False, True])
def test_a_focused_field_with_an_error_looks_unlike_the_others(d: Driver, contrast: bool) -> None:
    d.ui.vm.setHighContrast(contrast)
    to_form(d)
    d.click("form.next")  # every required field now has an error
    d.wait(lambda: d.text("form.lastName.error") != "", "the errors")
    first, last = d.item("form.firstName"), d.item("form.lastName")
    d.wait(lambda: bool(first.hasActiveFocus()), "the first error to take the focus")
    d.frame()
    ring = _ring_of(first)
    assert ring is not None and ring.isVisible()
    assert not _ring_of(last).isVisible()  # an errored field without the focus: no ring
    # The ring is not the error's colour: it tells the focus apart from the error.
    colour = QQmlProperty.read(ring, "border.color")
    assert colour.name() != d.item("form.firstName.error").property("color").name()
    d.tap("form.lastName")
    d.wait(lambda: bool(last.hasActiveFocus()), "the focus to move")
    assert _ring_of(last).isVisible() and not _ring_of(first).isVisible()
