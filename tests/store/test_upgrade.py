"""Upgrades keep data: a store made by the first schema (0001) migrates to the newest."""

from __future__ import annotations

import uuid
from pathlib import Path

from kiosk.domain.ports import SignatureFilter
from kiosk.domain.signature import SyncState
from kiosk.store.db import make_engine
from kiosk.store.migrate import current_revision, head_revision, upgrade
from kiosk.store.sql import open_store


def test_store_from_first_schema_migrates_and_keeps_signatures(tmp_path: Path) -> None:
    db = tmp_path / "kiosk.db"
    engine = make_engine(db)
    upgrade(engine, "0001")
    sig_id = str(uuid.uuid4())
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO text_versions (hash, campaign, local_campaign, text_json, first_seen_ms) "
            "VALUES ('" + "a" * 64 + "', 'c', NULL, "
            '\'{"target":{"en":"To: X"},"title":{"en":"T"},"statement":{"en":"S"},'
            '"background":{"en":"B"}}\', 1)'
        )
        conn.exec_driver_sql(
            "INSERT INTO signatures (id, campaign, local_campaign, text_version, lang, kiosk_id, "
            "event_id, created_ms, utc_offset_minutes, synthetic, sealed, voided, sync_state) "
            f"VALUES ('{sig_id}', 'c', NULL, '{'a' * 64}', 'en', 'k', NULL, 1700000000000, -300, "
            "0, X'00112233', 0, 'pending')"
        )
        purged_id = str(uuid.uuid4())  # synced, its personal data deleted by retention
        conn.exec_driver_sql(
            "INSERT INTO signatures (id, campaign, local_campaign, text_version, lang, kiosk_id, "
            "event_id, created_ms, utc_offset_minutes, synthetic, sealed, voided, sync_state) "
            f"VALUES ('{purged_id}', 'c', NULL, '{'a' * 64}', 'en', 'k', NULL, 1700000000001, "
            "-300, 0, NULL, 0, 'synced')"
        )
        conn.exec_driver_sql("INSERT INTO settings (key, value) VALUES ('kiosk_id', 'k')")
    assert current_revision(engine) == "0001"
    engine.dispose()

    store = open_store(db)  # migrates to head
    try:
        assert current_revision(store.engine) == head_revision() != "0001"
        stored = store.get(uuid.UUID(sig_id))
        assert stored is not None
        assert stored.signature.sealed == bytes.fromhex("00112233")
        assert stored.sync_state is SyncState.PENDING
        purged = store.get(uuid.UUID(purged_id))
        assert purged is not None and purged.signature.sealed == b""
        assert store.purged_count() == 1
        assert [r[-1] for r in store.pending_rows(0, 10)] == [bytes.fromhex("00112233")]
        with store.engine.connect() as conn:  # the blobs moved out of the signatures' rows
            columns = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(signatures)")}
            moved = conn.exec_driver_sql("SELECT count(*) FROM signature_sealed").scalar()
        assert "sealed" not in columns and moved == 1
        assert store.get_setting("vacuum_due") == "1"  # the idle kiosk repacks the rows
        assert store.count(SignatureFilter(campaign="c")) == 2
        assert store.text_version("a" * 64).text.target.en == "To: X"  # type: ignore[union-attr]
        assert store.get_setting("kiosk_id") == "k"
        store.append_audit("staff_entered", {}, "k", stored.signature.meta.created_at)
        assert len(store.audit_entries()) == 1
    finally:
        store.close()
