"""ASGI middleware of the HTTP API: request body limits, rate limits, and the last-resort 500.

Assembled by :func:`kiosk.server.app.create_app`, outermost first: the catch-all, the body
limit, the rate limit.

Their refusals are the API's JSON, but on a console or rally page a browser shows: there the
console's own page says the same in the coordinator's language, with the same status and
headers (:func:`kiosk.server.errors.answer_error`).
"""

from __future__ import annotations

import asyncio
from urllib.parse import unquote_to_bytes

import numpy as np
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiosk.server import log
from kiosk.server.errors import answer_error, error_response
from kiosk.server.ratelimit import Limiter
from kiosk.wire import API_PREFIX, MAX_BODY_CONTAINERS


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
    - **What parsing builds.** An API body (``/api/v1/...``, all JSON) holding more than
      ``max_containers`` ``{`` and ``[`` bytes is refused (413 ``too_many_json_values``) before
      anything parses it: the budget counts bytes, and 8 MiB of ``[],`` parses into 2.8 million
      objects (440 MB for one push, 1.2 GB for the four the budget lets in at once; an
      ``/enroll`` needs no token). Counted by numpy, strings included (an upper bound).
    """

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        budget: int = 0,
        wait: float = 10.0,
        idle_timeout: float = 15.0,
        total_timeout: float = 120.0,
        max_containers: int = MAX_BODY_CONTAINERS,
    ) -> None:
        self.app = app
        self.limit = limit
        self.max_containers = max_containers
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
            if not (declared.strip().isascii() and declared.strip().isdigit()):
                await answer_error(
                    scope, receive, send, 400, "bad_request", "invalid Content-Length", close
                )
                return
            if int(declared) > self.limit:
                await self._too_large(scope, receive, send)
                return
        cost = max(1, int(declared) if declared is not None else self.limit)
        if self.budget is not None and not await self.budget.acquire(cost, self.wait):
            log.warning("server busy: refused a %d-byte upload (budget spent)", cost)
            await answer_error(
                scope,
                receive,
                send,
                503,
                "server_busy",
                "too many uploads at once; retry later",
                {"Retry-After": "5", "Connection": "close"},
            )
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
                await answer_error(
                    scope,
                    receive,
                    send,
                    408,
                    "body_timeout",
                    "the request body stalled; send it again",
                    {"Connection": "close"},
                )
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
        if scope.get("path", "").startswith(API_PREFIX) and _containers(body) > self.max_containers:
            log.warning("refused a %d-byte body holding too many JSON values", size)
            await error_response(
                413,
                "too_many_json_values",
                f"request body holds more than {self.max_containers} JSON objects and arrays",
                {"Connection": "close"},
            )(scope, receive, send)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        # A console form over the limit (a campaign file of 9 MB): the console's page saying so.
        await answer_error(
            scope,
            receive,
            send,
            413,
            "body_too_large",
            f"request body larger than {self.limit} bytes; send smaller batches",
            {"Connection": "close"},
            limit=f"{self.limit / 1024 / 1024:g}",
        )


def _containers(body: bytes) -> int:
    """How many ``{`` and ``[`` bytes ``body`` holds (strings included: an upper bound on the
    JSON objects and arrays it can parse into), counted by numpy's vectorised compare: a
    tenth of what two ``bytes.count`` calls take (0.45 ms against 4 ms for a push of 1,000
    signatures, on the event loop)."""
    data = np.frombuffer(body, dtype=np.uint8)
    return int(np.count_nonzero(data == ord("{")) + np.count_nonzero(data == ord("[")))


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
            await error_response(
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


class NulRefusalMiddleware:
    """Answer 400 (``bad_request``) to a request whose path or query string holds a NUL byte
    (``%00``), before any route sees it.

    No text the server stores or looks up may contain one: PostgreSQL refuses NUL in text
    parameters (a 500 from every lookup it reached, the sign-in limiter's included, while
    SQLite answered 404), and a file name with one cannot be opened. Form fields are checked
    where the console reads its forms.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] == "http" and (
            "\x00" in scope.get("path", "")
            or b"\x00" in unquote_to_bytes(scope.get("query_string", b""))
        ):
            await answer_error(
                scope,
                receive,
                send,
                400,
                "bad_request",
                "the address holds a NUL character (%00): refused",
                key="bad_address",
            )
            return
        await self.app(scope, receive, send)


class CatchAllMiddleware:
    """Answer an unexpected exception with a JSON 500 (``internal_error``; a console page: the
    console's page) and log it.

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
            await answer_error(
                scope, receive, send, 500, "internal_error", "internal server error; retry later"
            )


__all__ = [
    "BodyLimitMiddleware",
    "CatchAllMiddleware",
    "NulRefusalMiddleware",
    "RateLimitMiddleware",
    "client_address",
]
