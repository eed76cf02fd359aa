"""The device's bearer token lives sealed in the key folder, never in ``kiosk.db``; a revoked
device is refused at once and its attempts are audited on the server (issue #11, item 4)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from kiosk.adapters import crypto
from kiosk.app import Kiosk
from kiosk.config import DB_FILE
from kiosk.sync.state import KEY_ENROLLMENT, load_enrollment
from kiosk.sync.status import SyncErrorCode
from kiosk.wire import API_PREFIX
from tests.sync.helpers import ServerHandle, fill


def _files_holding(folder: Path, needle: bytes) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.is_file() and needle in p.read_bytes())


def test_token_is_sealed_outside_the_database(
    new_kiosk: Callable[..., Kiosk], server: ServerHandle, tmp_path: Path
) -> None:
    kiosk = new_kiosk("a")
    engine = kiosk.sync_engine()
    engine.enroll(server.base_url, server.code(), name="Kiosk A")
    enrollment = engine.enrollment()
    assert enrollment is not None and enrollment.token
    token = enrollment.token.encode()
    doc = json.loads(kiosk.store.get_setting(KEY_ENROLLMENT) or "{}")
    assert "token" not in doc and doc["device_id"] == enrollment.device_id
    sealed = kiosk.keys.token_path
    assert sealed.stat().st_mode & 0o777 == 0o600
    assert (kiosk.keys.path / crypto.DEVICE_SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert _files_holding(kiosk.data_dir, token) == []  # kiosk.db, its WAL, logs
    assert _files_holding(kiosk.keys.path, token) == []  # sealed, not in clear
    fill(kiosk, 3)
    assert engine.run_once().ok  # the sealed token works
    kiosk.close()
    assert _files_holding(tmp_path / "a", token) == []


def test_a_token_in_an_old_store_is_moved_out(
    new_kiosk: Callable[..., Kiosk], server: ServerHandle, tmp_path: Path
) -> None:
    kiosk = new_kiosk("old")
    engine = kiosk.sync_engine()
    engine.enroll(server.base_url, server.code(), name="Old kiosk")
    enrollment = engine.enrollment()
    assert enrollment is not None
    # What an older version wrote: the token in clear in the settings row, no sealed file.
    doc = json.loads(kiosk.store.get_setting(KEY_ENROLLMENT) or "{}")
    doc["token"] = enrollment.token
    kiosk.store.set_setting(KEY_ENROLLMENT, json.dumps(doc))
    kiosk.keys.token_path.unlink()
    kiosk.close()

    again = new_kiosk("old")  # opening migrates
    assert "token" not in json.loads(again.store.get_setting(KEY_ENROLLMENT) or "{}")
    moved = load_enrollment(again.store, again.keys)
    assert moved is not None and moved.token == enrollment.token
    fill(again, 2)
    assert again.sync_engine().run_once().ok
    again.close()
    db_files = [tmp_path / "old" / n for n in (DB_FILE, f"{DB_FILE}-wal")]
    assert not any(f.exists() and enrollment.token.encode() in f.read_bytes() for f in db_files)


def test_a_data_folder_copied_to_another_machine_is_not_connected(
    new_kiosk: Callable[..., Kiosk],
    server: ServerHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kiosk = new_kiosk("copied")
    kiosk.sync_engine().enroll(server.base_url, server.code(), name="Kiosk C")
    assert kiosk.sync_engine().enrollment() is not None
    other_machine = tmp_path / "machine-id"
    other_machine.write_text("0123456789abcdef0123456789abcdef\n")
    monkeypatch.setattr(crypto, "MACHINE_ID_PATHS", (str(other_machine),))
    assert kiosk.sync_engine().enrollment() is None  # the sealed token does not open here


def test_revoked_device_is_refused_at_once_and_audited(kiosk: Kiosk, server: ServerHandle) -> None:
    engine = kiosk.sync_engine()
    engine.enroll(server.base_url, server.code(), name="Stolen kiosk")
    enrollment = engine.enrollment()
    assert enrollment is not None
    fill(kiosk, 2)
    assert engine.run_once().ok
    server.live.cli("devices", "revoke", enrollment.device_id)
    fill(kiosk, 2, seed=1)
    report = engine.run_once()
    assert report.error is SyncErrorCode.UNAUTHORIZED
    assert kiosk.store.pending_count() == 2  # nothing lost: the outbox stays
    r = httpx.post(
        f"{server.base_url}{API_PREFIX}/signatures",
        content=b'{"signatures": []}',
        headers={"Authorization": f"Bearer {enrollment.token}", "Content-Type": "application/json"},
    )
    assert r.status_code == 403 and r.json()["error"] == "device_revoked"
    for _ in range(5):  # a stolen tablet knocking in a loop: refused each time, written once
        again = httpx.get(
            f"{server.base_url}{API_PREFIX}/campaigns",
            headers={"Authorization": f"Bearer {enrollment.token}"},
        )
        assert again.status_code == 403 and again.json()["error"] == "device_revoked"
    trail = server.live.cli("audit", "list").stdout
    refused = [line for line in trail.splitlines() if "revoked_device_refused" in line]
    assert len(refused) == 1 and enrollment.device_id in refused[0]
