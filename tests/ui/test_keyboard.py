"""The on-screen keyboard, tapped key by key as a finger does: capitalisation of names, an
email layout with "@" and ".com", digit pads for the ZIP and phone, in both languages."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtQml import QQmlEngine, QQmlExpression

from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, FakeClock
from tests.ui.steps import to_form

pytestmark = pytest.mark.gui

LETTERS = set("abcdefghijklmnopqrstuvwxyz")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_names_start_capitalised_and_go_on_in_lower_case(d: Driver, lang: str) -> None:
    to_form(d, lang)
    d.tap("form.firstName")
    d.tap_keys("maria")
    assert d.text("form.firstName") == "Maria"
    d.tap_keys(" jose")  # each word of a name starts with a capital
    assert d.text("form.firstName") == "Maria Jose"
    d.tap("form.lastName")
    d.tap_keys("de la cruz")
    assert d.text("form.lastName") == "De La Cruz"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_email_field_offers_at_and_dot_com(d: Driver, lang: str) -> None:
    to_form(d, lang)
    d.tap("form.email")
    d.wait(lambda: "@" in d.keyboard_labels(), "the email layout")
    assert ".com" in d.keyboard_labels()
    d.tap_keys(["a", "n", "a", "@", "e", "x", "a", "m", "p", "l", "e", ".com"])
    assert d.text("form.email") == "ana@example.com"


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("field", ["form.zip", "form.phone"])
def test_zip_and_phone_get_a_digit_pad(d: Driver, lang: str, field: str) -> None:
    to_form(d, lang)
    d.tap(field)
    d.wait(lambda: "5" in d.keyboard_labels(), "a digit pad")
    labels = {label.lower() for label in d.keyboard_labels()}
    assert set("0123456789") <= labels
    assert not labels & LETTERS
    d.tap_keys("55802")
    assert d.text(field) == "55802"


def _on_keyboard(d: Driver, js: str) -> object:
    """Evaluate ``js`` on Qt Virtual Keyboard's own ``Keyboard`` item (``keyboard`` in the
    panel: it knows the input language)."""
    d.idle()
    panel = d.item("keyboard")
    expr = QQmlExpression(QQmlEngine.contextForObject(panel), panel, js)
    value, _undefined = expr.evaluate()
    assert not expr.hasError(), expr.error().toString()
    return value


def test_the_keyboard_language_chosen_with_the_globe_key_is_not_left_to_the_next_signer(
    d: Driver, idle_clock: FakeClock
) -> None:
    to_form(d)
    d.tap("form.firstName")
    d.wait(lambda: d.keyboard_labels() != [], "the keyboard")
    assert _on_keyboard(d, "keyboard.locale") == "en_US"
    _on_keyboard(d, "keyboard.changeInputLanguage(false)")  # what the globe key does
    d.wait(lambda: _on_keyboard(d, "keyboard.locale") != "en_US", "another keyboard language")
    # The signer walks away; the next one, in English, gets the English keyboard.
    idle_clock.advance(FAST.idle_timeout_s + 1)
    d.wait_shown("idle.stillHere")
    idle_clock.advance(FAST.idle_countdown_s + 1)
    d.wait_shown("attract.signButton")
    to_form(d)
    d.tap("form.firstName")
    d.wait(lambda: d.keyboard_labels() != [], "the keyboard")
    d.wait(lambda: _on_keyboard(d, "keyboard.locale") == "en_US", "the English keyboard")
    assert QGuiApplication.inputMethod().locale().name() == "en_US"
