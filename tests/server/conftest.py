"""Fixtures for the server tests: every database test runs on SQLite and on PostgreSQL.

PostgreSQL: a fresh database ``kiosk_test_<hex>`` is created per test session on the server at
``KIOSK_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``)
and dropped at the end; tables are emptied between tests. If PostgreSQL cannot be reached the
PostgreSQL tests FAIL, unless ``KIOSK_TEST_ALLOW_NO_POSTGRES=1`` (then they are skipped).

SQLite: a fresh migrated database file per test: a copy of one migrated once per session
(running the migrations costs about 0.2 s a test; copying the file a millisecond).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, text

from kiosk.server import campaigns, devices, migrate
from kiosk.server.app import create_app
from kiosk.server.config import ENV_DATA_DIR, ENV_DATABASE_URL, ServerSettings
from kiosk.server.db import create_db_engine, write_transaction
from kiosk.server.models import Base
from tests.server.helpers import (
    ApiClient,
    InProcessServer,
    create_pg_database,
    drop_pg_database,
    pg_admin_url,
)

SHIPPED_CAMPAIGNS = Path(__file__).resolve().parents[2] / "resources" / "campaigns"

# No test ever reaches the user's real server data directory or database.
os.environ.pop(ENV_DATABASE_URL, None)
os.environ[ENV_DATA_DIR] = tempfile.mkdtemp(prefix="kiosk-server-tests-")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session; dropped at the end."""
    admin = pg_admin_url()
    try:
        url = create_pg_database(admin, prefix="kiosk_test_")
    except Exception as exc:  # noqa: BLE001 - any failure to reach the server
        message = f"PostgreSQL unreachable at {admin}: {type(exc).__name__}: {exc}"
        if os.environ.get("KIOSK_TEST_ALLOW_NO_POSTGRES") == "1":
            pytest.skip(message)
        pytest.fail(message + " (set KIOSK_TEST_ALLOW_NO_POSTGRES=1 to skip these tests)")
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    yield url
    drop_pg_database(admin, url)


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


_SHIPPED: list[campaigns.PreparedCampaign] = []


def import_shipped_campaigns(engine: Engine) -> None:
    """Import the two shipped campaigns the tests push to (the server refuses signatures of a
    campaign it does not know); the other shipped files are left for import tests."""
    if not _SHIPPED:
        _SHIPPED.extend(
            campaigns.load_files(
                [
                    SHIPPED_CAMPAIGNS / "sanctuary-of-safety.toml",
                    SHIPPED_CAMPAIGNS / "defy-trump-expand-sanctuary.toml",
                ]
            )
        )
    with write_transaction(engine) as conn:
        for prepared in _SHIPPED:
            campaigns.store(conn, prepared, datetime.now(UTC))


@pytest.fixture(scope="session")
def sqlite_migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database migrated to the latest revision, made once per session; each test
    gets a copy (:func:`db_url`). Closed, so nothing is left in a WAL beside it."""
    path = tmp_path_factory.mktemp("sqlite-migrated") / "server.sqlite3"
    engine = create_db_engine(f"sqlite:///{path}")
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
    assert not path.with_name(path.name + "-wal").exists()
    return path


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a migrated database holding only the two shipped campaigns the tests push to
    (none when the test module sets ``IMPORT_SHIPPED_CAMPAIGNS = False``); parametrized over
    SQLite and PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "server.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_migrated"), path)
        url = f"sqlite:///{path}"
        engine = create_db_engine(url)  # narrows the copy's mode to 0600, as for a new file
        try:
            if getattr(request.module, "IMPORT_SHIPPED_CAMPAIGNS", True):
                import_shipped_campaigns(engine)
        finally:
            engine.dispose()
        yield url
        return
    url = request.getfixturevalue("pg_database")
    engine = create_db_engine(url)
    try:
        _truncate_all(engine)
        if getattr(request.module, "IMPORT_SHIPPED_CAMPAIGNS", True):
            import_shipped_campaigns(engine)
    finally:
        engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the test database."""
    eng = create_db_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str) -> ServerSettings:
    """Server settings on the test database."""
    return ServerSettings(database_url=db_url, server_name="Test server")


@pytest.fixture
def server(settings: ServerSettings, engine: Engine) -> Iterator[InProcessServer]:
    """The app on the test database, served over real HTTP in this process."""
    with InProcessServer(create_app(settings, engine=engine)) as srv:
        yield srv


@pytest.fixture
def client(server: InProcessServer) -> Iterator[httpx.Client]:
    """An HTTP client on :func:`server`."""
    with httpx.Client(base_url=server.base_url, timeout=30) as c:
        yield c


def make_code(
    engine: Engine, name: str = "Kiosk", valid_hours: float = 24, now: datetime | None = None
) -> str:
    """Make an enrollment code straight in the database (as the CLI does)."""
    with write_transaction(engine) as conn:
        return devices.create_enrollment_code(
            conn, name, timedelta(hours=valid_hours), now or datetime.now(UTC)
        ).code


@pytest.fixture
def api(client: httpx.Client, engine: Engine) -> ApiClient:
    """An enrolled device talking to the app."""
    code = make_code(engine, "Kiosk A")
    return ApiClient.enroll(client, code)
