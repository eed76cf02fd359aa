"""A signer whose ZIP has no local campaign of the active campaign, where another installed
campaign addresses their place, is offered that one (issue: a Duluth signer of the national
campaign and the Duluth petition to Mayor Emily Larson)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kiosk.ui.automation import Driver
from tests.ui.steps import fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui

OFFER = {
    "en": "There is a petition to your mayor, Emily Larson: sign that one instead?",
    "es": "Hay una petición dirigida a su alcaldesa, Emily Larson. ¿Quiere firmar esa en su lugar?",
}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_duluth_signer_is_offered_the_duluth_petition(d: Driver, lang: str) -> None:
    to_form(d, lang)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.wait_shown("local.offer.accept")
    assert d.text("local.explain") == OFFER[lang]
    d.click("local.offer.accept")
    d.wait(lambda: d.ui.vm.flow.signing["slug"] == "duluth-sanctuary", "the Duluth petition")
    title = {
        "en": "We want Duluth to be a sanctuary city!",
        "es": "¡Queremos que Duluth sea una ciudad santuario!",
    }[lang]
    assert d.text("local.title") == title
    assert not d.shown("local.offer.accept")
    d.click("local.confirm")
    sign_and_submit(d)
    meta = d.ui.kiosk.store.recent(1)[0].signature.meta
    assert (meta.campaign, meta.local_campaign) == ("duluth-sanctuary", None)


def test_declining_the_offer_signs_the_main_campaign(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.wait_shown("local.offer.accept")
    d.click("local.confirm")
    sign_and_submit(d)
    meta = d.ui.kiosk.store.recent(1)[0].signature.meta
    assert (meta.campaign, meta.local_campaign) == ("defy-trump-expand-sanctuary", None)


def test_no_offer_where_a_local_campaign_exists_or_nothing_addresses_the_place(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "47708")  # Evansville: its own local campaign
    d.click("form.next")
    d.wait_shown("local.confirm")
    assert not d.shown("local.offer.accept")
    d.click("local.back")
    d.click("form.zip")
    for _ in range(5):
        d.key(Qt.Key.Key_Backspace)
    d.type("10001")  # New York: nothing installed addresses it
    assert d.text("form.zip") == "10001"
    d.click("form.next")
    d.wait_shown("local.confirm")
    assert not d.shown("local.offer.accept")
    assert d.text("local.explain").startswith("There is no local campaign for your ZIP code yet")
