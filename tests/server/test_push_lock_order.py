"""Concurrent pushes of one device that both write the server's audit trail must not deadlock.

A push that registers the device's audit key (its first ``audit_key``) updates the device's row
and appends to the server's trail; a push refused a foreign void appends to the trail and then
marks its device seen (the same row). Taken in opposite orders, two such pushes of one device
deadlocked on PostgreSQL, and the one PostgreSQL aborted was answered 503
``database_unavailable`` a second later, though the database was up. A real server with two
worker processes on a real PostgreSQL database, forty devices each sending both at once.
"""

from __future__ import annotations

import base64
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from kiosk.server.db import create_db_engine
from kiosk.wire import PushRequest
from tests.server.conftest import SHIPPED_CAMPAIGNS, make_code
from tests.server.helpers import (
    create_pg_database,
    drop_pg_database,
    pg_admin_url,
    push_body,
    signature,
    void,
)
from tests.server.live import LiveServer

DEVICES = 40


@pytest.mark.postgres
def test_key_registration_and_foreign_void_at_once_do_not_deadlock(tmp_path: Path) -> None:
    url = create_pg_database(pg_admin_url(), "kiosk_lockorder_")
    engine = create_db_engine(url)
    try:
        with LiveServer(database_url=url, data_dir=tmp_path, workers=2) as server:
            server.import_campaigns(SHIPPED_CAMPAIGNS / "sanctuary-of-safety.toml")

            def enroll() -> str:
                r = httpx.post(server.url("/enroll"), json={"code": make_code(engine)}, timeout=30)
                assert r.status_code == 200, r.text
                return str(r.json()["token"])

            def headers(token: str) -> dict[str, str]:
                return {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

            owner = enroll()
            theirs = signature()
            r = httpx.post(
                server.url("/signatures"),
                content=push_body([theirs]),
                headers=headers(owner),
                timeout=30,
            )
            assert r.status_code == 200, r.text

            answers: list[tuple[int, str]] = []
            for _ in range(DEVICES):
                token = enroll()
                foreign = push_body(voids=[void(theirs.id, voided_at=datetime.now(UTC))])
                key = base64.b64encode(secrets.token_bytes(32)).decode()
                register = PushRequest(audit_key=key).model_dump_json()

                def send(body: str, token: str = token) -> None:
                    r = httpx.post(
                        server.url("/signatures"), content=body, headers=headers(token), timeout=60
                    )
                    answers.append((r.status_code, r.text[:200]))

                threads = [threading.Thread(target=send, args=(b,)) for b in (foreign, register)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(60)
            refused = [a for a in answers if a[0] != 200]
            assert len(answers) == 2 * DEVICES
            assert not refused, f"{len(refused)} pushes refused, e.g. {refused[:3]}"
            log = server.log_path.read_text(errors="replace")
            assert "database unavailable" not in log, server.log_tail()
    finally:
        engine.dispose()
        drop_pg_database(pg_admin_url(), url)
