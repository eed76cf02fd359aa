"""The console's trust boundary over real HTTP, on SQLite and PostgreSQL: every page needs a
session, every form its CSRF token, roles are enforced, sign-in attempts are limited in the
database, sessions expire and can be revoked, the set-up code works once, API tokens keep
working, and a campaign upload shows the CLI's own errors. (The browser walk is in
tests/console.)"""

from __future__ import annotations

import ast
import html
import re
import string
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute
from sqlalchemy import Engine, select

from kiosk.domain.campaign_format import CampaignFormatError, load_campaign_file
from kiosk.server import audit as server_audit
from kiosk.server import coordinators
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.console import auth
from kiosk.server.console.i18n import AUDIT_ACTIONS, CAMPAIGN_FILE_ERRORS, audit_action
from kiosk.server.db import write_transaction
from kiosk.server.models import ConsoleSigninLimit
from tests.server.coord_support import CONSOLE_PASSWORD, csrf_of, sign_in
from tests.server.helpers import ApiClient, InProcessServer
from tests.server.live import REPO_ROOT

PASSWORD = CONSOLE_PASSWORD
NOW = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def web(settings: ServerSettings, engine: Engine, clock: Clock) -> Iterator[httpx.Client]:
    with (
        InProcessServer(create_app(settings, engine=engine, clock=clock)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=30) as c,
    ):
        yield c


def account(engine: Engine, email: str, role: str) -> str:
    """Make a coordinator with a console login; return their API token."""
    with write_transaction(engine) as conn:
        new = coordinators.add(conn, email, NOW)
        auth.set_login(conn, new.id, email, role, PASSWORD)
    return new.token


def page_csrf(c: httpx.Client) -> str:
    return csrf_of(c.get("/console/kiosks").text)


# Every console route, with what a request without a session gets.
GETS = [
    "/console/",
    "/console/campaign/sanctuary-of-safety",
    "/console/kiosks",
    "/console/campaigns",
    "/console/exports",
    "/console/exports/{job_id}.json",
    "/console/exports/{job_id}/download",
    "/console/audit",
    "/console/accounts",
    "/console/accounts/{account_id}",
    "/console/forwarding",
]
POSTS = [
    "/console/signin",
    "/console/signout",
    "/console/setup",
    "/console/kiosks/code",
    "/console/kiosks/{device_id}/rename",
    "/console/kiosks/{device_id}/revoke",
    "/console/kiosks/codes/{code_id}/cancel",
    "/console/campaigns/check",
    "/console/campaigns/publish",
    "/console/exports",
    "/console/accounts",
    *(f"/console/accounts/{{account_id}}/{a}" for a in ("role", "password", "revoke")),
    "/console/sessions/{session_id}/revoke",
    "/console/forwarding",
    "/console/forwarding/change",
    *(f"/console/forwarding/{{name}}/{a}" for a in ("pause", "resume", "retry", "remove")),
]
PUBLIC = [
    "/console",
    "/console/signin",
    "/console/setup",
    "/rally/{slug}",
    "/rally/{slug}.json",
    "/rally/{slug}/events",
]


def test_the_lists_cover_every_console_route(settings: ServerSettings, engine: Engine) -> None:
    flat = []
    for r in create_app(settings, engine=engine).routes:
        inner = getattr(r, "original_router", None)  # an included router (FastAPI >= 0.16x)
        flat.extend(inner.routes if inner is not None else [r])
    routes = {
        (m, r.path)
        for r in flat
        if isinstance(r, APIRoute) and not r.path.startswith("/api/")
        for m in r.methods
    }
    listed = (
        {("GET", p.replace("sanctuary-of-safety", "{slug}")) for p in GETS}
        | {("POST", p) for p in POSTS}
        | {("GET", p) for p in PUBLIC}
    )
    assert routes == listed


def test_no_page_without_a_session_and_no_form_without_its_token(
    web: httpx.Client, engine: Engine
) -> None:
    # No admin yet: pages send to the set-up page.
    assert web.get("/console/kiosks").headers["location"] == "/console/setup"
    account(engine, "ana@example.org", "admin")
    for path in GETS:
        r = web.get(path.replace("{job_id}", "0" * 32).replace("{account_id}", "1"))
        assert r.status_code == 303 and r.headers["location"] == "/console/signin", path
    for path in POSTS:
        r = web.post(
            path.format(device_id="x", session_id="y", name="n", account_id="1", code_id="1"),
            data={"name": "n"},
        )
        assert r.status_code == 403, path
        assert "did not come from this console" in r.text
    # Signed in, a form still needs its token, and a token from another site's page is refused.
    assert sign_in(web, "ana@example.org").status_code == 303
    assert web.post("/console/kiosks/code", data={"name": "K"}).status_code == 403
    good = page_csrf(web)
    r = web.post(
        "/console/kiosks/code",
        data={"name": "K", "csrf": good},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403
    r = web.post("/console/kiosks/code", data={"name": "K", "csrf": good})
    assert r.status_code == 200 and 'id="enroll-code"' in r.text


def test_session_cookie_and_security_headers(web: httpx.Client, engine: Engine) -> None:
    account(engine, "ana@example.org", "admin")
    r = sign_in(web, "ana@example.org")
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; behind HTTPS the cookie is Secure
    page = web.get("/console/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-frame-options"] == "DENY"


def test_secure_cookie_behind_https(settings: ServerSettings, engine: Engine) -> None:
    """A request that reached the app as HTTPS (a TLS proxy named in --trusted-proxies makes
    uvicorn report the scheme) gets a Secure session cookie."""
    import asyncio

    account(engine, "ana@example.org", "admin")
    app = create_app(settings, engine=engine)

    async def walk() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://console.test") as c:
            token = csrf_of((await c.get("/console/signin")).text)
            return await c.post(
                "/console/signin",
                data={"csrf": token, "email": "ana@example.org", "password": PASSWORD},
            )

    r = asyncio.run(walk())
    assert r.status_code == 303
    assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]


def test_roles(web: httpx.Client, engine: Engine) -> None:
    account(engine, "ana@example.org", "admin")
    account(engine, "val@example.org", "viewer")
    account(engine, "cole@example.org", "coordinator")
    assert sign_in(web, "val@example.org").status_code == 303
    assert web.get("/console/").status_code == 200
    for query in ("", "?event=ev-1&device=d-1&sort=count&order=desc&q=x"):
        page = web.get(f"/console/campaign/sanctuary-of-safety{query}")  # the charts' SQL, too
        assert page.status_code == 200 and page.text.count("<svg") == 2
    # A count that holds the campaign file's known_count says so (the sheets hold less).
    page = web.get("/console/campaign/defy-trump-expand-sanctuary")
    assert "Including 29,681 signed before the kiosks or elsewhere" in page.text
    from kiosk.domain.campaign_format import load_campaign_file
    from kiosk.server.console import data as console_data

    letter = load_campaign_file(REPO_ROOT / "resources/campaigns/thank-your-sanctuary-mayor.toml")
    plain = console_data.progress(letter, {}, "en")  # no known_count: no note
    assert plain.known == 0 and not plain.known_locals
    token = page_csrf(web)
    for path, data in (
        ("/console/kiosks/code", {"name": "K"}),
        ("/console/accounts", {"email": "x@example.org", "role": "admin", "password": "p" * 12}),
        ("/console/campaigns/publish", {"filename": "a.toml", "content": ""}),
    ):
        r = web.post(path, data={**data, "csrf": token})
        assert r.status_code == 403 and "(viewer) may not do this" in r.text, path
    r = web.post(
        "/console/exports",
        data={"csrf": token, "kind": "csv", "campaign": "sanctuary-of-safety", "lang": "en"},
    )
    assert r.status_code == 403 and "Viewers cannot export" in r.text
    assert web.get("/console/accounts").status_code == 403
    web.cookies.clear()
    assert sign_in(web, "cole@example.org").status_code == 303
    assert web.get("/console/accounts").status_code == 403
    assert web.get("/console/kiosks").status_code == 200


def test_sign_in_attempts_are_limited_in_the_database(
    web: httpx.Client, engine: Engine, settings: ServerSettings, clock: Clock
) -> None:
    account(engine, "ana@example.org", "admin")
    for _ in range(int(auth.EMAIL_BURST)):
        r = sign_in(web, "ana@example.org", "wrong password!!")
        assert r.status_code == 401 and "Wrong email or password" in r.text
    r = sign_in(web, "ana@example.org")  # the right password, but over the limit
    assert r.status_code == 429 and "Too many attempts" in r.text
    with engine.connect() as conn:
        keys = {k for (k,) in conn.execute(select(ConsoleSigninLimit.__table__.c.key))}
    assert "email:ana@example.org" in keys
    # Whoever knows her email cannot lock her out from their address: from hers, she signs in.
    elsewhere = httpx.HTTPTransport(local_address="127.0.0.2")
    with httpx.Client(base_url=web.base_url, transport=elsewhere, timeout=30) as hers:
        assert sign_in(hers, "ana@example.org").status_code == 303
    # The account's own limit counts the attempts of every address.
    with engine.connect() as conn:
        left = conn.execute(
            select(ConsoleSigninLimit.__table__.c.tokens).where(
                ConsoleSigninLimit.__table__.c.key == "email:ana@example.org"
            )
        ).scalar_one()
    assert left == auth.ACCOUNT_BURST - auth.EMAIL_BURST  # her success given back
    # Another server process (a new app on the same database) shares the limit.
    with (
        InProcessServer(create_app(settings, engine=engine, clock=clock)) as other,
        httpx.Client(base_url=other.base_url) as c2,
    ):
        assert sign_in(c2, "ana@example.org").status_code == 429
    clock.now += timedelta(minutes=3)
    assert sign_in(web, "ana@example.org").status_code == 303


def test_sessions_expire_and_can_be_revoked(
    web: httpx.Client, engine: Engine, clock: Clock
) -> None:
    account(engine, "ana@example.org", "admin")
    account(engine, "cole@example.org", "coordinator")
    assert sign_in(web, "cole@example.org").status_code == 303
    assert web.get("/console/").status_code == 200
    clock.now += auth.SESSION_IDLE + timedelta(seconds=1)  # idle too long
    assert web.get("/console/").status_code == 303
    assert sign_in(web, "cole@example.org").status_code == 303
    for _ in range(7):  # active all along, but past the maximum age
        clock.now += timedelta(minutes=110)
        web.get("/console/")
    assert web.get("/console/").status_code == 303
    # An admin ends a session from the accounts page.
    cole = httpx.Client(base_url=str(web.base_url))
    assert sign_in(cole, "cole@example.org").status_code == 303
    web.cookies.clear()
    assert sign_in(web, "ana@example.org").status_code == 303
    page = web.get("/console/accounts").text
    ids = re.findall(r"/console/sessions/([0-9a-f]{64})/revoke", page)
    with engine.connect() as conn:
        coles = {
            s["id"] for s in auth.active_sessions(conn, clock.now) if s["email"].startswith("cole")
        }
    assert coles and coles <= set(ids)
    # Each asks first, naming whose session it is; one's own says it signs one out.
    assert "End this session of cole@example.org? They will have to sign in again." in page
    assert "This is your own session: end it and sign out?" in page
    assert 'aria-label="End session: cole@example.org"' in page
    for sid in coles:
        r = web.post(f"/console/sessions/{sid}/revoke", data={"csrf": page_csrf(web)})
        assert r.status_code == 303
    assert cole.get("/console/").status_code == 303
    # Revoking the coordinator ends their sessions too; signing out ends one's own.
    assert sign_in(cole, "cole@example.org").status_code == 303
    with write_transaction(engine) as conn:
        cid = conn.execute(
            select(coordinators.COORDINATORS.c.id).where(
                coordinators.COORDINATORS.c.email == "cole@example.org"
            )
        ).scalar_one()
        coordinators.revoke(conn, cid, clock.now)
    assert cole.get("/console/").status_code == 303
    assert web.post("/console/signout", data={"csrf": page_csrf(web)}).status_code == 303
    assert web.get("/console/").status_code == 303
    cole.close()


def test_the_set_up_code_works_once(web: httpx.Client, engine: Engine, clock: Clock) -> None:
    with write_transaction(engine) as conn:
        code = auth.make_setup_code(conn, clock.now)
    assert code is not None
    token = csrf_of(web.get("/console/setup").text)
    form = {
        "csrf": token,
        "email": "ana@example.org",
        "password": PASSWORD,
        "password2": PASSWORD,
    }
    r = web.post("/console/setup", data={**form, "code": "0000-0000-0000-0000"})
    assert r.status_code == 403 and "set-up code is wrong" in r.text
    r = web.post("/console/setup", data={**form, "password2": "something else!"})
    assert r.status_code == 400 and "differ" in r.text
    r = web.post("/console/setup", data={**form, "code": code.lower().replace("-", " ")})
    assert r.status_code == 303 and r.headers["location"] == "/console/"
    assert web.get("/console/").status_code == 200
    web.cookies.clear()
    assert web.get("/console/setup").headers["location"] == "/console/signin"
    token = csrf_of(web.get("/console/signin").text)
    r = web.post("/console/setup", data={**form, "csrf": token, "code": code})
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"
    with write_transaction(engine) as conn:
        assert auth.make_setup_code(conn, clock.now) is None  # serve prints none now


def test_api_tokens_keep_working(web: httpx.Client, engine: Engine) -> None:
    token = account(engine, "ana@example.org", "admin")
    r = web.get("/api/v1/stats", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_campaign_upload_shows_the_cli_errors(
    web: httpx.Client, engine: Engine, tmp_path: Path
) -> None:
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    good = (REPO_ROOT / "resources" / "campaigns" / "duluth-sanctuary.toml").read_text()
    bad = good.replace("goal = ", "goal = -", 1)
    path = tmp_path / "duluth-sanctuary.toml"
    path.write_text(bad)
    with pytest.raises(CampaignFormatError) as exc:
        load_campaign_file(path)
    token = csrf_of(web.get("/console/campaigns").text)
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("duluth-sanctuary.toml", bad.encode(), "application/toml")},
    )
    assert r.status_code == 400
    assert str(exc.value).replace("'", "&#39;").replace('"', "&#34;") in r.text
    # A file with several problems: each of them is listed.
    worse = bad.replace('slug = "duluth-sanctuary"', 'slug = "Duluth!"', 1)
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("duluth-sanctuary.toml", worse.encode(), "application/toml")},
    )
    assert r.status_code == 400
    assert "duluth-sanctuary.toml: slug: must be 3-64 characters" in r.text
    assert "duluth-sanctuary.toml: goal: must be at least 1" in r.text
    # 10 KB of nested arrays (tomllib recursed until RecursionError: a 500 before)
    deep = b"a = " + b"[" * 5000 + b"1" + b"]" * 5000 + b"\n"
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("deep.toml", deep, "application/toml")},
    )
    assert r.status_code == 400 and "nested too deeply" in r.text
    r = web.post(
        "/console/campaigns/publish",
        data={"csrf": token, "filename": "deep.toml", "content": deep.decode()},
    )
    assert r.status_code == 400 and "nested too deeply" in r.text
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("duluth-sanctuary.toml", good.encode(), "application/toml")},
    )
    assert r.status_code == 200 and "valid" in r.text and "Publish" in r.text
    content = re.search(r'name="content" value="([^"]*)"', r.text)
    assert content
    r = web.post(
        "/console/campaigns/publish",
        data={"csrf": token, "filename": "duluth-sanctuary.toml", "content": good},
    )
    assert r.status_code == 200 and "duluth-sanctuary: published for the first time" in r.text
    assert "Kiosks pick it up at their next sync" in r.text


def _large_campaign(locals_: int) -> str:
    """A valid campaign file of many local campaigns with Spanish text: each accented letter is
    six bytes once URL-encoded, as a browser sends the Publish form."""
    head = (REPO_ROOT / "tests" / "data" / "mini.toml").read_text().split("[[local]]")[0]
    words = " ".join(["señoría, ñoño: sí, así, acción, él, más"] * 30)
    parts = [head]
    for i in range(locals_):
        parts.append(
            f"""[[local]]
slug = "place-{i}"
place = "Place {i}"
state = "IN"
level = "city"
decision_maker = "Señora Núñez {i}"
goal = 100
[local.decision_maker_title]
en = "Mayor"
[local.title]
en = "Tell Mayor {i} to act"
[local.statement]
en = "Text {i}."
es = "{words} {i}."
"""
        )
    return "\n".join(parts)


def test_a_large_valid_file_the_check_accepts_is_published(
    web: httpx.Client, engine: Engine
) -> None:
    """Publish sends the checked file back in a URL-encoded form field, up to three times its
    size: a valid file of some 600 KB of Spanish text (the limit is 1 MB) passed the check,
    then Publish was a 400 "body is not valid JSON" (a field over the form parser's 1 MiB). A
    form the console cannot read is now said on the console's own page."""
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    token = page_csrf(web)
    text = _large_campaign(400)
    assert 350_000 < len(text.encode()) < 1_000_000
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("large.toml", text.encode(), "application/toml")},
    )
    assert r.status_code == 200 and "Publish" in r.text
    content = re.search(r'name="content" value="([^"]*)"', r.text)
    assert content and html.unescape(content.group(1)) == text
    form = {"csrf": token, "filename": "large.toml", "content": html.unescape(content.group(1))}
    assert len(httpx.QueryParams(form).__str__()) > 1024 * 1024
    r = web.post("/console/campaigns/publish", data=form)
    assert r.status_code == 200 and "mini-test: published for the first time" in r.text
    # A form the console cannot read (a field over every file's size, more fields than any
    # form has, a broken multipart body): its page, in the page's language, never JSON.
    for body, kind in (
        ({"csrf": token, "content": "a" * 3_100_000}, None),
        ({"csrf": token, **{f"f{i}": "x" for i in range(60)}}, None),
        (b"--x\r\nbroken", "multipart/form-data"),
    ):
        if kind is None:
            r = web.post("/console/campaigns/publish", data=body)
        else:
            r = web.post("/console/campaigns/publish", content=body, headers={"Content-Type": kind})
        assert r.status_code == 400, r.text[:200]
        assert r.headers["content-type"].startswith("text/html"), r.text[:200]
        assert "This form could not be read" in r.text


def test_rally_shows_counts_and_nothing_personal(web: httpx.Client) -> None:
    r = web.get("/rally/sanctuary-of-safety.json")
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"campaign", "count", "goal", "today", "moving", "test"}
    assert web.get("/rally/no-such-campaign").status_code == 404
    page = web.get("/rally/sanctuary-of-safety?lang=es")
    assert page.status_code == 200
    # The unit agrees with the count ("1 firma", not "1 firmas"), on the page and as rally.js
    # moves the count (it reads both words from the page).
    assert body["count"] != 1 and '">firmas</span>' in page.text
    assert 'data-one="firma" data-many="firmas"' in page.text


def test_cli_adds_console_accounts(db_url: str, tmp_path: Path) -> None:
    def run(
        *args: str, env: dict[str, str] | None = None, stdin: str = ""
    ) -> subprocess.CompletedProcess[str]:
        import os

        return subprocess.run(
            [sys.executable, "-m", "kiosk.server.cli", "--database-url", db_url, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
            cwd=REPO_ROOT,
            timeout=60,
            check=False,
        )

    out = run(
        "coordinators",
        "add",
        "--email",
        "Ana@Example.org",
        "--role",
        "admin",
        "--password-env",
        "PW",
        env={"PW": PASSWORD},
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("kc_")  # the API token, as before
    out = run("coordinators", "add", "--email", "bo@example.org", stdin="short\n")
    assert out.returncode != 0 and "at least 12 characters" in out.stderr
    out = run("coordinators", "add", "--email", "bo@example.org", stdin="")  # nothing typed
    assert out.returncode != 0 and "no password: give --password-env VAR" in out.stderr
    out = run("coordinators", "add", "--email", "ana@example.org", stdin=PASSWORD + "\n")
    assert out.returncode != 0 and "already has an account" in out.stderr
    out = run("coordinators", "add", "--email", "cy@example.org", "--role", "boss", stdin=PASSWORD)
    assert out.returncode == 2 and "invalid choice" in out.stderr


def test_every_word_of_the_pages_is_in_both_languages() -> None:
    from kiosk.server.console.i18n import MESSAGES

    templates = Path(auth.__file__).parent / "templates"
    used: set[str] = set()
    for page in templates.glob("*.html"):
        used |= set(re.findall(r"""\bt\(\s*["']([a-z_]+)["']""", page.read_text()))
    assert used, "no t() calls found"
    # Keys made from a prefix and a value: every value has its key.
    assert {k for k in used if k.endswith("_")} == {
        "role_",
        "state_",
        "fwd_result_",
        "fwd_why_",
        "fwd_skip_",
    }
    used = {k for k in used if not k.endswith("_")}
    used |= {f"role_{r}" for r in ("admin", "coordinator", "viewer")}
    used |= {f"state_{s}" for s in ("queued", "running", "done", "failed")}
    # The Forwarding page: what became of a failed attempt, why, and why skipped.
    from kiosk.server.console.forwarding import _SKIP_KEYS
    from kiosk.server.forwarding.explain import CODES

    used |= {f"fwd_result_{r}" for r in ("retry", "dead", "rate_limited")}
    used |= {f"fwd_why_{c}" for c in CODES}
    used |= {f"fwd_skip_{r}" for r in (*_SKIP_KEYS, "other")}
    assert used <= set(MESSAGES), sorted(used - set(MESSAGES))
    for key, (en, es) in MESSAGES.items():
        assert en.strip() and es.strip() and (key in ("other_lang",) or en != es or key == "app"), (
            key
        )


def test_charts_and_rally_count_what_the_totals_count(engine: Engine, tmp_path: Path) -> None:
    """Voided, quarantined and synthetic signatures are left out of the charts and the rally's
    "today" as they are out of the totals (test data counts only when asked for)."""
    from kiosk.server import devices
    from kiosk.server.console import data
    from kiosk.server.ingest import store_push
    from kiosk.server.keys import load_keyring
    from kiosk.server.tallies import FACTS
    from kiosk.wire import PushRequest
    from tests.server.conftest import make_code
    from tests.server.coord_support import PASSPHRASE, make_key
    from tests.server.helpers import signature, void

    now = datetime.now(UTC)
    code = make_code(engine)
    with write_transaction(engine) as conn:
        device = devices.enroll(conn, code, None, now).device_id
    offsets = [-300, 330, 345, -570, 60]  # whole hours or not: each one's local date exact
    sigs = [
        signature(created_at=now - timedelta(minutes=37 * i + 1), utc_offset_minutes=offsets[i])
        for i in range(5)
    ]
    sigs[0] = signature(created_at=now - timedelta(minutes=1), synthetic=True)
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(signatures=sigs[:2] + sigs[3:]), now, None)
    # sigs[2] arrives while the server has a key, which does not open its (random) contents.
    ring = load_keyring([make_key(tmp_path).path], PASSPHRASE)
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(signatures=[sigs[2]]), now, ring)
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(voids=[void(sigs[1].id)]), now, None)
    with engine.connect() as conn:
        state = conn.execute(
            select(FACTS.c.state).where(FACTS.c.signature_id == sigs[2].id)
        ).scalar_one()
    assert state == "quarantined"
    slug = "sanctuary-of-safety"
    with engine.connect() as conn:
        ch = data.charts(conn, slug, now - timedelta(days=2))
        hours, days = ch.hours, ch.days
        camp = data.campaign(conn, slug)
        assert camp is not None
        plain = data.rally(conn, camp, now - timedelta(hours=3), now, None, False)
        test = data.rally(conn, camp, now - timedelta(hours=3), now, None, True)
        other_event = data.rally(conn, camp, now - timedelta(hours=3), now, "no-such", False)
    assert sum(hours.values()) == 2 and sum(days.values()) == 2
    expected: dict[str, int] = {}
    for sig in sigs[3:]:
        day = (sig.created_at + timedelta(minutes=sig.utc_offset_minutes)).date().isoformat()
        expected[day] = expected.get(day, 0) + 1
        hour = sig.created_at.astimezone(UTC).strftime("%Y-%m-%dT%H")
        assert hours.get(hour, 0) >= 1
    assert days == expected
    assert plain["today"] == 2 and test["today"] == 3 and other_event["today"] == 0
    assert test["count"] == plain["count"] + 1  # the synthetic one, under TEST DATA


def test_a_nul_anywhere_is_a_clear_refusal_never_a_500(web: httpx.Client, engine: Engine) -> None:
    """PostgreSQL refuses NUL in text: every lookup a NUL reached was a 500 with a traceback
    (the sign-in limiter's too, so a flood of them was never limited). Refused up front now,
    on both databases, before any route or SQL sees it."""
    for path in (
        "/rally/sanctuary-of-safety.json?event=%00",
        "/rally/sanctuary-of-safety/events?event=%00",
        "/console/exports/%00.json",
        "/api/v1/health?x=%00",
    ):
        r = web.get(path)
        assert r.status_code == 400 and r.json()["error"] == "bad_request", path
    for path in (  # a page a browser shows: the console's page saying so
        "/rally/sanctuary-of-safety?event=%00",
        "/console/campaign/sanctuary-of-safety?device=a%00b",
    ):
        r = web.get(path)
        assert r.status_code == 400 and "cannot be used (NUL, %00)" in r.text, path
    account(engine, "ana@example.org", "admin")
    token = csrf_of(web.get("/console/signin").text)
    for _ in range(3):
        r = web.post(
            "/console/signin", data={"csrf": token, "email": "a\x00@x.org", "password": "p" * 12}
        )
        assert r.status_code == 400 and "cannot be stored (NUL)" in r.text
    assert sign_in(web, "ana@example.org").status_code == 303
    token = page_csrf(web)
    for path, data in (
        ("/console/kiosks/%00/rename", {"name": "x"}),
        ("/console/sessions/%00/revoke", {}),
    ):
        assert web.post(path, data={**data, "csrf": token}).status_code == 400, path
    good = (REPO_ROOT / "resources" / "campaigns" / "duluth-sanctuary.toml").read_text()
    r = web.post(
        "/console/campaigns/publish",
        data={"csrf": token, "filename": "a\x00b.toml", "content": good},
    )
    assert r.status_code == 400 and "cannot be stored (NUL)" in r.text
    # An uploaded file's own name with a NUL or control characters: checked, not a 500.
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("duluth\x00\x07.toml", good.encode(), "application/toml")},
    )
    assert r.status_code == 200 and "valid" in r.text, r.text[:300]
    # A name too long for a file name (120 three-byte letters): checked under a shortened
    # name; the server's temporary path is never shown.
    r = web.post(
        "/console/campaigns/check",
        data={"csrf": token},
        files={"file": ("ñ" * 120 + ".toml", good.encode(), "application/toml")},
    )
    assert r.status_code == 200 and "valid" in r.text, r.text[:300]
    assert "/tmp" not in r.text and "kiosk-console-" not in r.text
    # Ending a session that does not exist changes nothing, so nothing is audited.
    r = web.post(f"/console/sessions/{'0' * 64}/revoke", data={"csrf": token})
    assert r.status_code == 303
    with engine.connect() as conn:
        actions = [e.action for e in server_audit.server_entries(conn)]
    assert "console_session_revoked" not in actions


def test_a_kiosks_reported_error_is_shown_in_words_in_both_languages(
    web: httpx.Client, engine: Engine
) -> None:
    """The kiosks page said ``offline``; it says what that means (the code stays in the title,
    named as a code in the page's language: a bare ``offline`` was English on the Spanish
    page), in the page's language; a code from a newer kiosk is shown as it is."""
    import json

    from kiosk.server.console.i18n import KIOSK_ERRORS
    from kiosk.sync.status import SyncErrorCode
    from tests.server.conftest import make_code
    from tests.server.helpers import ApiClient

    assert set(KIOSK_ERRORS) == {c.value for c in SyncErrorCode}  # every code a kiosk sends
    device = ApiClient.enroll(web, make_code(engine, "Library kiosk"))
    report = {"pending": 2, "app_version": "0.1.0", "last_error": "offline"}
    assert device.post_raw(json.dumps(report), path="/report").status_code == 204
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    english = web.get("/console/kiosks").text
    assert 'title="Error code the kiosk sent: offline">could not reach the server<' in english
    spanish = web.get("/console/kiosks?lang=es").text
    assert 'title="Código de error que envió el quiosco: offline">no pudo llegar al servidor<' in (
        spanish
    )
    assert 'title="offline"' not in spanish
    newer = {**report, "last_error": "quantum_flux"}
    assert device.post_raw(json.dumps(newer), path="/report").status_code == 204
    assert ': quantum_flux">quantum_flux<' in web.get("/console/kiosks?lang=en").text


def test_text_versions_are_counted_as_signatures_arrive_and_once_on_upgrade(
    api: ApiClient, engine: Engine
) -> None:
    """The campaigns page's "signed" per text version comes from a running count (it counted
    the campaign's signatures at every view: 0.55 s with 200,000 stored); migration 0018 counts
    the signatures stored before it."""
    from kiosk.server import migrate
    from kiosk.server.console import data
    from tests.server.helpers import signature

    slug = "defy-trump-expand-sanctuary"

    def signed() -> dict[str, int]:
        with engine.connect() as conn:
            return {v["hash"]: v["signed"] for v in data.text_versions(conn, slug) if v["signed"]}

    with engine.connect() as conn:
        parent = next(v["hash"] for v in data.text_versions(conn, slug) if v["local"] is None)
    api.push([signature(campaign=slug, text_version=parent) for _ in range(3)])
    api.push([signature(campaign=slug, text_version=parent, synthetic=True)])
    assert signed() == {parent: 4}  # every stored signature, as the page always counted them
    migrate.downgrade(engine, "0017")
    assert signed() == {}
    migrate.upgrade(engine)
    assert signed() == {parent: 4}


def test_a_count_of_one_is_singular_in_both_languages() -> None:
    from kiosk.server.console.i18n import MESSAGES, translate

    assert translate("es", "records", n="1") == "1 firma"
    assert translate("en", "records", n="1") == "1 signature"
    assert translate("es", "records", n="1,000") == "1,000 firmas"
    assert translate("es", "chart_total", n="1") == "1 firma en este periodo"
    assert translate("es", "fwd_retried", n=1, name="hook") == (
        "1 firma descartada de hook en cola otra vez."
    )
    for key in (k for k in MESSAGES if k.endswith("_one")):
        assert key.removesuffix("_one") in MESSAGES, key


def _campaign_error_templates() -> set[str]:
    """Every message template the campaign-file validator and its callers can write."""
    found: set[str] = set()
    for rel in (
        "kiosk/domain/campaign_format.py",
        "kiosk/server/campaigns.py",
        "kiosk/sync/campaigns.py",
    ):
        tree = ast.parse((REPO_ROOT / rel).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            index = {"fail": 1, "campaign_error": 2}.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                found.add(arg.value)
    return found


def test_every_campaign_file_error_is_in_spanish() -> None:
    templates = _campaign_error_templates()
    assert len(templates) > 30  # the walk found the validator's messages
    missing = sorted(templates - set(CAMPAIGN_FILE_ERRORS))
    assert not missing, f"campaign-file errors with no Spanish: {missing}"
    for en, es in CAMPAIGN_FILE_ERRORS.items():
        names = {n for _, n, _, _ in string.Formatter().parse(en) if n}
        assert names == {n for _, n, _, _ in string.Formatter().parse(es) if n}, en


def test_a_bad_campaign_file_is_explained_in_the_pages_language(
    web: httpx.Client, engine: Engine
) -> None:
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    good = (REPO_ROOT / "resources" / "campaigns" / "duluth-sanctuary.toml").read_text()
    cases = [
        (good.replace("goal = ", "goal = -", 1), "must be at least 1", "debe ser como mínimo 1"),
        (
            good.replace("goal = ", 'goal = "many"\nx_goal = ', 1),
            "unknown key",
            "clave desconocida",
        ),
        (
            good.replace("goal = ", "goal = true\n# ", 1),
            "must be an integer, not a boolean",
            "debe ser un número entero, no un valor lógico (true/false)",
        ),
        (good + "\n[[[", "is not valid TOML", "no es TOML válido"),
        (  # where the parser stopped, in the page's words; its own words named as English
            good.replace("goal = ", "goal = = ", 1),
            "is not valid TOML at line ",
            "no es TOML válido en la línea ",
        ),
    ]
    for content, english, spanish in cases:
        for lang, words in (("en", english), ("es", spanish)):
            page = web.get(f"/console/campaigns?lang={lang}").text
            r = web.post(
                "/console/campaigns/check",
                data={"csrf": csrf_of(page)},
                files={"file": ("duluth-sanctuary.toml", content.encode(), "application/toml")},
            )
            assert r.status_code == 400
            assert "duluth-sanctuary.toml: " in r.text and words in r.text, (lang, words)
    # The Spanish page says no English sentence of the validator.
    r_text = r.text
    assert "is not valid TOML" not in r_text
    assert "(el analizador dice, en inglés: Invalid value)" in r_text


def _audit_actions_written() -> set[str]:
    """Every action the server's code can write to its audit trail."""
    calls = {"record_server": 1, "_audit": 1, "_record": 1, "_audit_export": 2}
    expand = {  # the two actions built from a value
        "f'{roster.noun}_revoked'": {"device_revoked", "coordinator_revoked"},
        "f'export_{args.export_kind}'": {"export_csv", "export_pdf"},
    }
    found: set[str] = set()
    for path in (REPO_ROOT / "kiosk" / "server").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            index = calls.get(name)
            if index is None or len(node.args) <= index:
                continue
            arg = node.args[index]
            parts = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            for part in parts:
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    found.add(part.value)
                elif isinstance(part, ast.JoinedStr):
                    source = ast.unparse(part)
                    assert source in expand, f"{path.name}: an action built as {source}"
                    found |= expand[source]
    return found


def test_every_audit_action_is_in_words_in_both_languages(
    web: httpx.Client, engine: Engine
) -> None:
    written = _audit_actions_written()
    assert {"coordinator_added", "forward_round", "export_pdf"} <= written  # the walk works
    missing = sorted(written - set(AUDIT_ACTIONS))
    assert not missing, f"audit actions with no words: {missing}"
    # The page: the words in the page's language, the code beneath them.
    account(engine, "ana@example.org", "admin")
    with write_transaction(engine) as conn:
        server_audit.record_server(conn, "coordinator_added", {"role": "viewer"}, NOW)
    assert sign_in(web, "ana@example.org").status_code == 303
    english = web.get("/console/audit?lang=en").text
    assert "Account added" in english and "coordinator_added" in english
    spanish = web.get("/console/audit?lang=es").text
    assert "Cuenta creada" in spanish and "Account added" not in spanish
    assert audit_action("es", "from_a_newer_server") == "from_a_newer_server"


def test_the_check_says_what_publishing_changes(web: httpx.Client, engine: Engine) -> None:
    account(engine, "ana@example.org", "admin")
    assert sign_in(web, "ana@example.org").status_code == 303
    good = (REPO_ROOT / "resources" / "campaigns" / "duluth-sanctuary.toml").read_text()

    def check(content: str, lang: str = "en") -> str:
        page = web.get(f"/console/campaigns?lang={lang}").text
        r = web.post(
            "/console/campaigns/check",
            data={"csrf": csrf_of(page)},
            files={"file": ("duluth-sanctuary.toml", content.encode(), "application/toml")},
        )
        assert r.status_code == 200, r.text[-400:]
        return html.unescape(r.text)

    assert "This campaign is new" in check(good)
    token = csrf_of(web.get("/console/campaigns").text)
    r = web.post(
        "/console/campaigns/publish",
        data={"csrf": token, "filename": "duluth-sanctuary.toml", "content": good},
    )
    assert r.status_code == 200
    assert "Nothing changes: this is the file already published." in check(good)
    changed = good.replace("goal = 200", "goal = 500", 1).replace(
        "[[updates]]",
        '[[updates]]\nposted_at = 2026-12-01T10:00:00\ntext.en = "Council vote set."\n\n[[updates]]',
        1,
    )
    english = check(changed)
    assert "Goal: 200 → 500." in english and "1 update added." in english
    spanish = check(changed, "es")
    assert "Meta: 200 → 500." in spanish and "1 novedad nueva." in spanish


@pytest.mark.parametrize("off_many", [False, True], ids=["by-id", "by-window"])
def test_the_short_range_counts_take_off_voided_and_quarantined_either_way(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, off_many: bool
) -> None:
    """The rally's short-range counts take the voided and quarantined signatures off by id when
    they are fewer than the signatures matched, and by testing the matched ones against them
    when they are more (a flood of unreadable ones): both give the count of the signatures that
    are neither, per local campaign, with test data or without."""
    from kiosk.server import devices
    from kiosk.server.console import data
    from kiosk.server.ingest import SIGNATURES, store_push
    from kiosk.server.keys import load_keyring
    from kiosk.wire import PushRequest
    from tests.server.conftest import make_code
    from tests.server.coord_support import PASSPHRASE, make_key
    from tests.server.helpers import signature, void

    now = datetime.now(UTC)
    code = make_code(engine)
    with write_transaction(engine) as conn:
        device = devices.enroll(conn, code, None, now).device_id
    slug, locals_ = "defy-trump-expand-sanctuary", ["evansville", "skokie", None]
    sigs = [
        signature(
            campaign=slug,
            local_campaign=locals_[i % 3],
            created_at=now - timedelta(minutes=5 * i + 1),
            synthetic=i % 7 == 0,
        )
        for i in range(36)
    ]
    opened = [s for i, s in enumerate(sigs) if i % 4]  # the others arrive under a key: quarantined
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(signatures=opened), now, None)
    ring = load_keyring([make_key(tmp_path).path], PASSPHRASE)
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(signatures=sigs[::4]), now, ring)
    voided = {s.id for i, s in enumerate(sigs) if i % 5 == 1}
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(voids=[void(v) for v in voided]), now, None)
    quarantined = {s.id for s in sigs[::4]}
    monkeypatch.setattr(data, "_off_count", lambda conn: 10**9 if off_many else 0)
    s = SIGNATURES.c
    since = now - timedelta(minutes=100)
    for test_data in (False, True):
        expected: Counter[tuple[str | None]] = Counter(
            (sig.local_campaign,)
            for sig in sigs
            if sig.created_at >= since
            and sig.id not in voided | quarantined
            and (test_data or not sig.synthetic)
        )
        with engine.connect() as conn:
            got = data._grouped(
                conn, [s.local_campaign], [s.campaign == slug, s.created_at >= since], test_data
            )
            total = data._total(conn, [s.campaign == slug], test_data)
        assert got == expected
        assert total == sum(
            1
            for sig in sigs
            if sig.id not in voided | quarantined and (test_data or not sig.synthetic)
        )


def test_the_quarantine_lists_in_the_order_signatures_were_found_unreadable(
    engine: Engine, tmp_path: Path
) -> None:
    """The quarantine's list (the audit page's first 200, ``quarantine list``) is in the order
    the signatures were read and found unreadable, ties by id, and a limit takes the first."""
    from kiosk.server import devices
    from kiosk.server.ingest import store_push
    from kiosk.server.keys import load_keyring
    from kiosk.server.tallies import quarantined
    from kiosk.wire import PushRequest
    from tests.server.conftest import make_code
    from tests.server.coord_support import PASSPHRASE, make_key
    from tests.server.helpers import signature

    start = datetime.now(UTC)
    code = make_code(engine)
    with write_transaction(engine) as conn:
        device = devices.enroll(conn, code, None, start).device_id
    ring = load_keyring([make_key(tmp_path).path], PASSPHRASE)
    pushes = [[signature() for _ in range(4)] for _ in range(3)]
    for i, sigs in enumerate(reversed(pushes)):  # the newest signatures are read first
        with write_transaction(engine) as conn:
            store_push(
                conn, device, PushRequest(signatures=sigs), start + timedelta(minutes=i), ring
            )
    expected = [str(s.id) for sigs in reversed(pushes) for s in sorted(sigs, key=lambda s: s.id)]
    with engine.connect() as conn:
        assert [q["id"] for q in quarantined(conn)] == expected
        assert [q["id"] for q in quarantined(conn, limit=5)] == expected[:5]


def test_an_export_of_only_test_data_says_how_to_print_it(engine: Engine, tmp_path: Path) -> None:
    """After a trial with simulated signers, "nothing exported" says the synthetic ones were
    left out and how to ask for them, as ``kiosk export`` does."""
    from kiosk.server import devices, exports
    from kiosk.server.ingest import store_push
    from kiosk.server.keys import load_keyring
    from kiosk.wire import PushRequest
    from tests.server.conftest import make_code
    from tests.server.coord_support import PASSPHRASE, make_key
    from tests.server.helpers import signature

    now = datetime.now(UTC)
    code = make_code(engine)
    with write_transaction(engine) as conn:
        device = devices.enroll(conn, code, None, now).device_id
    sigs = [signature(synthetic=True), signature(synthetic=True)]
    with write_transaction(engine) as conn:
        store_push(conn, device, PushRequest(signatures=sigs), now, None)
    ring = load_keyring([make_key(tmp_path).path], PASSPHRASE)
    with engine.connect() as conn, pytest.raises(exports.ExportError) as refused:
        exports.export_packets(conn, ring, exports.ExportQuery("sanctuary-of-safety"))
    assert "2 synthetic signatures (test data) left out" in str(refused.value)
    assert "--include-synthetic" in str(refused.value)
    with engine.connect() as conn, pytest.raises(exports.ExportError) as again:
        exports.export_packets(
            conn, ring, exports.ExportQuery("sanctuary-of-safety", include_synthetic=True)
        )
    assert "synthetic" not in str(again.value)  # asked for: they were read (and unreadable)
