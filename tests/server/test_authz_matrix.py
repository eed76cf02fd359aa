"""Who may call what: every endpoint against every kind of caller, on both databases.

Callers: no token, an unknown token, a revoked device, a device, a coordinator, a revoked
coordinator. Devices push and pull and never read signatures back; coordinators read (exports,
statistics) and cannot act as devices.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Engine

from kiosk.server import devices
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.db import write_transaction
from kiosk.server.keys import ENV_KEY_PASSPHRASE
from kiosk.wire import API_PREFIX
from tests.server.conftest import make_code
from tests.server.coord_support import (
    PASSPHRASE,
    add_coordinator,
    import_mini,
    make_key,
    mini_signature,
    person,
)
from tests.server.helpers import ApiClient, InProcessServer, push_body

CALLERS = (
    "none",
    "bad",
    "revoked_device",
    "device",
    "coordinator",
    "revoked_coordinator",
    "viewer",  # a console account that reads counts and exports nothing, by its API token too
)

# (method, path, expected status per caller, in CALLERS order)
DEVICE_ONLY = (401, 401, 403, 200, 403, 401, 403)
COORDINATOR_ONLY = (401, 401, 403, 403, 200, 403, 200)
EXPORTERS_ONLY = (401, 401, 403, 403, 200, 403, 403)
OPEN = (200,) * 7
MATRIX: list[tuple[str, str, tuple[int, ...]]] = [
    ("GET", "/campaigns", DEVICE_ONLY),
    ("POST", "/signatures", DEVICE_ONLY),
    ("GET", "/totals", DEVICE_ONLY),
    ("GET", "/device", DEVICE_ONLY),
    ("POST", "/report", (401, 401, 403, 204, 403, 401, 403)),  # a device's report: 204, no body
    ("GET", "/exports/mini-test.csv", EXPORTERS_ONLY),
    ("GET", "/exports/mini-test.pdf?local=evansville", EXPORTERS_ONLY),
    ("GET", "/stats", COORDINATOR_ONLY),
    ("GET", "/health", OPEN),
    # enrollment takes a one-time code, not a token: a used code is refused for everyone
    ("POST", "/enroll", (403,) * 7),
]


@dataclass
class World:
    """A keyed server with data, and a token for every kind of caller."""

    http: httpx.Client
    tokens: dict[str, str | None]
    sealed: bytes
    used_code: str


@pytest.fixture
def world(
    db_url: str, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    monkeypatch.setenv(ENV_KEY_PASSPHRASE, PASSPHRASE)
    key = make_key(tmp_path)
    settings = ServerSettings(
        database_url=db_url, org_public_key=key.public_b64, org_private_key_files=(str(key.path),)
    )
    import_mini(engine)
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url, timeout=60) as http,
    ):
        code = make_code(engine, "Kiosk A")
        device = ApiClient.enroll(http, code)
        revoked = ApiClient.enroll(http, make_code(engine, "Kiosk R"))
        with write_transaction(engine) as conn:
            devices.revoke_device(conn, revoked.device_id, datetime.now(UTC))
        sig = mini_signature(key, person("Alma", "Reyes"), "evansville")
        device.push([sig])
        yield World(
            http,
            {
                "none": None,
                "bad": "not-a-real-token-" + "x" * 30,
                "revoked_device": revoked.token,
                "device": device.token,
                "coordinator": add_coordinator(engine, "Ana"),
                "revoked_coordinator": add_coordinator(engine, "Old", revoked=True),
                "viewer": add_coordinator(engine, "Vera", role="viewer"),
            },
            sig.sealed,
            code,
        )


def _call(w: World, method: str, path: str, token: str | None) -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    body = None
    if path == "/signatures":
        body = push_body([])
    elif path == "/report":
        body = '{"pending": 0, "app_version": "0.1.0"}'
    elif path == "/enroll":
        body = f'{{"code": "{w.used_code}"}}'
    return w.http.request(method, f"{API_PREFIX}{path}", headers=headers, content=body)


def test_authorization_matrix(world: World) -> None:
    seen: dict[tuple[str, str, str], tuple[int, int]] = {}
    for method, path, expected in MATRIX:
        for caller, want in zip(CALLERS, expected, strict=True):
            r = _call(world, method, path, world.tokens[caller])
            if r.status_code != want:
                seen[(method, path, caller)] = (r.status_code, want)
            if r.status_code in (401, 403):
                assert "error" in r.json()
    assert not seen, f"unexpected statuses (got, wanted): {seen}"


def test_matrix_covers_every_route(settings: ServerSettings, engine: Engine) -> None:
    # Routers are included as one node each (FastAPI >= 0.137): walk every route behind them.
    app_routes = {
        (m, (r.path or "").removeprefix(API_PREFIX))
        for r in iter_route_contexts(create_app(settings, engine=engine).routes)
        # The console's pages (/console/, /rally/) have their own matrix: tests/console.
        if isinstance(r.original_route, APIRoute) and (r.path or "").startswith(API_PREFIX)
        for m in r.methods or ()
    }
    covered = {(m, p.split("?")[0].replace("mini-test", "{campaign}")) for m, p, _ in MATRIX}
    assert app_routes == covered


def test_a_viewer_exports_nothing_through_the_api_and_the_refusal_is_audited(
    world: World, engine: Engine
) -> None:
    """A viewer's console account exports nothing; its API token may not either (it read every
    signer's contact list). Each refusal is in the server's audit trail, as the console's are."""
    from sqlalchemy import select

    from kiosk.server.models import ServerAuditRecord, table_of

    audit = table_of(ServerAuditRecord)

    for path in ("/exports/mini-test.csv", "/exports/mini-test.pdf"):
        r = _call(world, "GET", path, world.tokens["viewer"])
        assert r.status_code == 403 and r.json()["error"] == "viewer_no_export", r.text
        assert "Alma" not in r.text and b"%PDF" not in r.content
    with engine.connect() as conn:
        refused = list(
            conn.execute(select(audit.c.detail).where(audit.c.action == "export_refused")).scalars()
        )
    assert [d["channel"] for d in refused] == ["api", "api"] and refused[0]["role"] == "viewer"
    assert _call(world, "GET", "/stats", world.tokens["viewer"]).status_code == 200  # counts


def test_a_device_can_never_read_signatures_back(world: World) -> None:
    """Every GET a device can reach answers without personal or sealed data."""
    sealed_b64 = base64.b64encode(world.sealed).decode()
    token = world.tokens["device"]
    for method, path, _expected in MATRIX:
        if method != "GET":
            continue
        r = _call(world, method, path, token)
        assert "Alma" not in r.text and "Reyes" not in r.text, path
        assert sealed_b64[:40] not in r.text, path
        assert b"%PDF" not in r.content, path
    for path in ("/exports/mini-test.csv", "/exports/mini-test.pdf", "/stats"):
        assert _call(world, "GET", path, token).status_code == 403
