"""The console's overview and the rally screen at campaign scale (issue #15), beside the bare
queries' time measured in the same run.

A real ``kiosk-server serve`` on SQLite (and PostgreSQL with ``--backends sqlite,postgres``)
holding the shipped campaigns, the local-campaign one grown to 179 local campaigns, and
``--signatures`` (200,000) signatures pushed through the server's own ingest path with the
private key (each opened once and counted), spread over 12 kiosks, 3 events and 30 days. A
signed-in coordinator then asks, over HTTP, for:

- the overview (``/console/``: every campaign's progress, the kiosks),
- the campaign page (``/console/campaign/SLUG``: 179 local campaigns with a progress bar each,
  signatures per hour over 48 hours and per day over 30 days),
- the campaigns page (``/console/campaigns``: signatures per text version, from running counts;
  its floor, the bare ``GROUP BY text_version``, is timed too) and the audit page
  (``/console/audit``: every chain, checked by the tail added since the last view),
- the rally screen's figures (``/rally/SLUG.json``: count, today, moving most),

each the median of ``--calls`` requests after one warm-up, against the target of 200 ms. The
campaign page's charts (summed from the hourly counts kept at ingest) and the rally figures are
computed once per change of the running counts (a sync) and then served from memory: the first
view after a sync, which computes them, is timed apart (one request, with an event filter not
asked for before). The
floors, in the same process and run: the bare ``SELECT local_campaign, count(*) ... GROUP BY``
over the campaign's signatures (what a page that counts by scanning pays at least), the bare
``count(*)`` of the campaign's signatures, and ``/api/v1/health`` over the same HTTP client (the
round trip with no work).

    .venv/bin/python -m bench console                       # 200,000 signatures, SQLite
    .venv/bin/python -m bench console --signatures 20000 --backends sqlite,postgres
    .venv/bin/python -m bench console --junk 100000   # and a flood of unreadable ones

``--junk N`` also pushes N signatures no key opens (random bytes, as a hostile enrolled
device could) over the last hour: all quarantined, and taken off every short-range count.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx
from sqlalchemy import text

from bench.harness import Row, print_table
from kiosk.server import coordinators
from kiosk.server.console import auth
from kiosk.server.db import create_db_engine, write_transaction
from tests.console.support import LOCAL_CAMPAIGN, ConsoleServer, seed_signatures
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url

TARGET_MS = 200.0
EMAIL, PASSWORD = "bench@example.org", "bench console password"


def _median_ms(fn: Callable[[], object], calls: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def push_unreadable(url: str, key: Any, count: int) -> None:
    """Push ``count`` signatures whose sealed data no key opens (random bytes) through the
    server's ingest path with the key, from one more kiosk, over the last hour: a flood of
    junk from a hostile enrolled device, every one of them quarantined."""
    import secrets
    from datetime import timedelta

    from kiosk.domain.ids import uuid7
    from kiosk.server import devices
    from kiosk.server.ingest import store_push
    from kiosk.server.keys import load_keyring
    from kiosk.wire import PushRequest, WireSignature
    from tests.console.support import PASSPHRASE

    engine = create_db_engine(url)
    ring = load_keyring([key.path], PASSPHRASE)
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        code = devices.create_enrollment_code(conn, "Junk", timedelta(hours=1), now)
        device = devices.enroll(conn, code.code, None, now).device_id
    with engine.connect() as conn:
        version = conn.execute(
            text("SELECT text_version FROM signatures WHERE campaign = :c LIMIT 1"),
            {"c": LOCAL_CAMPAIGN},
        ).scalar_one()
    for start in range(0, count, 1000):
        sigs = [
            WireSignature(
                id=uuid7(),
                campaign=LOCAL_CAMPAIGN,
                local_campaign=None,
                text_version=version,
                lang="en",
                kiosk_id="kiosk-junk",
                event_id=None,
                created_at=now - timedelta(seconds=3600 * i / count),
                utc_offset_minutes=-300,
                synthetic=False,
                sealed=secrets.token_bytes(200),
            )
            for i in range(start, min(count, start + 1000))
        ]
        with write_transaction(engine) as conn:
            store_push(conn, device, PushRequest(signatures=sigs), now, ring)
    engine.dispose()


def run(backend: str, signatures: int, calls: int, junk: int = 0) -> list[Row]:
    """Fill one backend, start a server on it and time the pages and the floors."""
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-console-") as tmp:
        tmp_path = Path(tmp)
        pg_url = None
        if backend == "postgres":
            pg_url = create_pg_database(pg_admin_url())
        try:
            with ConsoleServer(tmp_path, database_url=pg_url) as server:
                url = pg_url or f"sqlite:///{server.live.data_dir / 'kiosk-server.sqlite3'}"
                t0 = time.perf_counter()
                seed_signatures(
                    url,
                    server.key,
                    tmp_path / "campaigns" / f"{LOCAL_CAMPAIGN}.toml",
                    signatures,
                )
                if junk:
                    push_unreadable(url, server.key, junk)
                fill_s = time.perf_counter() - t0
                engine = create_db_engine(url)
                with write_transaction(engine) as conn:
                    new = coordinators.add(conn, EMAIL, datetime.now(UTC))
                    auth.set_login(conn, new.id, EMAIL, "admin", PASSWORD)
                # The planner's statistics, as a server that has run a while has them (on
                # PostgreSQL autovacuum would gather them some time after the fill, meanwhile
                # competing with the requests timed here).
                if backend == "sqlite":
                    with engine.connect() as conn:
                        conn.execute(text("ANALYZE"))
                else:
                    with engine.connect() as conn:
                        conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                            text("VACUUM ANALYZE")
                        )
                with httpx.Client(base_url=server.base, timeout=600) as http:
                    page = http.get("/console/signin").text
                    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                    assert csrf
                    r = http.post(
                        "/console/signin",
                        data={"csrf": csrf.group(1), "email": EMAIL, "password": PASSWORD},
                    )
                    assert r.status_code == 303, r.text[:300]

                    def get(path: str) -> Callable[[], object]:
                        def call() -> object:
                            resp = http.get(path)
                            resp.raise_for_status()
                            return resp

                        return call

                    campaign_page = get(f"/console/campaign/{LOCAL_CAMPAIGN}")
                    assert campaign_page().text.count("<tr data-text") == 179  # type: ignore[attr-defined]
                    label = f"{backend}, {signatures:,} signatures" + (
                        f" and {junk:,} unreadable" if junk else ""
                    )
                    health = _median_ms(get("/api/v1/health"), calls)
                    # Each page's median, and for the cached ones the first view after a
                    # sync, with a filter not asked for before (so computed, not remembered).
                    pages = (
                        ("overview /console/", "/console/", None),
                        (
                            "campaign page (179 local, charts)",
                            f"/console/campaign/{LOCAL_CAMPAIGN}",
                            f"/console/campaign/{LOCAL_CAMPAIGN}?event=ev-1",
                        ),
                        (
                            "campaigns /console/campaigns (signed per text version)",
                            "/console/campaigns",
                            None,
                        ),
                        ("audit /console/audit (every chain)", "/console/audit", None),
                        (
                            "rally figures /rally/SLUG.json",
                            f"/rally/{LOCAL_CAMPAIGN}.json",
                            f"/rally/{LOCAL_CAMPAIGN}.json?event=ev-2",
                        ),
                    )
                    for name, path, first in pages:
                        rows.append(
                            Row(f"{name} [{label}]", _median_ms(get(path), calls), "ms", TARGET_MS)
                        )
                        if first is not None:
                            t0 = time.perf_counter()
                            get(first)()
                            rows.append(
                                Row(
                                    f"  first view after a sync (computed) [{label}]",
                                    (time.perf_counter() - t0) * 1000,
                                    "ms",
                                    TARGET_MS,
                                )
                            )
                    rows.append(Row(f"floor: /api/v1/health round trip [{label}]", health, "ms"))

                    def bare(sql: str) -> Callable[[], object]:
                        def call() -> object:
                            with engine.connect() as conn:
                                return conn.execute(text(sql), {"c": LOCAL_CAMPAIGN}).all()

                        return call

                    rows.append(
                        Row(
                            f"floor: bare GROUP BY local_campaign [{label}]",
                            _median_ms(
                                bare(
                                    "SELECT local_campaign, count(*) FROM signatures "
                                    "WHERE campaign = :c GROUP BY local_campaign"
                                ),
                                max(3, calls // 4),
                            ),
                            "ms",
                        )
                    )
                    rows.append(
                        Row(
                            f"floor: bare GROUP BY text_version [{label}]",
                            _median_ms(
                                bare(
                                    "SELECT text_version, count(*) FROM signatures "
                                    "WHERE campaign = :c GROUP BY text_version"
                                ),
                                max(3, calls // 4),
                            ),
                            "ms",
                        )
                    )
                    rows.append(
                        Row(
                            f"floor: bare count(*) of the campaign [{label}]",
                            _median_ms(
                                bare("SELECT count(*) FROM signatures WHERE campaign = :c"),
                                max(3, calls // 4),
                            ),
                            "ms",
                        )
                    )
                    rows.append(Row(f"fill through ingest [{label}]", fill_s, "s"))
                engine.dispose()
        finally:
            if pg_url is not None:
                drop_pg_database(pg_admin_url(), pg_url)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--signatures", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--backends", default="sqlite")
    parser.add_argument(
        "--junk",
        type=int,
        default=0,
        help="also push this many unreadable signatures (quarantined) over the last hour",
    )
    args, _unknown = parser.parse_known_args()
    rows: list[Row] = []
    # The machine is shared: the load average says how busy it was around the figures.
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    for backend in args.backends.split(","):
        rows += run(backend.strip(), args.signatures, args.calls, args.junk)
    print_table("Console and rally screen at campaign scale (median per request)", rows)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
