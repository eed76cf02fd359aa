"""Audit entries removed or rewritten (with recomputed hashes) are detected on the kiosk and on
the server (issue #11, item 3): every entry is signed by the kiosk's audit key (sealed in its key
folder, public half on the server) and the head the server acknowledged is kept on both sides.

A real ``kiosk-server`` process on SQLite and PostgreSQL; the attacker edits the files directly.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from kiosk.app import Kiosk, open_kiosk
from kiosk.config import DB_FILE
from kiosk.domain.audit import AuditAction, entry_hash
from kiosk.sync.engine import SyncEngine
from tests.sync.helpers import ServerHandle


def _kiosk_verify(data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--data-dir", str(data_dir), "audit", "verify"],
        capture_output=True,
        text=True,
        timeout=60,
    )


def _synced_trail(kiosk: Kiosk, server: ServerHandle, entries: int = 6) -> tuple[SyncEngine, str]:
    engine = kiosk.sync_engine()
    engine.enroll(server.base_url, server.code(), name="Audited kiosk")
    for i in range(entries):
        kiosk.auditor.record(AuditAction.PRINT, copies=i + 1)
    report = engine.run_once()
    assert report.ok, report.error_detail
    enrollment = engine.enrollment()
    assert enrollment is not None
    return engine, enrollment.device_id


def _rewrite(rows: list[tuple[int, int, str, str, str, str]], from_seq: int) -> list[tuple]:
    """Recompute every hash from ``from_seq`` on after changing that entry's detail."""
    out = []
    prev = None
    for seq, at_ms, kiosk_id, action, detail_json, h in rows:
        detail = json.loads(detail_json)
        if seq == from_seq:
            detail = {"copies": 0}
        if seq >= from_seq:
            assert prev is not None
            h = entry_hash(prev, seq, at_ms, kiosk_id, action, detail)
        out.append((seq, json.dumps(detail, sort_keys=True), prev, h))
        prev = h
    return out


def test_kiosk_detects_its_last_entries_removed(kiosk: Kiosk, server: ServerHandle) -> None:
    _engine, _device = _synced_trail(kiosk, server)
    last = kiosk.store.audit_entries()[-1]
    anchor = kiosk.keys.audit_anchor()
    assert anchor is not None and (anchor.seq, anchor.hash) == (last.seq, last.hash)
    assert _kiosk_verify(kiosk.data_dir).returncode == 0
    kiosk.close()
    conn = sqlite3.connect(kiosk.data_dir / DB_FILE)
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("DELETE FROM audit_log WHERE seq > ?", (last.seq - 2,))
    conn.commit()
    conn.close()
    bad = _kiosk_verify(kiosk.data_dir)
    assert bad.returncode == 1
    assert f"before entry {last.seq} that the server acknowledged" in bad.stderr


def test_kiosk_detects_a_rewrite_with_recomputed_hashes(kiosk: Kiosk, server: ServerHandle) -> None:
    _synced_trail(kiosk, server)
    kiosk.auditor.record(AuditAction.EXPORT, records=40)  # not yet synced: no anchor covers it
    kiosk.close()
    conn = sqlite3.connect(kiosk.data_dir / DB_FILE)
    conn.execute("DROP TRIGGER audit_log_no_update")
    rows = conn.execute(
        "SELECT seq, at_ms, kiosk_id, action, detail_json, hash FROM audit_log ORDER BY seq"
    ).fetchall()
    last = rows[-1][0]
    for seq, detail_json, prev, h in _rewrite(rows, from_seq=last):  # only the unsynced entry
        conn.execute(
            "UPDATE audit_log SET detail_json = ?, prev_hash = coalesce(?, prev_hash), hash = ? "
            "WHERE seq = ?",
            (detail_json, prev, h, seq),
        )
    conn.commit()
    conn.close()
    bad = _kiosk_verify(kiosk.data_dir)
    assert bad.returncode == 1
    assert f"entry {last}" in bad.stderr and "not signed by this kiosk's audit key" in bad.stderr

    # The same on synced entries: the signatures and the anchor both catch it.
    conn = sqlite3.connect(kiosk.data_dir / DB_FILE)
    rows = conn.execute(
        "SELECT seq, at_ms, kiosk_id, action, detail_json, hash FROM audit_log ORDER BY seq"
    ).fetchall()
    for seq, detail_json, prev, h in _rewrite(rows, from_seq=2):
        conn.execute(
            "UPDATE audit_log SET detail_json = ?, prev_hash = coalesce(?, prev_hash), hash = ? "
            "WHERE seq = ?",
            (detail_json, prev, h, seq),
        )
    conn.commit()
    conn.close()
    bad = _kiosk_verify(kiosk.data_dir)
    assert bad.returncode == 1 and "entry 2" in bad.stderr


def _server_verify(server: ServerHandle, device: str) -> subprocess.CompletedProcess[str]:
    return server.live.cli("audit", "verify", "--device", device, check=False)


def test_server_detects_entries_removed_and_rewritten(kiosk: Kiosk, server: ServerHandle) -> None:
    _engine, device = _synced_trail(kiosk, server, entries=6)
    last = kiosk.store.audit_entries()[-1].seq
    ok = _server_verify(server, device)
    assert ok.returncode == 0, ok.stdout + ok.stderr

    # Removing the last entries from the server's copy.
    with server.db.begin() as conn:
        kept = conn.execute(
            text("SELECT seq, hash FROM audit_entries WHERE device_id = :d AND seq > :s"),
            {"d": device, "s": last - 2},
        ).all()
        conn.execute(
            text("DELETE FROM audit_entries WHERE device_id = :d AND seq > :s"),
            {"d": device, "s": last - 2},
        )
    bad = _server_verify(server, device)
    assert bad.returncode == 1
    assert f"before entry {last} that the server acknowledged" in bad.stdout + bad.stderr

    # Rewriting the whole copy with recomputed hashes and moving the anchor along with it.
    with server.db.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT seq, at_ms, kiosk_id, action, detail, hash FROM audit_entries "
                "WHERE device_id = :d ORDER BY seq"
            ),
            {"d": device},
        ).all()
        as_json = [
            (r[0], r[1], r[2], r[3], json.dumps(r[4]) if not isinstance(r[4], str) else r[4], r[5])
            for r in rows
        ]
        rewritten = _rewrite(as_json, from_seq=2)
        for seq, detail_json, prev, h in rewritten:
            params = {"d": device, "s": seq, "h": h, "j": detail_json, "p": prev}
            conn.execute(
                text(
                    "UPDATE audit_entries SET detail = :j, hash = :h, "
                    "prev_hash = coalesce(:p, prev_hash) WHERE device_id = :d AND seq = :s"
                ),
                params,
            )
        conn.execute(
            text("UPDATE devices SET audit_head_seq = :s, audit_head_hash = :h WHERE id = :d"),
            {"s": rewritten[-1][0], "h": rewritten[-1][3], "d": device},
        )
    bad = _server_verify(server, device)
    assert bad.returncode == 1
    assert "entry 2" in bad.stdout + bad.stderr and "not signed" in bad.stdout + bad.stderr
    assert len(kept) == 2


def test_an_older_trail_is_signed_on_upgrade(new_kiosk, server: ServerHandle) -> None:  # type: ignore[no-untyped-def]
    """Entries an older version made (unsigned) are signed when the kiosk opens; the server
    anchors what an older kiosk had already pushed unsigned, then requires signatures."""
    kiosk = new_kiosk("upgraded")
    for i in range(3):
        kiosk.store.append_audit("print", {"copies": i}, kiosk.kiosk_id, kiosk.clock())
    assert all(e.sig is None for e in kiosk.store.audit_entries())
    data_dir = kiosk.data_dir
    kiosk.close()
    again = open_kiosk(data_dir)
    try:
        assert all(e.sig for e in again.store.audit_entries())
        assert again.auditor.verify().ok
        engine = again.sync_engine()
        engine.enroll(server.base_url, server.code(), name="Upgraded kiosk")
        again.auditor.record(AuditAction.LOCK)
        assert engine.run_once().ok
        enrollment = engine.enrollment()
        assert enrollment is not None
        assert _server_verify(server, enrollment.device_id).returncode == 0
        anchor = again.keys.audit_anchor()
        assert anchor is not None and anchor.seq == again.store.audit_entries()[-1].seq
    finally:
        again.close()
