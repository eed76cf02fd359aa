"""The console and the rally screen in a real browser (Debian's chromium under Playwright),
walked as a coordinator would, against a real ``kiosk-server serve`` and a real kiosk
(``kiosk enroll``, ``kiosk simulate``, ``kiosk sync`` as subprocesses).

One walk, in order: first admin through the set-up page (a wrong code first), sign out, a wrong
password, sign in; a form without its CSRF token refused; an enrollment code made and a real
kiosk enrolled with it; the rally screen's count rising without a reload as the kiosk syncs;
a PDF packet made as a background job, downloaded and read back (names present, no contact
details); a viewer refused an export; axe-core on every page (no serious or critical
violations); the rally screen surviving a server restart.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

import kiosk
from kiosk.adapters.crypto import SealedBoxOpener, decrypt_private_key
from kiosk.domain.signature import PersonalData
from kiosk.server.db import create_db_engine
from kiosk.server.ingest import SIGNATURES
from tests.console.support import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    AXE,
    DESKTOP,
    PHONE,
    ConsoleServer,
    axe_violations,
    browser,
    first_admin,
    sign_in,
)
from tests.server.coord_support import PASSPHRASE
from tests.sync.helpers import kiosk_cli

# Debian's chromium and axe-core are installed by scripts/bootstrap.sh --test: a machine
# without them fails here rather than skipping.
pytestmark = pytest.mark.slow
CAMPAIGN = "sanctuary-of-safety"
VIEWER_EMAIL = "val@example.org"
VIEWER_PASSWORD = "a viewer's passphrase"


def _check_axe(page: Any, where: str) -> None:
    found = axe_violations(page)
    assert not found, f"{where}: {found}"


def _signed_names(server: ConsoleServer) -> list[tuple[str, PersonalData]]:
    """Every stored signature opened with the organization's key (what a packet may print)."""
    opener = SealedBoxOpener(decrypt_private_key(server.key.path.read_bytes(), PASSPHRASE))
    url = f"sqlite:///{server.live.data_dir / 'kiosk-server.sqlite3'}"
    engine = create_db_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(SIGNATURES.c.id, SIGNATURES.c.sealed)).all()
    finally:
        engine.dispose()
    return [(str(r.id), PersonalData.from_bytes(opener.open(r.sealed))) for r in rows]


def test_a_coordinator_walks_the_console(tmp_path: Path) -> None:
    assert AXE.exists(), "axe-core is not installed: scripts/bootstrap.sh --test"
    with ConsoleServer(tmp_path) as server, browser() as b:
        ctx = b.new_context(viewport=DESKTOP, accept_downloads=True, locale="en-US")
        page = ctx.new_page()

        # -- first run: the set-up page, a wrong code first -----------------------------------
        page.goto(server.base + "/console/")
        assert page.url.endswith("/console/setup")
        _check_axe(page, "setup")
        page.fill("#code", "AAAA-BBBB-CCCC-DDDD")
        page.fill("#email", ADMIN_EMAIL)
        page.fill("#password", ADMIN_PASSWORD)
        page.fill("#password2", ADMIN_PASSWORD)
        page.click("main button[type=submit]")
        assert "set-up code is wrong" in page.inner_text("[role=alert]")
        first_admin(page, server)
        assert ADMIN_EMAIL in page.inner_text("header")
        _check_axe(page, "overview")
        # The set-up page is gone once an admin exists.
        page.goto(server.base + "/console/setup")
        assert page.url.endswith("/console/signin")

        # -- the session cookie -------------------------------------------------------------
        cookie = next(c for c in ctx.cookies() if c["name"] == "kiosk_console")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        # -- sign out, a wrong password, sign in ----------------------------------------------
        page.goto(server.base + "/console/")
        page.click("header form button")
        page.wait_for_url(server.base + "/console/signin")
        _check_axe(page, "signin")
        sign_in(page, server, ADMIN_EMAIL, "not the password at all")
        assert "Wrong email or password" in page.inner_text("[role=alert]")
        sign_in(page, server, ADMIN_EMAIL, ADMIN_PASSWORD)
        page.wait_for_url(server.base + "/console/")

        # -- a form without its CSRF token is refused ----------------------------------------
        r = ctx.request.post(server.base + "/console/kiosks/code", form={"name": "Forged"})
        assert r.status == 403 and "did not come from this console" in r.text()
        r = ctx.request.post(
            server.base + "/console/kiosks/code", form={"name": "Forged", "csrf": "x" * 43}
        )
        assert r.status == 403

        # -- the overview of 179 local campaigns: search and sort ----------------------------
        page.goto(server.base + "/console/campaign/defy-trump-expand-sanctuary")
        rows = page.locator("#locals-table tbody tr")
        assert rows.count() == 179
        page.fill("#q", "town 17")
        visible = page.locator("#locals-table tbody tr:not([hidden])")
        assert visible.count() == 9  # Town 170 to Town 178
        assert all("town 17" in t.lower() for t in visible.all_inner_texts())
        assert page.inner_text("#shown") == "9 shown"
        page.goto(server.base + "/console/campaign/defy-trump-expand-sanctuary?lang=es")
        page.fill("#q", "town 17")
        assert page.inner_text("#shown") == "9 mostradas"
        page.fill("#q", "town 170")
        assert page.inner_text("#shown") == "1 mostrada"  # never "1 mostradas"
        page.goto(server.base + "/console/campaign/defy-trump-expand-sanctuary?lang=en")
        page.goto(
            server.base + "/console/campaign/defy-trump-expand-sanctuary?sort=goal&order=desc"
        )
        goals = [
            int(x.replace(",", ""))
            for x in page.locator("#locals-table tbody tr td:nth-child(4)").all_inner_texts()
        ]
        assert goals == sorted(goals, reverse=True)
        assert page.locator("svg[role=img]").count() == 2
        _check_axe(page, "campaign overview")

        # -- an enrollment code, and a real kiosk enrolled with it ---------------------------
        page.goto(server.base + "/console/kiosks")
        _check_axe(page, "kiosks")
        page.fill("#k-name", "Library kiosk")
        page.click("form[action='/console/kiosks/code'] button")
        code = page.inner_text("#enroll-code").strip()
        assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
        assert page.inner_text("#server-address") == server.base
        _check_axe(page, "enrollment code")
        # At a phone's width the code is one line: it broke as "S2RK-Z3B7-QQF8" over "-ZV7N".
        page.set_viewport_size(PHONE)
        lines = page.evaluate(
            "() => { const r = document.createRange();"
            " r.selectNodeContents(document.getElementById('enroll-code'));"
            " return new Set(Array.from(r.getClientRects(), (x) => Math.round(x.top))).size; }"
        )
        assert lines == 1, lines
        page.set_viewport_size(DESKTOP)
        page.goto(server.base + "/console/kiosks")  # the code is listed as open, not shown
        assert page.inner_text("#open-codes + p + div tbody th") == "Library kiosk"
        assert code not in page.content()
        _check_axe(page, "kiosks with an open code")
        kiosk_dir = tmp_path / "kiosk"
        out = kiosk_cli(kiosk_dir, "enroll", "--server", server.base, "--code", code)
        assert out.returncode == 0, out.stderr
        page.goto(server.base + "/console/kiosks")
        assert page.locator("#open-codes").count() == 0  # used: no longer open
        assert "Library kiosk" in page.inner_text("table")

        # -- the rally screen rises without a reload as the kiosk syncs ----------------------
        rally = ctx.new_page()
        rally.goto(server.base + f"/rally/{CAMPAIGN}?test=1")
        before = int(rally.inner_text("#count").replace(",", ""))
        _check_axe(rally, "rally")
        rally.evaluate("window.__notReloaded = true")
        out = kiosk_cli(kiosk_dir, "simulate", "--signatures", "7", "--campaign", CAMPAIGN)
        assert out.returncode == 0, out.stderr
        out = kiosk_cli(kiosk_dir, "sync")
        assert out.returncode == 0, out.stderr
        # expect() polls from Playwright's own script: the page's CSP forbids the eval that a
        # wait_for_function string would need.
        expect(rally.locator("#count")).to_have_text(f"{before + 7:,}", timeout=5000)
        assert rally.inner_text("#unit") == "signatures"  # rally.js chose the word for the count
        assert rally.evaluate("window.__notReloaded === true")
        assert int(rally.inner_text("#today").replace(",", "")) == 7
        # What the kiosk reported with that sync: nothing left on the tablet, its version.
        page.goto(server.base + "/console/kiosks")
        row = page.locator("tr", has_text="Library kiosk")
        assert row.locator("[data-col=pending]").inner_text() == "0"
        assert row.locator("[data-col=version]").inner_text() == kiosk.__version__

        # -- a PDF packet as a background job, downloaded and read back ----------------------
        page.goto(server.base + "/console/exports")
        _check_axe(page, "exports")
        page.select_option("#x-kind", "pdf")
        page.select_option("#x-campaign", CAMPAIGN)
        page.select_option("#x-local", "")
        page.check("#x-test")
        page.fill("#x-until", datetime.now(UTC).date().isoformat())  # today included
        page.click("form[action='/console/exports'] button")
        link = page.locator(".job a[download]").first
        link.wait_for(timeout=60000)
        with page.expect_download() as info:
            link.click()
        pdf = Path(info.value.path()).read_bytes()
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
        signed = _signed_names(server)
        assert len(signed) == 7
        squeezed = re.sub(r"\s+", " ", text)
        checked = 0
        for _id, who in signed:
            # Words in right-to-left scripts are printed reshaped and reordered (python-bidi):
            # the left-to-right words are compared as written.
            for word in f"{who.first_name} {who.last_name}".split():
                if all(ord(ch) < 0x0590 for ch in word):
                    assert word in squeezed, word
                    checked += 1
            if who.email:
                assert who.email not in text
            if who.phone:
                assert who.phone not in text
            if who.street:
                assert who.street not in text
        assert checked >= 7 and "TEST DATA" in text

        # -- a viewer is refused an export ---------------------------------------------------
        page.goto(server.base + "/console/accounts")
        _check_axe(page, "accounts")
        page.fill("#a-email", VIEWER_EMAIL)
        page.select_option("#a-role", "viewer")
        page.fill("#a-password", VIEWER_PASSWORD)
        page.click("form[action='/console/accounts'] button")
        assert VIEWER_EMAIL in page.inner_text("table")
        viewer_ctx = b.new_context(viewport=PHONE)
        viewer = viewer_ctx.new_page()
        sign_in(viewer, server, VIEWER_EMAIL, VIEWER_PASSWORD)
        viewer.wait_for_url(server.base + "/console/")
        viewer.goto(server.base + "/console/exports")
        viewer.click("form[action='/console/exports'] button")
        assert "Viewers cannot export" in viewer.inner_text("[role=alert]")
        viewer.goto(server.base + "/console/accounts")
        assert "may not do this" in viewer.inner_text("h1")
        r = viewer_ctx.request.get(server.base + f"/console/exports/{'0' * 32}/download")
        assert r.status == 403

        # -- at a phone's width, no page is wider than the screen ----------------------------
        page.set_viewport_size(PHONE)
        for path in (
            "/console/",
            "/console/kiosks",
            "/console/campaigns",
            "/console/exports",
            "/console/audit",
            "/console/accounts",
            "/console/campaign/defy-trump-expand-sanctuary",
        ):
            page.goto(server.base + path)
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            assert widths[0] <= widths[1], (path, widths)
        page.set_viewport_size(DESKTOP)

        # -- the remaining pages pass axe, in Spanish too ------------------------------------
        for path in ("/console/campaigns", "/console/audit", "/console/?lang=es"):
            page.goto(server.base + path)
            _check_axe(page, path)
        assert "Resumen" in page.inner_text("h1")

        # -- the rally screen survives a server restart --------------------------------------
        port = server.live.port
        server.live.stop()
        # "Reconnecting" once no figure has come for 15 s (a short restart goes unnoticed)
        rally.locator("#offline").wait_for(state="visible", timeout=25000)
        server.live.start(port=port)
        rally.locator("#offline").wait_for(state="hidden", timeout=15000)
        out = kiosk_cli(kiosk_dir, "simulate", "--signatures", "2", "--campaign", CAMPAIGN)
        assert out.returncode == 0, out.stderr
        assert kiosk_cli(kiosk_dir, "sync").returncode == 0
        # expect() polls from Playwright's own script: the page's CSP forbids the eval that a
        # wait_for_function string would need.
        expect(rally.locator("#count")).to_have_text(f"{before + 9:,}", timeout=5000)
        assert rally.evaluate("window.__notReloaded === true")
        ctx.close()
        viewer_ctx.close()
