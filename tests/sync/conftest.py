"""Fixtures for the sync tests: one live ``kiosk-server`` process per database backend for the
session (SQLite and PostgreSQL), emptied before each test, and kiosks in temporary folders.

PostgreSQL: a fresh database per session on ``KIOSK_TEST_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``), dropped at the end. Unreachable
PostgreSQL fails those tests unless ``KIOSK_TEST_ALLOW_NO_POSTGRES=1`` (then they are skipped),
as in tests/server.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.app import Kiosk
from kiosk.server.config import ENV_DATA_DIR, ENV_DATABASE_URL
from tests.sync.helpers import ServerHandle, make_kiosk, running_server

os.environ.pop(ENV_DATABASE_URL, None)
os.environ.setdefault(ENV_DATA_DIR, tempfile.mkdtemp(prefix="kiosk-sync-tests-"))


def _session_server(backend: str, factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    try:
        with running_server(backend, factory.mktemp(f"server-{backend}")) as handle:
            yield handle
    except Exception as exc:
        if backend == "postgres" and os.environ.get("KIOSK_TEST_ALLOW_NO_POSTGRES") == "1":
            pytest.skip(f"PostgreSQL unavailable: {exc}")
        raise


@pytest.fixture(scope="session")
def sqlite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A live server on SQLite for the whole session."""
    yield from _session_server("sqlite", tmp_path_factory)


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerHandle]:
    """A live server on a fresh PostgreSQL database for the whole session."""
    yield from _session_server("postgres", tmp_path_factory)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def server(request: pytest.FixtureRequest) -> ServerHandle:
    """A live server with an empty database, on SQLite and on PostgreSQL."""
    handle: ServerHandle = request.getfixturevalue(f"{request.param}_server")
    handle.reset()
    return handle


@pytest.fixture
def new_kiosk(tmp_path: Path) -> Iterator[Callable[..., Kiosk]]:
    """Make kiosks in this test's temporary folder (closed at the end)."""
    made: list[Kiosk] = []

    def make(name: str = "kiosk", with_key: bool = True) -> Kiosk:
        kiosk = make_kiosk(tmp_path / name, with_key=with_key)
        made.append(kiosk)
        return kiosk

    yield make
    for kiosk in made:
        kiosk.close()


@pytest.fixture
def kiosk(new_kiosk: Callable[..., Kiosk]) -> Kiosk:
    """One kiosk with the test organization key."""
    return new_kiosk()
