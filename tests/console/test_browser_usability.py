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


EN_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
ES_MONTHS = ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic"]


def test_moments_are_shown_in_the_readers_time_zone_and_language(tmp_path: Path) -> None:
    """The server writes UTC; a coordinator in Chicago reads Chicago's time, with the month in
    the page's language (the UTC text stays as the title; without script it is what shows)."""
    with ConsoleServer(tmp_path) as server, browser() as b:
        context = b.new_context(viewport=DESKTOP, locale="en-US", timezone_id="America/Chicago")
        page = context.new_page()
        first_admin(page, server)
        for lang, months in (("en", EN_MONTHS), ("es", ES_MONTHS)):
            page.goto(server.base + f"/console/accounts?lang={lang}")
            moments = page.eval_on_selector_all(
                "time[datetime]",
                "els => els.map(e => [e.getAttribute('datetime'), e.textContent, e.title])",
            )
            assert moments, "no moment on the accounts page"
            for iso, shown, title in moments:
                assert iso.endswith("Z") and title.endswith(" UTC"), (iso, title)
                # The zone's name where the language has one, else its offset ("GMT-6" in Spanish).
                zones = ("CST", "CDT") if lang == "en" else ("CST", "CDT", "GMT-6", "GMT-5")
                assert "UTC" not in shown and any(z in shown for z in zones), shown
                # Chicago's hour: the UTC hour less 6 (standard time) or 5 (daylight time).
                local_hour = int(
                    page.evaluate(
                        "iso => new Date(iso).toLocaleString('en-US', {timeZone:"
                        " 'America/Chicago', hour: 'numeric', hourCycle: 'h23'})",
                        iso,
                    )
                )
                assert (int(iso[11:13]) - local_hour) % 24 in (5, 6)
                if lang == "en":  # a 12-hour clock in U.S. English, a 24-hour one in Spanish
                    hour = f"{local_hour % 12 or 12:02d}:{iso[14:16]}"
                    assert hour in shown and ("AM" if local_hour < 12 else "PM") in shown, shown
                else:
                    assert f"{local_hour:02d}:{iso[14:16]}" in shown, (iso, shown)
                month = page.evaluate(
                    "iso => new Date(iso).toLocaleString('en-US', {timeZone:"
                    " 'America/Chicago', month: 'numeric'})",
                    iso,
                )
                assert months[int(month) - 1] in shown, (lang, shown)
        # The export form's dates are days of this browser's zone, and it says so.
        page.goto(server.base + "/console/exports?lang=en")
        assert page.input_value("#x-tz") == "America/Chicago"
        assert "America/Chicago" in page.locator("#x-tz-note").inner_text()
        page.close()
        # Without script: the UTC text the server wrote.
        plain = b.new_context(viewport=DESKTOP, java_script_enabled=False)
        plain.add_cookies(context.cookies())
        still = plain.new_page()
        still.goto(server.base + "/console/accounts?lang=en")
        texts = still.eval_on_selector_all("time[datetime]", "els => els.map(e => e.textContent)")
        assert texts and all(t.endswith(" UTC") for t in texts), texts
        still.goto(server.base + "/console/exports?lang=en")
        assert still.input_value("#x-tz") == "UTC"
        assert still.locator("#x-tz-note").inner_text() == "Dates are whole days in UTC."


def test_an_accounts_page_reads_well_on_desktop_and_phone(tmp_path: Path) -> None:
    with ConsoleServer(tmp_path) as server, browser() as b:
        page = b.new_context(viewport=DESKTOP, locale="en-US").new_page()
        first_admin(page, server)
        page.goto(server.base + "/console/accounts")
        page.fill("#a-email", "cy@example.org")
        page.select_option("#a-role", "coordinator")
        page.fill("#a-password", "a long enough passphrase")
        page.click("form[action='/console/accounts'] button[type=submit]")
        page.click("table a:has-text('cy@example.org')")
        assert page.locator("h1").inner_text() == "cy@example.org"
        page.select_option("#r-role", "viewer")
        page.click("form[action$='/role'] button[type=submit]")
        assert (
            "The role of cy@example.org is changed." in page.locator("[role=status]").inner_text()
        )
        for lang in ("en", "es"):
            page.goto(page.url.split("?")[0] + f"?lang={lang}")
            for viewport in (DESKTOP, PHONE):
                page.set_viewport_size(viewport)
                widths = page.evaluate(
                    "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
                )
                assert widths[0] <= widths[1], (lang, viewport, widths)
                assert not axe_violations(page), axe_violations(page)
        # Revoking asks first; the answer "no" changes nothing.
        page.once("dialog", lambda d: d.dismiss())
        page.click("form[action$='/revoke'] button[type=submit]")
        assert page.locator("form[action$='/revoke']").count() == 1
        page.once("dialog", lambda d: d.accept())
        page.click("form[action$='/revoke'] button[type=submit]")
        assert page.locator("form[action$='/revoke']").count() == 0


def test_a_campaign_file_over_the_body_limit_shows_the_consoles_page(tmp_path: Path) -> None:
    """Chromium showed the API's JSON ``{"error": "body_too_large", ...}`` for a 9 MB file,
    in English on a Spanish console. The server answers before reading the body and closes the
    connection: the browser still shows its page, and the link goes back to the upload."""
    big = tmp_path / "big.toml"
    big.write_bytes(b"# " + b"x" * (9 * 1024 * 1024) + b"\n")
    with ConsoleServer(tmp_path) as server, browser() as b:
        page = b.new_context(viewport=DESKTOP, locale="es-ES").new_page()
        first_admin(page, server)
        page.goto(server.base + "/console/campaigns?lang=es")
        page.set_input_files("#c-file", str(big))
        with page.expect_navigation():
            page.click("form[action='/console/campaigns/check'] button[type=submit]")
        assert page.url == server.base + "/console/campaigns/check"
        assert "más grande de lo que el servidor acepta" in page.inner_text("h1")
        assert not axe_violations(page), axe_violations(page)
        page.click("text=Volver a la página de la que venía")
        page.wait_for_url(server.base + "/console/campaigns?lang=es")
        assert page.locator("#c-file").count() == 1
