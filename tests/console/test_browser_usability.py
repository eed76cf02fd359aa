"""What the usability review (branch review-f) found in a real browser: the export form listed
every campaign's local campaigns under whichever campaign was chosen (a pick from another
campaign was refused with a general error), and the webhook secret made for a new destination
widened a phone's page to 515 px."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.support import (
    DESKTOP,
    LOCAL_CAMPAIGN,
    PHONE,
    ConsoleServer,
    axe_violations,
    browser,
    first_admin,
)

pytestmark = pytest.mark.slow


def test_export_form_and_made_secret_fit_what_was_chosen(tmp_path: Path) -> None:
    with ConsoleServer(tmp_path) as server, browser() as b:
        page = b.new_context(viewport=DESKTOP, locale="en-US").new_page()
        first_admin(page, server)

        page.goto(server.base + "/console/exports")
        shown = "els => els.filter(e => !e.hidden).map(e => e.dataset.campaign || '')"
        page.select_option("#x-campaign", "sanctuary-of-safety")
        assert set(page.eval_on_selector_all("#x-local option", shown)) == {""}
        page.select_option("#x-campaign", LOCAL_CAMPAIGN)
        mine = page.eval_on_selector_all("#x-local option", shown)
        assert len(mine) == 2 + 179 and set(mine) == {"", LOCAL_CAMPAIGN}
        places = page.eval_on_selector_all(
            "#x-local option[data-campaign]", "els => els.map(e => e.textContent)"
        )
        assert places == sorted(places)  # one among 179 is found by its place's name
        page.select_option("#x-local", "skokie")
        page.select_option("#x-campaign", "sanctuary-of-safety")  # not Skokie's campaign
        assert page.input_value("#x-local") == "*"

        page.goto(server.base + "/console/forwarding")
        page.fill("#f-name", "crm-hook")
        page.select_option("#f-kind", "webhook")
        page.fill("#f-url", "http://127.0.0.1:9/hook")
        page.click("#fwd-add button[type=submit]")
        assert page.locator("#fwd-secret").inner_text().startswith("whsec_")
        page.set_viewport_size(PHONE)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], widths
        assert not axe_violations(page), axe_violations(page)
