"""Campaign scale (issue 13): costs as the stores grow, each beside a floor measured in the same run.

``python -m bench scale`` builds the large stores itself (synthetic signatures: real sealed
blobs, unique ids and dedupe keys, added in bulk) and prints, for each figure, the median, the
floor, their ratio and the target:

- **save** p50/p99 (validate, duplicate check, seal, durable commit through ``SigningService``)
  with 0, 1k, 10k, 20k, 50k, 200k and 500k signatures stored; floor: a bare durable insert of a
  row of the same size into the same file (WAL, ``synchronous=FULL``).
- **sync** of 10k and 200k pending signatures to a real ``kiosk-server`` on 127.0.0.1, SQLite
  (one server process) and PostgreSQL (two, as docs/server.md runs each); floor: ``executemany``
  (SQLite) / ``COPY`` (PostgreSQL) of the same rows. Up to 20k, 5 syncs and 5 floors run in
  alternated pairs, the verdict on the median of the pairs' ratios (the machine's speed drifts).
  Up to 20k, also beside a diagnostic floor with no target: the server's own insert path
  storing the same rows into its own tables (``_server_inserts``). At every size, also beside
  the CPU time the kiosk and the server processes spent on it, spread over the machine's cores
  (``_tree_cpu``): the least any sync could take here (on PostgreSQL a lower bound still: the
  database's own processes are not the server's children and are not counted).
- **export** of the whole campaign (read, decrypt, render: ``make_pdf_export``) for 10k and 50k
  signers; floor: a reportlab text-only table of the same rows.
- **stats**: ``GET /api/v1/stats`` on a server holding 1k, 10k, 50k and 200k signatures (grown
  through the server's own ingest path with the organization's key configured, as
  ``bench stats`` does), on both backends: the first call after a fresh server start and the
  median of 10 later ones; floor: the bare ``GROUP BY campaign, local_campaign`` over the
  signatures. Target: under 100 ms, first call included.
- **status**: ``kiosk status --json`` on 200k (a fresh process each time); floor: the same
  counts in process.
- **ingest** with 3 and 5 real kiosk processes pushing at once to a server on PostgreSQL (two
  worker processes, as docs/server.md runs it); floor: ``COPY`` of the same rows. Two figures:
  kiosks already running (each process opens its kiosk and sync engine, as the app has at a
  rally, then all start one pass at the same moment: the target's figure), and ``kiosk sync``
  processes started together (their interpreter start-up, about 0.45 s of CPU each on the
  same two cores, counted in the time).

It writes a PNG plot of cost against store size (``--plot``, default
``docs/benchmarks-scale.png``), drawn with Qt. Choose sizes with ``--sizes`` (save),
``--sync-sizes``, ``--stats-sizes``, ``--export-sizes``, ``--kiosks``; ``--quick`` runs small sizes only.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from bench.bench_sync import one_run
from bench.harness import letters, percentile
from kiosk.app import Kiosk
from kiosk.domain.ids import uuid7
from kiosk.domain.signature import PersonalData, SealedSignature, SignatureMeta
from kiosk.simulate import human_strokes
from kiosk.wire import BASE_BATCH_SIGNATURES, MAX_BATCH_SIGNATURES
from tests.sync.helpers import (
    CAMPAIGN,
    TEST_PRIVATE_KEY,
    make_kiosk,
    running_server,
)

#: Targets from issue 13 (ratios are value / floor; save is an absolute p99).
SAVE_P99_MS = 5.0
SYNC_RATIO = 2.5
EXPORT_RATIO = 2.5
STATUS_RATIO = 3.0
INGEST_PER_S = 15_000
STATS_MS = 100.0
#: Server processes, as docs/server.md runs the server: one on SQLite (one writer at a time),
#: ``kiosk-server serve --workers 2`` on PostgreSQL. The sync and ingest figures both use them.
SERVER_WORKERS = {"sqlite": 1, "postgres": 2}


class Figure:
    """One line of the scale table: median, floor, ratio and target."""

    def __init__(
        self,
        group: str,
        name: str,
        size: int,
        value: float,
        unit: str,
        floor: float | None = None,
        target: str = "",
        ok: bool | None = None,
        paired: float | None = None,
    ) -> None:
        self.group, self.name, self.size = group, name, size
        self.value, self.unit, self.floor, self.target, self.ok = value, unit, floor, target, ok
        #: The median of the ratios of runs made in pairs (value's run and floor's, alternated),
        #: when the figure was measured so: it holds against a machine whose speed drifts.
        self.paired = paired

    @property
    def ratio(self) -> float | None:
        """value / floor (for a rate, floor / value: how many times slower than the floor), or
        the median of paired runs' ratios when they were measured in pairs."""
        if self.paired is not None:
            return self.paired
        if not self.floor:
            return None
        return self.floor / self.value if self.unit.endswith("/s") else self.value / self.floor

    def line(self) -> str:
        floor = "" if self.floor is None else f"{self.floor:,.3f}"
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}x"
        verdict = "" if self.ok is None else ("ok" if self.ok else "MISSED")
        return (
            f"| {self.name} | {self.size:,} | {self.value:,.3f} {self.unit} | {floor} | "
            f"{ratio} | {self.target} | {verdict} |"
        )


# -- building stores ---------------------------------------------------------------------------


class Builder:
    """Adds synthetic signatures to a kiosk store in bulk: unique ids and dedupe keys, real
    sealed blobs (a pool of 64, sealed to the test key, so exports can open them)."""

    def __init__(self, kiosk: Kiosk, synthetic: bool = False, seed: int = 0) -> None:
        from kiosk.adapters.crypto import SealedBoxSealer

        self.kiosk = kiosk
        self.synthetic = synthetic
        self.version = kiosk.catalog.get(CAMPAIGN).current_version(None)
        rng = random.Random(seed)
        sealer = SealedBoxSealer(kiosk.keys.public_key())
        self.blobs = [
            sealer.seal(
                PersonalData(
                    first_name=f"Ana-{letters(i)}",
                    last_name=rng.choice(("García", "Nguyễn", "Smith")),
                    zip="55802",
                    city="Duluth",
                    state="MN",
                    email=f"a{i}@example.org",
                    ink=human_strokes(rng),
                ).to_bytes()
            )
            for i in range(64)
        ]
        self.start = datetime(2026, 3, 3, 16, tzinfo=UTC)
        self.n = 0

    def add(self, count: int, chunk: int = 20_000) -> None:
        """Add ``count`` more signatures, ``chunk`` per transaction."""
        done = 0
        while done < count:
            items = []
            for _ in range(min(chunk, count - done)):
                i = self.n
                created = self.start + timedelta(milliseconds=997 * i)
                meta = SignatureMeta(
                    uuid7(int(created.timestamp() * 1000)),
                    CAMPAIGN,
                    None,
                    self.version.hash,
                    "en",
                    self.kiosk.kiosk_id,
                    None,
                    created,
                    -300,
                    self.synthetic,
                )
                keys = (uuid.uuid4().hex * 2, uuid.uuid4().hex * 2)
                items.append((SealedSignature(meta, self.blobs[i % 64], keys), self.version))
                self.n += 1
            self.kiosk.store.add_many(items)
            done += len(items)


def _rows_of(db: Path) -> list[tuple[Any, ...]]:
    """The pending rows of a kiosk store as the server would store them (the floors' rows)."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT id, campaign, local_campaign, text_version, lang, kiosk_id, event_id, "
            "created_ms, utc_offset_minutes, synthetic, "
            "(SELECT b.sealed FROM signature_sealed b WHERE b.seq = signatures.seq) "
            "FROM signatures "
            "WHERE sync_state = 'pending' ORDER BY seq"
        ).fetchall()
    finally:
        conn.close()


# -- save --------------------------------------------------------------------------------------


class _BareInsert:
    """The save floor: one row of ``size`` bytes inserted and committed durably into a bare
    table of the same file, on its own connection, with the store's pragmas (WAL,
    ``synchronous=FULL``, the automatic checkpoint at the store's threshold: the store's own
    thread checkpoints, so neither the saves nor the floor's inserts carry the checkpoints)."""

    def __init__(self, db: Path, size: int) -> None:
        from kiosk.store.db import PRAGMAS

        self.conn = sqlite3.connect(db, isolation_level=None)
        for name, value in PRAGMAS:
            self.conn.execute(f"PRAGMA {name}={value}")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_floor (seq INTEGER PRIMARY KEY, b BLOB)"
        )
        self.blob = os.urandom(size)

    def __call__(self) -> float:
        t = time.perf_counter()
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.execute("INSERT INTO bench_floor (b) VALUES (?)", (self.blob,))
        self.conn.execute("COMMIT")
        return (time.perf_counter() - t) * 1000

    def close(self) -> None:
        self.conn.execute("DROP TABLE bench_floor")
        self.conn.close()


def _saves(
    kiosk: Kiosk, n: int, seed: int, floor: Callable[[], float] | None = None
) -> tuple[list[float], list[float]]:
    """``n`` durable saves through the signing service (as the touch screen makes them), each
    followed by one floor measurement, so both see the same disk and load."""
    from kiosk.domain.validation import SignerEntry

    service = kiosk.service()
    rng = random.Random(seed)
    inks = [human_strokes(rng) for _ in range(20)]
    times, floors = [], []
    letters = "abcdefghijklmnopqrstuvwxyzéñ"
    for i in range(n):
        last = "".join(rng.choice(letters) for _ in range(10)).capitalize()
        entry = SignerEntry(
            first_name="Zoë",
            last_name=f"Pérez {last}",
            zip="47708",
            email=f"z{seed}x{i}@example.org",
        )
        local = service.route(CAMPAIGN, entry.zip)
        t = time.perf_counter()
        service.submit(CAMPAIGN, local.slug if local else None, entry, inks[i % 20], "en")
        times.append((time.perf_counter() - t) * 1000)
        if floor is not None:
            floors.append(floor())
    return times[10:], floors[10:]


def bench_save(
    root: Path, sizes: list[int], saves: int
) -> tuple[list[Figure], Path | None, Path | None]:
    """Save p50/p99 as the store grows; returns the figures and the 10k / 200k kiosk copies."""
    kiosk = make_kiosk(root / "grow")
    builder = Builder(kiosk)
    figures: list[Figure] = []
    copies: dict[int, Path] = {}
    stored = 0
    for size in sizes:
        if size > stored:
            builder.add(size - stored)
            stored = size
        bare = _BareInsert(root / "grow" / "kiosk.db", len(builder.blobs[0]))
        times, floor = _saves(kiosk, saves, size, bare)
        bare.close()
        p50, p99 = percentile(times, 50), percentile(times, 99)
        f50, f99 = percentile(floor, 50), percentile(floor, 99)
        figures.append(Figure("save", "save p50", size, p50, "ms", f50))
        figures.append(
            Figure(
                "save", "save p99", size, p99, "ms", f99, f"< {SAVE_P99_MS:g} ms", p99 < SAVE_P99_MS
            )
        )
        print(
            f"  save with {size:,} stored: p50 {p50:.2f} ms, p99 {p99:.2f} ms "
            f"(bare durable insert p50 {f50:.2f}, p99 {f99:.2f})",
            flush=True,
        )
        stored += saves
        if size in (10_000, 200_000):
            kiosk.close()
            copies[size] = root / f"kiosk-{size}"
            shutil.copytree(root / "grow", copies[size])
            kiosk = make_kiosk(root / "grow")
            builder.kiosk = kiosk
    kiosk.close()
    return figures, copies.get(10_000), copies.get(200_000)


# -- status ------------------------------------------------------------------------------------


def _bytecode() -> None:
    """Compile the ``kiosk`` package, as an install has it, before timing fresh processes.

    Without it a shell with ``PYTHONDONTWRITEBYTECODE`` set (this machine's) makes every timed
    process compile about 60 modules from source (some 45 ms of CPU each time), which no
    installed kiosk pays.
    """
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO_ROOT / "kiosk")],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


def bench_status(kiosk_dir: Path, size: int, runs: int = 5) -> list[Figure]:
    """``kiosk status --json`` in a fresh process, against the same counts in process."""
    from kiosk.store.sql import open_store

    _bytecode()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    cmd = [sys.executable, "-m", "kiosk.cli", "--data-dir", str(kiosk_dir), "status", "--json"]
    subprocess.run(cmd, check=True, capture_output=True, env=env)  # warm the page cache
    wall = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        wall.append(time.perf_counter() - t)
    store = open_store(kiosk_dir / "kiosk.db")
    inproc = []
    for _ in range(runs):
        t = time.perf_counter()
        store.counts()
        store.pending_count()
        inproc.append(time.perf_counter() - t)
    store.close()
    value, floor = statistics.median(wall) * 1000, statistics.median(inproc) * 1000
    return [
        Figure(
            "status",
            "`kiosk status --json`",
            size,
            value,
            "ms",
            floor,
            f"<= {STATUS_RATIO:g}x floor",
            value <= STATUS_RATIO * floor,
        )
    ]


# -- sync --------------------------------------------------------------------------------------


def _sqlite_floor(rows: list[tuple[Any, ...]], db: Path) -> float:
    """Seconds to insert ``rows`` with ``executemany`` in one transaction (WAL, FULL)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE f (id TEXT PRIMARY KEY, campaign TEXT, local_campaign TEXT, "
        "text_version TEXT, lang TEXT, kiosk_id TEXT, event_id TEXT, created_ms INT, "
        "utc_offset INT, synthetic INT, sealed BLOB)"
    )
    t = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO f VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("COMMIT")
    took = time.perf_counter() - t
    conn.close()
    db.unlink()
    return took


def _pg_floor(rows: list[tuple[Any, ...]], url: str) -> float:
    """Seconds to ``COPY`` ``rows`` into a fresh table and commit."""
    import psycopg

    from tests.server.helpers import create_pg_database, drop_pg_database

    db_url = create_pg_database(url)
    try:
        plain = db_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as conn:
            conn.execute(
                "CREATE TABLE f (id uuid PRIMARY KEY, campaign text, local_campaign text, "
                "text_version text, lang text, kiosk_id text, event_id text, "
                "created_at timestamptz, utc_offset int, synthetic bool, sealed bytea)"
            )
            conn.commit()
            t = time.perf_counter()
            with conn.cursor() as cur, cur.copy("COPY f FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(
                        (
                            r[0],
                            r[1],
                            r[2],
                            r[3],
                            r[4],
                            r[5],
                            r[6],
                            datetime.fromtimestamp(r[7] / 1000, UTC),
                            r[8],
                            bool(r[9]),
                            r[10],
                        )
                    )
            conn.commit()
            return time.perf_counter() - t
    finally:
        drop_pg_database(url, db_url)


def _floor(backend: str, rows: list[tuple[Any, ...]], root: Path, pg_url: str) -> float:
    """The sync floor of ``backend``: :func:`_sqlite_floor` or :func:`_pg_floor`."""
    if backend == "sqlite":
        return _sqlite_floor(rows, root / "floor.db")
    return _pg_floor(rows, pg_url)


def _server_inserts(server: Any, rows: list[tuple[Any, ...]]) -> float:
    """Seconds for the server's own insert path to store ``rows`` into its own tables, as a
    push of them would, with nothing else (no HTTP, JSON, validation, hashing or counting):
    ``signatures`` and ``signature_facts``, batches of 500 in a transaction each, by
    ``kiosk.server.bulk`` (``COPY`` on PostgreSQL, ``executemany`` on SQLite). A diagnostic
    floor: how much of a sync the server's schema (indexes, foreign keys, one commit a batch)
    costs by itself."""
    import hashlib

    from kiosk.server import devices
    from kiosk.server.bulk import copy_rows, sqlite_insert_rows
    from kiosk.server.db import write_transaction
    from kiosk.server.ingest import _SIGNATURE_COLUMNS, SIGNATURES
    from kiosk.server.tallies import _FACT_COLUMNS, FACTS, PENDING

    server.reset()
    now = datetime.now(UTC)
    code = server.code("floor")
    with write_transaction(server.db) as conn:
        device = devices.enroll(conn, code, None, now).device_id
    stored = [
        (
            uuid.UUID(r[0]),
            *r[1:7],
            datetime.fromtimestamp(r[7] / 1000, UTC),
            r[8],
            bool(r[9]),
            "drawn",
            r[10],
            hashlib.sha256(r[10]).hexdigest(),
            device,
            now,
        )
        for r in rows
    ]
    facts = [(r[0], PENDING, None, None, None) for r in stored]
    insert = copy_rows if server.db.dialect.name == "postgresql" else sqlite_insert_rows
    t = time.perf_counter()
    for i in range(0, len(stored), 500):
        with write_transaction(server.db) as conn:
            insert(conn, SIGNATURES, _SIGNATURE_COLUMNS, stored[i : i + 500])
            insert(conn, FACTS, _FACT_COLUMNS, facts[i : i + 500])
    return time.perf_counter() - t


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) spent so far by process ``pid`` and its descendants (a
    server's worker processes), from ``/proc``."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}  # pid: (parent, cpu)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total = {pid}, 0.0
    for child, (parent, _) in sorted(stats.items()):  # a child's pid follows its parent's
        if parent in tree:
            tree.add(child)
    for p in tree:
        total += stats.get(p, (0, 0.0))[1]
    return total


#: The CPU time each of the last :func:`_sync_once` calls spent: (kiosk, server), seconds.
SYNC_CPU: list[tuple[float, float]] = []


def _sync_once(
    server: Any, template: Path, target: Path, expect: int, batch_size: int = MAX_BATCH_SIGNATURES
) -> float:
    server.reset()
    shutil.copytree(template, target)
    kiosk = make_kiosk(target)
    try:
        engine = kiosk.sync_engine(batch_size=batch_size)
        engine.enroll(server.base_url, server.code("bench"))
        pid = server.live.process.pid
        server_cpu, kiosk_cpu = _tree_cpu(pid), time.process_time()
        t = time.perf_counter()
        report = engine.run_once()
        took = time.perf_counter() - t
        SYNC_CPU.append((time.process_time() - kiosk_cpu, _tree_cpu(pid) - server_cpu))
        if not report.ok or report.created != expect:
            raise RuntimeError(f"sync failed: {report.summary()}")
    finally:
        kiosk.close()
        shutil.rmtree(target, ignore_errors=True)
    return took


def _paired(name: str, size: int, pairs: list[tuple[float, float]]) -> Figure:
    """A diagnostic figure (no target) of timings taken in pairs: the medians of each side, and
    the median of the pairs' ratios."""
    return Figure(
        "sync-diagnostic",
        name,
        size,
        statistics.median(a for a, _ in pairs),
        "s",
        statistics.median(b for _, b in pairs),
        "(diagnostic: no target)",
        None,
        paired=statistics.median(a / b for a, b in pairs),
    )


def bench_sync(
    root: Path, templates: dict[int, Path], backends: list[str], pg_url: str
) -> list[Figure]:
    figures = []
    for backend in backends:
        label = "SQLite" if backend == "sqlite" else "PostgreSQL"
        workers = SERVER_WORKERS[backend]
        with running_server(backend, root / f"server-{backend}", workers=workers) as server:
            for size, template in sorted(templates.items()):
                rows = _rows_of(template / "kiosk.db")
                # The machine's speed drifts (by up to a fifth from one minute to the next), so
                # up to 20k the sync and its floor are run in pairs, one right after the other
                # (which goes first alternates), and the verdict is the median of the pairs'
                # ratios; the medians are shown beside it. 200k: one run of each.
                runs = 5 if size <= 20_000 else 1
                pairs = []
                SYNC_CPU.clear()
                for i in range(runs):
                    target = root / f"sync-{backend}-{size}-{i}"
                    if i % 2:
                        fl = _floor(backend, rows, root, pg_url)
                        sy = _sync_once(server, template, target, len(rows))
                    else:
                        sy = _sync_once(server, template, target, len(rows))
                        fl = _floor(backend, rows, root, pg_url)
                    pairs.append((sy, fl))
                took = statistics.median(a for a, _ in pairs)
                floor = statistics.median(b for _, b in pairs)
                paired = statistics.median(a / b for a, b in pairs)
                kiosk_cpu = statistics.median(k for k, _ in SYNC_CPU)
                server_cpu = statistics.median(c for _, c in SYNC_CPU)
                figures.append(
                    Figure(
                        "sync",
                        f"sync to a server on {label}",
                        len(rows),
                        took,
                        "s",
                        floor,
                        f"<= {SYNC_RATIO:g}x floor",
                        paired <= SYNC_RATIO,
                        paired=paired if runs > 1 else None,
                    )
                )
                # Both processes' CPU time, spread over every core: no sync can take less.
                cores = os.cpu_count() or 1
                figures.append(
                    Figure(
                        "sync-diagnostic",
                        f"sync to {label}, beside the CPU time it took (kiosk "
                        f"{kiosk_cpu:.2f} s + server {server_cpu:.2f} s"
                        + (", PostgreSQL's own not counted" if backend != "sqlite" else "")
                        + f") over {cores} cores",
                        len(rows),
                        took,
                        "s",
                        (kiosk_cpu + server_cpu) / cores,
                        "(diagnostic: no target)",
                        None,
                    )
                )
                own = ""
                if size <= 20_000:  # the target's size: what the server's schema costs alone
                    inserts = statistics.median(_server_inserts(server, rows) for _ in range(runs))
                    figures.append(
                        Figure(
                            "sync-diagnostic",
                            f"sync to {label}, beside the server's own inserts",
                            len(rows),
                            took,
                            "s",
                            inserts,
                            "(diagnostic: no target)",
                            None,
                        )
                    )
                    own = f", the server's own inserts {inserts:.2f} s"
                    # What pushes of 1,000 (the server's limit, named in its answers) gain over
                    # pushes of 500 (what a server of before gets): passes alternated, by pairs.
                    target = root / f"sync-{backend}-{size}-ab"
                    pairs = [
                        (
                            _sync_once(server, template, target, len(rows)),
                            _sync_once(server, template, target, len(rows), BASE_BATCH_SIGNATURES),
                        )
                        for _ in range(5)
                    ]
                    figures.append(
                        _paired(
                            f"sync to {label}, pushes of up to 1,000 beside pushes of 500 "
                            "(5 alternated pairs, median of the pairs' ratios)",
                            len(rows),
                            pairs,
                        )
                    )
                    # After a server restore a kiosk sends everything again: what that costs
                    # when the server still holds it all (every one answered duplicate).
                    target = root / f"sync-{backend}-{size}-again"
                    runs3 = [one_run(server, template, target, len(rows)) for _ in range(3)]
                    figures.append(
                        _paired(
                            f"sync to {label} of signatures it holds already (all sent again, "
                            "as after a restore), beside the first sync of them (3 pairs)",
                            len(rows),
                            [(resend, first) for first, _, resend in runs3],
                        )
                    )
                print(
                    f"  sync {len(rows):,} to {label}: {took:.2f} s "
                    f"(floor {floor:.2f} s{own}, {len(rows) / took:,.0f}/s)",
                    flush=True,
                )
    return figures


# -- stats -------------------------------------------------------------------------------------


def bench_stats(root: Path, sizes: list[int], backends: list[str], pg_url: str) -> list[Figure]:
    """``GET /stats`` as one server database grows through ``sizes`` (a fresh server process
    at each size: the first call after a start, then the median of 10), beside the bare
    ``GROUP BY`` floor measured at the same size."""
    from bench import bench_stats as bs
    from kiosk.adapters.crypto import encrypt_private_key, generate_keypair
    from kiosk.server.keys import ENV_KEY_PASSPHRASE
    from tests.server.helpers import create_pg_database, drop_pg_database

    figures = []
    public, private = generate_keypair()
    key_path = root / "stats-org.key"
    key_path.write_bytes(encrypt_private_key(private, bs.PASSPHRASE))
    os.environ[ENV_KEY_PASSPHRASE] = bs.PASSPHRASE
    for backend in backends:
        label = "SQLite" if backend == "sqlite" else "PostgreSQL"
        data_dir = root / f"stats-{backend}"
        data_dir.mkdir()
        url = (
            f"sqlite:///{data_dir / 'server.sqlite3'}"
            if backend == "sqlite"
            else create_pg_database(pg_url, "kiosk_bench_stats_")
        )
        filler = bs.Filler(url, key_path, public, max(sizes))
        try:
            for size in sorted(sizes):
                before = filler.count
                spent = filler.grow(size)
                floor = bs.group_by_floor(url)
                first, later, body = bs.time_stats(url, data_dir, key_path, 10, f"bench-{size}")
                # What the figure times must be the right answer: every signature counted, and
                # one signer in ten a repeat (bench_stats.Filler).
                unique = sum((body["unique_signers"] or {}).values())
                if sum(body["campaigns"].values()) != size or unique != size - (size - 1) // 10:
                    raise RuntimeError(
                        f"/stats counted {body['campaigns']} and {unique} unique signers "
                        f"for {size:,} signatures"
                    )
                for name, value in (("first call after a start", first), ("later calls", later)):
                    figures.append(
                        Figure(
                            "stats",
                            f"GET /stats on {label}, {name}",
                            size,
                            value * 1000,
                            "ms",
                            floor * 1000,
                            f"< {STATS_MS:g} ms",
                            value * 1000 < STATS_MS,
                        )
                    )
                print(
                    f"  stats with {size:,} on {label}: first {first * 1000:.1f} ms, later "
                    f"{later * 1000:.1f} ms (GROUP BY {floor * 1000:.1f} ms; grown at "
                    f"{(size - before) / max(spent, 1e-9):,.0f}/s)",
                    flush=True,
                )
        finally:
            filler.close()
            if backend == "postgres":
                drop_pg_database(pg_url, url)
    return figures


# -- export ------------------------------------------------------------------------------------


def _text_table_floor(rows: list[tuple[str, str, str, str]]) -> float:
    """Seconds for reportlab to lay out a text-only table of the same rows (the export floor)."""
    import io

    from reportlab.lib.pagesizes import letter
    from reportlab.platypus import LongTable, SimpleDocTemplate

    t = time.perf_counter()
    doc = SimpleDocTemplate(io.BytesIO(), pagesize=letter)
    doc.build([LongTable([("name", "zip", "email", "signed"), *rows], repeatRows=1)])
    return time.perf_counter() - t


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return -1


def _reset_peak_rss() -> int:
    """Reset this process's peak resident memory (Linux ``clear_refs`` 5) and return its
    resident memory now, in bytes (-1 where the kernel does not allow it)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return -1
    return _status_kb("VmRSS") * 1024


def _peak_rss() -> int:
    """This process's peak resident memory since :func:`_reset_peak_rss`, bytes."""
    return _status_kb("VmHWM") * 1024


def bench_export(root: Path, sizes: list[int]) -> list[Figure]:
    from kiosk.adapters.crypto import SealedBoxOpener
    from kiosk.adapters.geo import ZipcodesDirectory
    from kiosk.domain.ports import SignatureFilter
    from kiosk.exports import ExportResult, collect, make_pdf_export

    figures = []
    kiosk = make_kiosk(root / "export")
    builder = Builder(kiosk, seed=5)
    opener = SealedBoxOpener(bytes(TEST_PRIVATE_KEY))
    campaign = kiosk.catalog.get(CAMPAIGN)
    try:
        for size in sizes:
            builder.add(size - builder.n)
            flt = SignatureFilter(campaign=CAMPAIGN)
            rss = _reset_peak_rss()
            t = time.perf_counter()
            made = make_pdf_export(kiosk.store, campaign, ZipcodesDirectory(), opener, flt)
            took = time.perf_counter() - t
            grew = _peak_rss() - rss if rss >= 0 else -1
            output = sum(len(f.data) for f in made.files)
            rows = [
                (
                    r.personal.printed_name,
                    r.personal.zip,
                    r.personal.email,
                    r.local_time.strftime("%Y-%m-%d %H:%M"),
                )
                for r in collect(kiosk.store, opener, flt, ExportResult())
            ]
            floor = _text_table_floor(rows)
            figures.append(
                Figure(
                    "export",
                    "whole PDF export (read, decrypt, render)",
                    made.rows,
                    took,
                    "s",
                    floor,
                    f"<= {EXPORT_RATIO:g}x floor",
                    took <= EXPORT_RATIO * floor,
                )
            )
            if grew >= 0:
                figures.append(
                    Figure(
                        "export-diagnostic",
                        "whole PDF export, peak memory over the process's before it, MB "
                        "(floor: the PDF files it hands back)",
                        made.rows,
                        grew / 1e6,
                        "MB",
                        output / 1e6,
                    )
                )
            print(
                f"  export {made.rows:,}: {took:.2f} s (text-only table {floor:.2f} s); "
                f"peak memory +{grew / 1e6:.0f} MB, {grew / made.rows / 1e3:.1f} KB a signature "
                f"(PDF files {output / 1e6:.1f} MB)",
                flush=True,
            )
    finally:
        kiosk.close()
    return figures


# -- ingest from several kiosk processes -------------------------------------------------------


#: A running kiosk for the ingest figure: the app's own objects (``open_kiosk``, its sync
#: engine), made before the clock starts; one pass when the parent says GO.
_RUNNING_KIOSK = """
import sys
from pathlib import Path
from kiosk.app import open_kiosk
kiosk = open_kiosk(Path(sys.argv[1]))
engine = kiosk.sync_engine()
print("READY", flush=True)
sys.stdin.readline()
report = engine.run_once()
kiosk.close()
sys.exit(0 if report.ok else 1)
"""


def _ingest_running(dirs: list[Path], env: dict[str, str]) -> float:
    """Seconds from GO to the end of every running kiosk's pass (see :data:`_RUNNING_KIOSK`)."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RUNNING_KIOSK, str(d)],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        for d in dirs
    ]
    for p in procs:
        assert p.stdout is not None
        if p.stdout.readline().strip() != "READY":
            raise RuntimeError("a kiosk process did not start")
    t = time.perf_counter()
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("GO\n")
        p.stdin.flush()
    return _seconds_to_exit(procs, t)


def _seconds_to_exit(procs: list[subprocess.Popen[Any]], started: float) -> float:
    """Seconds from ``started`` until every process has exited; any failure raises."""
    codes = [p.wait() for p in procs]
    took = time.perf_counter() - started
    if any(codes):
        raise RuntimeError(f"ingest failed: exit codes {codes}")
    return took


def _ingest_cli(dirs: list[Path], env: dict[str, str]) -> float:
    """Seconds from starting ``kiosk sync`` in every folder to the last one's exit."""
    t = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--data-dir", str(d), "sync", "--json"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for d in dirs
    ]
    return _seconds_to_exit(procs, t)


def bench_ingest(
    root: Path, kiosks: list[int], per_kiosk: int, pg_url: str, runs: int = 3
) -> list[Figure]:
    """Each figure is the median of ``runs`` runs, each on a fresh server and fresh copies of
    the same kiosk stores."""
    figures = []
    _bytecode()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    ways = (
        ("running kiosk processes", _ingest_running, True),
        ("`kiosk sync` processes started together", _ingest_cli, False),
    )
    for n in kiosks:
        templates = []
        for k in range(n):
            d = root / f"ingest-template-{n}-{k}"
            kiosk = make_kiosk(d)
            Builder(kiosk, synthetic=True, seed=k).add(per_kiosk)
            kiosk.close()
            templates.append(d)
        rows = [r for d in templates for r in _rows_of(d / "kiosk.db")]
        floor_rate = len(rows) / _pg_floor(rows, pg_url)
        for label, run, is_target in ways:
            rates = []
            for i in range(runs):
                with running_server(
                    "postgres", root / f"server-ingest-{n}-{i}", workers=SERVER_WORKERS["postgres"]
                ) as server:
                    dirs = []
                    for k, template in enumerate(templates):
                        d = root / f"ingest-{n}-{k}"
                        shutil.copytree(template, d)
                        kiosk = make_kiosk(d)
                        kiosk.sync_engine().enroll(server.base_url, server.code(f"bench-{k}"))
                        kiosk.close()
                        dirs.append(d)
                    took = run(dirs, env)
                    if server.count() != len(rows):
                        raise RuntimeError(f"ingest failed: {server.count()} of {len(rows)} stored")
                    rates.append(len(rows) / took)
                    for d in dirs:
                        shutil.rmtree(d, ignore_errors=True)
            rate = statistics.median(rates)
            figures.append(
                Figure(
                    "ingest" if is_target else "ingest-cli",
                    f"ingest, {n} {label}, PostgreSQL",
                    len(rows),
                    rate,
                    "/s",
                    floor_rate,
                    f">= {INGEST_PER_S:,}/s" if is_target else "(start-up included)",
                    rate >= INGEST_PER_S if is_target else None,
                )
            )
            print(
                f"  ingest with {n} {label}: {rate:,.0f}/s, median of "
                f"{', '.join(f'{r:,.0f}' for r in rates)} (COPY {floor_rate:,.0f}/s)",
                flush=True,
            )
        for d in templates:
            shutil.rmtree(d, ignore_errors=True)
    return figures


# -- plot --------------------------------------------------------------------------------------


def plot(figures: list[Figure], out: Path) -> None:
    """Cost against store size (log-log), one line per figure and one per floor, drawn with
    Qt (QPainter on a QImage: no display needed)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import math

    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import (
        QColor,
        QFont,
        QFontMetrics,
        QGuiApplication,
        QImage,
        QPainter,
        QPen,
    )

    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 - fonts need it
    series: dict[str, list[tuple[int, float, float | None]]] = {}
    for f in figures:
        if f.unit in ("/s", "MB") or f.group.endswith("-diagnostic"):  # drawn by their own line
            continue
        scale = 1000.0 if f.unit == "s" else 1.0  # everything in ms
        series.setdefault(f.name, []).append(
            (max(f.size, 1), f.value * scale, None if f.floor is None else f.floor * scale)
        )
    if not series:
        print(f"no figure with a size to draw; {out} left as it was")
        return
    w, h, left, right, top, bottom = 1280, 760, 90, 400, 40, 70
    img = QImage(w, h, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setFont(QFont("DejaVu Sans", 10))
    metrics = QFontMetrics(p.font())
    xs = [x for pts in series.values() for x, _, _ in pts]
    ys = [y for pts in series.values() for _, v, fl in pts for y in (v, fl) if y]
    x0, x1 = math.log10(min(xs)), math.log10(max(xs)) + 0.1
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))

    def at(x: float, y: float) -> QPointF:
        px = left + (math.log10(x) - x0) / (x1 - x0) * (w - left - right)
        py = h - bottom - (math.log10(y) - y0) / (y1 - y0) * (h - top - bottom)
        return QPointF(px, py)

    p.setPen(QPen(QColor("#999"), 1))
    for e in range(y0, y1 + 1):
        pt = at(10**x0, 10**e)
        p.drawLine(QPointF(left, pt.y()), QPointF(w - right, pt.y()))
        p.drawText(
            QRectF(0, pt.y() - 8, left - 6, 16), Qt.AlignmentFlag.AlignRight, f"{10**e:g} ms"
        )
    last_label = -1e9
    for x in sorted(set(xs)):
        pt = at(x, 10**y0)
        if pt.x() - last_label < 44:  # sizes close on a log scale (10k, 20k): one label
            continue
        last_label = pt.x()
        label = "0" if x == 1 else f"{x / 1000:g}k" if x >= 1000 else f"{x}"
        p.drawText(QRectF(pt.x() - 40, h - bottom + 6, 80, 16), Qt.AlignmentFlag.AlignCenter, label)
    p.drawText(
        QRectF(left, h - 30, w - left - right, 20),
        Qt.AlignmentFlag.AlignCenter,
        "signatures stored / synced / exported (log scale)",
    )
    colors = [
        "#1f77b4",
        "#d62728",
        "#2ca02c",
        "#9467bd",
        "#ff7f0e",
        "#8c564b",
        "#17becf",
        "#e377c2",
        "#7f7f7f",
        "#bcbd22",
    ]
    for i, (name, pts) in enumerate(sorted(series.items())):
        color = QColor(colors[i % len(colors)])
        pts.sort()
        for dashed, idx in ((False, 1), (True, 2)):
            pen = QPen(color, 2.5 if not dashed else 1.5)
            if dashed:
                pen.setStyle(Qt.PenStyle.DashLine)
            p.setPen(pen)
            drawn = [(n, v if idx == 1 else fl) for n, v, fl in pts]
            line = [at(n, cost) for n, cost in drawn if cost]
            for a, b in itertools.pairwise(line):
                p.drawLine(a, b)
            for q in line:
                p.drawEllipse(q, 3, 3)
        p.setPen(QPen(color, 2.5))
        ly = top + 20 + 36 * i
        p.drawLine(QPointF(w - right + 15, ly), QPointF(w - right + 45, ly))
        p.drawText(
            QPointF(w - right + 52, ly + 4),
            metrics.elidedText(name, Qt.TextElideMode.ElideRight, right - 60),
        )
        p.setPen(QPen(color, 1.5, Qt.PenStyle.DashLine))
        p.drawLine(QPointF(w - right + 15, ly + 14), QPointF(w - right + 45, ly + 14))
        p.drawText(QPointF(w - right + 52, ly + 18), "its floor")
    p.setPen(QPen(QColor("black"), 1))
    p.drawText(
        QRectF(left, 8, w - left - right, 24),
        Qt.AlignmentFlag.AlignCenter,
        "Cost against size (medians; dashed: the floor measured in the same run)",
    )
    p.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not img.save(str(out)):  # the format from the name's suffix
        raise RuntimeError(f"could not write the plot to {out} (a name ending .png?)")


# -- main --------------------------------------------------------------------------------------


def _ints(text: str) -> list[int]:
    return [int(float(x.replace("k", "e3"))) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument(
        "--only",
        default="save,status,sync,stats,export,ingest",
        help="which parts to run (comma-separated)",
    )
    parser.add_argument(
        "--sizes", default="0,1k,10k,20k,50k,200k,500k", help="store sizes for the save figures"
    )
    parser.add_argument("--saves", type=int, default=300, help="saves timed at each size")
    parser.add_argument("--sync-sizes", default="10k,200k")
    parser.add_argument("--stats-sizes", default="1k,10k,50k,200k")
    parser.add_argument("--export-sizes", default="10k,50k")
    parser.add_argument("--kiosks", default="3,5", help="kiosk processes for the ingest figure")
    parser.add_argument("--per-kiosk", type=int, default=10_000)
    parser.add_argument("--ingest-runs", type=int, default=3, help="runs per ingest figure")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes: 0,1k,10k saves, 10k sync, 1k and 10k stats, 10k export, 3 kiosks",
    )
    parser.add_argument("--plot", default=str(REPO_ROOT / "docs" / "benchmarks-scale.png"))
    parser.add_argument(
        "--results",
        default="",
        help="a JSON file: figures of earlier runs are read from it, and this "
        "run's added (the plot and table then cover both)",
    )
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "KIOSK_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.sync_sizes, args.export_sizes, args.kiosks = "0,1k,10k", "10k", "10k", "3"
        args.stats_sizes = "1k,10k"
    os.environ.setdefault("KIOSK_TEST_POSTGRES_URL", args.postgres_url)
    parts = set(args.only.split(","))
    sizes, sync_sizes = _ints(args.sizes), _ints(args.sync_sizes)
    backends = [b for b in args.backends.split(",") if b]
    started = time.perf_counter()
    print(f"load average at start: {os.getloadavg()}", flush=True)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as d:
        root = Path(d)
        k10 = k200 = None
        if "save" in parts:
            save_sizes = sorted(set(sizes) | {s for s in sync_sizes if s in (10_000, 200_000)})
            save_figs, k10, k200 = bench_save(root, save_sizes, args.saves)
            figures += [f for f in save_figs if f.size in sizes]
        templates: dict[int, Path] = {}
        wanted = set(sync_sizes if "sync" in parts else []) | (
            {200_000} if "status" in parts and k200 is None else set()
        )
        for size in sorted(wanted):
            path = k10 if size == 10_000 else k200 if size == 200_000 else None
            if path is None:
                path = root / f"kiosk-{size}"
                kiosk = make_kiosk(path)
                Builder(kiosk, seed=9).add(size)
                kiosk.close()
            templates[size] = path
        if "status" in parts:
            figures += bench_status(k200 or templates[200_000], 200_000)
        if "sync" in parts:
            figures += bench_sync(
                root, {s: templates[s] for s in sync_sizes}, backends, args.postgres_url
            )
        for p in templates.values():
            shutil.rmtree(p, ignore_errors=True)
        if "stats" in parts:
            figures += bench_stats(root, _ints(args.stats_sizes), backends, args.postgres_url)
        if "export" in parts:
            figures += bench_export(root, _ints(args.export_sizes))
        if "ingest" in parts and "postgres" in backends:
            figures += bench_ingest(
                root, _ints(args.kiosks), args.per_kiosk, args.postgres_url, args.ingest_runs
            )
    if args.results:
        import json

        path = Path(args.results)
        earlier = json.loads(path.read_text()) if path.is_file() else []
        mine = [vars(f) for f in figures]
        keys = {(f["group"], f["name"], f["size"]) for f in mine}
        merged = [f for f in earlier if (f["group"], f["name"], f["size"]) not in keys] + mine
        path.write_text(json.dumps(merged, indent=1))
        figures = [Figure(**f) for f in merged]
    plot(figures, Path(args.plot))
    print(
        f"\n## scale (load average at end: {os.getloadavg()}; "
        f"{time.perf_counter() - started:.0f} s in all)"
    )
    print("| figure | size | median | floor | ratio | target | verdict |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for f in figures:
        print(f.line())
    print(f"\nplot: {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
