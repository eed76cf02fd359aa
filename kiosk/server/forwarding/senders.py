"""HTTP to the destinations: the record-signature helper, Standard Webhooks, and what answers mean.

Every answer becomes a :class:`SendResult`:

- ``sent``: a 2xx. For OSDI the body must be a JSON object: the helper can answer ``200 OK`` with
  an empty body when it refused the record, which is a failure here (retried, then dead).
- ``rate_limited``: 429. ``Retry-After`` (seconds or an HTTP date; 60 s when absent, at most an
  hour) holds the whole destination; the attempt does not count toward dead-lettering.
- ``rate_limited`` too: 401 or 403, the credentials refused. The whole destination is held
  for :data:`AUTH_HOLD_S` (one request then tells whether the token was fixed) rather than every
  pending signature being tried and failed in turn (ten thousand pending, a revoked token: some
  hundred thousand refused requests a day, which gets an organization blocked); changing the
  destination's credential (``forward change``, the console) lifts the hold at once.
- ``dead``: 400, 413 or 422 (the same document will be refused again): dead-lettered at once.
- ``retry``: anything else (5xx, other 4xx, a redirect, a dropped connection, a timeout).

HTTP goes through :class:`HttpClient` (``http.client``, one keep-alive connection per sender
thread). A destination's answer is hostile input like any other: at most
:data:`MAX_ANSWER_BYTES` of it is read, the whole exchange must end within the client's
deadline (a reply dripping a byte every few seconds never trips a per-read timeout, so
:class:`_Watchdog` cuts the connection instead), and nothing in it can raise out of a send.

Every connection goes only to addresses the forwarding :class:`~.netguard.NetworkPolicy` allows,
checked on what the name resolves to at that moment (a refused one is an
:class:`~.netguard.AddressRefused`, a failed attempt: ``connection failed: AddressRefused``).

Redirects are not followed (a redirect could lead personal data to plain HTTP, or to an address
the policy refuses). Reasons name the status or the exception class, never a byte of the answer
(it may echo personal data); :func:`kiosk.server.forwarding.explain.failure_code` turns them into
a code the console words.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import http.client
import json
import select
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import kiosk
from kiosk.server.forwarding.netguard import AddressRefused, NetworkPolicy

USER_AGENT = f"petition-kiosk-server/{kiosk.__version__}"
DEFAULT_RETRY_AFTER = 60.0
MAX_RETRY_AFTER = 3600.0
_PERMANENT = frozenset({400, 413, 422})
#: Seconds a destination that refused the credentials (401, 403) is held before one more try.
AUTH_HOLD_S = 900.0
#: The most of an answer that is read (the helper's answer is a person resource of a few KB).
MAX_ANSWER_BYTES = 1 << 20
#: Seconds one exchange (connect, send, the answer's headers and body) may take in all.
DEADLINE = 60.0


class AnswerTooLarge(http.client.HTTPException):
    """The destination's answer is longer than :data:`MAX_ANSWER_BYTES`."""


class _Watchdog:
    """Cuts connections whose exchange outlives its deadline: one thread for every sender.

    ``http.client`` bounds each read by the socket's timeout, but not a whole answer; a
    destination that sends one byte every few seconds would hold a sender (and, on
    PostgreSQL, the round's open transaction) for ever. A cut socket makes the blocked read
    fail at once, as a dropped connection does.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._due: dict[int, tuple[float, socket.socket]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    def watch(self, sock: socket.socket, seconds: float) -> int:
        """Cut ``sock`` in ``seconds`` unless :meth:`release` is called first; a key for it."""
        with self._cond:
            self._next += 1
            self._due[self._next] = (time.monotonic() + seconds, sock)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="kiosk-forward-deadline", daemon=True
                )
                self._thread.start()
            self._cond.notify()
            return self._next

    def release(self, key: int) -> bool:
        """Stop watching; False if the deadline had passed and the socket was cut."""
        with self._cond:
            return self._due.pop(key, None) is not None

    def _run(self) -> None:
        with self._cond:
            while True:
                if not self._due:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                for key, (due, sock) in list(self._due.items()):
                    if due <= now:
                        del self._due[key]
                        # the plain socket's shutdown, under TLS too (no TLS close_notify)
                        with contextlib.suppress(OSError):
                            socket.socket.shutdown(sock, socket.SHUT_RDWR)
                if self._due:
                    self._cond.wait(min(d for d, _ in self._due.values()) - now)


_WATCHDOG = _Watchdog()


@dataclass(frozen=True, slots=True)
class SendResult:
    """What one send came to (see the module docstring)."""

    kind: str
    status: int | None = None
    reason: str | None = None
    retry_after: float | None = None
    remote_id: str | None = None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float:
    """Seconds to wait from a ``Retry-After`` header (default 60, between 0 and 3600)."""
    if not value:
        return DEFAULT_RETRY_AFTER
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - (now or datetime.now(UTC))).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):  # e.g. a zone of +9999999999
            return DEFAULT_RETRY_AFTER
    if seconds != seconds:  # NaN
        return DEFAULT_RETRY_AFTER
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def webhook_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_`` secret (the base64 after the prefix)."""
    return base64.b64decode(secret.removeprefix("whsec_"))


def sign_webhook(key: bytes, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,`` + base64 HMAC-SHA256 of ``id.timestamp.body``."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode("ascii")


def _failure(status: int, headers: Any) -> SendResult:
    if status == 429:
        return SendResult(
            "rate_limited",
            status,
            "429 too many requests",
            retry_after=parse_retry_after(headers.get("retry-after")),
        )
    if status in (401, 403):
        return SendResult(
            "rate_limited", status, f"{status} credentials refused", retry_after=AUTH_HOLD_S
        )
    if status in _PERMANENT:
        return SendResult("dead", status, f"{status} refused: the document was not accepted")
    return SendResult("retry", status, f"HTTP {status}")


def _transport_failure(exc: Exception) -> SendResult:
    if isinstance(exc, AnswerTooLarge):
        return SendResult("retry", None, f"answer larger than {MAX_ANSWER_BYTES} bytes")
    if isinstance(exc, AddressRefused):
        name = "AddressRefused" if exc.kind == "internal" else "AddressNeverAllowed"
        return SendResult("retry", None, f"connection failed: {name}")
    return SendResult("retry", None, f"connection failed: {type(exc).__name__}")


class HttpClient:
    """One keep-alive connection of one sender thread (``http.client``: a third of httpx's CPU
    per request, measured here, and the forwarder is CPU-bound), no redirects, TLS verified
    against the system's CAs, connections only to addresses ``network`` allows (default: public
    ones only). A kept connection the server closed meanwhile is noticed before it is reused
    (its socket reads as ready) and replaced; any failure closes the connection.
    """

    def __init__(
        self,
        timeout: float = 20.0,
        deadline: float = DEADLINE,
        network: NetworkPolicy | None = None,
    ) -> None:
        self.timeout = timeout
        self.deadline = deadline
        self.network = network or NetworkPolicy()
        self._conn: http.client.HTTPConnection | None = None
        self._origin: tuple[str, str, int | None] | None = None
        self._tls: ssl.SSLContext | None = None

    def close(self) -> None:
        """Close the connection (a new one is made at the next request)."""
        if self._conn is not None:
            self._conn.close()
        self._conn = None
        self._origin = None

    def _connection(self, scheme: str, host: str, port: int | None) -> http.client.HTTPConnection:
        origin = (scheme, host, port)
        conn = self._conn
        if conn is not None and (origin != self._origin or _closed_by_peer(conn)):
            self.close()
            conn = None
        if conn is None:
            if scheme == "https":
                if self._tls is None:
                    self._tls = ssl.create_default_context()
                conn = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=self._tls
                )
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
            # every connection (and reconnection) resolves the name and checks each address
            conn._create_connection = self.network.connector()  # type: ignore[attr-defined]
            self._conn, self._origin = conn, origin
        return conn

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any, bytes]:
        """POST ``body``; return the status, the answer's headers and its body.

        Raises:
            OSError, http.client.HTTPException: the connection failed, timed out or was cut;
                ``TimeoutError`` when the exchange outlived the deadline; :class:`AnswerTooLarge`.
        """
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn = self._connection(parts.scheme, parts.hostname or "", parts.port)
        key = None
        try:
            if conn.sock is None:
                conn.connect()
            assert conn.sock is not None
            key = _WATCHDOG.watch(conn.sock, self.deadline)
            conn.request("POST", path, body=body, headers={"User-Agent": USER_AGENT, **headers})
            response = conn.getresponse()
            data = response.read(MAX_ANSWER_BYTES + 1)
            if len(data) > MAX_ANSWER_BYTES:
                raise AnswerTooLarge(f"answer longer than {MAX_ANSWER_BYTES} bytes")
            if not _WATCHDOG.release(key):
                raise TimeoutError(f"the exchange took longer than {self.deadline:g} s")
        except BaseException as exc:
            cut = key is not None and not _WATCHDOG.release(key)
            self.close()
            if cut and not isinstance(exc, TimeoutError):
                raise TimeoutError(f"the exchange took longer than {self.deadline:g} s") from None
            raise
        if response.will_close:
            self.close()
        return response.status, response.headers, data


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """Whether a kept-alive connection is unusable: its socket is readable while no answer is
    due (the server closed it, or sent something unasked)."""
    sock = conn.sock
    if sock is None:
        return True
    try:
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def make_client(
    timeout: float = 20.0, deadline: float = DEADLINE, network: NetworkPolicy | None = None
) -> HttpClient:
    """An HTTP client of one sender thread (keep-alive, no redirects, TLS verified, only to
    addresses ``network`` allows: public ones by default)."""
    return HttpClient(timeout, deadline, network)


def send_osdi(client: HttpClient, url: str, token: str, body: dict[str, Any]) -> SendResult:
    """POST one record-signature helper body.

    Args:
        client: the destination's client.
        url: the petition's signatures URL.
        token: the ``OSDI-API-Token``.
        body: from :func:`kiosk.server.forwarding.payload.osdi_body`.
    """
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        status, headers, content = client.post(
            url, data, {"OSDI-API-Token": token, "Content-Type": "application/json"}
        )
    except (OSError, http.client.HTTPException) as exc:
        return _transport_failure(exc)
    if not 200 <= status < 300:
        return _failure(status, headers)
    try:
        answer = json.loads(content) if content.strip() else None
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        answer = None
    if not isinstance(answer, dict) or not answer:
        return SendResult("retry", status, "empty answer: the helper refused the record")
    remote = None
    ids = answer.get("identifiers")
    if isinstance(ids, list):
        remote = next((str(i)[:200] for i in ids if not str(i).startswith("petition-kiosk:")), None)
    return SendResult("sent", status, remote_id=remote)


def send_webhook(
    client: HttpClient, url: str, key: bytes, msg_id: str, body: bytes, now: float | None = None
) -> SendResult:
    """POST one Standard Webhooks message.

    Args:
        client: the destination's client.
        url: the receiver.
        key: the HMAC key (:func:`webhook_key`).
        msg_id: the message id (stable across retries).
        body: the JSON document.
        now: the Unix time to sign (default: now).
    """
    timestamp = int(time.time() if now is None else now)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign_webhook(key, msg_id, timestamp, body),
    }
    try:
        status, answer_headers, _content = client.post(url, body, headers)
    except (OSError, http.client.HTTPException) as exc:
        return _transport_failure(exc)
    if 200 <= status < 300:
        return SendResult("sent", status)
    return _failure(status, answer_headers)
