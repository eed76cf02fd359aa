"""Test support for the console: a real server with an organization key, Debian's chromium
driven by Playwright, axe-core in the page, and a campaign with 179 local campaigns.

Used by ``tests/console`` and by ``scripts/console_screenshots.py``. Playwright is pointed at
the system Chromium (``/usr/bin/chromium``, installed by ``scripts/bootstrap.sh --test``);
Playwright's own browser downloads are never used. axe-core comes from the npm registry, pinned
in ``tests/console/package.json`` and installed by the same script into
``tests/console/node_modules``.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.server.coord_support import PASSPHRASE, OrgKey, make_key
from tests.server.live import REPO_ROOT, LiveServer

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CAMPAIGNS = REPO_ROOT / "resources" / "campaigns"
LOCAL_CAMPAIGN = "defy-trump-expand-sanctuary"
ADMIN_EMAIL = "ana@example.org"
ADMIN_PASSWORD = "a long admin passphrase"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    """The system Chromium (Debian's ``chromium``)."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Debian's chromium is not installed: run scripts/bootstrap.sh --test")


def wide_campaign(directory: Path, count: int = 179) -> Path:
    """A copy of the shipped campaign with local campaigns, grown to ``count`` (one per mayor,
    as the seed campaign has), written to ``directory``; returns the file."""
    src = (CAMPAIGNS / f"{LOCAL_CAMPAIGN}.toml").read_text(encoding="utf-8")
    data = tomllib.loads(src)
    first = data["local"][0]
    # Keep the shipped local campaigns as they are and add generated ones after them.
    blocks = re.split(r"(?m)^\[\[local\]\]\s*$", src)
    head, locals_ = blocks[0], blocks[1:]
    template = locals_[0]
    extra = []
    template = re.sub(r"(?m)^#.*\n", "", template)
    mayors = ["Rosa Díaz", "Tom Baker", "Amara Okafor", "Lena Park", "José Ruiz", "Kim Nguyen"]
    for i in range(len(locals_), count):
        block = template.replace(first["slug"], f"town-{i:03d}")
        block = block.replace(first["place"], f"Town {i:03d}")
        block = block.replace(first["decision_maker"], mayors[i % len(mayors)])
        block = re.sub(r"(?m)^goal = \d+$", f"goal = {50 + (i * 37) % 400}", block)
        block = re.sub(r"(?m)^zips = \[.*\]$", "zips = []", block)
        extra.append(block)
    out = directory / f"{LOCAL_CAMPAIGN}.toml"
    out.write_text(head + "".join("[[local]]" + b for b in locals_ + extra), encoding="utf-8")
    return out


class ConsoleServer:
    """A live ``kiosk-server serve`` with an organization key and the shipped campaigns (the
    local-campaign one grown to 179), and the set-up code it printed."""

    def __init__(self, tmp: Path, database_url: str | None = None) -> None:
        self.tmp = tmp
        self.key: OrgKey = make_key(tmp)
        self.live = LiveServer(
            database_url=database_url,
            data_dir=tmp / "server",
            extra_args=(
                "--org-public-key",
                self.key.public_b64,
                "--org-private-key-file",
                str(self.key.path),
            ),
            # the forwarding walks' receivers are on 127.0.0.1, which an operator must allow
            env={
                "KIOSK_ORG_KEY_PASSPHRASE": PASSPHRASE,
                "KIOSK_FORWARD_ALLOW_NETWORKS": "127.0.0.1,::1",
            },
        )
        (tmp / "server").mkdir(exist_ok=True)
        (tmp / "campaigns").mkdir(exist_ok=True)

    def __enter__(self) -> ConsoleServer:
        files = [str(p) for p in sorted(CAMPAIGNS.glob("*.toml")) if LOCAL_CAMPAIGN not in p.name]
        files.append(str(wide_campaign(self.tmp / "campaigns")))
        self.live.cli("campaigns", "import", *files)
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(None, None, None)

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return self.live.base_url

    def setup_code(self) -> str:
        """The last set-up code ``serve`` printed."""
        text = self.live.log_path.read_text(errors="replace")
        codes = re.findall(r"console set-up code .*: ([0-9A-Z-]{19})", text)
        if not codes:
            raise AssertionError("serve printed no set-up code:\n" + text[-2000:])
        return codes[-1]


@contextmanager
def browser() -> Iterator[Any]:
    """A headless system Chromium under Playwright."""
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), headless=True, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core in the page; the serious and critical violations (id, impact, nodes)."""
    if not AXE.exists():
        raise RuntimeError(f"{AXE} is missing: run scripts/bootstrap.sh --test (npm ci)")
    # Evaluated through the DevTools protocol: the page's CSP (no inline script) stays on.
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def first_admin(page: Any, server: ConsoleServer) -> None:
    """Make the first admin through the set-up page."""
    page.goto(server.base + "/console/")
    page.fill("#code", server.setup_code())
    page.fill("#name", "Ana")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    page.fill("#password2", ADMIN_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.base + "/console/")


def sign_in(page: Any, server: ConsoleServer, email: str, password: str) -> None:
    """Sign in through the sign-in page."""
    page.goto(server.base + "/console/signin")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main button[type=submit]")


def _letters(i: int) -> str:
    """A made-up surname per number (letters only, as the form's rule wants)."""
    out = ""
    while True:
        out += "abcdefghijklmnopqrstuvwxyz"[i % 26]
        i //= 26
        if not i:
            return "Sig" + out


def seed_signatures(
    database_url: str,
    key: OrgKey,
    campaign_file: Path,
    count: int,
    devices_n: int = 12,
    days: int = 30,
    now: datetime | None = None,
) -> list[str]:
    """Push ``count`` signatures of a campaign through the server's own ingest path
    (``store_push`` with the private key, batches of 500), spread over its local campaigns (an
    uneven share each), ``devices_n`` enrolled kiosks, three events and the last ``days`` days
    (busier lately). Returns the device ids. Names are made up; no contact details."""
    import base64
    import json
    import random

    from kiosk.adapters.crypto import SealedBoxSealer
    from kiosk.domain.campaign_format import load_campaign_file
    from kiosk.domain.ids import uuid7
    from kiosk.domain.ink import encode_ink
    from kiosk.server import devices
    from kiosk.server.db import create_db_engine, write_transaction
    from kiosk.server.ingest import store_push
    from kiosk.server.keys import load_keyring
    from kiosk.wire import PushRequest, WireEvent, WireSignature
    from tests.helpers import ink

    rng = random.Random(15)
    now = now or datetime.now(UTC)
    camp = load_campaign_file(campaign_file)
    engine = create_db_engine(database_url)
    ring = load_keyring([key.path], PASSPHRASE)
    device_ids = []
    with write_transaction(engine) as conn:
        for d in range(devices_n):
            code = devices.create_enrollment_code(conn, f"Kiosk {d + 1}", timedelta(hours=1), now)
            device_ids.append(devices.enroll(conn, code.code, None, now).device_id)
    events = [
        WireEvent(id=f"ev-{i}", name=name, location=place, started_at=now - timedelta(days=d))
        for i, (name, place, d) in enumerate(
            [
                ("Town hall rally", "City Hall steps", 0),
                ("Farmers market", "Main St", 3),
                ("Campus tabling", "Student union", 12),
            ]
        )
    ]
    locals_ = [loc.slug for loc in camp.locals] or [None]
    weights = [1 + (i * 7919) % 23 for i in range(len(locals_))]
    versions = {loc: camp.current_version(loc).hash for loc in locals_}
    inked = base64.b64encode(encode_ink(ink(3))).decode()
    sealer = SealedBoxSealer(key.public)
    first = ["Ana", "Luis", "Mei", "Omar", "Rosa", "Sam", "Tariq", "Uma", "Wen", "Yara"]
    pushed = 0
    try:
        while pushed < count:
            n = min(500, count - pushed)
            device = device_ids[(pushed // 500) % len(device_ids)]
            sigs = []
            for i in range(pushed, pushed + n):
                loc = rng.choices(locals_, weights)[0]
                age = timedelta(hours=rng.random() ** 2.5 * days * 24)
                personal = {
                    "v": 1,
                    "first_name": first[i % len(first)],
                    "last_name": _letters(i),
                    "zip": "47708",
                    "ink": inked,
                    "email": "",
                    "phone": "",
                    "street": "",
                    "city": "",
                    "state": "",
                    "comment": "",
                    "opt_in": False,
                    "consent_text": "",
                }
                sigs.append(
                    WireSignature(
                        id=uuid7(),
                        campaign=camp.slug,
                        local_campaign=loc,
                        text_version=versions[loc],
                        lang="en" if i % 3 else "es",
                        kiosk_id=f"kiosk-{device[:8]}",
                        event_id=events[i % 3].id if age < timedelta(days=1) or i % 2 else None,
                        created_at=now - age,
                        utc_offset_minutes=-300,
                        synthetic=False,
                        sealed=sealer.seal(json.dumps(personal).encode()),
                    )
                )
            with write_transaction(engine) as conn:
                store_push(
                    conn,
                    device,
                    PushRequest(signatures=sigs, events=events if pushed == 0 else []),
                    now,
                    ring,
                )
                seen = now - timedelta(minutes=rng.randint(1, 50))
                conn.execute(  # seen, and what it reported then (as POST /report keeps it)
                    devices.Device.__table__.update()
                    .where(devices.Device.__table__.c.id == device)
                    .values(
                        last_seen_at=seen,
                        reported_at=seen,
                        report_pending=rng.choice([0, 0, 0, 2, 17]),
                        report_version="0.1.0",
                    )
                )
            pushed += n
        with write_transaction(engine) as conn:  # one kiosk not seen for two days: stale
            conn.execute(
                devices.Device.__table__.update()
                .where(devices.Device.__table__.c.id == device_ids[-1])
                .values(
                    last_seen_at=now - timedelta(days=2),
                    reported_at=now - timedelta(days=2),
                    report_pending=48,
                    report_version="0.0.9",
                    report_error="offline",
                    report_error_at=now - timedelta(days=2, hours=3),
                )
            )
    finally:
        engine.dispose()
    return device_ids
