"""A server restored from an older backup has lost what it acknowledged since: the kiosk finds
it at its next pass (the server's head of the kiosk's audit trail is older than the one it had
acknowledged) and sends everything acknowledged again; the server keeps or stores each
signature once. Against a real ``kiosk-server`` process whose SQLite files are copied while it
is stopped (a backup) and copied back later (the restore)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, select, text

from kiosk.app import Kiosk
from kiosk.domain.audit import AuditAction
from kiosk.domain.signature import SyncState
from kiosk.server.db import create_db_engine
from kiosk.server.ingest import SIGNATURES
from kiosk.sync.engine import SyncEngine
from tests.server.helpers import create_pg_database, drop_pg_database, pg_admin_url
from tests.server.live import REPO_ROOT, LiveServer
from tests.sync.helpers import fill

_FILES = ("kiosk-server.sqlite3", "kiosk-server.sqlite3-wal", "kiosk-server.sqlite3-shm")


def _copy(src: Path, dst: Path) -> None:
    dst.mkdir(exist_ok=True)
    for name in _FILES:
        (dst / name).unlink(missing_ok=True)
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)


def _server_ids(data: Path) -> set[str]:
    """The signature ids in the server's database (the server is stopped)."""
    db = create_db_engine(f"sqlite:///{data / _FILES[0]}")
    try:
        with db.connect() as conn:
            return {str(i) for i in conn.execute(select(SIGNATURES.c.id)).scalars()}
    finally:
        db.dispose()


def _server_and_kiosk(
    data: Path, new_kiosk: Callable[..., Kiosk]
) -> tuple[LiveServer, Kiosk, SyncEngine]:
    """A server (not started) on ``data`` with the sample campaigns, and a new kiosk."""
    live = LiveServer(data_dir=data)
    live.import_campaigns(*sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml")))
    kiosk = new_kiosk()
    return live, kiosk, kiosk.sync_engine()


def test_a_server_restored_from_an_older_backup_gets_back_what_it_lost(
    tmp_path: Path, new_kiosk: Callable[..., Kiosk]
) -> None:
    data = tmp_path / "server"
    live, kiosk, engine = _server_and_kiosk(data, new_kiosk)
    with live:
        port = live.port
        engine.enroll(live.base_url, live.enrollment_code())
        first = fill(kiosk, 30)
        kiosk.auditor.record(AuditAction.PRINT, copies=1)
        report = engine.run_once()
        assert report.ok and report.created == 30 and report.server_lost is None
    _copy(data, tmp_path / "backup")  # the nightly backup, taken while the server is stopped

    live.start(port)
    try:
        later = fill(kiosk, 20, seed=1)
        kiosk.auditor.record(AuditAction.PRINT, copies=2)
        voided = later[0]
        kiosk.service().void(voided, "a test entry")
        report = engine.run_once()
        assert report.ok and report.created == 20 and report.voids_created == 1
        anchor = kiosk.keys.audit_anchor()
        assert report.server_lost is None and anchor is not None
    finally:
        live.stop()
    # Retention deletes the personal data of one acknowledged signature: it cannot be resent.
    assert kiosk.store.purge_personal([later[1]]) == 1

    _copy(tmp_path / "backup", data)  # the restore: the last 20 and the void are gone
    live.start(port)
    try:
        assert kiosk.store.pending_count() == 0  # the kiosk believes all was sent
        report = engine.run_once()  # no staff action since: the head is asked for anyway
        assert report.ok, report.error_detail
        lost = report.server_lost
        assert lost is not None
        assert lost.signatures == 49 and lost.unrecoverable == 1 and lost.voids == 1
        assert report.created == 19 and report.duplicate == 30  # each kept or stored once
        assert report.voids_created == 1
        assert kiosk.store.pending_count() == 0
        stored = kiosk.store.get(later[1])
        assert stored is not None and stored.sync_state is SyncState.SYNCED  # still counted
        new_anchor = kiosk.keys.audit_anchor()
        assert new_anchor is not None and new_anchor.seq >= anchor.seq  # the trail is back
        again = engine.run_once()  # healed: nothing more to send, nothing found lost
        assert again.ok and again.server_lost is None and again.signatures_sent == 0
    finally:
        live.stop()
    assert _server_ids(data) == {str(i) for i in first + later} - {str(later[1])}


def _only_signatures_since_the_backup(
    live: LiveServer,
    kiosk: Kiosk,
    engine: SyncEngine,
    backup: Callable[[], None],
    restore: Callable[[], None],
) -> list[str]:
    """A kiosk that only collected and synced signatures since the server's backup: its audit
    trail did not move on, but the server's count of the signatures stored from it went back.
    Returns the ids the kiosk signed (all of which the server must hold at the end)."""
    with live:
        port = live.port
        engine.enroll(live.base_url, live.enrollment_code())
        first = fill(kiosk, 25)
        report = engine.run_once()
        assert report.ok and report.created == 25 and report.server_lost is None
    backup()

    live.start(port)
    try:
        later = fill(kiosk, 15, seed=1)  # signatures only: no staff action, no audit entry
        report = engine.run_once()
        assert report.ok and report.created == 15 and report.server_lost is None
        anchor = kiosk.keys.audit_anchor()
        # Nothing to send, nothing lost: the next pass finds the server as it left it.
        quiet = engine.run_once()
        assert quiet.ok and quiet.server_lost is None and quiet.signatures_sent == 0
    finally:
        live.stop()

    restore()  # the last 15 are gone from the server
    live.start(port)
    try:
        newest = fill(kiosk, 5, seed=2)  # signed while the server was away: pending
        report = engine.run_once()
        assert report.ok, report.error_detail
        lost = report.server_lost
        assert lost is not None and lost.signatures == 40 and lost.unrecoverable == 0
        assert lost.audit == 0  # the server's head of the trail is not behind the kiosk's
        assert report.created == 15 + 5 and report.duplicate == 25
        assert kiosk.keys.audit_anchor() == anchor
        again = engine.run_once()
        assert again.ok and again.server_lost is None and again.signatures_sent == 0
    finally:
        live.stop()
    return [str(i) for i in first + later + newest]


def test_a_restore_is_found_by_the_count_of_signatures_when_no_staff_action_followed(
    tmp_path: Path, new_kiosk: Callable[..., Kiosk]
) -> None:
    data = tmp_path / "server"
    live, kiosk, engine = _server_and_kiosk(data, new_kiosk)
    signed = _only_signatures_since_the_backup(
        live,
        kiosk,
        engine,
        backup=lambda: _copy(data, tmp_path / "backup"),
        restore=lambda: _copy(tmp_path / "backup", data),
    )
    assert _server_ids(data) == set(signed)


@pytest.mark.postgres
def test_a_postgres_database_restored_from_a_copy_is_found_by_the_count(
    tmp_path: Path, new_kiosk: Callable[..., Kiosk]
) -> None:
    """The same on PostgreSQL, the deployment's database: the backup is a copy of the whole
    database (``CREATE DATABASE ... TEMPLATE``, the server stopped), the restore drops the
    database and makes it again from that copy."""
    admin = pg_admin_url()
    url = create_pg_database(admin)
    name = make_url(url).database
    copy = f"{name}_backup"

    def sql(statement: str) -> None:
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text(statement))
        finally:
            engine.dispose()

    def restore() -> None:
        sql(f'DROP DATABASE "{name}" WITH (FORCE)')
        sql(f'CREATE DATABASE "{name}" TEMPLATE "{copy}"')

    (tmp_path / "server").mkdir()
    live = LiveServer(database_url=url, data_dir=tmp_path / "server")
    live.import_campaigns(*sorted((REPO_ROOT / "resources" / "campaigns").glob("*.toml")))
    kiosk = new_kiosk()
    try:
        signed = _only_signatures_since_the_backup(
            live,
            kiosk,
            kiosk.sync_engine(),
            backup=lambda: sql(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"'),
            restore=restore,
        )
        db = create_db_engine(url)
        try:
            with db.connect() as conn:
                stored = {str(i) for i in conn.execute(select(SIGNATURES.c.id)).scalars()}
        finally:
            db.dispose()
        assert stored == set(signed)
    finally:
        sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
        drop_pg_database(admin, url)


def test_a_server_that_stored_more_than_the_kiosk_heard_of_is_not_taken_for_a_restore(
    tmp_path: Path, new_kiosk: Callable[..., Kiosk]
) -> None:
    """The answer to a push lost on the way back: the server stored it, the kiosk never heard
    so and sends it again (``duplicate``). The server's count is then above the least the kiosk
    expects, never below: nothing is taken for lost."""
    data = tmp_path / "server"
    live, kiosk, engine = _server_and_kiosk(data, new_kiosk)
    with live:
        engine.enroll(live.base_url, live.enrollment_code())
        fill(kiosk, 10)
        assert engine.run_once().created == 10
        ids = fill(kiosk, 6, seed=1)
        assert engine.run_once().created == 6
        # As if the last answer had been lost: the kiosk still holds them pending and the
        # count it kept is the one from before that pass.
        from kiosk.sync import state

        enrollment = engine.enrollment()
        assert enrollment is not None
        assert state.load_received(kiosk.store, enrollment.device_id) == 16
        state.save_received(kiosk.store, enrollment.device_id, 10)
        kiosk.store.mark_signatures(ids, SyncState.PENDING)
        report = engine.run_once()
        assert report.ok and report.server_lost is None
        assert report.duplicate == 6 and report.created == 0
        assert state.load_received(kiosk.store, enrollment.device_id) == 16
