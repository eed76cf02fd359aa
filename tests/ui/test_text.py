"""Campaign text on screen: plain text only, paragraphs, letters, local campaigns, numbers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtGui import QFontMetricsF
from PySide6.QtQml import QQmlEngine, QQmlExpression
from PySide6.QtQuick import QQuickItem

from kiosk.app import Kiosk
from kiosk.ui.automation import Driver
from tests.helpers import DATA

pytestmark = pytest.mark.gui


def is_plain_text(item: QQuickItem) -> bool:
    """Evaluate ``textFormat === Text.PlainText`` on the item, in its QML context."""
    expr = QQmlExpression(QQmlEngine.contextForObject(item), item, "textFormat === Text.PlainText")
    value, undefined = expr.evaluate()
    assert not undefined and not expr.hasError(), expr.error().toString()
    return bool(value)


def test_campaign_text_is_shown_as_plain_text_never_as_markup(
    make_kiosk: Callable[..., Kiosk], make_ui: Callable[..., Driver]
) -> None:
    kiosk = make_kiosk()
    kiosk.import_campaign(DATA / "mini.toml")
    kiosk.store.set_setting("active_campaign", "mini-test")
    d = make_ui(kiosk)
    d.wait_shown("attract.title")
    title = d.item("attract.title")
    assert title.property("text") == "A <b>test</b> & petition"
    assert is_plain_text(title)
    # Rendered literally: the tags take room like any other characters.
    literal = QFontMetricsF(title.property("font")).horizontalAdvance("A <b>test</b> & petition")
    assert title.property("contentWidth") == pytest.approx(literal, rel=0.02)
    d.click("attract.signButton")
    d.wait_shown("petition.title")  # the petition screen, not the one still being built
    assert d.text("petition.title") == "A <b>test</b> & petition"
    # "\n\n" separates paragraphs.
    assert d.text("petition.statement.0") == "We ask for things."
    assert d.text("petition.statement.1") == "Second paragraph."
    # Every text showing campaign or signer content is plain text.
    names = (
        "attract.title",
        "attract.target",
        "petition.title",
        "petition.target",
        "petition.statement.0",
        "petition.background.0",
    )
    for name in names:
        assert is_plain_text(d.item(name)), name


def test_progress_counts_local_signatures_and_uses_the_languages_numbers(d: Driver) -> None:
    assert d.text("attract.progress") == "29,681 of 30,000 signatures"
    d.click("lang.es")
    d.wait(lambda: d.text("attract.progress") == "29,681 de 30,000 firmas", "Spanish numbers")


def test_a_letter_sets_the_signed_statement_apart(d: Driver) -> None:
    d.ui.vm.staff.setActiveCampaign("thank-your-sanctuary-mayor")
    d.click("attract.signButton")
    d.wait_shown("petition.letterStatement")
    assert d.text("petition.statement.0").startswith("Thanks for your leadership")
    assert d.text("petition.background.0").startswith("Two to 3 million")
    assert d.text("petition.continueButton") == "Sign this letter"


def test_dated_updates_are_shown(d: Driver) -> None:
    d.ui.vm.staff.setActiveCampaign("duluth-sanctuary")
    d.click("attract.signButton")
    d.wait_shown("petition.title")
    assert d.ui.vm.flow.petition["updates"][0]["date"] == "January 31, 2017"
    d.click("lang.es")
    d.wait(lambda: d.ui.vm.flow.petition["updates"][0]["date"] == "31 de enero de 2017", "es")


def test_a_local_statement_equal_to_the_background_is_shown_once(d: Driver) -> None:
    # Evansville's statement is the parent campaign's background, word for word.
    d.ui.vm.staff.setFixedLocal("evansville")
    d.click("attract.signButton")
    d.wait_shown("petition.title")
    p = d.ui.vm.flow.petition
    assert p["statement"] and p["background"] == []
    assert d.find("petition.background.0") is None
    assert d.text("petition.target") == "To: Mayor Denise Lynn"
