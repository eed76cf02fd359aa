"""Crash safety: SIGKILL `kiosk simulate` at random moments; nothing reported saved is lost.

SQLite's own crash tests do the same (sqlite.org/testing.html): a child process is killed
mid-write many times and the parent checks the database. Here every signature the child printed
as saved (it prints only after the commit returned) must be in the database, and
``PRAGMA integrity_check`` must say ``ok``, after every kill.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.adapters.crypto import KeyFolder

KILLS = int(os.environ.get("KIOSK_CRASH_KILLS", "40"))


def _ids_in(db: Path) -> set[str]:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return {row[0] for row in conn.execute("SELECT id FROM signatures")}
    finally:
        conn.close()


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_no_reported_signature(tmp_path: Path) -> None:
    KeyFolder(tmp_path / "keys").init("crash-test-passphrase")
    rng = random.Random(20261123)
    reported: set[str] = set()
    kills_mid_run = 0
    for i in range(KILLS):
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk.cli",
                "--data-dir",
                str(tmp_path),
                "simulate",
                "--signatures",
                "100000",
                "--seed",
                str(i),
                "--print-ids",
                "--campaign",
                "defy-trump-expand-sanctuary",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert proc.stdout is not None
        wanted = rng.randint(0, 150)
        got = 0
        while got < wanted:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("saved "):
                reported.add(line.split()[1])
                got += 1
        # Kill at an arbitrary moment: right away, or a few milliseconds into the next writes.
        time.sleep(rng.choice([0, 0, rng.uniform(0, 0.02)]))
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate()
        reported.update(line.split()[1] for line in rest.splitlines() if line.startswith("saved "))
        if proc.returncode == -signal.SIGKILL:
            kills_mid_run += 1
        in_db = _ids_in(tmp_path / "kiosk.db")
        missing = reported - in_db
        assert not missing, f"after kill {i}: {len(missing)} reported signatures lost"
    assert kills_mid_run >= KILLS * 0.9
    assert len(reported) > KILLS * 20  # the kills really happened while signatures were being saved
