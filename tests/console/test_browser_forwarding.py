"""The console's Forwarding page in a real browser (Debian's chromium under Playwright) against a
real ``kiosk-server serve`` (issue #16): signatures already forwarded by a real forwarder to real
receivers on 127.0.0.1 (one voided since, dead letters at a second webhook, skips at an OSDI
endpoint); the admin adds a webhook from the page and sees its made secret once, pauses and
resumes a destination, retries the dead letters and removes one destination; axe-core on the
page in English and Spanish, at desktop and phone widths (no serious or critical violations)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from kiosk.server.forwarding.destinations import new_webhook_secret
from tests.console.support import (
    AXE,
    DESKTOP,
    LOCAL_CAMPAIGN,
    PHONE,
    ConsoleServer,
    axe_violations,
    browser,
    first_admin,
    seed_signatures,
)
from tests.server.coord_support import PASSPHRASE
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import (
    FaultScript,
    OsdiServer,
    WebhookReceiver,
    running,
)

pytestmark = pytest.mark.slow
HOOK = new_webhook_secret()
FAILING = new_webhook_secret()


def test_an_admin_works_the_forwarding_page(tmp_path: Path) -> None:
    assert AXE.exists(), "axe-core is not installed: scripts/bootstrap.sh --test"
    with (
        ConsoleServer(tmp_path) as server,
        browser() as b,
        running(WebhookReceiver(HOOK)) as rx,
        running(WebhookReceiver(FAILING, FaultScript(next=["http500"] * 3))) as bad,
        running(OsdiServer("an-scene-token")) as an,
    ):
        url = f"sqlite:///{server.live.data_dir / 'kiosk-server.sqlite3'}"
        seed_signatures(url, server.key, tmp_path / "campaigns" / f"{LOCAL_CAMPAIGN}.toml", 40)
        scene = s.console_scene(
            url, server.live.data_dir, server.key.path, PASSPHRASE,
            ((rx.url, HOOK), (bad.url, FAILING)), an.url(), LOCAL_CAMPAIGN,
        )  # fmt: skip
        assert len(rx.deliveries) == 40 and bad.faults.injected["http500"] == 3
        ctx = b.new_context(viewport=DESKTOP, locale="en-US")
        page = ctx.new_page()
        first_admin(page, server)
        page.click("nav >> text=Forwarding")
        page.wait_for_url(server.base + "/console/forwarding")
        hook = page.locator("tr[data-destination='crm-hook'] td")
        expect(hook.nth(1)).to_have_text("active")
        expect(hook.nth(4)).to_have_text("40")  # sent
        archive = page.locator("tr[data-destination='archive'] td")
        expect(archive.nth(5)).to_have_text("3")  # dead
        expect(page.locator("tr[data-destination='an-local'] td").nth(6)).not_to_have_text("0")
        expect(page.locator("#fwd-voided")).to_contain_text(scene["voided"])
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            assert not axe_violations(page), f"forwarding {size}: {axe_violations(page)}"
        page.set_viewport_size(DESKTOP)

        # Add a webhook without a secret: the page shows the one it made, once.
        page.fill("#f-name", "new-hook")
        page.select_option("#f-kind", "webhook")
        page.select_option("#f-target", LOCAL_CAMPAIGN)
        page.fill("#f-url", rx.url)
        page.click("#fwd-add button[type=submit]")
        expect(page.locator("p.notice")).to_have_text("Destination new-hook added.")
        made = page.locator("#fwd-secret").inner_text()
        assert made.startswith("whsec_")
        assert not axe_violations(page), axe_violations(page)
        page.goto(server.base + "/console/forwarding")
        assert made not in page.content()

        # Pause and resume, retry the dead letters, remove one destination.
        page.click("button[aria-label='Pause archive']")
        expect(page.locator("tr[data-destination='archive'] td").nth(1)).to_have_text("paused")
        page.click("button[aria-label='Resume archive']")
        expect(page.locator("tr[data-destination='archive'] td").nth(1)).to_have_text("active")
        page.click("button[aria-label='Retry dead letters archive']")
        expect(page.locator("p.notice")).to_have_text("3 dead letters of archive queued again.")
        expect(archive.nth(2)).to_have_text("3")  # pending again
        remove = page.locator("form[action='/console/forwarding/new-hook/remove']")
        remove.locator("input[name=confirm]").fill("new-hook")
        remove.locator("button.danger").click()
        expect(page.locator("p.notice")).to_have_text("Destination new-hook removed.")
        expect(page.locator("tr[data-destination='new-hook']")).to_have_count(0)

        # In Spanish, on a phone.
        page.goto(server.base + "/console/forwarding?lang=es")
        expect(page.locator("h1")).to_have_text("Reenvío")
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            assert not axe_violations(page), f"forwarding es {size}: {axe_violations(page)}"
        ctx.close()
