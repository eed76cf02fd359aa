"""Attacks of a stolen enrolled tablet against a real server process (issue #11).

Each test runs a ``kiosk-server serve`` process on SQLite and on PostgreSQL and talks to it over
HTTP, as the attacker would.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from kiosk.server.db import create_db_engine
from kiosk.server.models import EventRecord, SignatureVoid
from kiosk.wire import PushRequest, PushResponse
from tests.server.helpers import event, signature, void
from tests.server.live import REPO_ROOT, LiveServer

CAMPAIGN_FILES = sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml"))


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server process on the test database, with the demo campaigns imported."""
    with LiveServer(database_url=db_url, data_dir=tmp_path) as server:
        server.import_campaigns(*CAMPAIGN_FILES)
        yield server


def _push(http: httpx.Client, token: str, request: PushRequest) -> PushResponse:
    r = http.post(
        "/signatures",
        content=request.model_dump_json(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    return PushResponse.model_validate_json(r.content)


def test_device_acts_only_on_its_own_records(live: LiveServer, db_url: str) -> None:
    """Item 10: device B cannot void A's signature nor rename A's event; A still can."""
    _a_id, a_token = live.enroll("Kiosk A")
    b_id, b_token = live.enroll("Kiosk B")
    sig = signature()
    with httpx.Client(base_url=live.url(), timeout=30) as http:
        first = _push(http, a_token, PushRequest(signatures=[sig], events=[event("rally-a")]))
        assert [r.status for r in first.signatures] == ["created"]
        assert [r.status for r in first.events] == ["created"]

        attack = _push(
            http,
            b_token,
            PushRequest(
                voids=[void(sig.id, kiosk_id="kiosk-b")],
                events=[event("rally-a", name="Cancelled", location="Nowhere")],
            ),
        )
        assert [r.status for r in attack.voids] == ["forbidden"]
        assert [r.status for r in attack.events] == ["forbidden"]

        own = _push(http, a_token, PushRequest(events=[event("rally-a", name="Rally, moved")]))
        assert [r.status for r in own.events] == ["updated"]
        own_void = _push(http, a_token, PushRequest(voids=[void(sig.id)]))
        assert [r.status for r in own_void.voids] == ["created"]

    engine = create_db_engine(db_url)
    try:
        with engine.connect() as conn:
            ev = conn.execute(select(EventRecord.name, EventRecord.location)).one()
            voids = conn.execute(select(SignatureVoid.kiosk_id)).all()
    finally:
        engine.dispose()
    assert tuple(ev) == ("Rally, moved", "City Hall")
    assert [v.kiosk_id for v in voids] == ["kiosk-a"]  # B's void was never stored
    trail = live.cli("audit", "list").stdout
    assert "foreign_records_refused" in trail and b_id in trail
