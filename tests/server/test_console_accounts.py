"""An admin manages accounts in the console: changes a role, sets a new password (a forgotten or
leaked one), revokes an account; the only active admin can be neither demoted nor revoked. Each
change takes effect at once (sessions, API token) and goes to the server's audit trail."""

from __future__ import annotations

import html
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from kiosk.server import audit as server_audit
from kiosk.server import coordinators
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.console import auth
from kiosk.server.db import write_transaction
from tests.server.coord_support import CONSOLE_PASSWORD, csrf_of, sign_in
from tests.server.helpers import InProcessServer

NOW = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)
NEW_PASSWORD = "a new long passphrase 2026"


@pytest.fixture
def base_url(settings: ServerSettings, engine: Engine) -> Iterator[str]:
    with InProcessServer(create_app(settings, engine=engine, clock=lambda: NOW)) as srv:
        yield srv.base_url


def make(engine: Engine, email: str, role: str) -> tuple[int, str]:
    """An account with a console login: (its id, its API token)."""
    with write_transaction(engine) as conn:
        new = coordinators.add(conn, email, NOW)
        auth.set_login(conn, new.id, email, role, CONSOLE_PASSWORD)
    return new.id, new.token


@contextmanager
def browser(base_url: str, email: str, password: str = CONSOLE_PASSWORD) -> Iterator[httpx.Client]:
    """A client signed in as ``email``."""
    with httpx.Client(base_url=base_url, timeout=30) as c:
        assert sign_in(c, email, password).status_code == 303
        yield c


def post(c: httpx.Client, path: str, **form: str) -> httpx.Response:
    """Send an account's form; a change is answered with a redirect to the account's page,
    which is followed (as a browser does)."""
    token = csrf_of(c.get("/console/accounts").text)
    r = c.post(path, data={"csrf": token, **form})
    if r.status_code == 303 and r.headers["location"].startswith("/console/accounts/"):
        return c.get(r.headers["location"])
    return r


def actions(engine: Engine) -> list[tuple[str, dict[str, Any]]]:
    with engine.connect() as conn:
        return [(e.action, e.detail) for e in server_audit.server_entries(conn, limit=50)]


def signed_in(c: httpx.Client) -> bool:
    r = c.get("/console/")
    return r.status_code == 200


def test_an_admin_changes_a_role_sets_a_password_and_revokes(base_url: str, engine: Engine) -> None:
    admin_id, _ = make(engine, "ana@example.org", "admin")
    cy_id, cy_token = make(engine, "cy@example.org", "coordinator")
    with browser(base_url, "ana@example.org") as ana, browser(base_url, "cy@example.org") as cy:
        # The list links each account to its page.
        assert f'href="/console/accounts/{cy_id}"' in ana.get("/console/accounts").text
        page = ana.get(f"/console/accounts/{cy_id}?lang=es")
        assert page.status_code == 200
        assert "Cambiar el rol" in page.text and "Revocar esta cuenta" in page.text
        ana.get("/console/accounts?lang=en")  # the session remembers its language

        # A coordinator made a viewer: the next export is refused, with the same session.
        def export(c: httpx.Client) -> int:
            token = csrf_of(c.get("/console/exports").text)
            form = {"csrf": token, "kind": "csv", "campaign": "no-such-campaign", "local": "*"}
            return c.post("/console/exports", data=form).status_code

        assert export(cy) != 403  # a coordinator may export (this one is refused as invalid)
        r = post(ana, f"/console/accounts/{cy_id}/role", role="viewer")
        assert r.status_code == 200 and "cy@example.org" in r.text
        assert (
            "coordinator_role_changed",
            {"coordinator": cy_id, "role": "viewer", "by": admin_id},
        ) in actions(engine)
        assert export(cy) == 403  # a viewer now, with the same session
        r = post(ana, f"/console/accounts/{cy_id}/role", role="viewer")
        assert "already has that role" in r.text
        r = post(ana, f"/console/accounts/{cy_id}/role", role="owner")
        assert r.status_code == 400 and "Unknown role." in r.text

        # A new password: the session made with the old one ends, the old one no longer signs
        # in, the new one does.
        r = post(ana, f"/console/accounts/{cy_id}/password", password="short")
        assert r.status_code == 400
        assert signed_in(cy)
        r = post(ana, f"/console/accounts/{cy_id}/password", password=NEW_PASSWORD)
        assert r.status_code == 200 and "open sessions ended" in r.text
        assert not signed_in(cy)
        with httpx.Client(base_url=base_url, timeout=30) as again:
            assert sign_in(again, "cy@example.org").status_code != 303
            assert sign_in(again, "cy@example.org", NEW_PASSWORD).status_code == 303
            assert signed_in(again)

            # Revoked: the session ends, the API token stops, sign-in is refused.
            api = {"Authorization": f"Bearer {cy_token}"}
            assert again.get("/api/v1/stats", headers=api).status_code == 200
            confirm = html.unescape(ana.get(f"/console/accounts/{cy_id}").text)
            assert "Revoke the account of cy@example.org? It cannot be undone." in confirm
            r = post(ana, f"/console/accounts/{cy_id}/revoke")
            assert r.status_code == 200 and "is revoked" in r.text
            assert not signed_in(again)
            refused = again.get("/api/v1/stats", headers=api)
            assert refused.status_code == 403 and "revoked" in refused.json()["error"]
            assert sign_in(again, "cy@example.org", NEW_PASSWORD).status_code != 303
        # A revoked account's page has no forms left; changing it is refused.
        page = ana.get(f"/console/accounts/{cy_id}").text
        assert f"/console/accounts/{cy_id}/role" not in page
        r = post(ana, f"/console/accounts/{cy_id}/password", password=NEW_PASSWORD)
        assert r.status_code == 400 and "This account is revoked." in r.text
    done = [a for a, _ in actions(engine)]
    assert {"coordinator_password_set", "coordinator_revoked"} <= set(done)


def test_the_only_admin_can_be_neither_demoted_nor_revoked(base_url: str, engine: Engine) -> None:
    admin_id, _ = make(engine, "ana@example.org", "admin")
    with browser(base_url, "ana@example.org") as ana:
        for path, form in (("role", {"role": "viewer"}), ("revoke", {})):
            r = post(ana, f"/console/accounts/{admin_id}/{path}", **form)
            assert r.status_code == 400 and "only active admin" in r.text
        assert signed_in(ana)
        # With a second admin, Ana can step down: she is sent to the overview, no longer an
        # admin.
        bo_id, _ = make(engine, "bo@example.org", "admin")
        r = post(ana, f"/console/accounts/{admin_id}/role", role="coordinator")
        assert r.status_code == 303 and r.headers["location"] == "/console/"
        assert ana.get("/console/accounts").status_code == 403
        with browser(base_url, "bo@example.org") as bo:
            r = post(bo, f"/console/accounts/{bo_id}/revoke")
            assert r.status_code == 400 and "only active admin" in r.text
    with engine.connect() as conn:
        c = coordinators.COORDINATORS.c
        roles = dict(conn.execute(select(c.email, c.role)).all())
    assert roles == {"ana@example.org": "coordinator", "bo@example.org": "admin"}


def test_only_admins_reach_accounts_and_odd_ids_are_not_found(
    base_url: str, engine: Engine
) -> None:
    make(engine, "ana@example.org", "admin")
    cy_id, _ = make(engine, "cy@example.org", "coordinator")
    with browser(base_url, "cy@example.org") as cy:
        assert cy.get(f"/console/accounts/{cy_id}").status_code == 403
        token = csrf_of(cy.get("/console/exports").text)
        for path in ("role", "password", "revoke"):
            r = cy.post(
                f"/console/accounts/{cy_id}/{path}",
                data={"csrf": token, "role": "admin", "password": NEW_PASSWORD},
            )
            assert r.status_code == 403, path
    with browser(base_url, "ana@example.org") as ana:
        for odd in ("abc", "-1", "1e3", "99999999999999999999", "٣", "999999"):
            assert ana.get(f"/console/accounts/{odd}").status_code == 404, odd
        # Without the form's token nothing changes.
        r = ana.post(f"/console/accounts/{cy_id}/role", data={"role": "admin"})
        assert r.status_code in (400, 403)
    with engine.connect() as conn:
        c = coordinators.COORDINATORS.c
        assert conn.execute(select(c.role).where(c.id == cy_id)).scalar_one() == "coordinator"


def test_an_account_whose_email_is_longer_than_a_name_is_added_and_signs_in(
    base_url: str, engine: Engine
) -> None:
    """An email may be 254 characters, a name 120: an account added with a long email (its
    name is the email) was a 500 on PostgreSQL, which refuses the name; its name is now the
    email's first 120 characters."""
    make(engine, "ana@example.org", "admin")
    long_email = "a" * 64 + "@" + "b" * 150 + ".org"
    with browser(base_url, "ana@example.org") as ana:
        r = post(ana, "/console/accounts", email=long_email, role="viewer", password=NEW_PASSWORD)
        assert r.status_code == 200 and long_email in r.text
    with engine.connect() as conn:
        c = coordinators.COORDINATORS.c
        name = conn.execute(select(c.name).where(c.email == long_email)).scalar_one()
    assert name == long_email[:120]
    with browser(base_url, long_email, NEW_PASSWORD) as new:
        assert signed_in(new)


@pytest.mark.parametrize("odd", ["\u202e", "\u2066", "\x9b", "\x85"])
def test_an_email_with_a_bidi_override_or_a_control_character_is_refused(
    base_url: str, engine: Engine, odd: str
) -> None:
    """As a kiosk's or an event's name (threat model item 25): an email holding one would show
    backwards in the account list, and pass for another account's."""
    make(engine, "ana@example.org", "admin")
    with browser(base_url, "ana@example.org") as ana:
        r = post(
            ana,
            "/console/accounts",
            email=f"mallory{odd}gro.elpmaxe@example.org",
            role="admin",
            password=NEW_PASSWORD,
        )
        assert r.status_code == 400 and "That is not an email address" in html.unescape(r.text)
    with engine.connect() as conn:
        c = coordinators.COORDINATORS.c
        assert conn.execute(select(c.email)).scalars().all() == ["ana@example.org"]
