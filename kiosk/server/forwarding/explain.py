"""What a failed attempt's stored reason means, as a short code the console words in its
language (``fwd_why_CODE`` in :data:`kiosk.server.console.i18n.MESSAGES`).

An attempt row keeps the HTTP status and a reason naming the status or the exception class
(:mod:`.senders`; never a byte of the answer). Those are for the log and the command line; an
admin reading the console needs what went wrong and what to do, in words. The code is derived
from the status and the reason, so rows written before this module existed read the same.
"""

from __future__ import annotations

#: Every code :func:`failure_code` returns.
CODES = (
    "rate_limited",
    "refused_document",
    "auth",
    "not_found",
    "redirect",
    "server_error",
    "http_other",
    "empty_answer",
    "too_large",
    "bad_answer",
    "timeout",
    "refused",
    "dns",
    "certificate",
    "tls",
    "dropped",
    "address_internal",
    "address_never",
    "network",
    "unexpected",
)

_BY_EXCEPTION = {
    "AddressRefused": "address_internal",
    "AddressNeverAllowed": "address_never",
    "TimeoutError": "timeout",
    "timeout": "timeout",
    "ConnectionRefusedError": "refused",
    "gaierror": "dns",
    "herror": "dns",
    "SSLCertVerificationError": "certificate",
    "CertificateError": "certificate",
    "SSLError": "tls",
    "SSLZeroReturnError": "tls",
    "SSLEOFError": "tls",
    "SSLSyscallError": "tls",
    "ConnectionResetError": "dropped",
    "ConnectionAbortedError": "dropped",
    "BrokenPipeError": "dropped",
    "RemoteDisconnected": "dropped",
    "IncompleteRead": "dropped",
    "BadStatusLine": "bad_answer",
    "LineTooLong": "bad_answer",
    "UnknownProtocol": "bad_answer",
    "HTTPException": "bad_answer",
    "RecursionError": "bad_answer",
    "OverflowError": "bad_answer",
    "AnswerTooLarge": "too_large",
    "OSError": "network",
}


def failure_code(result: str | None, status: int | None, reason: str | None) -> str:
    """The code of a failed attempt (one of :data:`CODES`).

    Args:
        result: the attempt's result (``retry``, ``dead``, ``rate_limited``).
        status: the HTTP status, if an answer came.
        reason: the stored reason (``HTTP 503``, ``connection failed: TimeoutError``, ...).
    """
    text = reason or ""
    if status in (401, 403):  # held like a 429, but the credentials are what to fix
        return "auth"
    if result == "rate_limited" or status == 429:
        return "rate_limited"
    if text.startswith("empty answer"):
        return "empty_answer"
    if text.startswith("answer larger than"):
        return "too_large"
    if status is not None:
        if status in (400, 413, 422):
            return "refused_document"
        if status in (401, 403):
            return "auth"
        if status in (404, 410):
            return "not_found"
        if 300 <= status < 400:
            return "redirect"
        if 500 <= status < 600:
            return "server_error"
        return "http_other"
    name = text.rpartition(":")[2].strip()
    if name in _BY_EXCEPTION:
        return _BY_EXCEPTION[name]
    if name.endswith("Error") and text.startswith("connection failed"):
        return "network"
    return "unexpected"
