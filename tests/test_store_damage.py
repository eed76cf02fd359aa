"""A damaged ``kiosk.db`` (bytes flipped in its first page, or cut short) is said in words by
every command, with a non-zero exit, and the file is left exactly as it was (found 2026-12-05
by an outside test: each command printed SQLAlchemy's ``DatabaseError`` traceback, and the app
died at start-up with the same traceback in the journal). Real processes and files."""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk.adapters.crypto import KeyFolder
from kiosk.store.damage import store_damaged_message
from tests.helpers import kiosk_command

PASS = "a long passphrase"
SLUG = "defy-trump-expand-sanctuary"


def _kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"KIOSK_PASSPHRASE": PASS, "QT_QPA_PLATFORM": "offscreen"}
    return kiosk_command(data_dir, *args, env=env)


def _kiosk_with_signatures(root: Path) -> Path:
    KeyFolder(root / "keys").init(PASS)
    out = _kiosk(root, "simulate", "--signatures", "40", "--seed", "1", "--campaign", SLUG)
    assert out.returncode == 0, out.stderr
    for extra in ("kiosk.db-wal", "kiosk.db-shm"):  # checkpointed at close: empty or gone
        (root / extra).unlink(missing_ok=True)
    return root / "kiosk.db"


def _flip_first_page(db: Path) -> None:
    data = bytearray(db.read_bytes())
    data[100] ^= 0xFF  # the schema table's page header
    db.write_bytes(bytes(data))


def _cut_in_half(db: Path) -> None:
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2])


@pytest.mark.parametrize("damage", [_flip_first_page, _cut_in_half])
def test_every_command_says_the_store_is_damaged_and_leaves_it_as_it_was(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    db = _kiosk_with_signatures(tmp_path / "kiosk")
    damage(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    for args in (
        ("status",),
        ("sync",),
        (
            "export",
            "csv",
            "--campaign",
            SLUG,
            "--include-synthetic",
            "--out",
            str(tmp_path / "x.csv"),
        ),
        ("retention", "apply"),
        ("audit", "verify"),
    ):
        out = _kiosk(tmp_path / "kiosk", *args)
        assert out.returncode == 1, (args, out.stderr[-2000:])
        assert "Traceback" not in out.stderr and "sqlalchemy" not in out.stderr.lower(), args
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1, (args, lines)
        assert lines[0].startswith(
            "kiosk: error: the kiosk's store (kiosk.db in its data folder) is damaged"
        ), lines
        assert "nothing was changed or deleted" in lines[0]
        assert hashlib.sha256(db.read_bytes()).hexdigest() == before, args
    assert not (tmp_path / "x.csv").exists()


def test_the_app_logs_the_damage_in_words_before_it_stops(tmp_path: Path) -> None:
    db = _kiosk_with_signatures(tmp_path / "kiosk")
    _flip_first_page(db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    out = _kiosk(tmp_path / "kiosk", "--windowed")  # the touch-screen app, offscreen
    assert out.returncode != 0
    assert "CRITICAL kiosk: the kiosk's store (kiosk.db in its data folder) is damaged" in (
        out.stderr
    ), out.stderr[-3000:]
    assert "Traceback" not in out.stderr
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_other_errors_are_not_called_damage() -> None:
    assert store_damaged_message(OSError(28, "No space left on device")) is None
    assert store_damaged_message(ValueError("x")) is None


@pytest.mark.parametrize("how", ["empty", "missing"])
def test_a_store_gone_from_a_kiosk_in_use_is_not_replaced_by_a_new_one(
    tmp_path: Path, how: str
) -> None:
    """``kiosk.db`` emptied (0 bytes) or deleted beside a key folder that shows the kiosk was in
    use (here the audit head a server acknowledged): SQLite made a new, empty store, and the
    kiosk carried on as a new one with a new id and 0 signatures, without a word (found
    2026-12-05 by an outside test). Now every command refuses, says so and what to do, and
    creates nothing."""
    root = tmp_path / "kiosk"
    db = _kiosk_with_signatures(root)
    anchor = {"seq": 1, "hash": "ab" * 32}
    (root / "keys" / "audit-anchor.json").write_text(str(anchor).replace("'", '"'))
    if how == "empty":
        db.write_bytes(b"")
    else:
        db.unlink()
    for args in (("status",), ("export", "csv", "--campaign", SLUG)):
        out = _kiosk(root, *args)
        assert out.returncode == 2, out.stderr
        assert "Traceback" not in out.stderr
        assert f"store {db} is {'empty (0 bytes)' if how == 'empty' else 'missing'}" in out.stderr
        assert "Restore the whole data folder from a backup" in out.stderr
    assert (db.stat().st_size == 0) if how == "empty" else not db.exists()  # nothing made


def test_a_new_kiosk_with_only_the_organization_key_starts_as_before(tmp_path: Path) -> None:
    root = tmp_path / "fresh"
    KeyFolder(root / "keys").init(PASS)  # keys, but never connected nor acknowledged
    out = _kiosk(root, "status", "--json")
    assert out.returncode == 0, out.stderr
    assert (root / "kiosk.db").stat().st_size > 0


def test_status_check_reads_every_page_and_finds_damage_the_counts_do_not_read(
    tmp_path: Path,
) -> None:
    """A page in the middle of the file (a sealed signature's) overwritten: ``kiosk status``
    still counts (it reads the signatures' index, not their data), ``kiosk status --check``
    reads every page and says the store is damaged, exit 1; the file is not touched."""
    import json

    db = _kiosk_with_signatures(tmp_path / "kiosk")
    sound = _kiosk(tmp_path / "kiosk", "status", "--check")
    assert sound.returncode == 0, sound.stderr
    assert "store check: ok" in sound.stdout
    data = bytearray(db.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + page] = b"\xff" * page
    db.write_bytes(bytes(data))
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    assert _kiosk(tmp_path / "kiosk", "status").returncode == 0  # the counts still read
    out = _kiosk(tmp_path / "kiosk", "status", "--check")
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert "kiosk: error: store check: " in out.stderr
    assert "restore kiosk.db from a backup" in out.stderr
    as_json = _kiosk(tmp_path / "kiosk", "status", "--check", "--json")
    assert as_json.returncode == 1
    check = json.loads(as_json.stdout)["check"]
    assert check["ok"] is False and check["problems"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
