"""Exactly-once under faults: three kiosks, 5,000 signatures each, through a chaos proxy.

Each kiosk runs ``kiosk sync`` (the real command, in a subprocess) through
:class:`~tests.sync.chaos_proxy.ChaosProxy`, which at random refuses connections, answers 500
or 503 itself, cuts requests before they reach the server, cuts answers after the server
committed, and delays. Meanwhile the harness SIGKILLs kiosk processes mid-sync and restarts
them, and SIGKILLs the server and restarts it on the same port. Then the proxy calms down and
the kiosks finish. The server must hold exactly the 15,000 signatures, none twice, none lost,
each with the content its kiosk sealed; every outbox is empty; nothing conflicted.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from kiosk.domain.ports import SignatureFilter
from kiosk.server.ingest import SIGNATURES
from kiosk.wire import WireSignature
from tests.server.live import REPO_ROOT
from tests.sync.chaos_proxy import ChaosProxy
from tests.sync.helpers import ServerHandle, fill, make_kiosk, running_server

KIOSKS = 3
PER_KIOSK = 5_000
SEED = int(os.environ.get("KIOSK_CHAOS_SEED", "20261123"))
CHAOS_SECONDS = 150.0  # faults and kills stop after this, even if kiosks are not done
CALM_SECONDS = 150.0  # then the kiosks must finish within this
KILL_CHANCE = 0.35  # chance a kiosk run is SIGKILLed part-way
SERVER_KILLS = 3


@dataclass
class Runner:
    """One kiosk's ``kiosk sync`` runs."""

    data_dir: Path
    proxy_url: str
    proc: subprocess.Popen[str] | None = None
    kill_at: float | None = None
    done: bool = False
    runs: int = 0
    kills: int = 0
    reports: list[dict[str, object]] = field(default_factory=list)

    def start(self, kill_after: float | None) -> None:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "--data-dir",
                str(self.data_dir),
                "sync",
                "--server",
                self.proxy_url,
                "--json",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=REPO_ROOT,
        )
        self.runs += 1
        self.kill_at = time.monotonic() + kill_after if kill_after is not None else None

    def tick(self, allow_kill: bool) -> None:
        """Reap a finished run or kill a run whose time has come."""
        if self.proc is None:
            return
        if self.proc.poll() is not None:
            out, _err = self.proc.communicate()
            self.proc = None
            try:
                report = json.loads(out)
            except ValueError:
                return
            self.reports.append(report)
            if report.get("ok") and report.get("pending_left") == 0:
                self.done = True
            return
        if allow_kill and self.kill_at is not None and time.monotonic() >= self.kill_at:
            self.proc.kill()
            self.proc.communicate()
            self.proc = None
            self.kills += 1

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        if self.proc is not None:
            self.proc.communicate()
        self.proc = None


class ServerKiller:
    """Kills the server (SIGKILL) and restarts it on the same port, in a background thread."""

    def __init__(self, server: ServerHandle, rng: random.Random) -> None:
        self.server = server
        self.rng = rng
        self.kills = 0
        self.thread: threading.Thread | None = None
        self.error: BaseException | None = None

    @property
    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def kill_and_restart(self) -> None:
        down_for = self.rng.uniform(0.2, 1.5)

        def work() -> None:
            try:
                port = self.server.live.port
                self.server.live.kill()
                self.kills += 1
                time.sleep(down_for)
                self.server.live.start(port=port)
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                self.error = exc

        self.thread = threading.Thread(target=work, name="server-killer", daemon=True)
        self.thread.start()

    def wait(self) -> None:
        if self.thread is not None:
            self.thread.join(60)
        if self.error is not None:
            raise self.error


def _duplicates_in_log(log: Path) -> int:
    """Signatures the server answered ``duplicate`` (from its per-push log lines)."""
    found = re.findall(r"signatures \(([^)]*)\)", log.read_text(errors="replace"))
    return sum(int(n) for part in found for n in re.findall(r"duplicate (\d+)", part))


@pytest.mark.slow
@pytest.mark.parametrize(
    "backend",
    [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ],
)
def test_three_kiosks_exactly_once_through_faults_and_crashes(backend: str, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    started = time.monotonic()
    with running_server(backend, tmp_path / "server") as server:
        expected: dict[Path, set[str]] = {}
        for i in range(KIOSKS):
            kiosk = make_kiosk(tmp_path / f"kiosk{i}")
            expected[kiosk.data_dir] = {str(x) for x in fill(kiosk, PER_KIOSK, seed=i)}
            kiosk.sync_engine().enroll(server.base_url, server.code(f"Kiosk {i}"))
            kiosk.close()
        with ChaosProxy(server.live.port, seed=SEED) as proxy:
            runners = [Runner(d, proxy.url) for d in expected]
            killer = ServerKiller(server, rng)
            try:
                # Chaos: faults, kiosk kills, server kills.
                t0 = time.monotonic()
                next_server_kill = t0 + 1.5
                while time.monotonic() - t0 < CHAOS_SECONDS and not all(r.done for r in runners):
                    for r in runners:
                        r.tick(allow_kill=True)
                        if r.proc is None and not r.done:
                            r.start(rng.uniform(0.8, 4.0) if rng.random() < KILL_CHANCE else None)
                    now = time.monotonic()
                    if killer.kills < SERVER_KILLS and not killer.busy and now >= next_server_kill:
                        killer.kill_and_restart()
                        next_server_kill = now + rng.uniform(4.0, 12.0)
                    time.sleep(0.05)
                chaos_seconds = time.monotonic() - t0
                # Calm: no more faults or kills; every kiosk must finish.
                killer.wait()
                proxy.calm = True
                t1 = time.monotonic()
                while time.monotonic() - t1 < CALM_SECONDS and not all(r.done for r in runners):
                    for r in runners:
                        r.tick(allow_kill=False)
                        if r.proc is None and not r.done:
                            r.start(None)
                    time.sleep(0.05)
            finally:
                for r in runners:
                    r.stop()
                killer.wait()
            counts = dict(proxy.counts)

        summary = {
            "backend": backend,
            "seed": SEED,
            "seconds": round(time.monotonic() - started, 1),
            "chaos_seconds": round(chaos_seconds, 1),
            "runs": [r.runs for r in runners],
            "kiosk_kills": [r.kills for r in runners],
            "server_kills": killer.kills,
            "proxy": counts,
            "duplicates_answered": _duplicates_in_log(server.live.log_path),
        }
        print("fault injection:", json.dumps(summary, sort_keys=True))
        assert all(r.done for r in runners), summary

        # The server holds exactly the 15,000 signatures, once each, as sealed.
        all_ids = set().union(*expected.values())
        assert len(all_ids) == KIOSKS * PER_KIOSK
        assert server.count() == KIOSKS * PER_KIOSK
        assert server.distinct_ids() == KIOSKS * PER_KIOSK
        assert server.ids() == all_ids
        assert server.conflicts() == 0
        with server.db.connect() as conn:
            stored = {
                str(i): h
                for i, h in conn.execute(select(SIGNATURES.c.id, SIGNATURES.c.content_hash))
            }
        for data_dir in expected:
            kiosk = make_kiosk(data_dir)
            try:
                assert kiosk.store.pending_count() == 0
                assert kiosk.store.counts().by_sync_state == {"synced": PER_KIOSK}
                for s in kiosk.store.iter_signatures(SignatureFilter(include_void=True)):
                    wire = WireSignature.from_sealed(s.signature)
                    assert stored[str(wire.id)] == wire.content_hash()
            finally:
                kiosk.close()

    # The faults really happened (the test is not vacuous).
    for what in ("refuse", "http_500", "http_503", "cut_request", "cut_response", "delayed"):
        assert counts.get(what, 0) > 0, (what, summary)
    assert sum(r.kills for r in runners) > 0, summary
    assert killer.kills > 0, summary
    assert summary["duplicates_answered"] > 0, summary
