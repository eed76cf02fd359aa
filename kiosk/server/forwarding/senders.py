"""HTTP to the destinations: the record-signature helper, Standard Webhooks, and what answers mean.

Every answer becomes a :class:`SendResult`:

- ``sent``: a 2xx. For OSDI the body must be a JSON object: the helper can answer ``200 OK`` with
  an empty body when it refused the record, which is a failure here (retried, then dead).
- ``rate_limited``: 429. ``Retry-After`` (seconds or an HTTP date; 60 s when absent, at most an
  hour) holds the whole destination; the attempt does not count toward dead-lettering.
- ``dead``: 400, 413 or 422 (the same document will be refused again): dead-lettered at once.
- ``retry``: anything else (5xx, other 4xx, a redirect, a dropped connection, a timeout).

Redirects are not followed (a redirect could lead personal data to plain HTTP). Reasons name the
status or the exception class, never a byte of the answer (it may echo personal data).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

import kiosk

USER_AGENT = f"petition-kiosk-server/{kiosk.__version__}"
DEFAULT_RETRY_AFTER = 60.0
MAX_RETRY_AFTER = 3600.0
_PERMANENT = frozenset({400, 413, 422})


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
        except (TypeError, ValueError, IndexError):
            return DEFAULT_RETRY_AFTER
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
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


def _failure(response: httpx.Response) -> SendResult:
    status = response.status_code
    if status == 429:
        return SendResult(
            "rate_limited",
            status,
            "429 too many requests",
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    if status in _PERMANENT:
        return SendResult("dead", status, f"{status} refused: the document was not accepted")
    return SendResult("retry", status, f"HTTP {status}")


def _transport_failure(exc: Exception) -> SendResult:
    return SendResult("retry", None, f"connection failed: {type(exc).__name__}")


def make_client(concurrency: int, timeout: float = 20.0) -> httpx.Client:
    """An HTTP client of one sender thread (keep-alive, no redirects, TLS verified)."""
    return httpx.Client(
        timeout=httpx.Timeout(timeout, connect=10.0),
        follow_redirects=False,
        limits=httpx.Limits(
            max_connections=max(concurrency, 1), max_keepalive_connections=max(concurrency, 1)
        ),
        headers={"User-Agent": USER_AGENT},
        trust_env=False,
    )


def send_osdi(client: httpx.Client, url: str, token: str, body: dict[str, Any]) -> SendResult:
    """POST one record-signature helper body.

    Args:
        client: the destination's client.
        url: the petition's signatures URL.
        token: the ``OSDI-API-Token``.
        body: from :func:`kiosk.server.forwarding.payload.osdi_body`.
    """
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    try:
        r = client.post(
            url,
            content=data,
            headers={"OSDI-API-Token": token, "Content-Type": "application/json"},
        )
    except httpx.HTTPError as exc:
        return _transport_failure(exc)
    if not 200 <= r.status_code < 300:
        return _failure(r)
    try:
        answer = json.loads(r.content) if r.content.strip() else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not answer:
        return SendResult("retry", r.status_code, "empty answer: the helper refused the record")
    remote = None
    ids = answer.get("identifiers")
    if isinstance(ids, list):
        remote = next((str(i)[:200] for i in ids if not str(i).startswith("petition-kiosk:")), None)
    return SendResult("sent", r.status_code, remote_id=remote)


def send_webhook(
    client: httpx.Client, url: str, key: bytes, msg_id: str, body: bytes, now: float | None = None
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
        r = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return _transport_failure(exc)
    if 200 <= r.status_code < 300:
        return SendResult("sent", r.status_code)
    return _failure(r)
