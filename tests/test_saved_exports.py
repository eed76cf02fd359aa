"""Exports saved into the exports folder on the tablet's own disk (signers in clear there) are
deleted a day after saving, and all of them by "Delete now"; nothing else in that folder, and
never a USB stick, is touched. Real files, the real CLI."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.exports.files import (
    KEEP_SAVED_EXPORTS,
    expire_saved_exports,
    expires_on_tablet,
)

SAVED = (
    "defy-trump-expand-sanctuary-packet-2026-12-06.pdf",
    "defy-trump-expand-sanctuary-packet-2026-12-06-2-evansville.pdf",
    "duluth-sanctuary-duluth-contacts-2026-12-06.csv",
    ".duluth-sanctuary-contacts-2026-12-06.csv.k3v_9x2a.tmp",  # a power cut mid-write
)
OTHERS = ("notes.pdf", "packet.pdf", "Defy-packet-2026-12-06.pdf", "x-packet-2026-12-06.pdf.bak")


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    out = tmp_path / "exports"
    out.mkdir()
    monkeypatch.setenv("KIOSK_EXPORT_DIR", str(out))
    return out


def _make(folder: Path, names: tuple[str, ...], age_hours: float) -> None:
    then = time.time() - age_hours * 3600
    for name in names:
        (folder / name).write_text("Ana Pérez,ana@example.org\n")
        os.utime(folder / name, (then, then))


def test_only_the_kiosks_own_exports_older_than_a_day_go(folder: Path, tmp_path: Path) -> None:
    old = KEEP_SAVED_EXPORTS.total_seconds() / 3600 + 1
    _make(folder, SAVED, old)
    _make(folder, OTHERS, old)
    fresh = "defy-trump-expand-sanctuary-contacts-2026-12-07.csv"
    _make(folder, (fresh,), 1)
    (folder / "sub-packet-2026-12-06.pdf").mkdir()  # a folder named like one: left
    outside = tmp_path / "outside.csv"
    outside.write_text("x")
    os.symlink(outside, folder / "linked-contacts-2026-12-06.csv")  # a link: never followed
    assert expire_saved_exports(None, datetime.now(UTC)) == len(SAVED)
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted(
        [*OTHERS, fresh, "sub-packet-2026-12-06.pdf", "linked-contacts-2026-12-06.csv"]
    )
    assert outside.exists()
    # "Delete now": every saved export, whatever its age.
    assert expire_saved_exports(None, datetime.now(UTC), keep=None) == 1
    assert not (folder / fresh).exists()


def test_no_folder_is_nothing_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_EXPORT_DIR", str(tmp_path / "never-made"))
    assert expire_saved_exports(None, datetime.now(UTC), keep=None) == 0
    assert not (tmp_path / "never-made").exists()


def test_what_expires_on_the_tablet(folder: Path, tmp_path: Path) -> None:
    assert expires_on_tablet(folder / SAVED[0], None)
    assert not expires_on_tablet(folder / "chosen-name.pdf", None)  # --out FILE: kept
    assert not expires_on_tablet(tmp_path / SAVED[0], None)  # another folder (a USB stick)
