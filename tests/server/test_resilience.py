"""The server when its database fails: clear 503 answers, and no start on a wrong schema."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from kiosk.server import migrate
from kiosk.server.app import create_app
from kiosk.server.config import ServerSettings
from kiosk.server.db import create_db_engine
from kiosk.wire import API_PREFIX, ErrorBody
from tests.server.conftest import import_shipped_campaigns, make_code
from tests.server.helpers import (
    ApiClient,
    InProcessServer,
    create_pg_database,
    drop_pg_database,
    pg_admin_url,
    push_body,
    signature,
)


@pytest.mark.postgres
def test_database_gone_gives_503(pg_database: str) -> None:
    """PostgreSQL disappears under a running server: 503 ``database_unavailable``, not 500."""
    admin = pg_admin_url()
    url = create_pg_database(admin, prefix="kiosk_test_gone_")
    engine = create_db_engine(url)
    try:
        migrate.upgrade(engine)
        import_shipped_campaigns(engine)
        app = create_app(ServerSettings(database_url=url), engine=engine)
        with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as c:
            api = ApiClient.enroll(c, make_code(engine))
            assert api.push([signature()]).signatures[0].status == "created"
            drop_pg_database(admin, url)
            for r in (
                c.get(f"{API_PREFIX}/health"),
                api.get("/totals"),
                api.post_raw(push_body([signature()])),
            ):
                assert r.status_code == 503, r.text
                assert ErrorBody.model_validate_json(r.content).error == "database_unavailable"
                assert r.headers["retry-after"] == "5"
    finally:
        engine.dispose()
        drop_pg_database(admin, url)


def test_refuses_to_start_on_unmigrated_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    engine = create_db_engine(url)
    try:
        with (
            pytest.raises(RuntimeError, match="failed to start"),
            InProcessServer(create_app(ServerSettings(database_url=url), engine=engine)),
        ):
            pass
    finally:
        engine.dispose()


def test_a_request_that_raced_another_is_worded_as_such_not_as_a_database_down() -> None:
    """A deadlock or a serialization failure (PostgreSQL's own exceptions, as psycopg raises
    them under SQLAlchemy) is answered 503 ``server_busy``: the database is up and the request
    can be sent again at once; it used to say the database was unavailable (found by an outside
    concurrency test). Anything else stays ``database_unavailable``."""
    import psycopg.errors
    from fastapi import FastAPI
    from sqlalchemy.exc import OperationalError

    from kiosk.server.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    raised = {
        "deadlock": psycopg.errors.DeadlockDetected("deadlock detected"),
        "serialization": psycopg.errors.SerializationFailure("could not serialize access"),
        "down": psycopg.OperationalError("connection refused"),
    }

    @app.get("/{what}")
    def fail(what: str) -> None:
        raise OperationalError("UPDATE devices ...", {}, raised[what])

    with InProcessServer(app) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as c:
        for what in ("deadlock", "serialization"):
            r = c.get(f"/{what}")
            assert r.status_code == 503 and r.headers["retry-after"] == "1", r.text
            assert ErrorBody.model_validate_json(r.content).error == "server_busy"
        r = c.get("/down")
        assert r.status_code == 503 and r.headers["retry-after"] == "5"
        assert ErrorBody.model_validate_json(r.content).error == "database_unavailable"
