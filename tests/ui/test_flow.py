"""The whole signer flow through the real QML, by finger-like clicks, in both languages."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import PersonalData
from kiosk.ui.automation import Driver
from tests.ui.conftest import FAST, PASSPHRASE
from tests.ui.steps import fill, sign_and_submit, to_form

pytestmark = pytest.mark.gui

THANKS = {"en": "Thank you for signing!", "es": "¡Gracias por firmar!"}


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_signer_signs_in_english_or_spanish(d: Driver, lang: str) -> None:
    kiosk = d.ui.kiosk
    before = kiosk.store.count(SignatureFilter())
    to_form(d, lang)
    fill(d, "José", "Núñez", "47708", "jose@example.org")
    d.click("form.optIn")
    d.click("form.next")

    d.wait_shown("local.confirm")
    target = {"en": "To: Mayor Denise Lynn", "es": "Para: Alcaldesa Denise Lynn"}[lang]
    assert d.text("local.target") == target
    d.click("local.confirm")
    assert d.text("pad.review").startswith("José Núñez")
    sign_and_submit(d)

    assert d.text("thanks.title") == THANKS[lang]
    assert kiosk.store.count(SignatureFilter()) == before + 1
    stored = kiosk.store.recent(1)[0]
    meta = stored.signature.meta
    assert (meta.campaign, meta.local_campaign, meta.lang) == (
        "defy-trump-expand-sanctuary",
        "evansville",
        lang,
    )
    personal = PersonalData.from_bytes(kiosk.keys.unlock(PASSPHRASE).open(stored.signature.sealed))
    assert (personal.first_name, personal.last_name, personal.zip) == ("José", "Núñez", "47708")
    campaign = kiosk.catalog.get("defy-trump-expand-sanctuary")
    assert campaign.consent is not None
    assert personal.opt_in and personal.consent_text == campaign.consent.get(lang)
    assert personal.ink.is_enough()
    times = [p.t for s in personal.ink.strokes for p in s]
    assert times == sorted(times)

    d.click("thanks.done")
    d.wait_shown("attract.signButton")
    assert d.ui.vm.i18n.language == "en"
    assert d.ui.vm.flow.entryEmpty


def test_the_signature_is_on_disk_before_the_thank_you(d: Driver) -> None:
    kiosk = d.ui.kiosk
    seen: list[int] = []

    def on_step() -> None:
        if d.ui.vm.flow.step == "thanks":
            seen.append(kiosk.store.count(SignatureFilter()))

    d.ui.vm.flow.stepChanged.connect(on_step)
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")  # no local campaign for Duluth: the parent campaign
    sign_and_submit(d)
    assert seen == [1]


def test_the_thank_you_returns_to_the_attract_screen_by_itself(
    make_ui: Callable[..., Driver],
) -> None:
    d = make_ui(config=dataclasses.replace(FAST, thanks_s=0.3))
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")  # no local campaign for Duluth: the parent campaign
    sign_and_submit(d)
    d.wait(lambda: d.ui.vm.flow.step == "attract", "the automatic return")
    d.wait_shown("attract.signButton")


def test_a_campaign_without_local_campaigns_goes_straight_to_the_pad(d: Driver) -> None:
    d.ui.vm.staff.setActiveCampaign("duluth-sanctuary")
    to_form(d)
    fill(d, "Lee", "Moua", "55802")
    d.click("form.next")
    d.wait_shown("pad.canvas")
    sign_and_submit(d)
    meta = d.ui.kiosk.store.recent(1)[0].signature.meta
    assert (meta.campaign, meta.local_campaign) == ("duluth-sanctuary", None)


def test_back_goes_one_step_back_and_keeps_the_entry(d: Driver) -> None:
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.back")
    d.wait_shown("petition.continueButton")
    d.click("petition.continueButton")
    assert d.text("form.firstName") == "Ana"
    d.click("form.next")
    d.wait_shown("local.back")
    d.click("local.back")
    d.wait_shown("form.next")
    d.click("form.back")
    d.click("petition.back")
    d.wait_shown("attract.signButton")
    assert d.ui.vm.flow.entryEmpty


def test_a_screen_that_is_left_goes_at_once(d: Driver) -> None:
    """The next screen fades in over nothing: the one left is hidden in the same frame, not
    faded out, so two screens never mix and the names of the one left (its top bar's
    ``lang.en``, ``a11y.options``) are not shown on a screen that has none (issue: the
    signing screen faded out for 180 ms over the thank-you screen)."""
    to_form(d)
    fill(d, "Ana", "Pérez", "55802")
    d.click("form.next")
    d.click("local.confirm")
    d.wait_shown("pad.canvas")
    d.sign()
    pad = d.item("pad.page")
    seen: list[tuple[str, bool, bool]] = []

    def on_step() -> None:
        seen.append((d.ui.vm.flow.step, pad.isVisible(), d.shown("a11y.options")))

    d.ui.vm.flow.stepChanged.connect(on_step)
    d.click("pad.submit")
    d.wait(lambda: d.ui.vm.flow.step == "thanks", "the thank-you")
    for _ in range(20):  # the length of a fade, frame by frame
        d.frame(0.05)
        on_step()
    assert seen and all(step == "thanks" for step, _, _ in seen)
    assert not any(visible or options for _, visible, options in seen), seen
