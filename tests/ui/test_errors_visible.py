"""Form errors are always fully visible: the form scrolls the first error into view, above the
action bar and the on-screen keyboard (the Spanish ZIP error used to hide half under the bar)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF

from kiosk.ui.automation import Driver
from tests.ui.steps import to_form

pytestmark = pytest.mark.gui

SIZES = {"1280x800": (1280, 800), "800x1280": (800, 1280)}


def scene_rect(d: Driver, name: str) -> QRectF:
    item = d.item(name)
    top_left = item.mapToScene(QPointF(0, 0))
    return QRectF(top_left.x(), top_left.y(), item.width(), item.height())


def assert_fully_visible(d: Driver, name: str) -> None:
    """``name`` lies inside the form's visible area, above the keyboard."""
    d.idle()
    d.frame()
    d.settle(300)
    rect = scene_rect(d, name)
    area = scene_rect(d, "form.scroll")
    panel = d.find("keyboard")
    bottom = area.bottom()
    if panel is not None and panel.property("active"):
        bottom = min(bottom, panel.y())
    assert rect.height() > 0, name
    assert rect.top() >= area.top() - 0.5 and rect.bottom() <= bottom + 0.5, (
        f"{name} at {rect.top():.0f}-{rect.bottom():.0f}, visible {area.top():.0f}-{bottom:.0f}"
    )


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES))
def test_a_lone_zip_error_is_fully_visible(d: Driver, size: str, lang: str) -> None:
    d.window.resize(*SIZES[size])
    to_form(d, lang)
    d.fill("form.firstName", "Ana")
    d.fill("form.lastName", "Pérez")
    d.tap("form.zip")
    d.tap_keys("1485")
    d.tap("form.next")
    d.wait(lambda: d.text("form.zip.error") != "", "the ZIP error")
    assert_fully_visible(d, "form.zip.error")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_form_scrolls_the_first_error_into_view(d: Driver, lang: str) -> None:
    to_form(d, lang)
    d.tap("form.comment")  # the last field: the form is scrolled down, the keyboard up
    d.tap_keys("hola")
    flick = d.item("form.scroll")
    d.wait(lambda: float(flick.property("contentY")) > 0, "the form to scroll down")
    d.tap("form.next")
    d.wait(lambda: d.text("form.firstName.error") != "", "the errors")
    assert_fully_visible(d, "form.firstName.error")
    assert_fully_visible(d, "form.firstName")


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("size", list(SIZES))
def test_a_lone_opt_in_error_is_fully_visible(d: Driver, size: str, lang: str) -> None:
    d.window.resize(*SIZES[size])
    to_form(d, lang)
    d.fill("form.firstName", "Ana")
    d.fill("form.lastName", "Pérez")
    d.fill("form.zip", "55802")
    d.click("form.optIn")  # updates, but neither an email nor a phone to send them to
    d.tap("form.next")
    d.wait(lambda: d.text("form.optIn.error") != "", "the opt-in error")
    assert_fully_visible(d, "form.optIn.error")
