"""The console's export jobs as the exports page reads them: expired ones deleted, stuck ones
failed, a coordinator's newest listed first (read by ``created_at`` from its indexes,
migration 0020; the timings are in ``bench console``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, insert, select

from kiosk.server import coordinators
from kiosk.server.console import jobs
from kiosk.server.db import write_transaction

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _job(conn: Connection, job_id: str, coordinator: int, state: str, age: timedelta) -> None:
    conn.execute(
        insert(jobs.JOBS).values(
            id=job_id,
            coordinator_id=coordinator,
            kind="pdf",
            params={"campaign": "x"},
            state=state,
            done=0,
            total=1,
            message=None,
            filename="p.pdf" if state == "done" else None,
            result=b"%PDF" * 1000 if state == "done" else None,
            created_at=NOW - age,
            finished_at=None,
        )
    )


def test_list_jobs_prunes_fails_and_lists_newest_first(engine: Engine) -> None:
    with write_transaction(engine) as conn:
        ana = coordinators.add(conn, "ana@example.org", NOW).id
        bo = coordinators.add(conn, "bo@example.org", NOW).id
        _job(conn, "expired", ana, "done", timedelta(hours=25))
        _job(conn, "stuck", ana, "running", timedelta(hours=3))
        _job(conn, "queued-long", ana, "queued", timedelta(hours=2, minutes=1))
        _job(conn, "running", ana, "running", timedelta(minutes=5))
        _job(conn, "done", ana, "done", timedelta(hours=23))
        _job(conn, "other", bo, "done", timedelta(minutes=1))
        for i in range(55):
            _job(conn, f"old-{i:02}", bo, "done", timedelta(hours=1, minutes=i))
    with write_transaction(engine) as conn:
        mine = jobs.list_jobs(conn, ana, NOW)
        theirs = jobs.list_jobs(conn, bo, NOW)
    assert [(j["id"], j["state"]) for j in mine] == [
        ("running", "running"),
        ("queued-long", "failed"),
        ("stuck", "failed"),
        ("done", "done"),
    ]
    assert {j["message"] for j in mine if j["state"] == "failed"} == {
        "stopped: stopped with its server process"
    }
    assert "result" not in mine[0]
    assert [j["id"] for j in theirs] == ["other"] + [f"old-{i:02}" for i in range(49)]
    with engine.connect() as conn:
        left = set(conn.execute(select(jobs.JOBS.c.id)).scalars())
    assert "expired" not in left and len(left) == 60
