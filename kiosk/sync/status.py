"""What staff mode shows about sync: a snapshot the sync engine publishes and the UI reads.

The UI never talks to the network: it shows the latest ``SyncSnapshot`` and asks the engine to
"sync now" or to connect to a server; the engine runs off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SyncErrorCode(StrEnum):
    """Why the last sync attempt failed; the UI words each code in the staff's language."""

    NOT_CONNECTED = "not_connected"  # no server configured yet
    OFFLINE = "offline"  # no route to the server / connection refused / DNS
    TIMEOUT = "timeout"
    TLS = "tls"  # certificate problem
    UNAUTHORIZED = "unauthorized"  # token refused: revoked or unknown device
    SERVER_ERROR = "server_error"  # 5xx
    BAD_RESPONSE = "bad_response"  # an answer that is not what the API promises
    REFUSED = "refused"  # 4xx other than auth: the server refused the request
    RATE_LIMITED = "rate_limited"  # 429: too many requests; wait as long as Retry-After says
    BAD_CODE = "bad_code"  # enrollment code wrong, used or expired
    INSECURE_URL = "insecure_url"  # plain http to a non-local host without permission
    BAD_URL = "bad_url"  # the server address is not an http(s) URL with a host
    KEY_MISMATCH = "key_mismatch"  # the server's organization key differs from this kiosk's
    LOCAL_ERROR = "local_error"  # this kiosk could not read or write its own data (disk, store)
    DEMO_KIOSK = "demo_kiosk"  # 403: a demo kiosk (--demo) and a server not in demo mode
    DEMO_SERVER = "demo_server"  # 403: a server in demo mode and a kiosk that is not a demo one


#: English wording of each code, for the command line and logs (the UI translates its own).
ERROR_WORDS: dict[SyncErrorCode, str] = {
    SyncErrorCode.NOT_CONNECTED: "this kiosk is not connected to a server yet",
    SyncErrorCode.OFFLINE: "the server cannot be reached (no network, or the server is down)",
    SyncErrorCode.TIMEOUT: "the server did not answer in time",
    SyncErrorCode.TLS: "the server's certificate is not trusted",
    SyncErrorCode.UNAUTHORIZED: "the server no longer accepts this kiosk (revoked or unknown); "
    "connect it again with a new code",
    SyncErrorCode.SERVER_ERROR: "the server had an error; it will be retried",
    SyncErrorCode.BAD_RESPONSE: "this address does not answer like a Petition Kiosk server: "
    "check the URL; nothing was marked sent",
    SyncErrorCode.REFUSED: "the server refused the request",
    SyncErrorCode.RATE_LIMITED: "the server is busy (too many requests); it will be retried later",
    SyncErrorCode.BAD_CODE: "the connection code is wrong, already used or expired",
    SyncErrorCode.INSECURE_URL: "plain http is only allowed to this machine; use https",
    SyncErrorCode.BAD_URL: "the server address is not valid",
    SyncErrorCode.KEY_MISMATCH: "the server's organization key differs from the one on this "
    "kiosk; not connected",
    SyncErrorCode.LOCAL_ERROR: "this kiosk could not read or write its sync data (disk full or "
    "damaged?); nothing was lost, it will be retried",
    SyncErrorCode.DEMO_KIOSK: "this is a demo kiosk (--demo) and the server is not in demo mode: "
    "use this kiosk without --demo, or a server run with `kiosk-server serve --demo` on a "
    "database of its own",
    SyncErrorCode.DEMO_SERVER: "the server is in demo mode and takes only demo kiosks: connect "
    "to the organization's real server, or start this kiosk with --demo",
}


#: The wording of codes whose words above fit a sync pass only, for a failed enrollment: it is
#: never retried by itself, nothing is marked, and ``kiosk enroll`` says "not connected" first.
ENROLL_WORDS: dict[SyncErrorCode, str] = {
    SyncErrorCode.SERVER_ERROR: "the server had an error; try again later",
    SyncErrorCode.RATE_LIMITED: "the server is busy (too many requests); try again in a minute",
    SyncErrorCode.BAD_RESPONSE: "this address does not answer like a Petition Kiosk server: "
    "check the URL",
    SyncErrorCode.KEY_MISMATCH: "the server's organization key differs from the one this kiosk "
    "seals signatures to",
    SyncErrorCode.LOCAL_ERROR: "this kiosk could not write its connection data (disk full or "
    "damaged?)",
}


def describe_error(code: SyncErrorCode, enrolling: bool = False) -> str:
    """The English wording of an error code (command line and documentation).

    Args:
        code: the error code.
        enrolling: it ended an enrollment (``kiosk enroll``), not a sync pass.
    """
    return ENROLL_WORDS.get(code, ERROR_WORDS[code]) if enrolling else ERROR_WORDS[code]


@dataclass(frozen=True, slots=True)
class SyncSnapshot:
    """The sync state at one moment.

    Attributes:
        server_url: the server this kiosk is enrolled with, or None.
        pending: signatures and voids not yet acknowledged by the server.
        running: a sync pass is under way.
        last_success: when a pass last completed, or None.
        last_error: why the last pass failed (None after a success).
        last_error_detail: a technical detail for staff (English, no personal data).
        conflicts: signatures the server holds with different content (kept for review).
        next_attempt: when the engine will try again, if it is backing off.
        refused: signatures the server refused at the last complete pass (still pending).
        refused_reasons: its main reasons for them (the server's words, English).
    """

    server_url: str | None = None
    pending: int = 0
    running: bool = False
    last_success: datetime | None = None
    last_error: SyncErrorCode | None = None
    last_error_detail: str = ""
    conflicts: int = 0
    next_attempt: datetime | None = None
    refused: int = 0
    refused_reasons: tuple[str, ...] = ()
