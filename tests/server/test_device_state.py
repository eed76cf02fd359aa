"""``GET /device``: what the server holds from the asking kiosk. ``signatures_received`` counts
the signatures stored from it (answered ``created``), in the transaction that stores them, and
never goes down; the migration that adds it counts what devices enrolled before had stored."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import Engine, select

from kiosk.server import migrate
from kiosk.server.db import write_transaction
from kiosk.server.models import Device
from kiosk.wire import API_PREFIX, DeviceState
from tests.server.conftest import make_code
from tests.server.helpers import ApiClient, signature


def _held(api: ApiClient) -> DeviceState:
    r = api.get("/device")
    assert r.status_code == 200, r.text
    return DeviceState.model_validate_json(r.content)


def test_counts_only_what_it_stored_from_this_device(
    client: httpx.Client, engine: Engine, api: ApiClient
) -> None:
    assert _held(api) == DeviceState(signatures_received=0, audit_head=None)
    batch = [signature() for _ in range(5)]
    api.push(batch)
    assert _held(api).signatures_received == 5
    api.push(batch)  # a retry: duplicates
    other = signature(id=batch[0].id, kiosk_id="kiosk-z")  # the same id, other content
    unknown = signature(campaign="no-such-campaign")
    answer = api.push([other, unknown, *[signature() for _ in range(2)], batch[1]])
    assert [r.status for r in answer.signatures] == [
        "conflict",
        "rejected",
        "created",
        "created",
        "duplicate",
    ]
    assert _held(api).signatures_received == 7
    second = ApiClient.enroll(client, make_code(engine, "Kiosk B"))
    second.push([signature() for _ in range(3)])
    assert _held(second).signatures_received == 3
    assert _held(api).signatures_received == 7


def test_asks_for_a_device_token(client: httpx.Client, api: ApiClient) -> None:
    assert client.get(f"{API_PREFIX}/device").status_code == 401
    wrong = client.get(f"{API_PREFIX}/device", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.json()["error"] == "unauthorized"


def test_the_migration_counts_what_was_stored_before(engine: Engine, api: ApiClient) -> None:
    api.push([signature() for _ in range(4)])
    with write_transaction(engine) as conn:  # one enrolled before that stored nothing
        conn.execute(
            Device.__table__.insert().values(
                id="idle", name="x", token_hash="h" * 64, enrolled_at=datetime.now(UTC)
            )
        )
    migrate.downgrade(engine, "0021")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        counts = dict(conn.execute(select(Device.id, Device.signatures_received)).all())
    assert counts == {api.device_id: 4, "idle": 0}
