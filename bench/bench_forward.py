"""Forwarding (issue #16): throughput to a local webhook receiver beside a floor, and the time to
drain 10,000 signatures at Action Network's rate.

1. **Webhooks.** ``--signatures`` real sealed signatures are stored through the server's own
   ingest path (SQLite in a temporary directory, or PostgreSQL in a scratch database), a webhook
   destination without a rate limit is added (8 requests in flight), and a :class:`Forwarder`
   drains the outbox: open each signature, build and sign its document, POST it, record the
   result and the audit rows. The floor, in the same run, is the same receiver (it verifies every
   signature with the ``standardwebhooks`` package; it runs in a process of its own) fed by a
   bare loop of 8 threads POSTing pre-built signed messages with the forwarder's own HTTP client:
   no database, no decryption. Target: at least 500 signatures/s per
   destination, i.e. forwarding is not the bottleneck.
2. **Action Network's rate.** A sample (``--an-sample``) goes to the OSDI test endpoint, which
   answers 429 above 4 requests a second, with the default OSDI destination (3 requests a second);
   the drain time of 10,000 is the sample's achieved rate extrapolated (it is a rate limit: the
   time is linear), beside the ideal 10,000 / 3 s.

Usage::

    .venv/bin/python -m bench forward
    .venv/bin/python -m bench forward --signatures 5000 --backends sqlite,postgres
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx
from sqlalchemy import Engine

from bench.harness import Row, print_table
from kiosk.server import campaigns, devices, migrate
from kiosk.server.db import create_db_engine, write_transaction
from kiosk.server.forwarding.destinations import DestinationSpec, new_webhook_secret
from kiosk.server.forwarding.secrets import ForwardingSecret
from kiosk.server.forwarding.senders import make_client, sign_webhook, webhook_key
from kiosk.server.forwarding.service import ForwardingService
from kiosk.server.ingest import store_push
from kiosk.wire import PushRequest
from tests.server.forwarding import support as s
from tests.server.forwarding.fakes import OsdiServer, running
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url

TARGET_PER_S = 500.0
AN_TOTAL = 10_000


def _fill(engine: Engine, count: int) -> None:
    migrate.upgrade(engine)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        for p in campaigns.load_files(
            [REPO_ROOT / "resources" / "campaigns" / "sanctuary-of-safety.toml"]
        ):
            campaigns.store(conn, p, now)
        code = devices.create_enrollment_code(conn, "bench", timedelta(hours=1), now).code
        device = devices.enroll(conn, code, "bench", now).device_id
    version = s.text_version(engine)
    for base in range(0, count, 500):
        sigs = [
            s.wire_signature(s.personal(i, True), version)
            for i in range(base, min(base + 500, count))
        ]
        with write_transaction(engine) as conn:
            store_push(conn, device, PushRequest(signatures=sigs), datetime.now(UTC), s.keyring())


def _service(engine: Engine, tmp: Path) -> ForwardingService:
    return ForwardingService(
        engine,
        lambda create: ForwardingSecret.load(tmp / "forwarding.secret", create),
        network=s.LOCAL,
    )


class _Receiver:
    """The Standard Webhooks test receiver in a process of its own (its own interpreter and
    GIL, as a real receiving system would be): ``with _Receiver(secret) as rx``."""

    def __init__(self, secret: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.server.forwarding.fakes", secret],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=REPO_ROOT,
            text=True,
        )
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}/hooks/petitions"
        self._client = httpx.Client(timeout=30)

    def count(self) -> dict[str, int]:
        answer: dict[str, int] = self._client.get(f"http://127.0.0.1:{self.port}/count").json()
        return answer

    def __enter__(self) -> _Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def webhook_throughput(url: str, tmp: Path, count: int) -> tuple[float, float]:
    """(forwarder signatures/s, floor requests/s) to one local receiver in its own process."""
    engine = create_db_engine(url)
    try:
        _fill(engine, count)
        secret = new_webhook_secret()
        with _Receiver(secret) as rx:
            _service(engine, tmp).add(
                DestinationSpec("bench", "webhook", s.CAMPAIGN, rx.url, credential=secret),
                "bench",
            )
            fwd = s.forwarder(engine, tmp, batch=500)
            t0 = time.perf_counter()
            while True:
                if not fwd.run_once():
                    if rx.count()["messages"] >= count:
                        break
                    time.sleep(0.01)
            forwarded = count / (time.perf_counter() - t0)
            fwd.close()
            got = rx.count()
            assert got["messages"] == count and got["rejected"] == 0, got
            # Floor: the same receiver, pre-built signed messages, 8 threads, no database.
            key = webhook_key(secret)
            body = b'{"type":"signature.created","data":{"id":"x"}}'
            local = threading.local()

            def post(i: int) -> None:
                client = getattr(local, "client", None)
                if client is None:
                    client = local.client = make_client(network=s.LOCAL)
                ts = int(time.time())
                msg = f"msg_floor{i}"
                client.post(
                    rx.url,
                    body,
                    {
                        "webhook-id": msg,
                        "webhook-timestamp": str(ts),
                        "webhook-signature": sign_webhook(key, msg, ts, body),
                        "Content-Type": "application/json",
                    },
                )

            t0 = time.perf_counter()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(post, range(count)))
            floor = count / (time.perf_counter() - t0)
    finally:
        engine.dispose()
    return forwarded, floor


def an_rate(url: str, tmp: Path, sample: int) -> float:
    """Signatures/s achieved to the rate-limited OSDI endpoint with the default destination."""
    engine = create_db_engine(url)
    try:
        _fill(engine, sample)
        token = "bench-token"
        with running(OsdiServer(token, rate=4.0, retry_after=1)) as an:
            _service(engine, tmp).add(
                DestinationSpec("an", "osdi", s.CAMPAIGN, an.url(), credential=token), "bench"
            )
            fwd = s.forwarder(engine, tmp)
            t0 = time.perf_counter()
            while len(an.signatures) < sample:
                if not fwd.run_once():
                    time.sleep(0.02)
            rate = sample / (time.perf_counter() - t0)
            fwd.close()
            if an.counts["429"]:
                print(f"  (the endpoint answered 429 {an.counts['429']} times)")
    finally:
        engine.dispose()
    return rate


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signatures", type=int, default=3000)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument("--an-sample", type=int, default=30)
    args = parser.parse_args()
    rows: list[Row] = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-forward-") as tmp_name:
            tmp = Path(tmp_name)
            pg = None
            if backend == "postgres":
                pg = create_pg_database(pg_admin_url(), prefix="bench_forward_")
                url = pg
            else:
                url = f"sqlite:///{tmp / 'server.sqlite3'}"
            try:
                forwarded, floor = webhook_throughput(url, tmp, args.signatures)
            finally:
                if pg:
                    drop_pg_database(pg_admin_url(), pg)
            rows.append(
                Row(
                    f"{backend}: forwarded to a webhook receiver ({args.signatures})",
                    forwarded,
                    "/s",
                    TARGET_PER_S,
                    higher_is_better=True,
                )
            )
            rows.append(Row(f"{backend}: floor (bare signed POSTs, same receiver)", floor, "/s"))
    with tempfile.TemporaryDirectory(prefix="bench-forward-an-") as tmp_name:
        tmp = Path(tmp_name)
        rate = an_rate(f"sqlite:///{tmp / 'server.sqlite3'}", tmp, args.an_sample)
    rows.append(Row(f"Action Network rate: achieved ({args.an_sample} sent)", rate, "/s"))
    rows.append(
        Row(f"drain {AN_TOTAL:,} at that rate", AN_TOTAL / rate / 60, "min", note="extrapolated")
    )
    rows.append(Row(f"drain {AN_TOTAL:,} ideal at 3/s", AN_TOTAL / 3 / 60, "min"))
    print_table("Forwarding", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
