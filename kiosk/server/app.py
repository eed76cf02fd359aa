"""The HTTP API (FastAPI), mounted under ``/api/v1``.

Endpoints (schemas in :mod:`kiosk.wire`; OpenAPI document at ``/api/v1/openapi.json``):

- ``POST /api/v1/enroll``: a one-time code for a device id and bearer token.
- ``GET  /api/v1/campaigns``: campaign documents; ``ETag`` / ``If-None-Match`` give 304.
- ``POST /api/v1/signatures``: push a batch (one transaction); a result per item.
- ``GET  /api/v1/totals``: counted signatures per campaign and local campaign.
- ``GET  /api/v1/health``: liveness and database reachability (no authentication).

Coordinators only (token from ``kiosk-server coordinators add``; a device token gets 403):

- ``GET  /api/v1/exports/{campaign}.csv``: the contact list of every kiosk's signatures.
- ``GET  /api/v1/exports/{campaign}.pdf``: a delivery packet (one local campaign, or the whole
  campaign).
- ``GET  /api/v1/stats``: counts per campaign, local campaign and device; unique signers when the
  organization's private key is configured.

Devices push and pull (enroll, campaigns, signatures, totals) and can never read signatures back;
a coordinator token cannot act as a device (403). Exports answer 409 ``no_private_key`` when no
private key file is configured.

Every endpoint but ``enroll`` and ``health`` needs ``Authorization: Bearer TOKEN``. Every error
is an :class:`kiosk.wire.ErrorBody`. Request bodies are limited in size before they are parsed
(``Content-Length`` or, for chunked bodies, while reading) and must be ``application/json``.
Request bodies are never logged.

Layout: each subject's routes are a router in :mod:`kiosk.server.routes`; what they share
(state, authentication, checks) is :mod:`kiosk.server.deps`; errors are
:mod:`kiosk.server.errors`; body and rate limits are :mod:`kiosk.server.middleware`.
:func:`create_app` is the one place that assembles them.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

import kiosk
from kiosk.domain.ports import Clock, utc_now
from kiosk.server import log, migrate, stats, tallies
from kiosk.server.config import ServerSettings
from kiosk.server.console import forwarding as forwarding_page
from kiosk.server.console import install as install_console
from kiosk.server.console import jobs as console_jobs
from kiosk.server.db import create_db_engine, sqlite_checkpointer
from kiosk.server.errors import ApiError, install_error_handlers
from kiosk.server.forwarding.service import ForwardingService, load_secret
from kiosk.server.middleware import (
    BodyLimitMiddleware,
    CatchAllMiddleware,
    NulRefusalMiddleware,
    RateLimitMiddleware,
)
from kiosk.server.ratelimit import Limiter
from kiosk.server.routes import campaigns, devices, exports, health, signatures
from kiosk.server.routes import stats as stats_routes
from kiosk.wire import API_PREFIX, PushRequest

#: How long a server process starting up waits for a database that does not answer. uvicorn
#: restarts a worker that died; if that worker could not start (PostgreSQL restarting at that
#: moment), uvicorn stopped every worker and the server with them.
STARTUP_DB_WAIT = 60.0


async def _start_on_database(db: Engine, patience: float = STARTUP_DB_WAIT) -> None:
    """Check the schema revision and warm the first request's path, once the database answers:
    on PostgreSQL a database that fails (``OperationalError``) is tried again, 0.5 s to 5 s
    apart, for ``patience`` seconds, then the error stands (SQLite: at once).

    Raises:
        RuntimeError: the database is at another revision than this server's.
    """
    head = migrate.head_revision()
    deadline = time.monotonic() + (patience if db.dialect.name == "postgresql" else 0.0)
    wait = 0.5
    while True:
        try:
            current = migrate.current_revision(db)
            if current != head:
                raise RuntimeError(
                    f"database is at revision {current or 'empty'}, this server needs {head}: "
                    "run `kiosk-server migrate`"
                )
            with db.connect() as conn:  # the first request finds a warm connection and code path
                stats.stats(conn)
            return
        except OperationalError as exc:
            if time.monotonic() + wait > deadline:
                raise
            log.warning(
                "the database is unavailable at start-up (%s); trying again in %.1f s",
                type(getattr(exc, "orig", exc)).__name__,
                wait,
            )
            await asyncio.sleep(wait)
            wait = min(wait * 2, 5.0)


async def _expire_exports(db: Engine, clock: Clock) -> None:
    """Delete the console's exports older than a day (their files hold signers' data), at the
    start and every :data:`kiosk.server.console.jobs.EXPIRE_EVERY`, whether or not anyone opens
    the exports page."""
    while True:
        try:
            await asyncio.to_thread(console_jobs.expire_now, db, clock())
        except Exception as exc:  # noqa: BLE001 - the database may be away: next time, then
            log.warning(
                "could not delete expired console exports (%s); trying again in %s",
                type(getattr(exc, "orig", exc)).__name__,
                console_jobs.EXPIRE_EVERY,
            )
        await asyncio.sleep(console_jobs.EXPIRE_EVERY.total_seconds())


def create_app(
    settings: ServerSettings,
    engine: Engine | None = None,
    clock: Clock = utc_now,
    freeze_startup_objects: bool = False,
) -> FastAPI:
    """Build the application.

    The database must already be migrated (``kiosk-server migrate``; ``serve`` does it); the app
    refuses to start on a database at another revision.

    Args:
        settings: resolved server settings.
        engine: an engine to use instead of one made from ``settings.database_url`` (the app
            then leaves disposing of it to the caller).
        clock: returns the current aware UTC time.
        freeze_startup_objects: once started, move every object alive into the garbage
            collector's permanent generation (``gc.freeze``), so a full collection no longer
            walks the framework's and the database layer's objects: such a collection took
            about 55 ms in the middle of a push. For a server process of its own (``serve``);
            never in a process that goes on making servers (the tests).

    Raises:
        KeyConfigError: a private key file cannot be read or unlocked.
    """
    keyring = settings.keyring()
    own_engine = engine is None
    db = engine if engine is not None else create_db_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await _start_on_database(db)
        reader = tallies.start_catch_up(db, keyring) if keyring is not None else None
        checkpoints = sqlite_checkpointer(db)
        expiry = asyncio.create_task(_expire_exports(db, clock))
        if freeze_startup_objects:
            gc.collect()  # what is garbage now is not kept for good
            gc.freeze()
        yield
        expiry.cancel()
        if reader is not None:
            thread, stop = reader
            stop.set()
            thread.join(timeout=30)
        if checkpoints is not None:
            checkpoints.close()
        if own_engine:
            db.dispose()

    app = FastAPI(
        title="Petition Kiosk server",
        version=kiosk.__version__,
        summary="Receives the signatures collected by Petition Kiosk devices.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        # No browsable view: FastAPI's loads Swagger UI from a CDN (any 5.x release, no
        # integrity check, no content security policy) into the console's own origin, where a
        # signed-in coordinator's session lives. The document above opens in any OpenAPI viewer.
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    # What the routers read through kiosk.server.deps.
    app.state.engine = db
    app.state.settings = settings
    app.state.clock = clock
    app.state.keyring = keyring
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_body_bytes,
        budget=settings.upload_budget_bytes,
        wait=settings.upload_wait_seconds,
        idle_timeout=settings.body_idle_timeout,
        total_timeout=settings.body_total_timeout,
    )
    app.add_middleware(NulRefusalMiddleware)
    limiter = Limiter(settings.rate_limits)
    app.state.limiter = limiter
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    install_error_handlers(app)

    for routes in (devices, campaigns, signatures, stats_routes, exports, health):
        app.include_router(routes.router)
    _document_bodies(app, [PushRequest])
    # The web console (/console/) and the rally screen (/rally/<campaign>), same port.
    install_console(
        app, db, keyring, clock, demo=settings.demo, stale_hours=settings.kiosk_stale_hours
    )
    # Its Forwarding page (issue #16), on the forwarding service the command line uses.
    forwarding_page.install(
        app,
        ForwardingService(
            db, load_secret(settings.data_dir), clock, network=settings.forward_network()
        ),
    )
    return app


def _document_bodies(app: FastAPI, models: list[type[BaseModel]]) -> None:
    """Put the schemas of request bodies that a route reads itself (``openapi_extra``, see
    :func:`kiosk.server.routes.signatures.parse_push`) in the OpenAPI document's components,
    where FastAPI puts those of the bodies it reads."""
    make_document = app.openapi

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = make_document()
            _, defs = models_json_schema(
                [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
            )
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for name, schema in defs.get("$defs", {}).items():
                schemas.setdefault(name, schema)
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = document  # type: ignore[method-assign]


def app_from_env() -> FastAPI:
    """Application factory for ``uvicorn --factory`` (``kiosk-server serve`` uses it): settings
    come from the environment (see :mod:`kiosk.server.config`)."""
    return create_app(ServerSettings.resolve(), freeze_startup_objects=True)


__all__ = ["ApiError", "BodyLimitMiddleware", "CatchAllMiddleware", "app_from_env", "create_app"]
