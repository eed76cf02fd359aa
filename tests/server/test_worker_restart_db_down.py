"""A worker process that dies while PostgreSQL is restarting: uvicorn starts a new one, which
must wait for the database instead of failing its start-up, since uvicorn then stops every
worker and the server with them (seen: a SIGKILLed worker during a PostgreSQL restart took a
two-worker server down for good).

A real ``kiosk-server serve --workers 2`` on a real PostgreSQL database; the test closes the
database to new connections and terminates every connection (a restart, as the server sees
it), kills one worker, and opens the database again three seconds later.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tests.server.helpers import (
    create_pg_database,
    cut_off_pg_database,
    drop_pg_database,
    pg_admin_url,
    reopen_pg_database,
)
from tests.server.live import LiveServer


def _workers(parent: int) -> list[int]:
    out = subprocess.run(
        ["pgrep", "-P", str(parent), "-f", "multiprocessing-fork"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return [int(p) for p in out.split()]


@pytest.mark.postgres
def test_a_worker_restarted_while_the_database_is_down_waits_for_it(tmp_path: Path) -> None:
    url = create_pg_database(pg_admin_url(), "kiosk_respawn_")
    name = make_url(url).database
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with LiveServer(database_url=url, data_dir=tmp_path, workers=2) as server:
            assert server.process is not None
            deadline = time.monotonic() + 30
            while len(_workers(server.process.pid)) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            victim = _workers(server.process.pid)[0]
            cut_off_pg_database(admin, name)
            os.kill(victim, signal.SIGKILL)
            # The database stays closed until the new worker has met it closed (at least three
            # seconds): on a loaded machine the new worker took more than three to start, met
            # the database open again, and the test saw nothing of what it is about.
            time.sleep(3)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if "the database is unavailable at start-up" in server.log_path.read_text(
                    errors="replace"
                ):
                    break
                time.sleep(0.2)
            reopen_pg_database(admin, name)

            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                log = server.log_path.read_text(errors="replace")
                if log.count("Application startup complete") >= 3 or "failed to start" in log:
                    break
                time.sleep(0.2)
            log = server.log_path.read_text(errors="replace")
            assert server.process.poll() is None, log
            assert "failed to start" not in log, log
            assert "the database is unavailable at start-up" in log, log
            assert len(_workers(server.process.pid)) == 2, log
            for _ in range(6):  # either worker answers
                r = httpx.get(server.url("/health"), timeout=10)
                assert r.status_code == 200, r.text
    finally:
        reopen_pg_database(admin, name)
        admin.dispose()
        drop_pg_database(pg_admin_url(), url)
