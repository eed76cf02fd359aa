"""The database layer: SQLite PRAGMAs read back, migrations agree with the models, UTC times."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from kiosk.domain.ids import uuid7
from kiosk.server import migrate
from kiosk.server.db import UnsupportedDatabase, create_db_engine, normalise_url, write_transaction
from kiosk.server.models import Base, Device, SignatureVoid


def test_sqlite_pragmas_on_every_connection(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'p.sqlite3'}")
    try:
        conns = [engine.connect() for _ in range(3)]  # several pooled connections at once
        for conn in conns:
            with conn.begin():
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
                assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10000
        for conn in conns:
            conn.close()
    finally:
        engine.dispose()


def test_sqlite_transactions_are_real(tmp_path: Path) -> None:
    """The explicit BEGIN makes a rolled-back write disappear (autocommit driver underneath)."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    try:
        migrate.upgrade(engine)
        now = datetime.now(UTC)
        with pytest.raises(RuntimeError), write_transaction(engine) as conn:
            conn.execute(
                Device.__table__.insert().values(
                    id="d1", name="x", token_hash="h" * 64, enrolled_at=now
                )
            )
            raise RuntimeError("abort")
        with engine.connect() as conn:
            assert conn.execute(select(Device.id)).all() == []
    finally:
        engine.dispose()


def _no_busy_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite connections made from now on do not wait on SQLite's lock at all."""
    from kiosk.server import db

    monkeypatch.setattr(
        db,
        "SQLITE_PRAGMAS",
        tuple((k, "0" if k == "busy_timeout" else v) for k, v in db.SQLITE_PRAGMAS),
    )


def test_writers_of_one_process_wait_for_each_other_and_all_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the server's writers wait on a lock of the process's before SQLite's (whose
    waiters poll it): writers that came while another held the write transaction each get it
    in turn, none is refused "database is locked", and every write is kept. SQLite's own wait
    is turned off here, so it is the process's lock that makes them wait."""
    _no_busy_wait(monkeypatch)
    engine = create_db_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    try:
        migrate.upgrade(engine)
        now = datetime.now(UTC)
        inside = threading.Event()
        errors: list[BaseException] = []

        def write(i: int) -> None:
            try:
                with write_transaction(engine) as conn:
                    assert not inside.is_set()  # one writer at a time
                    inside.set()
                    conn.execute(
                        Device.__table__.insert().values(
                            id=f"d{i}", name="x", token_hash=f"{i:064d}", enrolled_at=now
                        )
                    )
                    inside.clear()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        with write_transaction(engine):  # holds the write lock while the writers line up
            threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
            for t in threads:
                t.start()
            threading.Event().wait(0.3)
            with engine.connect() as conn:
                assert conn.execute(select(Device.id)).all() == []  # all of them still waiting
        for t in threads:
            t.join(60)
        assert errors == []
        with engine.connect() as conn:
            assert len(conn.execute(select(Device.id)).all()) == 8
    finally:
        engine.dispose()


def test_a_writer_waits_the_busy_timeout_once_in_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A writer that waited on the process's writer lock has only what is left of the busy
    timeout to wait on SQLite's: one that waited it all out is refused "database is locked" at
    once (not after a second timeout), and the connection gets its full timeout back."""
    from sqlalchemy import event
    from sqlalchemy.exc import OperationalError

    from kiosk.server import db

    monkeypatch.setattr(db, "SQLITE_BUSY_TIMEOUT_MS", 200)
    engine = create_db_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    statements: list[str] = []
    event.listen(
        engine,
        "before_cursor_execute",
        lambda conn, cursor, sql, params, context, many: statements.append(sql),
    )
    outcome: list[BaseException | None] = []

    def write() -> None:
        try:
            with write_transaction(engine):
                outcome.append(None)
        except OperationalError as exc:
            outcome.append(exc)

    try:
        migrate.upgrade(engine)
        with write_transaction(engine):
            statements.clear()
            t = threading.Thread(target=write)
            t.start()
            t.join(30)
        assert len(outcome) == 1 and "database is locked" in str(outcome[0])
        pragma, begin, restored = statements[:3]
        assert pragma.startswith("PRAGMA busy_timeout=") and int(pragma.split("=")[1]) <= 5
        assert (begin, restored) == ("BEGIN IMMEDIATE", "PRAGMA busy_timeout=200")
    finally:
        engine.dispose()


def test_foreign_keys_enforced(engine: Engine) -> None:
    """On SQLite this holds only if the foreign_keys PRAGMA really took effect."""
    with pytest.raises(IntegrityError), write_transaction(engine) as conn:
        conn.execute(
            SignatureVoid.__table__.insert().values(
                signature_id=uuid7(),
                reason="r",
                voided_at=datetime.now(UTC),
                kiosk_id="k",
                content_hash="0" * 64,
                device_id="nope",
                received_at=datetime.now(UTC),
            )
        )


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_downgrade_and_upgrade_again(engine: Engine) -> None:
    migrate.downgrade(engine, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    assert migrate.current_revision(engine) is None
    before, after = migrate.upgrade(engine)
    assert (before, after) == (None, migrate.head_revision())
    assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(engine).get_table_names())


def test_upgrade_is_idempotent(engine: Engine) -> None:
    head = migrate.head_revision()
    assert migrate.upgrade(engine) == (head, head)


def test_utc_datetimes_round_trip(engine: Engine) -> None:
    plus2 = timezone(timedelta(hours=2))
    moment = datetime(2026, 6, 1, 14, 0, 0, 123456, tzinfo=plus2)
    with write_transaction(engine) as conn:
        conn.execute(
            Device.__table__.insert().values(
                id="d1", name="x", token_hash="a" * 64, enrolled_at=moment
            )
        )
    with engine.connect() as conn:
        stored = conn.execute(select(Device.enrolled_at)).scalar_one()
    assert stored == moment and stored.tzinfo is not None and stored.utcoffset() == timedelta(0)


def test_naive_datetime_refused(engine: Engine) -> None:
    with pytest.raises(StatementError), write_transaction(engine) as conn:
        conn.execute(
            Device.__table__.insert().values(
                id="d1", name="x", token_hash="a" * 64, enrolled_at=datetime(2026, 1, 1)
            )
        )


@pytest.mark.parametrize(
    "url",
    [
        "mysql://u@h/db",
        "sqlite://",
        "sqlite:///:memory:",
        "postgresql+asyncpg://u@h/db",
        "::nonsense::",
    ],
)
def test_unsupported_urls(url: str) -> None:
    with pytest.raises(UnsupportedDatabase):
        normalise_url(url)


def test_bare_postgresql_url_means_psycopg() -> None:
    assert normalise_url("postgresql://u@h/db").drivername == "postgresql+psycopg"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "query, env, expected",
    [({}, None, 10), ({"connect_timeout": "3"}, None, 3), ({}, "4", 4)],
    ids=["default", "url", "PGCONNECT_TIMEOUT"],
)
def test_postgresql_connections_give_up_after_a_timeout(
    query: dict[str, str], env: str | None, expected: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL host that stops answering holds a new connection for 10 seconds, not the
    system's TCP timeout (minutes, and every request waiting with it); the URL, or libpq's
    ``PGCONNECT_TIMEOUT``, may say otherwise."""
    from sqlalchemy.engine import make_url

    from tests.server.helpers import pg_admin_url

    if env is None:
        monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    else:
        monkeypatch.setenv("PGCONNECT_TIMEOUT", env)
    engine = create_db_engine(make_url(pg_admin_url()).update_query_dict(query))
    try:
        with engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert driver is not None
            used = {o.keyword: o.val for o in driver.pgconn.info}
        assert int(used[b"connect_timeout"] or 0) == expected
    finally:
        engine.dispose()


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def test_sqlite_files_are_private(tmp_path: Path) -> None:
    """A new database: folder 0700; database, WAL and SHM 0600 (they were 0644 in 0755)."""
    db = tmp_path / "server-data" / "kiosk-server.sqlite3"
    engine = create_db_engine(f"sqlite:///{db}")
    try:
        migrate.upgrade(engine)
        with write_transaction(engine) as conn:
            conn.execute(
                Device.__table__.insert().values(
                    id="d1", name="x", token_hash="h" * 64, enrolled_at=datetime.now(UTC)
                )
            )
        files = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert _mode(db.parent) == 0o700
    finally:
        engine.dispose()


def test_existing_sqlite_files_are_narrowed(tmp_path: Path) -> None:
    """A server data folder made by an older version (0755, files 0644) is made private."""
    folder = tmp_path / "old"
    folder.mkdir()
    folder.chmod(0o755)
    db = folder / "kiosk-server.sqlite3"
    engine = create_db_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    engine.dispose()
    for f in folder.iterdir():
        f.chmod(0o644)
    folder.chmod(0o755)
    engine = create_db_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            conn.execute(select(Device.id)).all()
        assert _mode(folder) == 0o700
        assert {f.name: _mode(f) for f in folder.iterdir()} == {
            f.name: 0o600 for f in folder.iterdir()
        }
    finally:
        engine.dispose()


def test_sealed_blobs_stay_in_their_row_on_postgres(engine: Engine) -> None:
    """Migration 0017: on PostgreSQL a sealed blob is stored uncompressed (``EXTERNAL``) and
    kept in its row up to a page (``toast_tuple_target``); a downgrade puts the defaults back.
    SQLite has no such settings."""
    if engine.dialect.name != "postgresql":
        return
    query = text(
        "SELECT a.attstorage, c.reloptions FROM pg_attribute a JOIN pg_class c "
        "ON c.oid = a.attrelid WHERE c.relname = 'signatures' AND a.attname = 'sealed' "
        "AND c.relkind = 'r' AND pg_table_is_visible(c.oid)"
    )
    with engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == ("e", ["toast_tuple_target=8160"])
    migrate.downgrade(engine, "0016")
    with engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == ("x", None)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert tuple(conn.execute(query).one()) == ("e", ["toast_tuple_target=8160"])


def test_a_server_on_sqlite_checkpoints_its_wal_on_a_thread_of_its_own(
    sqlite_migrated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A running server on SQLite copies its WAL back a moment after a write, on its own
    thread (not inside the committing push), and stops that thread when it shuts down; on
    PostgreSQL there is nothing of the kind."""
    import shutil
    import threading
    import time

    from kiosk.server.app import create_app
    from kiosk.server.config import ServerSettings
    from kiosk.server.db import sqlite_checkpointer
    from tests.helpers import checkpoint_threads
    from tests.server.conftest import make_code
    from tests.server.helpers import InProcessServer

    ran_on = checkpoint_threads(monkeypatch)
    path = tmp_path / "server.sqlite3"
    shutil.copyfile(sqlite_migrated, path)
    url = f"sqlite:///{path}"
    engine = create_db_engine(url)
    try:
        app = create_app(ServerSettings(database_url=url, server_name="T"), engine=engine)
        with InProcessServer(app):
            make_code(engine)  # a write through the server's engine
            deadline = time.monotonic() + 20
            while not ran_on and time.monotonic() < deadline:
                time.sleep(0.05)
            # On its own thread (once, or more if start-up wrote too, a moment before).
            assert ran_on and set(ran_on) == {"kiosk-server-checkpoint"}
        assert not any(t.name == "kiosk-server-checkpoint" for t in threading.enumerate())
        ran = len(ran_on)
        make_code(engine)  # after shutdown: no thread, no checkpoint
        time.sleep(1.0)
        assert len(ran_on) == ran
    finally:
        engine.dispose()
    pg = create_db_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # never connects
    try:
        assert sqlite_checkpointer(pg) is None
    finally:
        pg.dispose()


def test_a_served_app_freezes_its_startup_objects_and_an_app_made_in_process_does_not(
    sqlite_migrated: Path, tmp_path: Path
) -> None:
    """``kiosk-server serve`` (``app_from_env``) moves what is alive once it has started into
    the collector's permanent generation, so a full collection in the middle of a push no longer
    walks the framework's objects; an app made in a process that goes on (the tests) does not.
    Run in a process of its own: freezing this one would keep the test session's garbage."""
    import os
    import shutil
    import subprocess
    import sys

    from tests.server.live import REPO_ROOT

    path = tmp_path / "server.sqlite3"
    shutil.copyfile(sqlite_migrated, path)
    probe = (
        "import gc\n"
        "import httpx\n"
        "from kiosk.server.app import app_from_env, create_app\n"
        "from kiosk.server.config import ServerSettings\n"
        "from tests.server.helpers import InProcessServer\n"
        "for app in (create_app(ServerSettings.resolve()), app_from_env()):\n"
        "    with InProcessServer(app) as srv:\n"
        "        assert httpx.get(srv.base_url + '/api/v1/health').status_code == 200\n"
        "        print(gc.get_freeze_count())\n"
    )
    env = {
        **os.environ,
        "KIOSK_DATABASE_URL": f"sqlite:///{path}",
        "KIOSK_SERVER_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    in_process, served = (int(n) for n in out.stdout.split())
    assert in_process == 0
    assert served > 10_000  # the framework, the models, the database layer


def test_a_database_holding_data_upgrades_from_an_early_revision(engine: Engine) -> None:
    """Every migration runs on a database that already holds a device with signatures, a void,
    a conflict, audit entries and a coordinator. On SQLite a migration that copied a table (alembic's batch
    mode) to add a column dropped ``devices`` or ``signatures``, which the foreign keys of the
    rows pointing at them refuse: a server of before could not be upgraded once it had synced
    anything. Columns are now added and dropped in place."""
    import uuid

    from sqlalchemy import MetaData, Table

    migrate.downgrade(engine, "base")
    migrate.upgrade(engine, "0005")
    sqlite = engine.dialect.name == "sqlite"
    now = datetime.now(UTC)
    at = now.replace(tzinfo=None) if sqlite else now
    sig = uuid.uuid4()
    sig_id = sig.hex if sqlite else sig
    with write_transaction(engine) as conn:
        meta = MetaData()

        def table(name: str) -> Table:
            return Table(name, meta, autoload_with=conn)

        conn.execute(
            table("devices").insert(),
            {"id": "d1", "name": "Kiosk", "token_hash": "h" * 64, "enrolled_at": at},
        )
        common = {"device_id": "d1", "received_at": at, "content_hash": "c" * 64}
        conn.execute(
            table("signatures").insert(),
            {
                "id": sig_id,
                "campaign": "c",
                "text_version": "v1",
                "lang": "en",
                "kiosk_id": "k",
                "created_at": at,
                "utc_offset_minutes": 0,
                "synthetic": False,
                "sealed": b"sealed",
                **common,
            },
        )
        conn.execute(
            table("voids").insert(),
            {"signature_id": sig_id, "reason": "twice", "voided_at": at, "kiosk_id": "k", **common},
        )
        conn.execute(
            table("conflicts").insert(),
            {"kind": "signature", "record_id": sig_id, "payload": "{}", **common},
        )
        conn.execute(
            table("coordinators").insert(),
            {"name": "Ana", "token_hash": "t" * 64, "created_at": at},
        )
        conn.execute(
            table("audit_entries").insert(),
            {
                "device_id": "d1",
                "seq": 1,
                "at_ms": 0,
                "kiosk_id": "k",
                "action": "print",
                "detail": {},
                "prev_hash": "0" * 64,
                "hash": "a" * 64,
                "received_at": at,
            },
        )
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        assert conn.execute(select(Device.id, Device.signatures_received)).all() == [("d1", 1)]
        for name in ("signatures", "voids", "conflicts", "audit_entries", "coordinators"):
            assert conn.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() == 1, name
