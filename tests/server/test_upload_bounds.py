"""Bounded uploads (issue #11, item 14) against a real server process: stalled bodies are cut
off, and the bodies one process holds at once stay within its budget. Loopback only, a bounded
number of connections, and every wait bounded."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from kiosk.wire import MAX_BODY_BYTES, PushRequest
from tests.server.helpers import signature
from tests.server.live import LiveServer


def _stalled_upload(live: LiveServer, token: str, declared: int, sent: bytes) -> socket.socket:
    s = socket.create_connection((live.host, live.port), timeout=20)
    head = (
        f"POST /api/v1/signatures HTTP/1.1\r\nHost: {live.host}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared}\r\n\r\n"
    ).encode()
    s.sendall(head + sent)
    return s


def _answer(s: socket.socket) -> bytes:
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return data
        data += chunk


def test_stalled_uploads_are_cut_off(tmp_path: Path) -> None:
    env = {"KIOSK_BODY_IDLE_TIMEOUT": "1"}
    with LiveServer(data_dir=tmp_path, env=env) as live:
        _device, token = live.enroll()
        sockets = [_stalled_upload(live, token, 1_000_000, b'{"signatures": [') for _ in range(40)]
        answers = [_answer(s) for s in sockets]  # each ends: the server closed it
        for s in sockets:
            s.close()
        assert all(a.startswith(b"HTTP/1.1 408") and b"body_timeout" in a for a in answers)
        assert httpx.get(live.url("/health"), timeout=5).status_code == 200


def test_bodies_held_at_once_stay_within_the_budget(tmp_path: Path) -> None:
    env = {
        "KIOSK_UPLOAD_BUDGET_BYTES": str(MAX_BODY_BYTES),  # room for one full-size body
        "KIOSK_UPLOAD_WAIT": "0.5",
        "KIOSK_BODY_IDLE_TIMEOUT": "3",
    }
    with LiveServer(data_dir=tmp_path, env=env) as live:
        _device, token = live.enroll()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = PushRequest(signatures=[signature()]).model_dump_json()
        assert httpx.post(live.url("/signatures"), content=body, headers=headers).status_code == 200
        # A full-size upload in progress holds the whole budget...
        big = _stalled_upload(live, token, MAX_BODY_BYTES, b'{"signatures": [')
        time.sleep(0.3)
        busy = httpx.post(
            live.url("/signatures"),
            content=PushRequest(signatures=[signature()]).model_dump_json(),
            headers=headers,
            timeout=10,
        )
        assert busy.status_code == 503 and busy.json()["error"] == "server_busy"
        assert int(busy.headers["Retry-After"]) >= 1
        # ...until it stalls out; then the next push goes through.
        assert _answer(big).startswith(b"HTTP/1.1 408")
        big.close()
        ok = httpx.post(
            live.url("/signatures"),
            content=PushRequest(signatures=[signature()]).model_dump_json(),
            headers=headers,
            timeout=10,
        )
        assert ok.status_code == 200, ok.text
