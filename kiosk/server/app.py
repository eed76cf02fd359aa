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
"""

from __future__ import annotations

import asyncio
import dataclasses
import email.message
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import kiosk
from kiosk.demo import export_marks, mark_csv
from kiosk.server import audit as server_audit
from kiosk.server import campaigns as campaign_store
from kiosk.server import coordinators, devices, log, migrate, stats, tallies
from kiosk.server import exports as server_exports
from kiosk.server.config import ServerSettings
from kiosk.server.db import create_db_engine, write_transaction
from kiosk.server.ingest import store_push
from kiosk.server.ratelimit import Limiter, refund_enroll_attempt, take_enroll_attempt
from kiosk.wire import (
    API_PREFIX,
    CampaignsResponse,
    CoordinatorStatsResponse,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    FieldProblem,
    HealthResponse,
    PushRequest,
    PushResponse,
    TotalsResponse,
)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


class ApiError(Exception):
    """An error answered as an :class:`ErrorBody` with a status code."""

    def __init__(
        self, status: int, error: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.error = error
        self.detail = detail
        self.headers = headers
        super().__init__(f"{status} {error}: {detail}")


def _error_response(
    status: int,
    error: str,
    detail: str,
    headers: dict[str, str] | None = None,
    problems: list[FieldProblem] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=error, detail=detail, errors=problems)
    return JSONResponse(
        body.model_dump(mode="json", exclude_none=True), status_code=status, headers=headers
    )


_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed JSON or request"},
    408: {"model": ErrorBody, "description": "The body stalled (idle or too slow)"},
    413: {"model": ErrorBody, "description": "Body larger than the limit"},
    415: {"model": ErrorBody, "description": "Body is not application/json"},
    422: {"model": ErrorBody, "description": "Body does not match the schema"},
    503: {"model": ErrorBody, "description": "Database unavailable or too many uploads; retry"},
}
_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown bearer token"},
    403: {"model": ErrorBody, "description": "The device was revoked, or a coordinator token"},
    422: {"model": ErrorBody, "description": "A parameter does not match the schema"},
    503: {"model": ErrorBody, "description": "Database unavailable; retry later"},
}


# --- body limit --------------------------------------------------------------------------------


class _ByteBudget:
    """Bytes of request bodies this process may hold at once (in one event loop)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.used = 0
        self._cond = asyncio.Condition()

    async def acquire(self, cost: int, timeout: float) -> bool:
        """Reserve ``cost`` bytes, waiting up to ``timeout`` seconds; False if not granted."""
        cost = min(cost, self.total)
        async with self._cond:
            try:
                await asyncio.wait_for(
                    self._cond.wait_for(lambda: self.used + cost <= self.total), timeout
                )
            except TimeoutError:
                return False
            self.used += cost
            return True

    async def release(self, cost: int) -> None:
        """Give back what :meth:`acquire` granted."""
        async with self._cond:
            self.used -= min(cost, self.total)
            self._cond.notify_all()


class BodyLimitMiddleware:
    """Bound what request bodies can cost: size, memory held at once, and time.

    - A body over ``limit`` bytes is refused (413), counted as it arrives, so a chunked body
      (no ``Content-Length``) is cut off as soon as it passes the limit, before any parsing.
    - **Memory.** Each request with a body reserves its size (its ``Content-Length``, or the
      limit when chunked) from a per-process budget of ``budget`` bytes for the whole request,
      parsing and storing included. When the budget is spent, a request waits up to ``wait``
      seconds for room, then gets 503 ``server_busy`` with ``Retry-After``; so however many
      large pushes arrive together, the bodies held (and the objects parsed from them) stay
      bounded. ``budget`` 0 turns this off.
    - **Time.** A body that sends nothing for ``idle_timeout`` seconds, or is not complete after
      ``total_timeout`` seconds, gets 408 ``body_timeout`` and its connection is closed, so
      stalled uploads do not hold connections, memory or budget.
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        budget: int = 0,
        wait: float = 10.0,
        idle_timeout: float = 15.0,
        total_timeout: float = 120.0,
    ) -> None:
        self.app = app
        self.limit = limit
        self.budget = _ByteBudget(budget) if budget > 0 else None
        self.wait = wait
        self.idle_timeout = idle_timeout
        self.total_timeout = total_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        close = {"Connection": "close"}
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _error_response(400, "bad_request", "invalid Content-Length", close)(
                    scope, receive, send
                )
                return
            if int(declared) > self.limit:
                await self._too_large(scope, receive, send)
                return
        cost = max(1, int(declared) if declared is not None else self.limit)
        if self.budget is not None and not await self.budget.acquire(cost, self.wait):
            log.warning("server busy: refused a %d-byte upload (budget spent)", cost)
            await _error_response(
                503,
                "server_busy",
                "too many uploads at once; retry later",
                {"Retry-After": "5", "Connection": "close"},
            )(scope, receive, send)
            return
        try:
            await self._read_and_call(scope, receive, send)
        finally:
            if self.budget is not None:
                await self.budget.release(cost)

    async def _read_and_call(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.total_timeout
        while True:
            left = min(self.idle_timeout, deadline - loop.time())
            try:
                if left <= 0:
                    raise TimeoutError
                message = await asyncio.wait_for(receive(), left)
            except TimeoutError:
                log.warning("request body stalled: closed after %d bytes", size)
                await _error_response(
                    408,
                    "body_timeout",
                    "the request body stalled; send it again",
                    {"Connection": "close"},
                )(scope, receive, send)
                return
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        del chunks
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _error_response(
            413,
            "body_too_large",
            f"request body larger than {self.limit} bytes; send smaller batches",
            {"Connection": "close"},
        )(scope, receive, send)


class RateLimitMiddleware:
    """Answer 429 (``Retry-After``) to a client address or bearer token over its rate
    (see :mod:`kiosk.server.ratelimit`: per process, approximate by design)."""

    def __init__(self, app: ASGIApp, limiter: Limiter) -> None:
        self.app = app
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(API_PREFIX)
            or path == f"{API_PREFIX}/health"
        ):
            await self.app(scope, receive, send)
            return
        bearer = None
        for k, v in scope["headers"]:
            if k.lower() == b"authorization":
                scheme, _, value = v.decode("latin-1").partition(" ")
                if scheme.lower() == "bearer":
                    bearer = value.strip()
                break
        wait = self.limiter.check_request(client_address(scope), bearer)
        if wait is not None:
            await _error_response(
                429,
                "rate_limited",
                f"too many requests; retry in {wait} s",
                {"Retry-After": str(wait)},
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)


def client_address(scope: Scope) -> str:
    """The client's address as uvicorn reports it (proxy headers from trusted proxies only)."""
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


# --- error handlers ----------------------------------------------------------------------------


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _on_validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        first = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (first.get("ctx") or {}).get("error", "invalid JSON")
        where = first.get("loc", ("body", "?"))[-1]
        return _error_response(
            400, "malformed_json", f"body is not valid JSON: {reason} at {where}"
        )
    problems = [
        FieldProblem(
            loc=_loc(tuple(e.get("loc", ()))), type=str(e.get("type")), msg=str(e.get("msg"))
        )
        for e in errors[:50]
    ]
    summary = "; ".join(f"{p.loc}: {p.msg}" for p in problems[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return _error_response(422, "validation_failed", summary + more, problems=problems)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


async def _on_http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 304:
        return Response(status_code=304, headers=exc.headers)
    if exc.status_code == 400:  # FastAPI's own: the body could not be decoded as JSON at all
        return _error_response(
            400,
            "malformed_json",
            "body is not valid JSON (invalid UTF-8, nested too deep, or a number too long)",
        )
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else code
    return _error_response(exc.status_code, code, detail, dict(exc.headers or {}))


async def _on_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _error_response(exc.status, exc.error, exc.detail, exc.headers)


async def _on_database_unavailable(request: Request, exc: Exception) -> Response:
    log.error(
        "database unavailable during %s %s: %s",
        request.method,
        request.url.path,
        type(getattr(exc, "orig", exc)).__name__,
    )
    return _error_response(
        503,
        "database_unavailable",
        "the database is unavailable; retry later",
        {"Retry-After": "5"},
    )


class CatchAllMiddleware:
    """Answer an unexpected exception with a JSON 500 (``internal_error``) and log it.

    Starlette's own last-resort handler re-raises after answering, which makes uvicorn drop the
    connection; this one does not. Request bodies are not logged, and SQL parameters are hidden
    from database errors by the engine.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("internal error during %s %s", scope["method"], scope["path"])
            if started:
                raise
            await _error_response(500, "internal_error", "internal server error; retry later")(
                scope, receive, send
            )


# --- the application ---------------------------------------------------------------------------


def require_json(request: Request) -> None:
    """Refuse (415) a request body that is not ``application/json``.

    Raises:
        ApiError: 415 ``unsupported_media_type``.
    """
    if not _is_json(request.headers.get("content-type")):
        raise ApiError(
            415, "unsupported_media_type", "send the body as Content-Type: application/json"
        )


_COORDINATOR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown bearer token"},
    403: {"model": ErrorBody, "description": "A device token, or a revoked coordinator"},
    422: {"model": ErrorBody, "description": "A parameter does not match the schema"},
    503: {"model": ErrorBody, "description": "Database unavailable; retry later"},
}

_bearer = HTTPBearer(
    auto_error=False,
    description="A device token (POST /api/v1/enroll) or a coordinator token "
    "(kiosk-server coordinators add)",
)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def current_device(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> devices.AuthenticatedDevice:
    """The device behind the request's bearer token.

    Raises:
        ApiError: 401 for a missing or unknown token, 403 for a revoked device.
    """
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "unauthorized", "missing bearer token", challenge)
    try:
        with _engine(request).connect() as conn:
            return devices.authenticate(conn, credentials.credentials)
    except devices.TokenRefused as exc:
        if exc.revoked:
            _audit_revoked(request, exc.device_id)
            raise ApiError(
                403, "device_revoked", "this device was revoked; enroll it again"
            ) from None
        try:
            with _engine(request).connect() as conn:
                coordinators.authenticate(conn, credentials.credentials)
        except coordinators.CoordinatorRefused:
            raise ApiError(401, "unauthorized", "unknown bearer token", challenge) from None
        raise ApiError(
            403, "coordinator_token", "a coordinator token cannot act as a device"
        ) from None


#: Seconds between two audit entries about the same revoked device knocking (per process).
REVOKED_AUDIT_INTERVAL = 60.0


def _audit_revoked(request: Request, device_id: str | None) -> None:
    """Write to the server's audit trail that a revoked device was refused.

    At most once per :data:`REVOKED_AUDIT_INTERVAL` per device and process, so a stolen tablet
    hammering the server cannot flood the trail; every refusal is logged.
    """
    log.warning("refused a request from revoked device %s to %s", device_id, request.url.path)
    if device_id is None:
        return
    seen: dict[str, float] = request.app.state.revoked_audited
    now = time.monotonic()
    if now - seen.get(device_id, -REVOKED_AUDIT_INTERVAL) < REVOKED_AUDIT_INTERVAL:
        return
    seen[device_id] = now
    detail = {"device": device_id, "method": request.method, "path": request.url.path}
    with write_transaction(_engine(request)) as conn:
        server_audit.record_server(
            conn, "revoked_device_refused", detail, request.app.state.clock()
        )


DeviceDep = Annotated[devices.AuthenticatedDevice, Depends(current_device)]

#: The header a demo kiosk (``kiosk --demo``) sends with every request.
DEMO_HEADER = "X-Kiosk-Demo"


def check_demo(server_demo: bool, request: Request, device_demo: bool | None = None) -> None:
    """Refuse a demo kiosk on a real server and a real kiosk on a demo server (403).

    A demo kiosk's data is sealed to a key whose passphrase is published: it must never land
    in a real campaign; and real signers' data must never land on a demo server. The device
    row (set at enrollment) and the request's header must both agree with the server's mode.
    """
    says_demo = request.headers.get(DEMO_HEADER, "") == "1"
    kiosk_demo = says_demo or bool(device_demo)
    if kiosk_demo and not server_demo:
        raise ApiError(
            403,
            "demo_kiosk",
            "this is a demo kiosk and this server is not in demo mode: demo "
            "signatures are never taken into a real campaign",
        )
    if server_demo and not (says_demo and device_demo is not False):
        raise ApiError(
            403,
            "demo_server",
            "this server runs in demo mode and takes only demo kiosks "
            "(`kiosk --demo`): real signatures never go to a demo server",
        )


def current_coordinator(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> coordinators.CoordinatorInfo:
    """The coordinator behind the request's bearer token.

    Raises:
        ApiError: 401 for a missing or unknown token; 403 for a revoked coordinator or a device
            token (devices never read signatures back).
    """
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None or not credentials.credentials:
        raise ApiError(401, "unauthorized", "missing bearer token", challenge)
    token = credentials.credentials
    with _engine(request).connect() as conn:
        try:
            return coordinators.authenticate(conn, token)
        except coordinators.CoordinatorRefused as exc:
            if exc.revoked:
                raise ApiError(403, "coordinator_revoked", "this coordinator was revoked") from None
        try:
            devices.authenticate(conn, token)
        except devices.TokenRefused as exc:
            if not exc.revoked:
                raise ApiError(401, "unauthorized", "unknown bearer token", challenge) from None
    raise ApiError(403, "coordinators_only", "only coordinators may read signatures back")


CoordinatorDep = Annotated[coordinators.CoordinatorInfo, Depends(current_coordinator)]


def _aware(moment: datetime | None) -> datetime | None:
    """``since`` as an aware UTC datetime (naive means UTC).

    Raises:
        ApiError: 422 when it cannot be expressed in UTC (9999-12-31T23:59:59-12:00, year 1
            with +14:00: the conversion would leave the calendar).
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(
            422, "validation_failed", "since: date-time out of range once converted to UTC"
        ) from None


def _export_headers(name: str, result: server_exports.ServerExportResult) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Export-Records": str(result.records),
        "X-Export-Undecryptable": str(result.undecryptable),
        "X-Export-Unknown-Version": str(result.unknown_version),
    }


SlugQuery = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _slug_param(campaign: str) -> str:
    """The ``{campaign}`` path parameter, checked like a campaign slug.

    Raises:
        ApiError: 404 for something that cannot be a campaign slug.
    """
    if not 1 <= len(campaign) <= 64 or not all(
        c.isascii() and ((c.isalnum() and not c.isupper()) or c == "-") for c in campaign
    ):
        raise ApiError(404, "campaign_not_found", "no such campaign")
    return campaign


def create_app(
    settings: ServerSettings, engine: Engine | None = None, clock: Clock = utc_now
) -> FastAPI:
    """Build the application.

    The database must already be migrated (``kiosk-server migrate``; ``serve`` does it); the app
    refuses to start on a database at another revision.

    Args:
        settings: resolved server settings.
        engine: an engine to use instead of one made from ``settings.database_url`` (the app
            then leaves disposing of it to the caller).
        clock: returns the current aware UTC time.

    Raises:
        KeyConfigError: a private key file cannot be read or unlocked.
    """
    keyring = settings.keyring()
    own_engine = engine is None
    db = engine if engine is not None else create_db_engine(settings.database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        current, head = migrate.current_revision(db), migrate.head_revision()
        if current != head:
            raise RuntimeError(
                f"database is at revision {current or 'empty'}, this server needs {head}: "
                "run `kiosk-server migrate`"
            )
        with db.connect() as conn:  # the first request finds a warm connection and code path
            stats.stats(conn)
        reader = tallies.start_catch_up(db, keyring) if keyring is not None else None
        yield
        if reader is not None:
            thread, stop = reader
            stop.set()
            thread.join(timeout=30)
        if own_engine:
            db.dispose()

    app = FastAPI(
        title="Petition Kiosk server",
        version=kiosk.__version__,
        summary="Receives the signatures collected by Petition Kiosk devices.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.engine = db
    app.state.settings = settings
    app.state.clock = clock
    app.state.revoked_audited = {}
    app.add_middleware(CatchAllMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        limit=settings.max_body_bytes,
        budget=settings.upload_budget_bytes,
        wait=settings.upload_wait_seconds,
        idle_timeout=settings.body_idle_timeout,
        total_timeout=settings.body_total_timeout,
    )
    limiter = Limiter(settings.rate_limits)
    app.state.limiter = limiter
    app.add_middleware(RateLimitMiddleware, limiter=limiter)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(OperationalError, _on_database_unavailable)

    @app.post(
        f"{API_PREFIX}/enroll",
        response_model=EnrollResponse,
        dependencies=[Depends(require_json)],
        responses={
            **_ERROR_RESPONSES,
            403: {"model": ErrorBody, "description": "Code unknown, expired or used"},
            429: {"model": ErrorBody, "description": "Too many refused attempts; Retry-After"},
        },
        tags=["devices"],
    )
    def enroll(body: EnrollRequest, request: Request) -> EnrollResponse:
        """Trade a one-time enrollment code for a device id and bearer token.

        Refused attempts are limited per client address (429 with ``Retry-After``)."""
        check_demo(settings.demo, request)
        address = client_address(request.scope)
        limits = settings.rate_limits
        refused: devices.EnrollRefused | None = None
        with write_transaction(db) as conn:
            now = clock()
            # Taken before the code is tried, in the same transaction: concurrent attempts
            # cannot overrun the limit, and every server process shares it.
            wait = take_enroll_attempt(conn, address[:64], limits, now.timestamp())
            if wait is None:
                try:
                    enrolled = devices.enroll(conn, body.code, body.name, now, demo=settings.demo)
                    refund_enroll_attempt(conn, address[:64], limits, now.timestamp())
                except devices.EnrollRefused as exc:
                    refused = exc  # the attempt stays taken (committed with the transaction)
        if wait is not None:
            raise ApiError(
                429,
                "rate_limited",
                f"too many refused enrollment attempts; retry in {wait} s",
                {"Retry-After": str(wait)},
            )
        if refused is not None:
            exc = refused
            log.warning("refused enrollment attempt from %s: %s", address, exc.reason)
            detail = {
                devices.EnrollFailure.INVALID: "unknown enrollment code",
                devices.EnrollFailure.EXPIRED: "this enrollment code has expired; make a new one",
                devices.EnrollFailure.USED: "this enrollment code was already used",
            }[exc.reason]
            raise ApiError(403, str(exc.reason), detail) from None
        log.info("device %s enrolled", enrolled.device_id)
        return EnrollResponse(
            device_id=enrolled.device_id,
            token=enrolled.token,
            server_name=settings.server_name,
            org_public_key=settings.org_public_key,
        )

    @app.get(
        f"{API_PREFIX}/campaigns",
        response_model=CampaignsResponse,
        responses={**_AUTH_RESPONSES, 304: {"description": "Not modified (If-None-Match)"}},
        tags=["campaigns"],
    )
    def get_campaigns(
        device: DeviceDep,
        if_none_match: Annotated[str | None, Header(max_length=2048)] = None,
    ) -> Response:
        """Every campaign document (the campaign file structure as JSON).

        Send the last ``ETag`` in ``If-None-Match`` to get 304 when nothing changed.
        """
        with db.connect() as conn:
            tag = campaign_store.etag(conn)
            headers = {"ETag": tag, "Cache-Control": "no-cache"}
            if campaign_store.if_none_match(if_none_match, tag):
                return Response(status_code=304, headers=headers)
            docs = campaign_store.documents(conn)
        return JSONResponse({"campaigns": docs}, headers=headers)

    @app.post(
        f"{API_PREFIX}/signatures",
        response_model=PushResponse,
        dependencies=[Depends(require_json)],
        responses={**_ERROR_RESPONSES, **_AUTH_RESPONSES},
        tags=["sync"],
    )
    def push(body: PushRequest, device: DeviceDep, request: Request) -> Response:
        """Store a batch of signatures, voids and events in one transaction.

        Answers one result per item, in request order; see :class:`kiosk.wire.PushResponse`.
        A demo kiosk's push is refused unless the server is in demo mode, and the other way
        round (403 ``demo_kiosk`` / ``demo_server``).
        """
        check_demo(settings.demo, request, device.demo)
        now = clock()
        with write_transaction(db) as conn:
            result = store_push(conn, device.id, body, now, keyring)
            devices.touch(conn, device, now)
        return Response(result.model_dump_json(), media_type="application/json")

    @app.get(
        f"{API_PREFIX}/totals",
        response_model=TotalsResponse,
        responses=_AUTH_RESPONSES,
        tags=["campaigns"],
    )
    def get_totals(device: DeviceDep) -> TotalsResponse:
        """Signatures per campaign and local campaign across all kiosks (not void, not
        synthetic)."""
        with db.connect() as conn:
            return stats.totals(conn)

    def _export_failed(exc: server_exports.ExportError) -> ApiError:
        return ApiError(409 if exc.code == "no_private_key" else 404, exc.code, str(exc))

    def _seen(who: coordinators.CoordinatorInfo) -> None:
        with write_transaction(db) as conn:
            coordinators.touch(conn, who, clock())

    def _audit_export(
        who: coordinators.CoordinatorInfo,
        action: str,
        query: server_exports.ExportQuery,
        records: int,
        **extra: Any,
    ) -> None:
        # Written before the data leaves: an export the trail cannot record is not served.
        detail = {
            "channel": "http",
            "coordinator": who.id,
            **server_exports.audit_detail(query),
            "records": records,
            **extra,
        }
        with write_transaction(db) as conn:
            server_audit.record_server(conn, action, detail, clock())
        log.info("coordinator %s: %s of %s (%d rows)", who.id, action, query.campaign, records)

    export_responses: dict[int | str, dict[str, Any]] = {
        **_COORDINATOR_RESPONSES,
        404: {"model": ErrorBody, "description": "Unknown campaign, local campaign, or nothing"},
        409: {"model": ErrorBody, "description": "No private key is configured on the server"},
    }

    @app.get(
        f"{API_PREFIX}/exports/{{campaign}}.csv",
        response_class=Response,
        responses={
            **export_responses,
            200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"},
        },
        tags=["coordinators"],
    )
    def export_csv(
        campaign: Annotated[str, Depends(_slug_param)],
        who: CoordinatorDep,
        local: SlugQuery | None = None,
        since: datetime | None = None,
        include_synthetic: bool = False,
    ) -> Response:
        """The contact list (CSV) of every kiosk's signatures of a campaign (voided left out)."""
        _seen(who)
        query = server_exports.ExportQuery(campaign, local, _aware(since), include_synthetic)
        try:
            with db.connect() as conn:
                data, result = server_exports.export_csv(conn, keyring, query)
        except server_exports.ExportError as exc:
            raise _export_failed(exc) from None
        # Asked for synthetic signatures: the list says TEST DATA before its header row.
        data = mark_csv(data, export_marks(False, include_synthetic))
        _audit_export(who, "export_csv", query, result.records)
        return Response(
            data,
            media_type="text/csv; charset=utf-8",
            headers=_export_headers(f"{campaign}.csv", result),
        )

    @app.get(
        f"{API_PREFIX}/exports/{{campaign}}.pdf",
        response_class=Response,
        responses={
            **export_responses,
            200: {
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                "description": "PDF packet",
            },
        },
        tags=["coordinators"],
    )
    def export_pdf(
        campaign: Annotated[str, Depends(_slug_param)],
        who: CoordinatorDep,
        local: SlugQuery | None = None,
        since: datetime | None = None,
        include_synthetic: bool = False,
        lang: Literal["en", "es"] = "en",
        page_size: Literal["letter", "a4"] = "letter",
        rows_per_sheet: Annotated[int, Query(ge=1, le=30)] = 10,
    ) -> Response:
        """One delivery packet: the local campaign's (``local``) or the whole campaign's."""
        from kiosk.pdf import PacketOptions, render_packet

        _seen(who)
        query = server_exports.ExportQuery(campaign, local, _aware(since), include_synthetic)
        options = PacketOptions(page_size=page_size, rows_per_sheet=rows_per_sheet)
        try:
            with db.connect() as conn:
                packets, result = server_exports.export_packets(
                    conn, keyring, query, lang, options, per_local=local is not None
                )
        except server_exports.ExportError as exc:
            raise _export_failed(exc) from None
        packet = packets[0][1]
        if include_synthetic:  # every page says TEST DATA
            packet = dataclasses.replace(packet, marks=export_marks(False, True))
        data = render_packet(packet)
        _audit_export(who, "export_pdf", query, result.records, lang=lang)
        name = f"{campaign}-{local}.pdf" if local else f"{campaign}.pdf"
        return Response(data, media_type="application/pdf", headers=_export_headers(name, result))

    @app.get(
        f"{API_PREFIX}/stats",
        response_model=CoordinatorStatsResponse,
        responses=_COORDINATOR_RESPONSES,
        tags=["coordinators"],
    )
    def get_stats(who: CoordinatorDep) -> CoordinatorStatsResponse:
        """Counted signatures per campaign, local campaign and device; unique signers (distinct
        normalised name + ZIP) when the server has the organization's private key."""
        _seen(who)
        with db.connect() as conn:
            data = stats.stats(conn)
        return CoordinatorStatsResponse(
            campaigns=data["campaigns"],
            locals=data["locals"],
            devices={k: v["signatures"] for k, v in data["devices"].items()},
            events=data["by_event"],
            days=data["by_day"],
            voided=data["voided"],
            synthetic=data["synthetic"],
            unique_signers=data["unique_signers"] if keyring is not None else None,
            undecryptable=data["quarantined"],
            quarantined=data["quarantined"],
            unread=data["pending"],
        )

    @app.get(
        f"{API_PREFIX}/health",
        response_model=HealthResponse,
        responses={503: {"model": ErrorBody, "description": "Database unavailable"}},
        tags=["health"],
    )
    def health() -> HealthResponse:
        """Whether the server and its database answer."""
        with db.connect() as conn:
            conn.execute(text("SELECT 1"))
        return HealthResponse(status="ok", version=kiosk.__version__)

    # The web console (/console/) and the rally screen (/rally/<campaign>), same port.
    from kiosk.server.console import install as install_console

    install_console(app, db, keyring, clock, demo=settings.demo)
    return app


def app_from_env() -> FastAPI:
    """Application factory for ``uvicorn --factory`` (``kiosk-server serve`` uses it): settings
    come from the environment (see :mod:`kiosk.server.config`)."""
    return create_app(ServerSettings.resolve())


__all__ = ["ApiError", "BodyLimitMiddleware", "CatchAllMiddleware", "app_from_env", "create_app"]
