"""The console's exports page with many finished export jobs kept (their files are in the
database for a day): ``jobs.list_jobs``, run at every view of the page, beside the bare read of
the same rows' small columns by the coordinator's index (no ``created_at``), in the same run.

Usage::

    .venv/bin/python -m bench jobs                      # 40 jobs of 10 MB, SQLite
    .venv/bin/python -m bench jobs --jobs 100 --mb 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import insert, select

from bench.harness import Row, print_table
from kiosk.server import coordinators, migrate
from kiosk.server.console import jobs
from kiosk.server.db import create_db_engine, write_transaction


def _median_ms(fn: Callable[[], object], runs: int = 7) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def run(count: int, mb: float) -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="bench-jobs-") as tmp:
        engine = create_db_engine(f"sqlite:///{Path(tmp) / 'server.sqlite3'}")
        try:
            migrate.upgrade(engine)
            now = datetime.now(UTC)
            blob = os.urandom(int(mb * 1_000_000))
            with write_transaction(engine) as conn:
                who = coordinators.add(conn, "bench@example.org", now).id
                for i in range(count):
                    conn.execute(
                        insert(jobs.JOBS).values(
                            id=f"{i:032x}",
                            coordinator_id=who,
                            kind="pdf",
                            params={"campaign": "bench"},
                            state="done",
                            done=1,
                            total=1,
                            message=None,
                            filename="packet.pdf",
                            result=blob,
                            created_at=now - timedelta(minutes=i),
                            finished_at=now,
                        )
                    )

            def listed() -> None:
                with write_transaction(engine) as conn:
                    assert len(jobs.list_jobs(conn, who, datetime.now(UTC))) == min(count, 50)

            j = jobs.JOBS.c

            def floor() -> None:
                with engine.connect() as conn:
                    conn.execute(
                        select(j.id, j.kind, j.state, j.done, j.total, j.filename)
                        .where(j.coordinator_id == who)
                        .limit(50)
                    ).all()

            value, bare = _median_ms(listed), _median_ms(floor)
        finally:
            engine.dispose()
    label = f"{count} jobs of {mb:g} MB"
    return [
        Row(f"exports page's job list (SQLite), {label}", value, "ms"),
        Row(f"floor: the same rows' small columns, {label}", bare, "ms"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--mb", type=float, default=10.0)
    args, _ = parser.parse_known_args()
    print_table("console export jobs", run(args.jobs, args.mb))
    return 0


if __name__ == "__main__":
    sys.exit(main())
