"""Attacks of a stolen enrolled tablet against a real server process (issue #11).

Each test runs a ``kiosk-server serve`` process on SQLite and on PostgreSQL and talks to it over
HTTP, as the attacker would.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
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
        # Again and again: refused each time, written to the trail once a minute at most, so
        # a device pushing in a loop cannot push the real entries out of the console's view.
        for _ in range(10):
            again = _push(http, b_token, PushRequest(events=[event("rally-a", name="Cancelled")]))
            assert [r.status for r in again.events] == ["forbidden"]

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
    assert trail.count("foreign_records_refused") == 1, trail


def _bad_attempt(base: str, headers: dict[str, str] | None = None) -> int:
    r = httpx.post(
        f"{base}/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD"}, headers=headers, timeout=60
    )
    return r.status_code


def test_enrollment_limit_holds_under_concurrency(db_url: str, tmp_path: Path) -> None:
    """Item 12: 64 concurrent wrong codes against two server processes: exactly the burst gets
    through (the limit is taken atomically in the shared database), the rest are 429."""
    burst = 8
    env = {"KIOSK_RATE_ENROLL_BURST": str(burst), "KIOSK_RATE_ENROLL_FAILURES_PER_H": "1"}
    with LiveServer(database_url=db_url, data_dir=tmp_path, workers=2, env=env) as live:
        barrier = threading.Barrier(64)

        def attempt(_: int) -> int:
            barrier.wait()
            return _bad_attempt(live.url())

        with ThreadPoolExecutor(max_workers=64) as pool:
            statuses = Counter(pool.map(attempt, range(64)))
        assert statuses == Counter({403: burst, 429: 64 - burst})
        # A good code from the same address waits too: the bucket is empty.
        r = httpx.post(live.url("/enroll"), json={"code": live.enrollment_code()}, timeout=30)
        assert r.status_code == 429 and int(r.headers["Retry-After"]) > 60


def test_forwarded_for_counts_only_from_a_trusted_proxy(db_url: str, tmp_path: Path) -> None:
    """Item 12: X-Forwarded-For from 127.0.0.1 no longer picks the client's address, unless
    127.0.0.1 is named as a trusted proxy."""
    env = {"KIOSK_RATE_ENROLL_BURST": "3", "KIOSK_RATE_ENROLL_FAILURES_PER_H": "1"}
    spoofed = [{"X-Forwarded-For": f"203.0.113.{i}"} for i in range(6)]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with LiveServer(database_url=db_url, data_dir=tmp_path / "a", env=env) as live:
        statuses = [_bad_attempt(live.url(), h) for h in spoofed]
        assert statuses == [403, 403, 403, 429, 429, 429]
    trusting = {**env, "KIOSK_TRUSTED_PROXIES": "127.0.0.1"}
    with LiveServer(database_url=db_url, data_dir=tmp_path / "b", env=trusting) as live:
        statuses = [_bad_attempt(live.url(), h) for h in spoofed]
        assert statuses == [403] * 6  # each forwarded address has its own bucket
        statuses = [_bad_attempt(live.url(), spoofed[0]) for _ in range(3)]
        assert statuses == [403, 403, 429]
