"""Bounded uploads (issue #11, item 14) against a real server process: stalled bodies are cut
off, and the bodies one process holds at once stay within its budget. Loopback only, a bounded
number of connections, and every wait bounded."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx

from kiosk.wire import MAX_BODY_BYTES, MAX_BODY_CONTAINERS, PushRequest
from tests.server.helpers import event, signature
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


def _rss(pid: int) -> int:
    """Resident memory of a process, in bytes (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def _containers(n: int, size: int = 0) -> bytes:
    """A JSON body holding ``n`` objects and arrays (an empty push with an unknown field of
    ``n - 3`` empty arrays), padded with spaces to ``size`` bytes."""
    body = b'{"signatures":[],"x":[' + b",".join([b"[]"] * (n - 3)) + b"]}"
    return body + b" " * max(0, size - len(body))


def test_a_body_of_tiny_json_values_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    """8 MiB of ``[],`` parsed into 2.8 million objects: 440 MB for one push, 1.2 GB for the
    four the budget let in at once, and 590 MB from /enroll without any token (found
    2026-12-05 by an outside test). Now refused by a count in C before any parsing."""
    with LiveServer(data_dir=tmp_path) as live:
        _device, token = live.enroll()
        assert live.process is not None
        pid = live.process.pid
        auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        plain = {"Content-Type": "application/json"}
        bomb = b'{"code":"x","y":[' + b"[]," * ((MAX_BODY_BYTES - 100) // 3) + b"[]]}"
        idle = _rss(pid)
        peak = [idle]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss(pid))
                time.sleep(0.01)

        answers: list[httpx.Response] = []

        def send(path: str, headers: dict[str, str]) -> None:
            answers.append(httpx.post(live.url(path), content=bomb, headers=headers, timeout=60))

        watcher = threading.Thread(target=watch)
        watcher.start()
        senders = [
            threading.Thread(target=send, args=(path, headers))
            for path, headers in [("/enroll", plain), ("/signatures", auth)] * 4
        ]
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        done.set()
        watcher.join()
        assert [r.status_code for r in answers] == [413] * 8
        assert {r.json()["error"] for r in answers} == {"too_many_json_values"}
        # The bodies themselves (8 x 8 MiB, four at a time) and nothing parsed from them.
        assert peak[0] - idle < 150 * 1024 * 1024, (idle, peak[0])

        # At the bound a body is parsed as before (and refused by the schema); one more, not.
        at = httpx.post(
            live.url("/signatures"), content=_containers(MAX_BODY_CONTAINERS), headers=auth
        )
        assert at.status_code == 422 and at.json()["error"] == "validation_failed", at.text
        over = httpx.post(
            live.url("/signatures"), content=_containers(MAX_BODY_CONTAINERS + 1), headers=auth
        )
        assert over.status_code == 413 and over.json()["error"] == "too_many_json_values"

        # A kiosk's fullest push is far below the bound.
        full = PushRequest(
            signatures=[signature() for _ in range(1000)],
            events=[event(f"ev-{i}") for i in range(100)],
        ).model_dump_json()
        ok = httpx.post(live.url("/signatures"), content=full, headers=auth, timeout=60)
        assert ok.status_code == 200, ok.text[:300]
