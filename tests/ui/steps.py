"""Steps of the signer flow, as a finger would do them (by object name)."""

from __future__ import annotations

from kiosk.ui.automation import Driver


def choose_language(d: Driver, lang: str) -> None:
    """Tap ``lang``'s switch (any screen with one: the attract screen, staff mode, the first
    start) unless it is English, the default; wait until the screen is in it."""
    if lang != "en":
        d.click(f"lang.{lang}")
        d.wait(lambda: d.ui.vm.i18n.language == lang, "the language switch")


def to_form(d: Driver, lang: str = "en") -> None:
    """From the attract screen to an empty form, in ``lang``."""
    d.wait_shown("attract.signButton")
    choose_language(d, lang)
    d.click("attract.signButton")
    d.click("petition.continueButton")
    d.wait_shown("form.firstName")


def fill(
    d: Driver, first: str = "", last: str = "", zip_code: str = "", email: str = "", phone: str = ""
) -> None:
    """Type into the form's fields (empty values are left alone)."""
    for name, value in (
        ("form.firstName", first),
        ("form.lastName", last),
        ("form.zip", zip_code),
        ("form.email", email),
        ("form.phone", phone),
    ):
        if value:
            d.fill(name, value)


def to_pad(d: Driver, first: str, last: str, zip_code: str) -> None:
    """From the attract screen, through the petition, the form (these details) and the local
    campaign's confirmation, to the signature screen."""
    d.click("attract.signButton")
    d.click("petition.continueButton")
    fill(d, first, last, zip_code)
    d.click("form.next")
    d.click("local.confirm")


def sign_and_submit(d: Driver) -> None:
    """Draw a signature and submit it; wait for the thank-you screen."""
    d.wait_shown("pad.canvas")
    d.sign()
    d.click("pad.submit")
    d.wait_shown("thanks.page")
