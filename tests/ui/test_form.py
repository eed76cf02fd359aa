"""The form: field errors next to each field in the signer's language, rules per campaign,
input hints for the on-screen keyboard, routing to local campaigns and the duplicate hint."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtQml import QQmlEngine, QQmlExpression

from kiosk.domain.ports import SignatureFilter
from kiosk.ui.automation import Driver
from tests.ui.steps import fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui

ERRORS = {
    "en": {
        "form.firstName.error": "Please enter your first name.",
        "form.lastName.error": "Please enter your last name.",
        "form.zip.error": "A ZIP code has 5 digits (example: 55802).",
        "form.email.error": "This email address does not look right (example: name@example.com).",
    },
    "es": {
        "form.firstName.error": "Por favor, escriba su nombre.",
        "form.lastName.error": "Por favor, escriba su apellido.",
        "form.zip.error": "El código postal tiene 5 dígitos (ejemplo: 55802).",
        "form.email.error": "Este correo electrónico no parece correcto (ejemplo: nombre@ejemplo.com).",
    },
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_errors_show_next_to_each_field_in_the_signers_language(d: Driver, lang: str) -> None:
    to_form(d, lang)
    fill(d, zip_code="123", email="maria@")
    d.click("form.next")
    d.wait(lambda: d.text("form.zip.error") != "", "the errors")
    for name, message in ERRORS[lang].items():
        assert d.text(name) == message
        assert d.shown(name)
    assert d.ui.vm.flow.step == "form"
    # The first field with a problem gets the focus (and the keyboard).
    d.wait(lambda: bool(d.item("form.firstName").hasActiveFocus()), "focus on the first error")


def test_errors_are_reworded_when_the_language_changes(d: Driver) -> None:
    to_form(d, "en")
    d.click("form.next")
    d.wait(lambda: d.text("form.zip.error") != "", "the errors")
    d.click("lang.es")
    d.wait(lambda: d.text("form.zip.error") == "Por favor, escriba su código postal.", "Spanish")


def test_editing_a_field_clears_its_error(d: Driver) -> None:
    to_form(d)
    d.click("form.next")
    d.wait(lambda: d.text("form.lastName.error") != "", "the errors")
    d.fill("form.lastName", "Nguyễn")
    assert d.text("form.lastName.error") == ""
    assert d.text("form.firstName.error") != ""


def test_opt_in_is_unchecked_and_needs_a_contact(d: Driver) -> None:
    to_form(d)
    assert d.item("form.optIn").property("checked") is False
    fill(d, "Ana", "Pérez", "47708")
    d.click("form.optIn")
    d.click("form.next")
    d.wait(lambda: d.text("form.optIn.error") != "", "the opt-in error")
    assert d.text("form.optIn.error") == "Add an email address or a phone number to get updates."
    assert d.ui.vm.flow.step == "form"


def test_the_campaign_decides_which_fields_are_shown_and_required(d: Driver) -> None:
    to_form(d)
    for shown in ("form.firstName", "form.lastName", "form.zip", "form.email", "form.phone"):
        assert d.shown(shown), shown
    for hidden in ("form.street", "form.city", "form.state"):
        assert not d.shown(hidden), hidden
    assert d.ui.vm.flow.rules["phone"] == "optional"


def test_keyboard_hints_protect_personal_data(d: Driver) -> None:
    to_form(d)
    personal = Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
    expected = {
        "form.firstName": personal,
        "form.lastName": personal,
        "form.zip": personal | Qt.InputMethodHint.ImhDigitsOnly,
        "form.email": personal | Qt.InputMethodHint.ImhEmailCharactersOnly,
        "form.phone": personal | Qt.InputMethodHint.ImhDialableCharactersOnly,
        "form.street": personal,
        "form.city": personal,
        "form.comment": personal,
    }
    for name, hints in expected.items():
        actual = Qt.InputMethodHint(d.item(name).property("inputMethodHints"))
        assert actual & hints == hints, name


def keyboard_layout(d: Driver) -> str:
    """The on-screen keyboard's current layout: main, digits, dialpad..."""
    panel = d.item("keyboard")
    expr = QQmlExpression(QQmlEngine.contextForObject(panel), panel, "keyboard.layoutType")
    value, _ = expr.evaluate()
    return str(value)


def test_the_keyboard_layout_follows_the_field(d: Driver) -> None:
    to_form(d)
    panel = d.item("keyboard")
    for field, layout in (
        ("form.firstName", "main"),
        ("form.phone", "dialpad"),
        ("form.email", "main"),
        ("form.zip", "digits"),
    ):
        d.click(field)
        d.wait(lambda: bool(panel.property("active")), "the keyboard")
        d.wait(lambda layout=layout: keyboard_layout(d) == layout, f"the {layout} layout")
    d.idle()
    # The field being typed in stays above the keyboard.
    zip_field = d.item("form.zip")
    bottom = zip_field.mapToScene(zip_field.boundingRect().bottomLeft()).y()
    assert bottom <= panel.y()


def test_zip_routes_to_the_local_campaign_and_the_signer_can_change_it(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "47708")
    d.click("form.next")
    d.wait_shown("local.confirm")
    assert d.ui.vm.flow.routedLocal == "evansville"
    assert "Defend Evansville" in d.text("local.title")
    d.click("local.change")
    d.click("local.option.skokie")
    d.wait(lambda: d.ui.vm.flow.chosenLocal == "skokie", "the new choice")
    d.click("local.confirm")
    sign_and_submit(d)
    assert d.ui.kiosk.store.recent(1)[0].signature.meta.local_campaign == "skokie"


def test_a_zip_without_a_local_campaign_signs_the_parent(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.wait_shown("local.confirm")
    assert d.ui.vm.flow.chosenLocal == ""
    assert d.text("local.title") == "Tell Your Mayor to Defy Trump, Expand Sanctuary"
    d.click("local.confirm")
    sign_and_submit(d)
    assert d.ui.kiosk.store.recent(1)[0].signature.meta.local_campaign is None


def test_a_kiosk_fixed_to_a_local_campaign_skips_the_choice(d: Driver) -> None:
    d.ui.vm.staff.setFixedLocal("evansville")
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")  # a Duluth ZIP: the kiosk's fixed campaign wins
    d.click("form.next")
    sign_and_submit(d)
    assert d.ui.kiosk.store.recent(1)[0].signature.meta.local_campaign == "evansville"


def test_the_spanish_keyboard_has_the_n_with_tilde(d: Driver) -> None:
    to_form(d, "es")
    d.click("form.lastName")
    panel = d.item("keyboard")
    expr = QQmlExpression(
        QQmlEngine.contextForObject(panel), panel, "VirtualKeyboardSettings.locale"
    )
    d.wait(lambda: expr.evaluate()[0] == "es_MX", "the Spanish keyboard")
    d.type("Ibáñez")
    assert d.text("form.lastName") == "Ibáñez"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_same_signer_again_is_told_and_not_counted_twice(d: Driver, lang: str) -> None:
    to_form(d, lang)
    fill(d, "José", "Núñez", "47708", "jose@example.org")
    d.click("form.next")
    d.click("local.confirm")
    sign_and_submit(d)
    d.click("thanks.done")
    count = d.ui.kiosk.store.count(SignatureFilter())

    to_form(d, lang)
    fill(d, "JOSÉ", "núñez", "47708")  # same name and ZIP, typed differently
    d.click("form.next")
    d.wait_shown("duplicate.page")
    title = {"en": "You have already signed", "es": "Usted ya firmó"}[lang]
    assert d.text("duplicate.title") == title
    d.click("duplicate.done")
    d.wait_shown("attract.signButton")
    assert d.ui.kiosk.store.count(SignatureFilter()) == count
