"""A thin HTTP client for ``kiosk-server``'s ``/api/v1``, over httpx.

Every call either returns a reply validated with the wire models (:mod:`kiosk.wire`) or raises
:class:`SyncError` with a :class:`~kiosk.sync.status.SyncErrorCode`: transport failures,
HTTP statuses and malformed or truncated replies are all mapped to codes, so the engine and the
UI never see an httpx exception. A reply that does not validate is ``BAD_RESPONSE`` and the
caller must act on nothing in it.

URL policy (:func:`check_url`): ``https`` is always allowed; plain ``http`` only to this machine
(``localhost``, ``127.0.0.0/8``, ``[::1]``) unless staff explicitly allowed insecure
connections. TLS uses the system's CA store, or a CA bundle file when one is given.

Nothing here logs request or response bodies: signatures carry sealed personal data, and the
bearer token is a secret.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import ssl
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Self, TypeVar
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ValidationError

import kiosk
from kiosk.sync.status import SyncErrorCode
from kiosk.wire import (
    API_PREFIX,
    BASE_BATCH_SIGNATURES,
    MAX_BATCH_SIGNATURES,
    MAX_SIGNATURES_HEADER,
    CampaignsResponse,
    DeviceState,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    HealthResponse,
    KioskReport,
    PushRequest,
    PushResponse,
    TotalsResponse,
    defuse,
)

log = logging.getLogger("kiosk.sync")

_M = TypeVar("_M", bound=BaseModel)

#: Seconds to wait for a connection.
CONNECT_TIMEOUT = 10.0
#: Seconds to wait for each read or write on an open connection (a batch may take a while).
IO_TIMEOUT = 60.0
#: Seconds a whole request may take, answer included: each read has its own timeout
#: (``IO_TIMEOUT``), which a server dripping a byte at a time never trips, holding the sync
#: for hours.
REQUEST_DEADLINE = 300.0
#: Largest reply read, in bytes, after any decompression: the campaign documents (campaign
#: files of up to 1 MB each, with their local campaigns and earlier texts).
MAX_REPLY_BYTES = 64 * 1024 * 1024
#: Largest reply of every other request (a push's answer for 1,000 signatures is about 100 KB).
MAX_SMALL_REPLY_BYTES = 4 * 1024 * 1024
#: Most JSON objects and arrays a reply may hold. Parsing builds one Python object each, so
#: 64 MB of ``{},`` (65 KB gzipped) would take 3 GB of the touch screen's memory; the
#: shipped campaigns hold under 100, a server with 1,000 local campaigns some 10,000.
MAX_REPLY_CONTAINERS = 200_000


class SyncError(Exception):
    """A sync request failed; ``code`` says why in a way the UI can word.

    Attributes:
        code: the failure class shown to staff.
        detail: a technical detail in English (no personal data, no token), without
            control characters: it may quote the server (its error's words, a header, a key
            of its JSON), and goes to a terminal (``kiosk sync``) and the staff screen.
        status: the HTTP status, when the server answered.
        error: the server's stable error code (``ErrorBody.error``), when it sent one.
        retry_after: seconds the server asked the kiosk to wait (``Retry-After``), if any.
    """

    def __init__(
        self,
        code: SyncErrorCode,
        detail: str,
        status: int | None = None,
        error: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        detail = defuse(detail)
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail
        self.status = status
        self.error = error
        self.retry_after = retry_after


def _is_local_host(host: str) -> bool:
    """Whether ``host`` is this machine (loopback name or address)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_url(url: str) -> str:
    """The server's base URL as stored: trimmed, without a trailing slash or ``/api/v1``.

    Args:
        url: the address as typed by staff, e.g. ``https://sync.example.org/``.

    Raises:
        SyncError: ``BAD_URL`` when it is not an http(s) URL with a host.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError on a malformed port
    except ValueError as exc:
        raise SyncError(SyncErrorCode.BAD_URL, f"not a valid URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise SyncError(
            SyncErrorCode.BAD_URL,
            "an address like https://sync.example.org is needed; http:// only to this "
            "machine or with --allow-insecure",
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise SyncError(
            SyncErrorCode.BAD_URL, "the server address must not have a query, fragment or login"
        )
    path = parts.path.rstrip("/")
    path = path.removesuffix(API_PREFIX)
    return f"{parts.scheme.lower()}://{parts.netloc}{path}"


def check_url(url: str, allow_insecure: bool = False) -> str:
    """Apply the URL policy; return the normalised base URL.

    Args:
        url: the server address.
        allow_insecure: staff explicitly allowed plain http to a non-local host.

    Raises:
        SyncError: ``BAD_URL`` for a malformed address, ``INSECURE_URL`` for plain http to
            another machine without permission.
    """
    base = normalise_url(url)
    parts = urlsplit(base)
    if parts.scheme == "http" and not allow_insecure and not _is_local_host(parts.hostname or ""):
        raise SyncError(
            SyncErrorCode.INSECURE_URL,
            f"{parts.hostname} is not this machine: plain http would send signatures "
            "unencrypted (allow it explicitly: --allow-insecure on the command line, or the switch "
            "in staff mode)",
        )
    return base


#: Contexts made so far, by CA bundle as it is on disk (path, size, modification time).
_CONTEXTS: dict[tuple[str, int, int] | None, ssl.SSLContext] = {}
_CONTEXTS_LOCK = threading.Lock()


def ssl_context(ca_bundle: str | Path | None = None) -> ssl.SSLContext:
    """A verifying TLS context: the given CA bundle, else the system's CA store.

    When the system store is empty (some minimal installs), the ``certifi`` bundle that ships
    with httpx is used instead. Made once per process for each bundle as it is on disk (a
    context reads every CA certificate: about 20 ms of CPU, which a kiosk paid at every pass);
    a bundle that changes on disk is read again.

    Args:
        ca_bundle: a PEM file of CA certificates to trust instead of the system's.

    Raises:
        SyncError: ``TLS`` when the bundle cannot be read.
    """
    key: tuple[str, int, int] | None = None
    if ca_bundle is not None:
        try:
            st = os.stat(ca_bundle)
            key = (str(ca_bundle), st.st_size, st.st_mtime_ns)
        except OSError as exc:
            raise SyncError(
                SyncErrorCode.TLS, f"cannot read the CA bundle {ca_bundle}: {exc}"
            ) from None
    with _CONTEXTS_LOCK:
        ctx = _CONTEXTS.get(key)
        if ctx is None:
            ctx = _CONTEXTS[key] = _new_ssl_context(ca_bundle)
    return ctx


def _new_ssl_context(ca_bundle: str | Path | None) -> ssl.SSLContext:
    if ca_bundle is not None:
        try:
            return ssl.create_default_context(cafile=str(ca_bundle))
        except (OSError, ssl.SSLError) as exc:
            raise SyncError(
                SyncErrorCode.TLS, f"cannot read the CA bundle {ca_bundle}: {exc}"
            ) from None
    ctx = ssl.create_default_context()
    if not ctx.cert_store_stats().get("x509_ca"):
        import certifi

        ctx.load_verify_locations(cafile=certifi.where())
    return ctx


def _transport_error(exc: httpx.TransportError) -> SyncError:
    """Map an httpx transport failure to a code."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return SyncError(SyncErrorCode.TLS, f"certificate not trusted: {cause.verify_message}")
        if isinstance(cause, ssl.SSLError):
            if cause.reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST"):  # no TLS at all there
                return SyncError(
                    SyncErrorCode.BAD_URL,
                    "this address does not answer in https: is it a plain http:// server? "
                    f"(TLS failed: {cause.reason})",
                )
            return SyncError(SyncErrorCode.TLS, f"TLS failed: {cause.reason or cause}")
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.TimeoutException):
        return SyncError(
            SyncErrorCode.TIMEOUT, f"the server did not answer in time ({type(exc).__name__})"
        )
    if isinstance(exc, httpx.UnsupportedProtocol):
        return SyncError(SyncErrorCode.BAD_URL, str(exc))
    if isinstance(exc, httpx.ConnectError):
        return SyncError(SyncErrorCode.OFFLINE, f"cannot connect: {exc or type(exc).__name__}")
    return SyncError(SyncErrorCode.OFFLINE, f"connection lost: {exc or type(exc).__name__}")


@dataclass(frozen=True, slots=True)
class _Reply:
    """A reply read completely: status, headers and the decoded body."""

    status_code: int
    headers: httpx.Headers
    content: bytes


def _error_body(reply: _Reply) -> ErrorBody | None:
    try:
        return ErrorBody.model_validate_json(reply.content)
    except ValidationError:
        return None


def _retry_after(reply: _Reply) -> float | None:
    value = reply.headers.get("retry-after", "").strip()
    if value.isascii() and value.isdigit():  # "²" is a digit to isdigit, not to int
        return float(min(int(value), 3600))
    return None


#: A demo kiosk and a real server, or the other way round (403 with these error codes).
_DEMO_MISMATCH = {
    "demo_kiosk": SyncErrorCode.DEMO_KIOSK,
    "demo_server": SyncErrorCode.DEMO_SERVER,
}


#: Statuses that, without a kiosk-server's error body, say this address has no such API: a
#: request it cannot take (400), no such path (404), not that method (405), or a server that
#: takes no POST at all (501).
_NOT_THIS_API = frozenset({400, 404, 405, 501})
#: A kiosk-server's own error codes for a path it does not have (a URL with a path too many;
#: a server too old for ``GET /device`` or ``POST /report``, which the engine tells by the
#: status and takes as such).
_NO_SUCH_PATH = frozenset({"not_found", "method_not_allowed"})


def _foreign_status(response: _Reply) -> str:
    """An answer without a kiosk-server's error body, in a few words: ``HTTP 404, text/html``."""
    ctype = response.headers.get("content-type", "").split(";")[0].strip()[:60]
    what = ctype or ("no body" if not response.content else "untyped")
    return f"HTTP {response.status_code}, {what}"


def _status_error(response: _Reply, enrolling: bool = False) -> SyncError:
    """Map a non-2xx answer to a code.

    Every error a kiosk-server answers has its JSON body (:class:`kiosk.wire.ErrorBody`). One
    without it on a status that says "no such API here" (a web server, a printer's page, a
    router), or a kiosk-server's own "no such path", is ``BAD_RESPONSE``: this address does not
    answer like a kiosk-server. The status stays on the error, so a caller that takes a 404 as
    "a server too old for this request" still can.
    """
    status = response.status_code
    body = _error_body(response)
    error = body.error if body else None
    detail = (f"HTTP {status}: {body.detail}" if body else _foreign_status(response))[:500]
    if 300 <= status < 400:
        where = response.headers.get("location", "?")[:200]
        return SyncError(
            SyncErrorCode.BAD_RESPONSE,
            f"HTTP {status}: the server redirects to {where}; use that address instead",
            status,
        )
    if body is None and status in _NOT_THIS_API:
        return SyncError(SyncErrorCode.BAD_RESPONSE, detail, status)
    if status in (404, 405) and error in _NO_SUCH_PATH:
        return SyncError(SyncErrorCode.BAD_RESPONSE, detail, status, error)
    if enrolling and status == 403 and error and error.startswith("enrollment_code"):
        return SyncError(SyncErrorCode.BAD_CODE, detail, status, error)
    if status == 403 and error in _DEMO_MISMATCH:  # no new code helps: say what does
        return SyncError(_DEMO_MISMATCH[error], detail, status, error)
    if status in (401, 403):
        return SyncError(SyncErrorCode.UNAUTHORIZED, detail, status, error)
    if status == 429:  # a busy server: nothing wrong with the data, wait as long as it says
        return SyncError(SyncErrorCode.RATE_LIMITED, detail, status, error, _retry_after(response))
    if status >= 500:
        return SyncError(SyncErrorCode.SERVER_ERROR, detail, status, error, _retry_after(response))
    return SyncError(SyncErrorCode.REFUSED, detail, status, error)


@dataclass(frozen=True, slots=True)
class CampaignsReply:
    """The answer to ``GET /campaigns``: documents (None when unchanged) and the ETag."""

    campaigns: CampaignsResponse | None
    etag: str | None


def _batch_limit(value: str | None) -> int | None:
    """The most signatures per push that a server's answer names (None: it names none, or
    nothing that is a count), capped at what this kiosk sends at most."""
    if value is None:
        return None
    value = value.strip()
    if not (0 < len(value) <= 9 and value.isascii() and value.isdigit()):
        return None
    count = int(value)
    return min(count, MAX_BATCH_SIGNATURES) if count > 0 else None


class SyncClient:
    """One server's API, as seen by one kiosk.

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        ca_bundle: str | Path | None = None,
        allow_insecure: bool = False,
        timeout: float = IO_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        demo: bool = False,
        deadline: float = REQUEST_DEADLINE,
    ) -> None:
        """Make a client (no connection is opened until the first request).

        Args:
            base_url: the server address (``https://host[:port][/prefix]``).
            token: the device's bearer token (None before enrollment).
            ca_bundle: a PEM file of CAs to trust instead of the system store.
            allow_insecure: staff explicitly allowed plain http to a non-local host.
            timeout: seconds for each read and write.
            connect_timeout: seconds to connect.
            transport: an httpx transport to use instead of the network (tests).
            demo: this is a demo kiosk (``kiosk --demo``): every request says so, and only a
                server in demo mode takes it.
            deadline: seconds a whole request may take while its answer arrives.

        Raises:
            SyncError: ``BAD_URL`` / ``INSECURE_URL`` (URL policy), ``TLS`` (bad CA bundle).
        """
        self.base_url = check_url(base_url, allow_insecure)
        self.deadline = deadline
        headers = {
            "User-Agent": f"petition-kiosk/{kiosk.__version__}",
            "Accept": "application/json",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if demo:
            headers["X-Kiosk-Demo"] = "1"
        verify: ssl.SSLContext | bool = True
        if transport is None:
            # Plain http (local or allowed by staff) never uses it, but httpx would make a
            # context of its own for every client: the shared default one costs nothing.
            verify = ssl_context(ca_bundle if self.base_url.startswith("https:") else None)
        self._http = httpx.Client(
            base_url=self.base_url + API_PREFIX,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=verify,
            follow_redirects=False,
            trust_env=False,
            transport=transport,
        )
        #: The most signatures to put in one push: what every kiosk-server takes, until a push's
        #: answer names this server's own limit (:meth:`push`).
        self.max_signatures = BASE_BATCH_SIGNATURES

    def close(self) -> None:
        """Close the connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ------------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        body: BaseModel | bytes | None = None,
        headers: dict[str, str] | None = None,
        enrolling: bool = False,
        limit: int = MAX_SMALL_REPLY_BYTES,
    ) -> _Reply:
        content = (
            body
            if isinstance(body, bytes) or body is None
            else body.model_dump_json().encode("utf-8")
        )
        hdrs = dict(headers or {})
        if content is not None:
            hdrs["Content-Type"] = "application/json"
        deadline = time.monotonic() + self.deadline
        try:
            with self._http.stream(method, path, content=content, headers=hdrs) as response:
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():  # decompressed, if it came compressed
                    if time.monotonic() > deadline:
                        raise SyncError(
                            SyncErrorCode.TIMEOUT,
                            f"the reply took longer than {self.deadline:g} s",
                            response.status_code,
                        )
                    size += len(chunk)
                    if size > limit:
                        raise SyncError(
                            SyncErrorCode.BAD_RESPONSE,
                            f"reply larger than {limit} bytes",
                            response.status_code,
                        )
                    chunks.append(chunk)
        except httpx.TransportError as exc:
            raise _transport_error(exc) from None
        except httpx.InvalidURL as exc:
            raise SyncError(SyncErrorCode.BAD_URL, str(exc)) from None
        except httpx.HTTPError as exc:  # DecodingError (a garbled compressed body), and the like
            raise SyncError(
                SyncErrorCode.BAD_RESPONSE, f"unreadable reply: {type(exc).__name__}: {exc}"
            ) from None
        full = _Reply(response.status_code, response.headers, b"".join(chunks))
        if full.status_code == 304 or 200 <= full.status_code < 300:
            return full
        raise _status_error(full, enrolling)

    @staticmethod
    def _parse(model: type[_M], response: _Reply) -> _M:
        """Validate a 2xx reply; anything else than the promised model is BAD_RESPONSE."""
        ctype = response.headers.get("content-type", "")
        if "json" not in ctype.lower():
            raise SyncError(
                SyncErrorCode.BAD_RESPONSE,
                f"reply is {ctype or 'untyped'}, not JSON (is this a kiosk-server?)",
                response.status_code,
            )
        content = response.content
        if content.count(b"{") + content.count(b"[") > MAX_REPLY_CONTAINERS:  # cheap, in C
            raise SyncError(
                SyncErrorCode.BAD_RESPONSE,
                f"reply holds more than {MAX_REPLY_CONTAINERS} JSON objects and arrays",
                response.status_code,
            )
        try:
            return model.model_validate_json(content)
        except ValidationError as exc:
            first = exc.errors()[0] if exc.errors() else {}
            where = ".".join(str(p) for p in first.get("loc", ())) or "body"
            raise SyncError(
                SyncErrorCode.BAD_RESPONSE,
                f"malformed {model.__name__}: {where}: {first.get('msg', 'invalid')}",
                response.status_code,
            ) from None

    # -- the API -------------------------------------------------------------------------------

    def health(self) -> HealthResponse:
        """``GET /health``: whether the server is up (no token needed)."""
        return self._parse(HealthResponse, self._request("GET", "/health"))

    def enroll(self, code: str, name: str | None = None) -> EnrollResponse:
        """``POST /enroll``: trade a one-time code for a device id and token.

        Args:
            code: the one-time code from ``kiosk-server enroll-code``.
            name: the name this kiosk should have on the server (None: the code's name).

        Raises:
            SyncError: ``BAD_CODE`` when the code is unknown, used or expired; others as usual.
        """
        try:
            request = EnrollRequest(code=code, name=name or None)
        except ValidationError:
            raise SyncError(
                SyncErrorCode.BAD_CODE, "the code or name is empty or too long"
            ) from None
        response = self._request("POST", "/enroll", request, enrolling=True)
        return self._parse(EnrollResponse, response)

    def push(self, request: PushRequest | bytes) -> PushResponse:
        """``POST /signatures``: push one batch; the reply says what happened to each item.

        The answer's :data:`kiosk.wire.MAX_SIGNATURES_HEADER`, if it holds a count, becomes
        :attr:`max_signatures` (at most this kiosk's own :data:`kiosk.wire.MAX_BATCH_SIGNATURES`);
        anything else in it is ignored.

        Args:
            request: the batch, or its JSON already encoded (``request.model_dump_json()``
                as UTF-8), so a caller can encode the next batch while one is in flight.
        """
        reply = self._request("POST", "/signatures", request)
        parsed = self._parse(PushResponse, reply)
        limit = _batch_limit(reply.headers.get(MAX_SIGNATURES_HEADER))
        if limit is not None:
            self.max_signatures = limit
        return parsed

    def device_state(self) -> DeviceState:
        """``GET /device``: what the server holds from this kiosk (signatures stored, the head
        of its audit trail).

        Raises:
            SyncError: as usual; ``REFUSED`` with status 404 from a server too old to answer.
        """
        return self._parse(DeviceState, self._request("GET", "/device"))

    def report(self, report: KioskReport) -> None:
        """``POST /report``: say how this kiosk is (pending count, app version, last error).

        Raises:
            SyncError: as usual; ``REFUSED`` from a server too old to take reports (404).
        """
        self._request("POST", "/report", report)

    def campaigns(self, etag: str | None = None) -> CampaignsReply:
        """``GET /campaigns`` with ``If-None-Match``.

        Args:
            etag: the ETag of the documents this kiosk already has.

        Returns:
            The documents, or ``campaigns=None`` when the server answered 304 (unchanged).
        """
        headers = {"If-None-Match": etag} if etag else None
        response = self._request("GET", "/campaigns", headers=headers, limit=MAX_REPLY_BYTES)
        new_tag = response.headers.get("etag")
        if response.status_code == 304:
            return CampaignsReply(None, new_tag or etag)
        return CampaignsReply(self._parse(CampaignsResponse, response), new_tag)

    def totals(self) -> TotalsResponse:
        """``GET /totals``: signatures per campaign across all kiosks."""
        return self._parse(TotalsResponse, self._request("GET", "/totals"))
