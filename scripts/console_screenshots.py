"""Screenshots of every console page and the rally screen, at desktop and phone widths, into
docs/screenshots/console-*.png.

A real ``kiosk-server serve`` (SQLite in a temporary folder) with the shipped campaigns (the
local-campaign one grown to 179 local campaigns), 3,000 made-up signatures pushed through the
server's own ingest path, twelve kiosks (one not seen for two days), an admin made through the
set-up page; Debian's chromium under Playwright takes the pictures.

    .venv/bin/python scripts/console_screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from tests.console.support import (
    DESKTOP,
    LOCAL_CAMPAIGN,
    PHONE,
    ConsoleServer,
    browser,
    first_admin,
    seed_signatures,
)
from tests.server.forwarding.support import console_screens as forwarding_screens

RALLY_TV = {"width": 1920, "height": 1080}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    parser.add_argument("--signatures", type=int, default=3000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="console-shots-") as tmp:
        tmp_path = Path(tmp)
        with ConsoleServer(tmp_path) as server, browser() as b:
            url = f"sqlite:///{server.live.data_dir / 'kiosk-server.sqlite3'}"
            seed_signatures(
                url, server.key, tmp_path / "campaigns" / f"{LOCAL_CAMPAIGN}.toml", args.signatures
            )
            ctx = b.new_context(viewport=DESKTOP, locale="en-US")
            page = ctx.new_page()

            def shot(name: str, target: object = None, full: bool = True) -> None:
                p = target or page
                for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                    p.set_viewport_size(size)
                    path = args.out / f"console-{name}-{label}.png"
                    # Chromium now and then answers "Unable to capture screenshot" right after
                    # a resize: the next frame takes it.
                    for attempt in range(3):
                        try:
                            p.screenshot(path=str(path), full_page=full)
                            break
                        except PlaywrightError:
                            if attempt == 2:
                                raise
                            p.wait_for_timeout(300)
                    made.append(path)
                p.set_viewport_size(DESKTOP)

            page.goto(server.base + "/console/setup")
            shot("setup")
            first_admin(page, server)
            shot("overview")
            page.goto(server.base + f"/console/campaign/{LOCAL_CAMPAIGN}?sort=count&order=desc")
            shot("campaign", full=False)
            page.goto(server.base + f"/console/campaign/{LOCAL_CAMPAIGN}?lang=es&event=ev-0")
            shot("campaign-es", full=False)
            page.goto(server.base + "/console/kiosks?lang=en")
            page.fill("#k-name", "Library kiosk")
            page.click("form[action='/console/kiosks/code'] button")
            shot("enroll-code")
            page.goto(server.base + "/console/kiosks")  # with the code just made, still open
            shot("kiosks")
            page.goto(server.base + "/console/campaigns")
            bad = tmp_path / "duluth-sanctuary.toml"
            text = (REPO_ROOT / "resources" / "campaigns" / "duluth-sanctuary.toml").read_text()
            # Three problems, each listed (a file's every problem is reported at once).
            bad.write_text(
                text.replace("goal = ", "goal = -", 1)
                .replace('slug = "duluth-sanctuary"', 'slug = "Duluth Sanctuary"', 1)
                .replace("organization = ", 'colour = "red"\norganization = ', 1)
            )
            page.set_input_files("#c-file", str(bad))
            page.click("form[action='/console/campaigns/check'] button")
            shot("campaigns")
            # A valid file that changes the published one: what publishing it would change.
            changed = tmp_path / "changed" / "duluth-sanctuary.toml"
            changed.parent.mkdir()
            changed.write_text(
                text.replace("goal = 200", "goal = 500", 1).replace(
                    "[[updates]]",
                    "[[updates]]\nposted_at = 2026-12-01T10:00:00\n"
                    'text.en = "The council votes on December 15."\n'
                    'text.es = "El concejo vota el 15 de diciembre."\n\n[[updates]]',
                    1,
                )
            )
            page.goto(server.base + "/console/campaigns?lang=es")
            page.set_input_files("#c-file", str(changed))
            page.click("form[action='/console/campaigns/check'] button")
            shot("campaigns-changes-es", full=False)
            page.goto(server.base + "/console/campaigns?lang=en")
            page.goto(server.base + "/console/exports")
            page.select_option("#x-kind", "csv")
            page.select_option("#x-campaign", LOCAL_CAMPAIGN)
            page.click("form[action='/console/exports'] button")
            page.locator(".job a[download]").first.wait_for(timeout=120000)
            shot("exports")
            page.goto(server.base + "/console/audit")
            shot("audit")
            page.goto(server.base + "/console/accounts")
            shot("accounts")
            page.click("table a[href^='/console/accounts/']")
            shot("account")
            forwarding_screens(page, server, shot, LOCAL_CAMPAIGN)  # the Forwarding page (#16)
            ctx.close()
            anon = b.new_context(viewport=DESKTOP, locale="en-US").new_page()
            anon.goto(server.base + "/console/signin")
            shot("signin", anon)
            anon.goto(server.base + "/console/signin?lang=es")
            shot("signin-es", anon)
            anon.set_viewport_size(RALLY_TV)
            anon.goto(server.base + f"/rally/{LOCAL_CAMPAIGN}?event=ev-0&lang=en")
            anon.wait_for_timeout(1500)
            path = args.out / "console-rally-1920x1080.png"
            anon.screenshot(path=str(path))
            made.append(path)
            anon.set_viewport_size(PHONE)
            path = args.out / "console-rally-phone.png"
            anon.screenshot(path=str(path), full_page=True)
            made.append(path)
            anon.set_viewport_size(RALLY_TV)
            anon.goto(server.base + f"/rally/{LOCAL_CAMPAIGN}?lang=es")
            anon.wait_for_timeout(1000)
            path = args.out / "console-rally-es-1920x1080.png"
            anon.screenshot(path=str(path))
            made.append(path)
    for p in made:
        print(p.relative_to(REPO_ROOT) if p.is_relative_to(REPO_ROOT) else p)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
