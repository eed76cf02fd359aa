"""Audit trail (hash chain, append-only, tamper detection) and retention of personal data."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.exc import DatabaseError

from kiosk.app import open_kiosk
from kiosk.domain.audit import AuditAction
from kiosk.domain.signature import SyncState
from kiosk.privacy import SETTING_RETENTION, RetentionPolicy, apply_retention
from tests.helpers import entry, ink


@pytest.fixture
def kiosk(tmp_path: Path):  # type: ignore[no-untyped-def]
    k = open_kiosk(tmp_path)
    k.keys.init("test passphrase")
    yield k
    k.close()


def _audit_verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_chain_verifies_and_detects_an_edited_entry(kiosk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i in range(5):
        kiosk.auditor.record(AuditAction.PIN_FAILED, attempt=i + 1)
    kiosk.auditor.record(AuditAction.VOID, signature="0190-x", reason_length=5)
    assert kiosk.auditor.verify().ok
    ok = _audit_verify(tmp_path)
    assert ok.returncode == 0 and "6 entries" in ok.stdout
    kiosk.close()
    # An attacker with the file drops the triggers and edits entry 3.
    conn = sqlite3.connect(tmp_path / "kiosk.db")
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET detail_json = '{\"attempt\": 1}' WHERE seq = 3")
    conn.commit()
    conn.close()
    bad = _audit_verify(tmp_path)
    assert bad.returncode == 1
    assert "entry 3" in bad.stderr and "altered" in bad.stderr


def test_deleting_an_entry_is_detected(kiosk, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        kiosk.auditor.record(AuditAction.STAFF_ENTERED, n=i)
    kiosk.close()
    conn = sqlite3.connect(tmp_path / "kiosk.db")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq = 2")
    conn.commit()
    conn.close()
    bad = _audit_verify(tmp_path)
    assert bad.returncode == 1 and "entry 2 is missing" in bad.stderr


def test_trail_is_append_only_in_the_database(kiosk) -> None:  # type: ignore[no-untyped-def]
    kiosk.auditor.record(AuditAction.UNLOCK)
    with pytest.raises(DatabaseError, match="append-only"), kiosk.store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE audit_log SET action = 'lock'")
    with pytest.raises(DatabaseError, match="append-only"), kiosk.store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")
    kiosk.store.mark_audit([1], SyncState.SYNCED)  # the sync state may change
    assert kiosk.store.pending_audit(10) == []


def _sign(kiosk, n: int) -> list:  # type: ignore[no-untyped-def]
    service = kiosk.service()
    names = ["Ana", "Luis", "Sofía", "Zoë", "Minh", "Omar"]
    return [
        service.submit(
            "defy-trump-expand-sanctuary", None, entry(first_name=names[i]), ink(i), "en"
        )
        for i in range(n)
    ]


def test_retention_purges_only_acknowledged_signatures_and_keeps_counts(kiosk) -> None:  # type: ignore[no-untyped-def]
    metas = _sign(kiosk, 4)
    kiosk.store.set_setting(SETTING_RETENTION, "immediate")
    assert apply_retention(kiosk.store, kiosk.auditor) == 0  # nothing acknowledged yet
    kiosk.store.mark_signatures([m.id for m in metas[:3]], SyncState.SYNCED)
    assert apply_retention(kiosk.store, kiosk.auditor) == 3
    assert kiosk.store.get(metas[0].id).signature.sealed == b""  # personal data gone
    assert kiosk.store.get(metas[3].id).signature.sealed != b""  # not yet acknowledged: kept
    assert kiosk.store.counts().total == 4
    assert kiosk.store.audit_entries()[-1].action == "purge"
    assert kiosk.auditor.verify().ok


def test_until_exported_and_days_policies(kiosk) -> None:  # type: ignore[no-untyped-def]
    metas = _sign(kiosk, 3)
    kiosk.store.mark_signatures([m.id for m in metas], SyncState.SYNCED)
    assert apply_retention(kiosk.store, kiosk.auditor) == 0  # default: until exported
    kiosk.store.mark_exported([metas[0].id], datetime.now(UTC))
    assert apply_retention(kiosk.store, kiosk.auditor) == 1
    kiosk.store.set_setting(SETTING_RETENTION, "days:30")
    assert apply_retention(kiosk.store, kiosk.auditor) == 0
    later = lambda: datetime.now(UTC) + timedelta(days=31)  # noqa: E731
    assert apply_retention(kiosk.store, kiosk.auditor, later) == 2


def test_policy_parsing() -> None:
    assert str(RetentionPolicy.parse(None)) == "until_exported"
    assert RetentionPolicy.parse("days:7").days == 7
    for bad in ("days:x", "days:-1", "forever"):
        with pytest.raises(ValueError):
            RetentionPolicy.parse(bad)


@pytest.mark.parametrize("stored", ["forever", "days:-1", "{", ""])
def test_an_unreadable_stored_policy_acts_as_the_default(
    kiosk, tmp_path: Path, stored: str
) -> None:  # type: ignore[no-untyped-def]
    """A retention setting altered in the store file is read as the default (until exported):
    only what was synced and exported loses its personal data, and `kiosk retention show`
    says which policy applies instead of failing."""
    metas = _sign(kiosk, 3)
    kiosk.store.mark_signatures([m.id for m in metas], SyncState.SYNCED)
    kiosk.store.mark_exported([metas[0].id], datetime.now(UTC))
    kiosk.store.set_setting(SETTING_RETENTION, stored)
    assert apply_retention(kiosk.store, kiosk.auditor) == 1
    assert kiosk.store.get(metas[1].id).signature.sealed != b""
    shown = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(tmp_path), "retention", "show"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert shown.returncode == 0, shown.stderr
    assert "Traceback" not in shown.stderr
    assert "retention policy: until_exported" in shown.stdout


def test_key_session_unlocks_drops_on_lock_and_on_idle(kiosk) -> None:  # type: ignore[no-untyped-def]
    from kiosk.privacy import KeySession

    now = [1000.0]
    session = KeySession(kiosk.keys, kiosk.auditor, idle_seconds=60, monotonic=lambda: now[0])
    assert session.available and not session.unlocked
    assert session.unlock("wrong") is False and session.opener() is None
    assert session.unlock("test passphrase") is True
    assert session.opener() is not None
    now[0] += 59
    assert session.unlocked
    now[0] += 61
    assert session.opener() is None  # idle too long: dropped
    assert session.unlock("test passphrase")
    session.lock()
    assert not session.unlocked
    actions = [e.action for e in kiosk.store.audit_entries()]
    assert actions == ["unlock_failed", "unlock", "lock", "unlock", "lock"]


def test_idle_maintenance_applies_a_due_policy_and_vacuums_once(kiosk) -> None:  # type: ignore[no-untyped-def]
    from kiosk.privacy import SETTING_VACUUM_DUE, idle_maintenance

    metas = _sign(kiosk, 3)
    kiosk.store.mark_signatures([m.id for m in metas], SyncState.SYNCED)
    assert idle_maintenance(kiosk.store, kiosk.auditor) is False  # nothing purged: no vacuum
    kiosk.store.set_setting(SETTING_RETENTION, "days:7")
    later = lambda: datetime.now(UTC) + timedelta(days=8)  # noqa: E731
    blobs = [kiosk.store.get(m.id).signature.sealed[-48:] for m in metas]
    assert idle_maintenance(kiosk.store, kiosk.auditor, later) is True  # due without any sync
    assert all(kiosk.store.get(m.id).signature.sealed == b"" for m in metas)
    assert kiosk.store.get_setting(SETTING_VACUUM_DUE) == "0"
    wal = kiosk.store.path.with_name(kiosk.store.path.name + "-wal")
    on_disk = kiosk.store.path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    assert not any(b in on_disk for b in blobs)  # the sealed bytes are gone from file and WAL
    assert idle_maintenance(kiosk.store, kiosk.auditor, later) is False  # nothing new to vacuum
    assert kiosk.store.counts().total == 3
