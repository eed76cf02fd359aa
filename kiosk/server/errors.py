"""How the HTTP API answers errors: :class:`ApiError`, the exception handlers, and the error
responses documented in the OpenAPI document.

Every error is a :class:`kiosk.wire.ErrorBody` (``error`` code, ``detail`` sentence, and for a
schema mismatch the ``errors`` per field), but on a console or rally page a browser shows
(:func:`is_console_page`): there the console answers with its own page, in the coordinator's
language, with the same status and headers (:func:`error_answer`, :func:`answer_error`).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from kiosk.server import log
from kiosk.wire import ErrorBody, FieldProblem


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


def error_response(
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


#: What the console's page says (a message of :mod:`kiosk.server.console.i18n`) for an error
#: status met on a console page; another status says ``request_refused``.
_PAGE_KEYS = {
    400: "bad_form",
    404: "not_found",
    405: "method_not_allowed",
    408: "body_timeout",
    413: "body_too_large",
    422: "bad_form",
    500: "internal_error",
    503: "server_busy",
}


def console_of(scope: Scope) -> Any | None:
    """The console that answers this request's errors with its own page: the application's,
    when the path is a console or rally page a browser shows; None for the API (JSON)."""
    state = getattr(scope.get("app"), "state", None)
    console = getattr(state, "console", None)
    return console if console is not None and is_console_page(scope.get("path", "")) else None


async def error_answer(
    request: Request,
    status: int,
    error: str,
    detail: str,
    headers: dict[str, str] | None = None,
    problems: list[FieldProblem] | None = None,
    key: str | None = None,
    values: dict[str, object] | None = None,
) -> Response:
    """The answer to an error: :func:`error_response`, or on a console page the console's page
    saying ``key`` (by default the status's, see ``_PAGE_KEYS``) with ``values``, with the same
    status and headers."""
    console = console_of(request.scope)
    if console is not None:
        try:
            page: Response = await console.error_page(
                request,
                status,
                key or _PAGE_KEYS.get(status, "request_refused"),
                {"status": status, **(values or {})},
                headers,
            )
            return page
        except Exception:  # noqa: BLE001 - the JSON answer is still an answer
            log.exception("the console's page for a %d failed; answered JSON", status)
    return error_response(status, error, detail, headers, problems)


async def answer_error(
    scope: Scope,
    receive: Receive,
    send: Send,
    status: int,
    error: str,
    detail: str,
    headers: dict[str, str] | None = None,
    key: str | None = None,
    **values: object,
) -> None:
    """:func:`error_answer` for ASGI middleware, answered at once."""
    response = await error_answer(
        Request(scope), status, error, detail, headers, key=key, values=values
    )
    await response(scope, receive, send)


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed JSON or request"},
    408: {"model": ErrorBody, "description": "The body stalled (idle or too slow)"},
    413: {"model": ErrorBody, "description": "Body larger than the limit"},
    415: {"model": ErrorBody, "description": "Body is not application/json"},
    422: {"model": ErrorBody, "description": "Body does not match the schema"},
    503: {"model": ErrorBody, "description": "Database unavailable or too many uploads; retry"},
}
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown bearer token"},
    403: {"model": ErrorBody, "description": "The device was revoked, or a coordinator token"},
    422: {"model": ErrorBody, "description": "A parameter does not match the schema"},
    503: {"model": ErrorBody, "description": "Database unavailable; retry later"},
}
COORDINATOR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or unknown bearer token"},
    403: {"model": ErrorBody, "description": "A device token, or a revoked coordinator"},
    422: {"model": ErrorBody, "description": "A parameter does not match the schema"},
    503: {"model": ErrorBody, "description": "Database unavailable; retry later"},
}


def _loc(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return ".".join(parts) or "body"


async def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        first = next(e for e in errors if e.get("type") == "json_invalid")
        reason = (first.get("ctx") or {}).get("error", "invalid JSON")
        where = first.get("loc", ("body", "?"))[-1]
        return await error_answer(
            request, 400, "malformed_json", f"body is not valid JSON: {reason} at {where}"
        )
    problems = [
        FieldProblem(
            loc=_loc(tuple(e.get("loc", ()))), type=str(e.get("type")), msg=str(e.get("msg"))
        )
        for e in errors[:50]
    ]
    summary = "; ".join(f"{p.loc}: {p.msg}" for p in problems[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return await error_answer(request, 422, "validation_failed", summary + more, problems=problems)


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


async def _on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 304:
        return Response(status_code=304, headers=exc.headers)
    if exc.status_code == 400:  # FastAPI's own: the body could not be decoded as JSON at all
        return await error_answer(
            request,
            400,
            "malformed_json",
            "body is not valid JSON (invalid UTF-8, nested too deep, or a number too long)",
        )
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    detail = exc.detail if isinstance(exc.detail, str) else code
    # (On a console page, 404 for an address it does not have, 405 for a form's address opened
    # as a page: the console's page, the Allow header kept.)
    return await error_answer(request, exc.status_code, code, detail, dict(exc.headers or {}))


async def _on_api_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(exc.status, exc.error, exc.detail, exc.headers)


#: PostgreSQL's SQLSTATEs for a transaction that lost a race with another one (a deadlock, a
#: serialization failure): the database is up, the request was rolled back and can be sent again.
_CONTENDED = frozenset({"40P01", "40001"})


async def _on_database_unavailable(request: Request, exc: Exception) -> Response:
    contended = getattr(getattr(exc, "orig", None), "sqlstate", None) in _CONTENDED
    if contended and not is_console_page(request.url.path):  # a person gets the page below
        log.warning(
            "%s %s rolled back: it raced another transaction (%s)",
            request.method,
            request.url.path,
            type(getattr(exc, "orig", exc)).__name__,
        )
        return error_response(
            503,
            "server_busy",
            "another request changed the same records at the same moment; nothing was stored, "
            "retry",
            {"Retry-After": "1"},
        )
    log.error(
        "database unavailable during %s %s: %s",
        request.method,
        request.url.path,
        type(getattr(exc, "orig", exc)).__name__,
    )
    console = getattr(request.app.state, "console", None)
    if console is not None and is_console_page(request.url.path):
        # A person reads this one: the console's own page, in their language, not JSON.
        page: Response = console.render(
            request, "message.html", None, 503, key="database_unavailable", values={}
        )
        page.headers["Retry-After"] = "5"
        return page
    return error_response(
        503,
        "database_unavailable",
        "the database is unavailable; retry later",
        {"Retry-After": "5"},
    )


def is_console_page(path: str) -> bool:
    """A console or rally page a browser shows (not its JSON, event stream or static files)."""
    if path == "/console" or path.startswith("/console/"):
        return not path.startswith("/console/static/") and not path.endswith(".json")
    if path.startswith("/rally/"):
        return not path.endswith((".json", "/events"))
    return False


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` as an :class:`ErrorBody` (on a console page, the console's
    page)."""
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(OperationalError, _on_database_unavailable)


__all__ = [
    "AUTH_RESPONSES",
    "COORDINATOR_RESPONSES",
    "ERROR_RESPONSES",
    "ApiError",
    "answer_error",
    "console_of",
    "error_answer",
    "error_response",
    "install_error_handlers",
    "is_console_page",
]
