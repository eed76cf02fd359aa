"""Enrollment (one-time, expiring codes; tokens stored hashed) and bearer-token authentication."""

from __future__ import annotations

import base64
import hashlib
import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine, select

from kiosk.server import devices
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.db import write_transaction
from kiosk.server.models import Device, EnrollmentCode
from kiosk.wire import API_PREFIX, EnrollResponse
from tests.server.conftest import make_code
from tests.server.helpers import ApiClient, InProcessServer, push_body, signature

PROTECTED = [("GET", "/campaigns"), ("GET", "/totals"), ("POST", "/signatures")]


def _enroll(client: httpx.Client, code: str, **extra: str) -> httpx.Response:
    return client.post(f"{API_PREFIX}/enroll", json={"code": code, **extra})


def test_enroll_gives_device_and_token(client: httpx.Client, engine: Engine) -> None:
    code = make_code(engine, "Library kiosk")
    r = _enroll(client, code)
    assert r.status_code == 200, r.text
    resp = EnrollResponse.model_validate_json(r.content)
    assert resp.server_name == "Test server"
    assert resp.org_public_key is None
    assert len(resp.token) >= 43  # 32 random bytes, urlsafe base64
    with engine.connect() as conn:
        row = conn.execute(select(Device.id, Device.name, Device.token_hash)).one()
        code_hashes = conn.execute(select(EnrollmentCode.code_hash)).scalars().all()
    assert row.id == resp.device_id and row.name == "Library kiosk"
    assert row.token_hash == hashlib.sha256(resp.token.encode()).hexdigest()
    assert code not in code_hashes and devices.normalise_code(code) not in code_hashes


def test_enroll_with_own_name_and_sloppy_typing(client: httpx.Client, engine: Engine) -> None:
    code = make_code(engine, "Given name")
    typed = code.replace("-", " ").lower()
    r = _enroll(client, typed, name="Front desk")
    assert r.status_code == 200, r.text
    with engine.connect() as conn:
        assert conn.execute(select(Device.name)).scalar_one() == "Front desk"


def test_code_works_once(client: httpx.Client, engine: Engine) -> None:
    code = make_code(engine)
    assert _enroll(client, code).status_code == 200
    r = _enroll(client, code)
    assert r.status_code == 403
    assert r.json()["error"] == "enrollment_code_used"


def test_expired_code_refused(client: httpx.Client, engine: Engine) -> None:
    code = make_code(engine, valid_hours=24, now=datetime.now(UTC) - timedelta(hours=25))
    r = _enroll(client, code)
    assert r.status_code == 403
    assert r.json()["error"] == "enrollment_code_expired"


def test_unknown_code_refused(client: httpx.Client) -> None:
    r = _enroll(client, "AAAA-BBBB-CCCC-DDDD")
    assert r.status_code == 403
    assert r.json()["error"] == "enrollment_code_invalid"


def test_racing_enrollments_with_one_code(server: InProcessServer, engine: Engine) -> None:
    code = make_code(engine)
    statuses: list[int] = []
    barrier = threading.Barrier(4)

    def attempt() -> None:
        with httpx.Client(base_url=server.base_url, timeout=30) as c:
            barrier.wait()
            statuses.append(_enroll(c, code).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 403, 403, 403]
    with engine.connect() as conn:
        assert len(conn.execute(select(Device.id)).all()) == 1


def test_org_public_key_returned_when_configured(db_url: str, engine: Engine) -> None:
    key = base64.b64encode(bytes(range(32))).decode()
    settings = ServerSettings(database_url=db_url, org_public_key=key)
    with (
        InProcessServer(create_app(settings, engine=engine)) as srv,
        httpx.Client(base_url=srv.base_url) as c,
    ):
        r = _enroll(c, make_code(engine))
    assert r.json()["org_public_key"] == key


def test_health_needs_no_token(client: httpx.Client) -> None:
    r = client.get(f"{API_PREFIX}/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


@pytest.mark.parametrize(("method", "path"), PROTECTED)
@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer not-a-real-token", "Basic dXNlcjpwYXNz", "token"]
)
def test_missing_or_bad_token(
    client: httpx.Client, method: str, path: str, authorization: str | None
) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    r = client.request(
        method,
        f"{API_PREFIX}{path}",
        headers=headers,
        content=push_body() if method == "POST" else None,
    )
    assert r.status_code == 401, r.text
    assert r.json()["error"] == "unauthorized"
    assert r.headers["www-authenticate"] == "Bearer"


def test_revoked_device_fails_at_once(api: ApiClient, engine: Engine) -> None:
    assert api.get("/totals").status_code == 200
    with write_transaction(engine) as conn:
        assert devices.revoke_device(conn, api.device_id, datetime.now(UTC)) is True
    for method, path in PROTECTED:
        r = api.http.request(
            method,
            f"{API_PREFIX}{path}",
            headers=api.headers,
            content=push_body([signature()]) if method == "POST" else None,
        )
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "device_revoked"
    with write_transaction(engine) as conn:
        assert devices.revoke_device(conn, api.device_id, datetime.now(UTC)) is False
        assert devices.revoke_device(conn, "no-such-device", datetime.now(UTC)) is None


def test_other_devices_keep_working_after_a_revocation(
    client: httpx.Client, engine: Engine, api: ApiClient
) -> None:
    other = ApiClient.enroll(client, make_code(engine, "Kiosk B"))
    with write_transaction(engine) as conn:
        devices.revoke_device(conn, api.device_id, datetime.now(UTC))
    assert other.get("/totals").status_code == 200


def test_push_records_last_seen(api: ApiClient, engine: Engine) -> None:
    api.push([signature()])
    with engine.connect() as conn:
        seen = conn.execute(select(Device.last_seen_at)).scalar_one()
    assert seen is not None and datetime.now(UTC) - seen < timedelta(minutes=1)
