"""Server ingest benchmark: several kiosks pushing full batches to a real ``kiosk-server``.

Starts ``kiosk-server serve`` on 127.0.0.1 (SQLite in a temporary directory, and PostgreSQL in a
fresh scratch database that is dropped afterwards), enrolls one device per client, and has the
clients (threads, each with its own HTTP connection) push batches of new signatures at the same
time. Payloads are built and encoded before the clock starts, so the figure is the server's:
validation, hashing, the batch transaction and the JSON answer. Each run uses new signatures
("new"); a second scenario re-sends them all ("retry": every item answered ``duplicate``).

Usage::

    .venv/bin/python bench/bench_server.py                      # both backends
    .venv/bin/python bench/bench_server.py --backends sqlite --runs 3
    .venv/bin/python bench/bench_server.py --postgres-url postgresql+psycopg://USER@HOST/postgres
        # (a scratch database is created there and dropped afterwards)

Prints the median of the runs in signatures per second, beside the target, and the CPU time
the server spent per signature: its process (and worker processes) and, on PostgreSQL, the
database's backends serving it, read from ``/proc`` around each run. On a machine shared with
other work the rate follows the CPU share the server gets; the CPU time per signature is the
figure to compare between two versions of the code.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import httpx

from kiosk.domain.ids import uuid7
from kiosk.wire import PushRequest, PushResponse, WireSignature
from tests.server.helpers import (
    DEFAULT_PG_ADMIN_URL,
    create_pg_database,
    drop_pg_database,
)
from tests.server.live import LiveServer

TARGET = 5_000  # signatures per second


@dataclass
class RunResult:
    """One timed run."""

    signatures: int
    seconds: float
    latencies: list[float]
    #: CPU seconds of the server's processes, and of its PostgreSQL backends, during the run.
    server_cpu: float = 0.0
    database_cpu: float = 0.0

    @property
    def rate(self) -> float:
        """Signatures per second."""
        return self.signatures / self.seconds


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # the fields after the command name


def cpu_seconds(pids: set[int]) -> dict[int, float]:
    """User + system CPU seconds of each process still running (Linux ``/proc``)."""
    out: dict[int, float] = {}
    for pid in pids:
        fields = _proc_stat(pid)
        if fields is not None:
            out[pid] = (int(fields[11]) + int(fields[12])) / _TICK
    return out


def process_tree(root: int) -> set[int]:
    """``root`` and its descendants (uvicorn's worker processes)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _proc_stat(int(entry.name))
            if fields is not None:
                parents[int(entry.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return tree


class CpuMeter:
    """CPU seconds used by the server's processes and by the PostgreSQL backends connected to
    its database (their pids from ``pg_stat_activity``), between :meth:`start` and
    :meth:`stop`."""

    def __init__(self, server_pid: int, database_url: str | None) -> None:
        self.server_pid = server_pid
        self.database_url = database_url
        self._before: dict[int, float] = {}

    def _pids(self) -> tuple[set[int], set[int]]:
        server = process_tree(self.server_pid)
        backends: set[int] = set()
        if self.database_url:
            import psycopg
            from sqlalchemy.engine import make_url

            u = make_url(self.database_url)
            with psycopg.connect(
                host=u.host, port=u.port, user=u.username, password=u.password, dbname=u.database
            ) as conn:
                backends = {
                    pid
                    for (pid,) in conn.execute(
                        "SELECT pid FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                }
        return server, backends

    def start(self) -> None:
        """Read the counters before a run."""
        server, backends = self._pids()
        self._before = cpu_seconds(server | backends)

    def stop(self) -> tuple[float, float]:
        """CPU seconds since :meth:`start`: (server processes, database backends)."""
        server, backends = self._pids()
        now = cpu_seconds(server | backends)

        def used(pids: set[int]) -> float:
            return sum(now[p] - self._before.get(p, 0.0) for p in pids if p in now)

        return used(server), used(backends - server)


def make_batches(clients: int, batches: int, size: int, sealed_bytes: int) -> list[list[bytes]]:
    """Encoded push bodies: ``batches`` per client, ``size`` new signatures each."""
    campaigns = [
        ("defy-trump-expand-sanctuary", "evansville"),
        ("defy-trump-expand-sanctuary", None),
        ("sanctuary-of-safety", None),
    ]
    out: list[list[bytes]] = []
    for c in range(clients):
        bodies = []
        for _ in range(batches):
            sigs = []
            for i in range(size):
                campaign, local = campaigns[i % len(campaigns)]
                sigs.append(
                    WireSignature(
                        id=uuid7(),
                        campaign=campaign,
                        local_campaign=local,
                        text_version="ab" * 32,
                        lang="en",
                        kiosk_id=f"bench-{c}",
                        event_id=None,
                        created_at=datetime.now(UTC),
                        utc_offset_minutes=-300,
                        synthetic=False,
                        sealed=secrets.token_bytes(sealed_bytes),
                    )
                )
            bodies.append(PushRequest(signatures=sigs).model_dump_json().encode())
        out.append(bodies)
    return out


def push_all(
    server: LiveServer,
    tokens: list[str],
    bodies: list[list[bytes]],
    size: int,
    expect: str,
    meter: CpuMeter | None = None,
) -> RunResult:
    """Every client pushes its bodies in turn, all clients at once; returns the timing."""
    barrier = threading.Barrier(len(tokens) + 1)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        headers = {"Authorization": f"Bearer {tokens[i]}", "Content-Type": "application/json"}
        with httpx.Client(base_url=server.url(), timeout=120) as http:
            http.get("/health")  # open the connection before the clock starts
            barrier.wait()
            for body in bodies[i]:
                t0 = time.perf_counter()
                r = http.post("/signatures", content=body, headers=headers)
                elapsed = time.perf_counter() - t0
                if r.status_code != 200:
                    with lock:
                        errors.append(f"{r.status_code} {r.text[:200]}")
                    return
                statuses = {
                    s.status for s in PushResponse.model_validate_json(r.content).signatures
                }
                if statuses != {expect}:
                    with lock:
                        errors.append(f"unexpected statuses {statuses}")
                with lock:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    if meter is not None:
        meter.start()
    barrier.wait()
    start = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    server_cpu, database_cpu = meter.stop() if meter is not None else (0.0, 0.0)
    if errors:
        raise RuntimeError(f"push failed: {errors[0]}")
    total = sum(len(b) for b in bodies) * size
    return RunResult(total, seconds, latencies, server_cpu, database_cpu)


def _us(run: RunResult) -> str:
    per = 1e6 / run.signatures
    return f"CPU/signature: server {run.server_cpu * per:.0f} µs, database {run.database_cpu * per:.0f} µs"


def bench_backend(
    name: str, database_url: str | None, args: argparse.Namespace
) -> list[tuple[str, list[RunResult]]]:
    """All runs of both scenarios on one backend."""
    import tempfile

    with (
        tempfile.TemporaryDirectory(prefix="kiosk-bench-") as data_dir,
        LiveServer(
            database_url=database_url,
            data_dir=data_dir,
            workers=args.workers,
            server_name="bench",
        ) as server,
    ):
        server.import_campaigns(*sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml")))
        tokens = [server.enroll(f"bench-{i}")[1] for i in range(args.clients)]
        assert server.process is not None
        meter = CpuMeter(server.process.pid, database_url)
        new_runs: list[RunResult] = []
        retry_runs: list[RunResult] = []
        for run in range(args.runs):
            bodies = make_batches(args.clients, args.batches, args.batch_size, args.sealed_bytes)
            new_runs.append(push_all(server, tokens, bodies, args.batch_size, "created", meter))
            retry_runs.append(push_all(server, tokens, bodies, args.batch_size, "duplicate", meter))
            print(
                f"  {name} run {run + 1}/{args.runs}: new {new_runs[-1].rate:,.0f}/s "
                f"({_us(new_runs[-1])}), retry {retry_runs[-1].rate:,.0f}/s "
                f"({_us(retry_runs[-1])}); load {os.getloadavg()[0]:.1f}",
                file=sys.stderr,
            )
        return [("new", new_runs), ("retry", retry_runs)]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backends", default="sqlite,postgres", help="comma-separated: sqlite, postgres"
    )
    parser.add_argument("--clients", type=int, default=3, help="concurrent kiosks (default 3)")
    parser.add_argument(
        "--batches", type=int, default=6, help="batches per client per run (default 6)"
    )
    parser.add_argument(
        "--batch-size", type=int, default=500, help="signatures per batch (default 500)"
    )
    parser.add_argument(
        "--sealed-bytes",
        type=int,
        default=1500,
        help="size of each sealed blob (default 1500, a typical signature)",
    )
    parser.add_argument(
        "--runs", type=int, default=5, help="repeated runs; the median is shown (default 5)"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server worker processes (default 1)"
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("KIOSK_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN_URL),
        help="PostgreSQL server where a scratch database is created and dropped",
    )
    args = parser.parse_args(argv)

    rows: list[tuple[str, str, list[RunResult]]] = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        if backend == "sqlite":
            for scenario, runs in bench_backend("sqlite", None, args):
                rows.append(("SQLite (WAL, synchronous=FULL)", scenario, runs))
        elif backend == "postgres":
            url = create_pg_database(args.postgres_url, prefix="kiosk_bench_")
            try:
                for scenario, runs in bench_backend("postgres", url, args):
                    rows.append(("PostgreSQL 15", scenario, runs))
            finally:
                drop_pg_database(args.postgres_url, url)
        else:
            parser.error(f"unknown backend {backend!r}")

    per_run = args.clients * args.batches * args.batch_size
    print(
        f"\nkiosk-server ingest: {args.clients} concurrent clients x {args.batches} batches of "
        f"{args.batch_size} ({per_run:,} signatures per run, sealed blob {args.sealed_bytes} B), "
        f"{args.workers} server worker(s), {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; median of {args.runs} runs\n"
    )
    header = (
        f"{'backend':32} {'scenario':9} {'median sig/s':>13} {'min':>9} {'max':>9} "
        f"{'p50 batch ms':>13} {'server µs':>10} {'db µs':>7} {'target':>8}  verdict"
    )
    print(header)
    print("-" * len(header))
    for backend, scenario, runs in rows:
        rates = [r.rate for r in runs]
        lat = statistics.median(x for r in runs for x in r.latencies) * 1000
        median = statistics.median(rates)
        verdict = "ok" if median >= TARGET else "BELOW TARGET"
        server_us = statistics.median(r.server_cpu / r.signatures * 1e6 for r in runs)
        db_us = statistics.median(r.database_cpu / r.signatures * 1e6 for r in runs)
        print(
            f"{backend:32} {scenario:9} {median:13,.0f} {min(rates):9,.0f} {max(rates):9,.0f} "
            f"{lat:13.0f} {server_us:10.0f} {db_us:7.0f} {TARGET:8,}  {verdict}"
        )
    print("(server µs, db µs: median CPU time per signature of the server's processes and of")
    print(" its PostgreSQL backends)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
