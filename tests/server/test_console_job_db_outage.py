"""A console export whose database goes away under it is shown failed, in words, once the
database answers again: not "running" with a frozen progress bar for two hours.

A real keyed server process on a real PostgreSQL database. The test holds a lock the export
waits on, then closes the database to new connections and terminates every connection to it
(what a PostgreSQL restart does, for two seconds), then opens it again.
"""

from __future__ import annotations

import re
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk.server.console.jobs import DATABASE_FAILED
from kiosk.server.db import create_db_engine
from kiosk.server.keys import ENV_KEY_PASSPHRASE
from tests.server.coord_support import (
    MINI,
    PASSPHRASE,
    add_coordinator,
    csrf_of,
    make_key,
    mini_signature,
    person,
    sign_in,
)
from tests.server.helpers import (
    create_pg_database,
    cut_off_pg_database,
    drop_pg_database,
    pg_admin_url,
    push_body,
    reopen_pg_database,
)
from tests.server.live import LiveServer


def _wait_for(predicate: Any, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.mark.postgres
def test_an_export_cut_off_by_the_database_is_shown_failed(tmp_path: Path) -> None:
    key = make_key(tmp_path)
    url = create_pg_database(pg_admin_url(), "kiosk_jobdown_")
    name = make_url(url).database
    admin = create_engine(pg_admin_url(), isolation_level="AUTOCOMMIT")
    holder = create_engine(url)
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    try:
        with (
            ExitStack() as stack,
            LiveServer(
                database_url=url,
                data_dir=data_dir,
                extra_args=("--org-private-key-file", str(key.path)),
                env={ENV_KEY_PASSPHRASE: PASSPHRASE},
            ) as server,
        ):
            server.import_campaigns(MINI)
            _id, token = server.enroll("Tablet")
            sigs = [mini_signature(key, person("Ana", "Diaz"), "evansville") for _ in range(5)]
            r = httpx.post(
                server.url("/signatures"),
                content=push_body(sigs),
                headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                timeout=60,
            )
            assert r.status_code == 200, r.text
            engine = create_db_engine(url)
            try:
                add_coordinator(engine, "Ada", role="admin")
            finally:
                engine.dispose()
            web = httpx.Client(
                base_url=server.base_url, timeout=60, headers={"Origin": server.base_url}
            )
            stack.callback(web.close)
            assert sign_in(web, "ada@example.org").status_code == 303
            csrf = csrf_of(web.get("/console/exports").text)
            with holder.connect() as lock_conn:
                lock_conn.execute(text("LOCK TABLE signatures IN ACCESS EXCLUSIVE MODE"))
                form = {"csrf": csrf, "kind": "csv", "campaign": "mini-test", "lang": "en"}
                assert web.post("/console/exports", data=form).status_code == 303
                (job,) = re.findall(r'data-job="([0-9a-f]+)"', web.get("/console/exports").text)

                def export_waits() -> bool:
                    q = text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                        "current_database() AND wait_event_type = 'Lock'"
                    )
                    return bool(lock_conn.execute(q).scalar_one())

                _wait_for(export_waits, "the export to wait for the lock")
                mine = lock_conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                cut_off_pg_database(admin, name, spare_pid=mine)
                time.sleep(2)  # the job fails now, and cannot record it yet
                lock_conn.rollback()
            reopen_pg_database(admin, name)

            state: dict[str, Any] = {}

            def job_ended() -> bool:
                r = web.get(f"/console/exports/{job}.json")
                if r.status_code == 200:
                    state.update(r.json())
                return state.get("state") in ("done", "failed")

            _wait_for(job_ended, "the job to end", timeout=30)
            assert state["state"] == "failed" and state["message"] == DATABASE_FAILED, state
            page = web.get("/console/exports").text
            assert "the database did not answer during the export: nothing was made" in page
    finally:
        holder.dispose()
        reopen_pg_database(admin, name)
        admin.dispose()
        drop_pg_database(pg_admin_url(), url)
