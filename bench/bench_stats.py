"""``GET /api/v1/stats`` at campaign scale, beside the bare GROUP BY floor (issue #13).

For each backend (SQLite in a temporary directory, PostgreSQL in a scratch database dropped
afterwards) the store is filled through the server's own ingest path (``store_push`` with the
organization's private key configured, batches of 500: each signature is opened and checked
once on arrival and the running counts updated), then a fresh ``kiosk-server serve`` process is
started on it and ``GET /stats`` is timed: the first call after the start, then the median of
later calls. The floor, in the same run, is the bare ``SELECT campaign, local_campaign,
count(*) ... GROUP BY`` over the signatures table (median of 3) — what any request that scans the
signatures pays at least.

Usage::

    .venv/bin/python -m bench stats                       # 200,000 signatures, both backends
    .venv/bin/python -m bench stats --signatures 20000 --backends sqlite
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx
from sqlalchemy import text

from bench.harness import Row, print_table
from kiosk.adapters.crypto import SealedBoxSealer, encrypt_private_key, generate_keypair
from kiosk.domain.ids import uuid7
from kiosk.domain.ink import encode_ink
from kiosk.server import campaigns, coordinators, devices, migrate
from kiosk.server.db import create_db_engine, write_transaction
from kiosk.server.ingest import store_push
from kiosk.server.keys import ENV_KEY_PASSPHRASE, load_keyring
from kiosk.wire import PushRequest, WireSignature
from tests.helpers import DATA, ink, mini_campaign
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url
from tests.server.live import LiveServer

TARGET_MS = 100.0
PASSPHRASE = "bench passphrase"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _name(i: int) -> str:
    out = ""
    while True:
        out += _LETTERS[i % 26]
        i //= 26
        if not i:
            return out.capitalize()


class Filler:
    """Grows one server database through the server's own ingest path (``store_push`` with the
    organization's private key configured, batches of 500): each signature is opened and
    checked once on arrival and the running counts updated, as a push from a kiosk would.

    Signer ``i`` is named after ``i - i // 10``, so one signature in ten repeats the signer
    before it (the unique signers count has something to find), whatever the sizes grown to.
    Signature ``i`` was made ``i`` minutes after ``first_minute`` (all in the past).
    """

    def __init__(self, url: str, key_path: Path, public: bytes, most: int) -> None:
        self.engine = create_db_engine(url)
        migrate.upgrade(self.engine)
        self.ring = load_keyring([key_path], PASSPHRASE)
        now = datetime.now(UTC)
        with write_transaction(self.engine) as conn:
            for p in campaigns.load_files([DATA / "mini.toml"]):
                campaigns.store(conn, p, now)
            code = devices.create_enrollment_code(conn, "bench", timedelta(hours=1), now).code
            self.device = devices.enroll(conn, code, "bench", now).device_id
        self.camp = mini_campaign()
        self.locals = [None, "evansville", "st-louis-county"]
        self.versions = {loc: self.camp.current_version(loc).hash for loc in self.locals}
        self.template = {
            "v": 1,
            "first_name": "",
            "last_name": "Signer",
            "zip": "47708",
            "ink": base64.b64encode(encode_ink(ink(3))).decode(),
            "email": "",
            "phone": "",
            "street": "",
            "city": "",
            "state": "",
            "comment": "",
            "opt_in": False,
            "consent_text": "",
        }
        self.sealer = SealedBoxSealer(public)
        self.first_minute = now - timedelta(minutes=most + 60)
        self.count = 0

    def grow(self, to: int) -> float:
        """Push signatures until ``to`` are stored; seconds spent in ``store_push``."""
        spent = 0.0
        for base in range(self.count, to, 500):
            sigs = []
            for i in range(base, min(base + 500, to)):
                loc = self.locals[i % 3]
                personal = dict(self.template, first_name=_name(i - i // 10))
                sigs.append(
                    WireSignature(
                        id=uuid7(),
                        campaign=self.camp.slug,
                        local_campaign=loc,
                        text_version=self.versions[loc],
                        lang="en",
                        kiosk_id=f"kiosk-{i % 7}",
                        event_id=f"event-{i % 40}",
                        created_at=self.first_minute + timedelta(minutes=i),
                        utc_offset_minutes=-300,
                        synthetic=False,
                        sealed=self.sealer.seal(json.dumps(personal).encode()),
                    )
                )
            request = PushRequest(signatures=sigs)
            t0 = time.perf_counter()
            with write_transaction(self.engine) as conn:
                store_push(conn, self.device, request, datetime.now(UTC), self.ring)
            spent += time.perf_counter() - t0
        self.count = max(self.count, to)
        return spent

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def fill(url: str, key_path: Path, public: bytes, count: int) -> float:
    """Push ``count`` signatures into a fresh database (:class:`Filler`); seconds spent in
    ``store_push``."""
    filler = Filler(url, key_path, public, count)
    try:
        return filler.grow(count)
    finally:
        filler.close()


def group_by_floor(url: str) -> float:
    """Median seconds of the bare GROUP BY over the signatures."""
    engine = create_db_engine(url)
    times = []
    try:
        for _ in range(3):
            t0 = time.perf_counter()
            with engine.connect() as conn:
                conn.execute(
                    text(
                        "SELECT campaign, local_campaign, count(*) FROM signatures "
                        "GROUP BY campaign, local_campaign"
                    )
                ).all()
            times.append(time.perf_counter() - t0)
    finally:
        engine.dispose()
    return statistics.median(times)


def time_stats(
    url: str, data_dir: Path, key_path: Path, calls: int, who: str = "bench"
) -> tuple[float, float, dict[str, Any]]:
    """Start a server on the filled database; (first call s, median later call s, body).
    ``who`` names the coordinator made for the calls (one name per call of this)."""
    engine = create_db_engine(url)
    with write_transaction(engine) as conn:
        token = coordinators.add(conn, who, datetime.now(UTC)).token
    engine.dispose()
    with (
        LiveServer(
            database_url=url,
            data_dir=data_dir,
            extra_args=("--org-private-key-file", str(key_path)),
            env={ENV_KEY_PASSPHRASE: PASSPHRASE},
        ) as server,
        httpx.Client(timeout=600) as http,
    ):
        headers = {"Authorization": f"Bearer {token}"}
        t0 = time.perf_counter()
        r = http.get(server.url("/stats"), headers=headers)
        first = time.perf_counter() - t0
        r.raise_for_status()
        later = []
        for _ in range(calls):
            t0 = time.perf_counter()
            http.get(server.url("/stats"), headers=headers).raise_for_status()
            later.append(time.perf_counter() - t0)
        return first, statistics.median(later), r.json()


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--signatures", type=int, default=200_000)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"]
    )
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--postgres-url", default=pg_admin_url())
    args = parser.parse_args()
    public, private = generate_keypair()
    with tempfile.TemporaryDirectory(prefix="bench-stats-") as tmp:
        key_path = Path(tmp) / "org.key"
        key_path.write_bytes(encrypt_private_key(private, PASSPHRASE))
        import os

        os.environ[ENV_KEY_PASSPHRASE] = PASSPHRASE
        for backend in args.backends:
            data_dir = Path(tmp) / backend
            data_dir.mkdir()
            url = (
                f"sqlite:///{data_dir / 'server.sqlite3'}"
                if backend == "sqlite"
                else create_pg_database(args.postgres_url, "kiosk_bench_stats_")
            )
            try:
                spent = fill(url, key_path, public, args.signatures)
                floor = group_by_floor(url)
                first, later, body = time_stats(url, data_dir, key_path, args.calls)
            finally:
                if backend == "postgres":
                    drop_pg_database(args.postgres_url, url)
            n = args.signatures
            print_table(
                f"stats, {backend}, {n:,} signatures",
                [
                    Row(
                        "GET /stats, first call after a server start",
                        first * 1000,
                        "ms",
                        TARGET_MS,
                        note=f"{first / floor:.2f}x the GROUP BY floor",
                    ),
                    Row(
                        f"GET /stats, later calls (median of {args.calls})",
                        later * 1000,
                        "ms",
                        TARGET_MS,
                        note=f"{later / floor:.2f}x the floor",
                    ),
                    Row("floor: bare GROUP BY campaign, local over signatures", floor * 1000, "ms"),
                    Row(
                        "arrival cost with the key (open, check, count), per signature",
                        spent / n * 1e6,
                        "us",
                        note=f"{n / spent:,.0f} signatures/s through store_push",
                    ),
                ],
            )
            print(
                f"unique signers {body['unique_signers']}, counted {body['campaigns']}, "
                f"quarantined {body['quarantined']}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
