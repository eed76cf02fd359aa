"""Issue #11 item 9: a full disk during ``kiosk simulate`` (or any CLI save) ends with one clear
line and a non-zero exit, and every signature reported saved before it is intact.

The disk really fills: the kiosk's data folder is a 3 MB tmpfs mounted for the test (it needs
root, as in the project's test containers; elsewhere the test is skipped with the reason).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.adapters.crypto import KeyFolder
from tests.helpers import kiosk_command

PASS = "a long passphrase"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m,mode=0700", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def _kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return kiosk_command(data_dir, *args)


def test_simulate_on_a_full_disk_says_so_in_one_line_and_keeps_what_was_saved(
    small_disk: Path,
) -> None:
    KeyFolder(small_disk / "keys").init(PASS)
    out = _kiosk(
        small_disk,
        "simulate",
        "--signatures",
        "100000",
        "--seed",
        "1",
        "--print-ids",
        "--campaign",
        "defy-trump-expand-sanctuary",
    )
    assert out.returncode == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr and "sqlalchemy" not in out.stderr.lower()
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kiosk: error: the disk is full after "), lines
    reported = {line.split()[1] for line in out.stdout.splitlines() if line.startswith("saved ")}
    assert f"after {len(reported)} synthetic signatures" in lines[0]
    assert len(reported) > 200  # the disk filled while saving, not at start-up
    conn = sqlite3.connect(small_disk / "kiosk.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        stored = {r[0] for r in conn.execute("SELECT id FROM signatures")}
    finally:
        conn.close()
    assert reported <= stored
    # Another save on the still-full disk: the same one clear line, no traceback.
    again = _kiosk(
        small_disk,
        "simulate",
        "--signatures",
        "5000",
        "--seed",
        "2",
        "--campaign",
        "defy-trump-expand-sanctuary",
    )
    assert again.returncode == 1 and "Traceback" not in again.stderr
    assert again.stderr.strip().splitlines()[-1].startswith("kiosk: error: the disk is full")
