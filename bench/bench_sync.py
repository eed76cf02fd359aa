"""Sync benchmark: one kiosk pushes 10,000 pending signatures to a server on 127.0.0.1.

Target (issue 4): a full sync pass of 10,000 pending signatures under 5 s, with the server on
SQLite and on PostgreSQL. The server is a real ``kiosk-server serve`` process (one worker);
the kiosk is the real engine over its SQLite store, exactly as ``kiosk sync`` runs it (push in
batches of 500, then campaigns and totals). Each run starts from a copy of the same kiosk
(10,000 realistic sealed signatures, every one pending) and an emptied server database; the
figure is the median of the runs. A second pass that re-sends all 10,000 (the server answers
``duplicate``) is shown for reference.

PostgreSQL comes from ``KIOSK_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``); a scratch database is created and
dropped. Without PostgreSQL its rows are skipped.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.harness import Row, print_table
from tests.sync.helpers import ServerHandle, fill, make_kiosk, running_server

SIGNATURES = 10_000
RUNS = 5
TARGET_S = 5.0


def _prepare(root: Path) -> Path:
    """A kiosk folder with 10,000 pending signatures (closed, so it can be copied)."""
    template = root / "template"
    kiosk = make_kiosk(template)
    fill(kiosk, SIGNATURES, seed=4)
    kiosk.close()
    return template


def one_run(
    server: ServerHandle, template: Path, target: Path, expect: int = SIGNATURES
) -> tuple[float, float, float]:
    """Seconds for a first pass of the ``expect`` pending signatures in ``template`` on a fresh
    server, signatures/s, and seconds for a pass sending all of them again (made pending again
    as a kiosk does when it finds the server restored; every one answered duplicate)."""
    server.reset()
    shutil.copytree(template, target)
    kiosk = make_kiosk(target)
    try:
        engine = kiosk.sync_engine()
        engine.enroll(server.base_url, server.code("bench"))
        start = time.perf_counter()
        report = engine.run_once()
        first = time.perf_counter() - start
        if not report.ok or report.created != expect:
            raise RuntimeError(f"sync failed: {report.error} {report.error_detail}")
        if server.count() != expect:
            raise RuntimeError("the server does not hold every signature")
        # Everything sent again (a lost acknowledgement, a server restore): all duplicates.
        kiosk.store.requeue_acknowledged(audit_after_seq=None)
        start = time.perf_counter()
        again = engine.run_once()
        resend = time.perf_counter() - start
        if not again.ok or again.duplicate != expect:
            raise RuntimeError("the re-send was not answered duplicate")
    finally:
        kiosk.close()
        shutil.rmtree(target, ignore_errors=True)
    return first, expect / first, resend


def bench_backend(backend: str, root: Path, template: Path) -> list[Row]:
    firsts: list[float] = []
    rates: list[float] = []
    resends: list[float] = []
    with running_server(backend, root / f"server-{backend}") as server:
        for i in range(RUNS):
            first, rate, resend = one_run(server, template, root / f"run-{backend}-{i}")
            firsts.append(first)
            rates.append(rate)
            resends.append(resend)
    label = "SQLite" if backend == "sqlite" else "PostgreSQL"
    return [
        Row(
            f"push {SIGNATURES:,} pending, server on {label} (median of {RUNS})",
            statistics.median(firsts),
            "s",
            TARGET_S,
            note=f"min {min(firsts):.2f}, max {max(firsts):.2f}",
        ),
        Row(f"  throughput, server on {label}", statistics.median(rates), "/s"),
        Row(
            f"  re-send {SIGNATURES:,} answered duplicate, {label}", statistics.median(resends), "s"
        ),
    ]


def main() -> None:
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as d:
        root = Path(d)
        template = _prepare(root)
        rows += bench_backend("sqlite", root, template)
        try:
            rows += bench_backend("postgres", root, template)
        except Exception as exc:  # noqa: BLE001 - PostgreSQL is optional for a benchmark run
            print(f"PostgreSQL skipped: {type(exc).__name__}: {exc}", file=sys.stderr)
    print_table("sync: one kiosk pushing to a server on 127.0.0.1", rows)


if __name__ == "__main__":
    main()
