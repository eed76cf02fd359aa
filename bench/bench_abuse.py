"""Server memory and connections under upload abuse (issue #11, item 14).

Starts ``kiosk-server serve`` (SQLite, one process) twice in the same run: once with the upload
bounds as shipped (a per-process body budget, a wait for room, idle and total body timeouts) and
once with them turned off (budget 0, timeouts of a day: the behaviour before the bounds). For
each it measures, on 127.0.0.1 only:

- the server's resident memory at idle (the floor, measured in the same run);
- its peak resident memory (``VmHWM``) while ``--pushes`` clients push full-size (8 MiB) valid
  batches at once, and how they were answered;
- how many of ``--stalled`` uploads that send their headers and a few bytes, then nothing, the
  server still holds ``--hold-check`` seconds later.

Usage::

    .venv/bin/python -m bench abuse
    .venv/bin/python -m bench.bench_abuse --pushes 32 --stalled 2000 --hold-check 25
"""

from __future__ import annotations

import argparse
import os
import secrets
import selectors
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx

from kiosk.domain.ids import uuid7
from kiosk.wire import MAX_BATCH_SIGNATURES, MAX_BODY_BYTES, PushRequest, WireSignature
from tests.server.live import LiveServer

CAMPAIGNS = sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml"))


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def full_batch() -> bytes:
    """A valid push of 500 signatures just under the 8 MiB body limit."""
    sealed = (MAX_BODY_BYTES * 3 // 4 - 400 * MAX_BATCH_SIGNATURES) // MAX_BATCH_SIGNATURES
    sigs = [
        WireSignature(
            id=uuid7(),
            campaign="sanctuary-of-safety",
            local_campaign=None,
            text_version="a" * 64,
            lang="en",
            kiosk_id="bench",
            event_id=None,
            created_at=datetime.now(UTC),
            utc_offset_minutes=0,
            synthetic=True,
            sealed=secrets.token_bytes(sealed),
        )
        for _ in range(MAX_BATCH_SIGNATURES)
    ]
    body = PushRequest(signatures=sigs).model_dump_json().encode()
    assert len(body) <= MAX_BODY_BYTES, len(body)
    return body


def concurrent_pushes(
    live: LiveServer, token: str, bodies: list[bytes]
) -> tuple[int, Counter[int]]:
    """Push every body at once; return the peak RSS (KiB) seen and the answers' statuses."""
    pid = live.process.pid  # type: ignore[union-attr]
    statuses: Counter[int] = Counter()
    barrier = threading.Barrier(len(bodies))
    lock = threading.Lock()

    def push(body: bytes) -> None:
        barrier.wait()
        try:
            r = httpx.post(
                live.url("/signatures"),
                content=body,
                timeout=180,
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            )
            code = r.status_code
        except httpx.HTTPError:
            code = 0
        with lock:
            statuses[code] += 1

    threads = [threading.Thread(target=push, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return _status_kib(pid, "VmHWM"), statuses


def stalled_uploads(live: LiveServer, token: str, count: int, hold_check: float) -> int:
    """Open ``count`` uploads that stall after a few bytes; return how many are still open
    ``hold_check`` seconds later."""
    head = (
        f"POST /api/v1/signatures HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {MAX_BODY_BYTES}\r\n\r\n"
        '{"signatures": ['
    ).encode()
    socks = []
    for _ in range(count):
        s = socket.create_connection((live.host, live.port), timeout=30)
        s.sendall(head)
        s.setblocking(False)
        socks.append(s)
    deadline = time.monotonic() + hold_check
    open_ = set(socks)
    sel = selectors.DefaultSelector()  # epoll: more than 1,024 descriptors
    for s in socks:
        sel.register(s, selectors.EVENT_READ)
    while open_ and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s = key.fileobj
            assert isinstance(s, socket.socket)
            try:
                while s.recv(65536):
                    pass
            except BlockingIOError:
                continue
            except OSError:
                pass
            open_.discard(s)  # EOF or reset: the server let it go
            sel.unregister(s)
    sel.close()
    held = len(open_)
    for s in socks:
        s.close()
    return held


def scenario(name: str, env: dict[str, str], args: argparse.Namespace, body: bytes) -> dict:
    with (
        tempfile.TemporaryDirectory(prefix="kiosk-bench-abuse-") as tmp,
        LiveServer(data_dir=tmp, env=env) as live,
    ):
        live.import_campaigns(*CAMPAIGNS)
        _device, token = live.enroll("bench")
        pid = live.process.pid  # type: ignore[union-attr]
        time.sleep(1)
        idle = _status_kib(pid, "VmRSS")
        peak, statuses = concurrent_pushes(live, token, [body] * args.pushes)
        held = stalled_uploads(live, token, args.stalled, args.hold_check)
        healthy = httpx.get(live.url("/health"), timeout=30).status_code == 200
    return {
        "name": name,
        "idle": idle,
        "peak": peak,
        "statuses": statuses,
        "held": held,
        "healthy": healthy,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pushes", type=int, default=32, help="concurrent 8 MiB pushes")
    parser.add_argument("--stalled", type=int, default=2000, help="stalled uploads")
    parser.add_argument(
        "--hold-check",
        type=float,
        default=25.0,
        help="seconds after which still-open stalled uploads are counted",
    )
    args = parser.parse_args(argv)
    body = full_batch()
    off = {
        "KIOSK_UPLOAD_BUDGET_BYTES": "0",
        "KIOSK_BODY_IDLE_TIMEOUT": "86400",
        "KIOSK_BODY_TIMEOUT": "86400",
    }
    runs = [
        scenario("bounded (as shipped)", {}, args, body),
        scenario("bounds off (before)", off, args, body),
    ]
    print(
        f"load average {os.getloadavg()[0]:.2f}; body {len(body) / 2**20:.2f} MiB; "
        f"{args.pushes} concurrent pushes; {args.stalled} stalled uploads checked after "
        f"{args.hold_check:.0f} s"
    )
    print(
        "| server | idle RSS (floor) | peak RSS under the pushes | answers | stalled still held "
        "| healthy after |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for r in runs:
        answers = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        print(
            f"| {r['name']} | {r['idle'] / 1024:.0f} MB | {r['peak'] / 1024:.0f} MB | "
            f"{answers} | {r['held']} of {args.stalled} | {r['healthy']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
