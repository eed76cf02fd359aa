"""What kiosks report with each sync (``POST /api/v1/report``: signatures still pending on the
tablet, app version, last error code), as hostile input on the server and end to end: a real
kiosk (``kiosk enroll``, ``kiosk simulate``, ``kiosk sync`` as subprocesses) syncing to a real
``kiosk-server serve`` process, and the console's kiosks page showing what it said."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

import kiosk
from kiosk.server.console import data
from kiosk.server.db import create_db_engine
from kiosk.server.models import Device, table_of
from kiosk.wire import API_PREFIX
from tests.server.coord_support import make_key, sign_in
from tests.server.helpers import ApiClient, create_pg_database, drop_pg_database, pg_admin_url
from tests.server.live import LiveServer
from tests.sync.helpers import kiosk_cli

DEVICES = table_of(Device)
CAMPAIGNS = Path(__file__).resolve().parents[2] / "resources" / "campaigns"
PASSWORD = "a long enough passphrase"
GOOD: dict[str, Any] = {"pending": 3, "app_version": "0.1.0", "last_error": None}


def _row(engine: Engine, device_id: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(DEVICES).where(DEVICES.c.id == device_id)).one()


def test_a_report_is_kept_and_shown(api: ApiClient, engine: Engine) -> None:
    r = api.post_raw(json.dumps(GOOD), path="/report")
    assert r.status_code == 204, r.text
    row = _row(engine, api.device_id)
    assert (row.report_pending, row.report_version, row.report_error) == (3, "0.1.0", None)
    assert row.reported_at is not None and row.last_seen_at == row.reported_at
    # An error is kept with its time (one dated in the future is kept as of now) ...
    later = datetime.now(UTC) + timedelta(days=3)
    body = {**GOOD, "last_error": "server_error", "last_error_at": later.isoformat()}
    assert api.post_raw(json.dumps(body), path="/report").status_code == 204
    row = _row(engine, api.device_id)
    assert row.report_error == "server_error"
    assert row.report_error_at <= datetime.now(UTC)
    # ... and stays after a report without one (the console shows it with its time).
    ok = {**GOOD, "pending": 0, "app_version": "0.2.0-rc.1"}
    assert api.post_raw(json.dumps(ok), path="/report").status_code == 204
    row = _row(engine, api.device_id)
    assert (row.report_pending, row.report_version, row.report_error) == (
        0,
        "0.2.0-rc.1",
        "server_error",
    )
    with engine.connect() as conn:
        (k,) = [k for k in data.kiosks(conn, datetime.now(UTC)) if k["id"] == api.device_id]
    assert (k["pending"], k["version"], k["error"], k["stale"]) == (
        0,
        "0.2.0-rc.1",
        "server_error",
        False,
    )
    with engine.connect() as conn:
        (k,) = data.kiosks(conn, datetime.now(UTC) + timedelta(hours=2), timedelta(hours=1))
    assert k["stale"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({**GOOD, "pending": -1}, id="negative"),
        pytest.param({**GOOD, "pending": 10**7 + 1}, id="too-many"),
        pytest.param({**GOOD, "pending": 2**64}, id="huge"),
        pytest.param({**GOOD, "pending": 1e3}, id="float"),
        pytest.param({**GOOD, "pending": "3"}, id="string-int"),
        pytest.param({**GOOD, "pending": True}, id="bool"),
        pytest.param({**GOOD, "pending": None}, id="null"),
        pytest.param({k: v for k, v in GOOD.items() if k != "pending"}, id="missing"),
        pytest.param({**GOOD, "app_version": ""}, id="empty-version"),
        pytest.param({**GOOD, "app_version": "1." + "1" * 40}, id="long-version"),
        pytest.param({**GOOD, "app_version": "<script>alert(1)</script>"}, id="html-version"),
        pytest.param({**GOOD, "app_version": "0.1.0\n"}, id="newline-version"),
        pytest.param({**GOOD, "app_version": "0.1.0 beta"}, id="space-version"),
        pytest.param({**GOOD, "app_version": 1}, id="number-version"),
        pytest.param({**GOOD, "app_version": "１.0"}, id="fullwidth-version"),
        pytest.param({**GOOD, "last_error": "Server Error"}, id="error-words"),
        pytest.param({**GOOD, "last_error": "x" * 33}, id="error-long"),
        pytest.param({**GOOD, "last_error": ["offline"]}, id="error-list"),
        pytest.param({**GOOD, "last_error_at": "yesterday"}, id="error-at-garbage"),
        pytest.param({**GOOD, "last_error_at": "2026-12-04T10:00:00"}, id="error-at-naive"),
        pytest.param({**GOOD, "name": "Ana Pérez"}, id="extra-field"),
        pytest.param([GOOD], id="list"),
        pytest.param("report", id="string"),
    ],
)
def test_garbage_is_refused_with_422(api: ApiClient, engine: Engine, body: Any) -> None:
    r = api.post_raw(json.dumps(body), path="/report")
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "validation_failed"
    assert _row(engine, api.device_id).reported_at is None


def test_no_report_without_a_token_or_as_json(api: ApiClient, client: httpx.Client) -> None:
    r = client.post(f"{API_PREFIX}/report", json=GOOD)
    assert r.status_code == 401
    r = api.post_raw(b"\xff\xfe not json", path="/report")
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"
    r = client.post(
        f"{API_PREFIX}/report",
        content=json.dumps(GOOD),
        headers={"Authorization": f"Bearer {api.token}", "Content-Type": "text/plain"},
    )
    assert r.status_code == 415


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def live_url(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """None (the server's own SQLite file) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield None
        return
    admin = pg_admin_url()
    url = create_pg_database(admin, prefix="kiosk_report_")
    yield url
    drop_pg_database(admin, url)


def test_a_real_kiosk_reports_to_a_real_server(live_url: str | None, tmp_path: Path) -> None:
    """The server knows one of the two campaigns the kiosk signs for: the other's signatures
    are refused and stay on the tablet, and the kiosk says how many."""
    server_dir = tmp_path / "server"
    server_dir.mkdir()
    env = {"CONSOLE_PASSWORD": PASSWORD}
    key = make_key(tmp_path)
    with LiveServer(
        database_url=live_url,
        data_dir=server_dir,
        env=env,
        extra_args=("--org-public-key", key.public_b64),
    ) as server:
        server.import_campaigns(CAMPAIGNS / "sanctuary-of-safety.toml")
        kiosk_dir = tmp_path / "kiosk"
        code = server.enrollment_code("Library kiosk")
        out = kiosk_cli(kiosk_dir, "enroll", "--server", server.base_url, "--code", code)
        assert out.returncode == 0, out.stderr
        for slug, n in (("sanctuary-of-safety", "4"), ("defy-trump-expand-sanctuary", "2")):
            out = kiosk_cli(kiosk_dir, "simulate", "--signatures", n, "--campaign", slug)
            assert out.returncode == 0, out.stderr
        out = kiosk_cli(kiosk_dir, "sync")
        url = live_url or f"sqlite:///{server.data_dir / 'kiosk-server.sqlite3'}"
        engine = create_db_engine(url)
        try:
            with engine.connect() as conn:
                (row,) = conn.execute(select(DEVICES)).all()
            assert row.name == "Library kiosk"
            assert (row.report_pending, row.report_version) == (2, kiosk.__version__), out.stderr
            assert row.reported_at is not None
            with engine.connect() as conn:
                (k,) = data.kiosks(conn, datetime.now(UTC))
            assert (k["pending"], k["version"], k["stale"]) == (2, kiosk.__version__, False)
            # The console's kiosks page says the same, to an admin made by the CLI.
            server.cli(
                "coordinators",
                "add",
                "--email",
                "ada@example.org",
                "--role",
                "admin",
                "--password-env",
                "CONSOLE_PASSWORD",
            )
            with httpx.Client(base_url=server.base_url, timeout=30) as web:
                r = sign_in(web, "ada@example.org", PASSWORD)
                assert r.status_code == 303, r.text
                html = web.get("/console/kiosks").text
            cell = re.search(r'data-col="pending">([^<]*)<', html)
            version = re.search(r'data-col="version">([^<]*)<', html)
            assert cell is not None and version is not None
            assert (cell.group(1), version.group(1)) == ("2", kiosk.__version__)
        finally:
            engine.dispose()
