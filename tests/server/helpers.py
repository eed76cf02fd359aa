"""Test helpers: building wire records, an enrolled API client, PostgreSQL scratch databases."""

from __future__ import annotations

import os
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kiosk.domain.ids import uuid7
from kiosk.wire import API_PREFIX, PushRequest, PushResponse, WireEvent, WireSignature, WireVoid

DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TEXT_VERSION = "ab" * 32


def pg_admin_url() -> str:
    """The PostgreSQL URL used to create scratch databases (``KIOSK_TEST_POSTGRES_URL``)."""
    return os.environ.get("KIOSK_TEST_POSTGRES_URL", DEFAULT_PG_ADMIN_URL)


def create_pg_database(admin_url: str, prefix: str = "kiosk_test_") -> str:
    """Create a fresh database named ``<prefix><random hex>`` and return its URL.

    Args:
        admin_url: a URL on the server with the right to create databases.
        prefix: the name prefix.
    """
    name = f"{prefix}{secrets.token_hex(6)}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def cut_off_pg_database(admin: Any, name: str, spare_pid: int | None = None) -> None:
    """What a server sees of a PostgreSQL restart, without restarting the shared cluster: the
    database ``name`` refuses new connections and every open one (but ``spare_pid``'s) ends.
    :func:`reopen_pg_database` lets connections in again. ``admin``: an engine on the admin
    URL."""
    with admin.connect() as a:
        a.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        a.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :db AND pid <> :spare"
            ),
            {"db": name, "spare": spare_pid or 0},
        )


def reopen_pg_database(admin: Any, name: str) -> None:
    """Let connections into a database :func:`cut_off_pg_database` closed."""
    with admin.connect() as a:
        a.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))


def drop_pg_database(admin_url: str, url: str) -> None:
    """Drop a database made by :func:`create_pg_database` (closing its sessions).

    Args:
        admin_url: the URL the database was created with.
        url: the scratch database's URL.
    """
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def signature(**overrides: Any) -> WireSignature:
    """A valid wire signature (new UUIDv7, random sealed bytes), with field overrides."""
    fields: dict[str, Any] = {
        "id": uuid7(),
        "campaign": "sanctuary-of-safety",
        "local_campaign": None,
        "text_version": TEXT_VERSION,
        "lang": "en",
        "kiosk_id": "kiosk-a",
        "event_id": None,
        "created_at": datetime.now(UTC),
        "utc_offset_minutes": -300,
        "synthetic": False,
        "sealed": secrets.token_bytes(96),
    }
    fields.update(overrides)
    return WireSignature(**fields)


def void(signature_id: Any, reason: str = "signed twice", **overrides: Any) -> WireVoid:
    """A valid wire void of ``signature_id``."""
    fields: dict[str, Any] = {
        "signature_id": signature_id,
        "reason": reason,
        "voided_at": datetime.now(UTC),
        "kiosk_id": "kiosk-a",
    }
    fields.update(overrides)
    return WireVoid(**fields)


def event(event_id: str = "rally-1", **overrides: Any) -> WireEvent:
    """A valid wire event."""
    fields: dict[str, Any] = {
        "id": event_id,
        "name": "Rally at City Hall",
        "location": "City Hall",
        "started_at": datetime(2026, 11, 1, 15, 0, tzinfo=UTC),
    }
    fields.update(overrides)
    return WireEvent(**fields)


def push_body(
    signatures: list[WireSignature] = (),  # type: ignore[assignment]
    voids: list[WireVoid] = (),  # type: ignore[assignment]
    events: list[WireEvent] = (),  # type: ignore[assignment]
) -> str:
    """The JSON text of a push."""
    return PushRequest(
        signatures=list(signatures), voids=list(voids), events=list(events)
    ).model_dump_json()


@dataclass
class ApiClient:
    """An enrolled device: an HTTP client (TestClient or httpx.Client) plus its token."""

    http: httpx.Client
    device_id: str
    token: str

    @classmethod
    def enroll(cls, http: httpx.Client, code: str, name: str | None = None) -> ApiClient:
        """Enroll with a one-time code; fails the test if refused."""
        body: dict[str, Any] = {"code": code}
        if name is not None:
            body["name"] = name
        r = http.post(f"{API_PREFIX}/enroll", json=body)
        assert r.status_code == 200, r.text
        data = r.json()
        return cls(http, data["device_id"], data["token"])

    @property
    def headers(self) -> dict[str, str]:
        """Authorization and content type headers."""
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}

    def post_raw(self, content: bytes | str, path: str = "/signatures") -> httpx.Response:
        """POST a raw body."""
        return self.http.post(f"{API_PREFIX}{path}", content=content, headers=self.headers)

    def push(
        self,
        signatures: list[WireSignature] = (),  # type: ignore[assignment]
        voids: list[WireVoid] = (),  # type: ignore[assignment]
        events: list[WireEvent] = (),  # type: ignore[assignment]
    ) -> PushResponse:
        """Push a batch; fails the test on a non-200 answer."""
        r = self.post_raw(push_body(signatures, voids, events))
        assert r.status_code == 200, r.text
        return PushResponse.model_validate_json(r.content)

    def get(self, path: str, **headers: str) -> httpx.Response:
        """GET an API path with the token."""
        return self.http.get(
            f"{API_PREFIX}{path}", headers={"Authorization": f"Bearer {self.token}", **headers}
        )


class InProcessServer:
    """The app served by uvicorn in a background thread, on 127.0.0.1 and a free port.

    Real HTTP (chunked bodies, Content-Length, connection handling) without a subprocess; the
    app's lifespan runs. Use :class:`tests.server.live.LiveServer` for a separate process.
    """

    def __init__(self, app: Any) -> None:
        import uvicorn

        from tests.server.live import free_port

        self.port = free_port()
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            loop="asyncio",
            ws="none",
            lifespan="on",
            log_level="warning",
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self.exit_code: object = None

    def _run(self) -> None:
        try:
            self.server.run()
        except SystemExit as exc:  # uvicorn exits this way when start-up fails
            self.exit_code = exc.code

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread = threading.Thread(target=self._run, name="uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"in-process server failed to start (exit {self.exit_code})")
            if time.monotonic() > deadline:
                raise RuntimeError("in-process server did not start in time")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(20)
