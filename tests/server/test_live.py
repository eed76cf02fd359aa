"""A real ``kiosk-server serve`` process, talked to over HTTP (the :class:`LiveServer` fixture)."""

from __future__ import annotations

import random
import signal
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kiosk.wire import API_PREFIX, PushRequest, PushResponse
from tests.server.helpers import signature, void
from tests.server.live import REPO_ROOT, LiveServer, LiveServerError

CAMPAIGN_FILES = sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml"))


@pytest.fixture
def live(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """A server process on the test database (SQLite file or PostgreSQL)."""
    with LiveServer(database_url=db_url, data_dir=tmp_path) as server:
        yield server


@pytest.fixture
def live_two_workers(db_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """Two worker processes sharing the test database, as behind a load balancer."""
    with LiveServer(database_url=db_url, data_dir=tmp_path, workers=2) as server:
        yield server


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _push(http: httpx.Client, token: str, request: PushRequest) -> PushResponse:
    r = http.post(
        "/signatures",
        content=request.model_dump_json(),
        headers={**_auth(token), "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    return PushResponse.model_validate_json(r.content)


def test_end_to_end(live: LiveServer) -> None:
    live.import_campaigns(*CAMPAIGN_FILES)
    device_id, token = live.enroll("Kiosk A")
    with httpx.Client(base_url=live.url(), timeout=30) as http:
        health = http.get("/health")
        assert health.status_code == 200 and health.json()["status"] == "ok"

        openapi = http.get("/openapi.json").json()
        for path in ("/enroll", "/campaigns", "/signatures", "/totals", "/health"):
            assert f"{API_PREFIX}{path}" in openapi["paths"]
        assert "HTTPBearer" in openapi["components"]["securitySchemes"]
        assert openapi["components"]["schemas"]["WireSignature"]["additionalProperties"] is False
        # The push body is read by the route itself (parse_push) and still documented.
        push = openapi["paths"][f"{API_PREFIX}/signatures"]["post"]["requestBody"]
        assert push["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/PushRequest"
        }
        assert "signatures" in openapi["components"]["schemas"]["PushRequest"]["properties"]
        # No browsable view: FastAPI's loads Swagger UI from a CDN into the console's origin.
        assert http.get("/docs").status_code == 404
        assert http.get("/redoc").status_code == 404

        r = http.get("/campaigns", headers=_auth(token))
        assert r.status_code == 200 and len(r.json()["campaigns"]) == len(CAMPAIGN_FILES)
        etag = r.headers["etag"]
        assert (
            http.get("/campaigns", headers={**_auth(token), "If-None-Match": etag}).status_code
            == 304
        )

        sigs = [
            signature(campaign="defy-trump-expand-sanctuary", local_campaign="evansville")
            for _ in range(10)
        ]
        result = _push(http, token, PushRequest(signatures=sigs, voids=[void(sigs[0].id)]))
        assert Counter(s.status for s in result.signatures) == {"created": 10}
        assert _push(http, token, PushRequest(signatures=sigs)).signatures[0].status == "duplicate"
        assert http.get("/totals", headers=_auth(token)).json() == {
            "campaigns": {"defy-trump-expand-sanctuary": 9},
            "locals": {"defy-trump-expand-sanctuary/evansville": 9},
        }
        live.cli("devices", "revoke", device_id)
        r = http.get("/totals", headers=_auth(token))
        assert r.status_code == 403 and r.json()["error"] == "device_revoked"
    # SIGTERM: graceful shutdown (uvicorn then re-raises the signal, hence -15 with one worker).
    assert live.stop() in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in live.log_tail()


def test_concurrent_devices_with_overlapping_retries(live_two_workers: LiveServer) -> None:
    """Three kiosks push at once, each also re-sending part of another's batch (retries)."""
    live = live_two_workers
    tokens = [live.enroll(f"Kiosk {i}")[1] for i in range(3)]
    pool = [signature() for _ in range(900)]
    batches = [pool[i * 300 : (i + 1) * 300] + pool[((i + 1) % 3) * 300 :][:100] for i in range(3)]
    for b in batches:
        random.shuffle(b)
    answers: list[list[str]] = [[] for _ in range(3)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def run(i: int) -> None:
        try:
            with httpx.Client(base_url=live.url(), timeout=60) as http:
                barrier.wait()
                for start in range(0, len(batches[i]), 100):
                    chunk = batches[i][start : start + 100]
                    answers[i] += [
                        r.status
                        for r in _push(http, tokens[i], PushRequest(signatures=chunk)).signatures
                    ]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = Counter(s for a in answers for s in a)
    assert counts == {"created": 900, "duplicate": 300}
    with httpx.Client(base_url=live.url(), timeout=30) as http:
        assert http.get("/totals", headers=_auth(tokens[0])).json()["campaigns"] == {
            "sanctuary-of-safety": 900
        }


def test_acknowledged_batches_survive_a_crash(tmp_path: Path) -> None:
    """SIGKILL the server after acknowledged pushes: on restart they are all there."""
    server = LiveServer(data_dir=tmp_path)
    with server:
        server.import_campaigns(*CAMPAIGN_FILES)
        _, token = server.enroll()
        acknowledged = []
        with httpx.Client(base_url=server.url(), timeout=30) as http:
            for _ in range(5):
                batch = [signature() for _ in range(200)]
                _push(http, token, PushRequest(signatures=batch))
                acknowledged += batch
        port = server.port
        server.kill()
        with sqlite3.connect(tmp_path / "kiosk-server.sqlite3") as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        server.start(port)
        with httpx.Client(base_url=server.url(), timeout=30) as http:
            result = _push(http, token, PushRequest(signatures=acknowledged[:500]))
            assert {r.status for r in result.signatures} == {"duplicate"}
            assert http.get("/totals", headers=_auth(token)).json()["campaigns"] == {
                "sanctuary-of-safety": 1000
            }


def test_start_failure_is_reported(tmp_path: Path) -> None:
    bad = LiveServer(
        database_url="postgresql+psycopg://postgres@127.0.0.1:1/none",
        data_dir=tmp_path,
        startup_timeout=20,
    )
    with pytest.raises(LiveServerError, match="cannot use the database"):
        bad.start()
