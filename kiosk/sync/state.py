"""Sync state kept in the kiosk's store settings: enrollment, last outcome, last known totals.

Every setting the sync engine persists is declared here, once, with its key and meaning:

=========================  =====================================================================
key                        meaning
=========================  =====================================================================
``sync.enrollment``        JSON: server URL, device id, server name, whether staff allowed plain
                           http, CA bundle path, when enrolled. Absent: not connected. The
                           bearer token is *not* here: it is sealed in the key folder
                           (:meth:`kiosk.adapters.crypto.KeyFolder.save_device_token`); a
                           store from an older version that held it here is migrated on first
                           read.
``sync.campaigns_etag``    the ETag of the campaign documents last installed from the server.
``sync.totals``            JSON: the last totals pulled from the server, with when they were
                           fetched, so an offline kiosk still shows the last known progress.
``sync.last_success``      ISO 8601 UTC time of the last complete sync pass.
``sync.last_error``        JSON: code, detail and time of the last failed attempt (removed by a
                           success).
=========================  =====================================================================
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kiosk.adapters.crypto import CryptoError, KeyFolder
from kiosk.sync.status import SyncErrorCode

if TYPE_CHECKING:  # types only: kiosk status reads the state without loading the domain
    from kiosk.domain.ports import SettingsStore

KEY_ENROLLMENT = "sync.enrollment"
KEY_CAMPAIGNS_ETAG = "sync.campaigns_etag"
KEY_TOTALS = "sync.totals"
KEY_LAST_SUCCESS = "sync.last_success"
KEY_LAST_ERROR = "sync.last_error"
#: The signatures the server refused at the last complete pass, and its reasons (JSON).
KEY_LAST_REFUSED = "sync.last_refused"
#: The least count of signatures stored from this kiosk the server must still hold (JSON: the
#: device id it was counted for, and the count): :func:`load_received`.
KEY_SERVER_RECEIVED = "sync.server_received"

log = logging.getLogger("kiosk.sync")


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _load_json(store: SettingsStore, key: str) -> dict[str, Any] | None:
    raw = store.get_setting(key)
    if not raw:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


@dataclass(frozen=True, slots=True)
class Enrollment:
    """This kiosk's identity on a server.

    Attributes:
        server_url: the server's base URL (normalised, without ``/api/v1``).
        device_id: the id the server gave this kiosk.
        token: the bearer token (secret: never log it).
        server_name: the name the server calls itself (shown to staff).
        allow_insecure: staff explicitly allowed plain http to a non-local host.
        ca_bundle: a PEM file of CAs to trust instead of the system's, or None.
        enrolled_at: when the kiosk enrolled.
    """

    server_url: str
    device_id: str
    token: str
    server_name: str
    allow_insecure: bool = False
    ca_bundle: str | None = None
    enrolled_at: datetime | None = None

    def __repr__(self) -> str:  # keep the token out of logs and tracebacks
        return (
            f"Enrollment(server_url={self.server_url!r}, device_id={self.device_id!r}, "
            f"server_name={self.server_name!r}, token=<secret>)"
        )


def load_enrollment(store: SettingsStore, keys: KeyFolder) -> Enrollment | None:
    """The stored enrollment, or None when not connected (or it is unreadable).

    A token still in the store (an older version kept it there) is moved to the key folder and
    removed from the store on the way.

    Args:
        store: the kiosk's settings.
        keys: the kiosk's key folder, where the sealed token is.
    """
    doc = _load_json(store, KEY_ENROLLMENT)
    if doc is None or "device_id" not in doc:
        return None
    device_id = str(doc["device_id"])
    try:
        if doc.get("token"):
            token: str | None = str(doc.pop("token"))
            assert token is not None
            keys.save_device_token(device_id, token)
            store.set_setting(KEY_ENROLLMENT, json.dumps(doc, sort_keys=True))
            log.info("moved the device token out of the store into the key folder")
        else:
            token = keys.load_device_token(device_id)
    except (CryptoError, OSError) as exc:
        log.warning("the device token cannot be read: %s", exc)
        return None
    if token is None:
        log.warning("no device token for device %s: enroll this kiosk again", device_id)
        return None
    try:
        return Enrollment(
            server_url=str(doc["server_url"]),
            device_id=device_id,
            token=token,
            server_name=str(doc.get("server_name") or ""),
            allow_insecure=bool(doc.get("allow_insecure", False)),
            ca_bundle=str(doc["ca_bundle"]) if doc.get("ca_bundle") else None,
            enrolled_at=_parse_time(doc.get("enrolled_at")),
        )
    except KeyError:
        return None


def save_enrollment(store: SettingsStore, enrollment: Enrollment, keys: KeyFolder) -> None:
    """Persist an enrollment: the sealed token in the key folder, then the rest in the store.

    The token file names its device id, so a crash between the two writes leaves either the
    old enrollment readable or none (never the old URL with the new token).

    Args:
        store: the kiosk's settings.
        enrollment: the new identity.
        keys: the kiosk's key folder.
    """
    keys.save_device_token(enrollment.device_id, enrollment.token)
    doc = asdict(enrollment)
    del doc["token"]
    doc["enrolled_at"] = enrollment.enrolled_at.isoformat() if enrollment.enrolled_at else None
    store.set_setting(KEY_ENROLLMENT, json.dumps(doc, sort_keys=True))


def load_received(store: SettingsStore, device_id: str) -> int | None:
    """The least count of signatures from this kiosk that the server enrolled as
    ``device_id`` must hold: the count it answered at the start of the last pass plus those
    it answered ``created`` in that pass (None: never asked, or asked for another enrollment).
    A server that answers fewer lost what it had acknowledged."""
    doc = _load_json(store, KEY_SERVER_RECEIVED)
    if doc is None or doc.get("device_id") != device_id:
        return None
    count = doc.get("count")
    return count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else None


def save_received(store: SettingsStore, device_id: str, count: int) -> None:
    """Keep the least count of signatures the server must hold (:func:`load_received`)."""
    doc = {"device_id": device_id, "count": count}
    store.set_setting(KEY_SERVER_RECEIVED, json.dumps(doc, sort_keys=True))


@dataclass(frozen=True, slots=True)
class ServerTotals:
    """The last totals pulled from the server (all kiosks; not void, not synthetic).

    Attributes:
        campaigns: signatures per campaign slug.
        locals: signatures per ``"campaign/local"``.
        fetched_at: when they were pulled.
    """

    campaigns: dict[str, int]
    locals: dict[str, int]
    fetched_at: datetime | None


def load_totals(store: SettingsStore) -> ServerTotals | None:
    """The last known server totals, or None if never pulled.

    Args:
        store: the kiosk's settings.
    """
    doc = _load_json(store, KEY_TOTALS)
    if doc is None:
        return None
    campaigns, locals_ = doc.get("campaigns"), doc.get("locals")
    if not isinstance(campaigns, dict) or not isinstance(locals_, dict):
        return None
    return ServerTotals(
        {str(k): int(v) for k, v in campaigns.items()},
        {str(k): int(v) for k, v in locals_.items()},
        _parse_time(doc.get("fetched_at")),
    )


def save_totals(store: SettingsStore, totals: ServerTotals) -> None:
    """Persist pulled totals.

    Args:
        store: the kiosk's settings.
        totals: what the server answered.
    """
    doc = {
        "campaigns": totals.campaigns,
        "locals": totals.locals,
        "fetched_at": totals.fetched_at.isoformat() if totals.fetched_at else None,
    }
    store.set_setting(KEY_TOTALS, json.dumps(doc, sort_keys=True))


@dataclass(frozen=True, slots=True)
class LastOutcome:
    """The last pass's outcome as persisted (survives a restart, so staff see it after one).

    Attributes:
        last_success: when a pass last completed.
        error: the last failure's code, if the last attempt failed.
        detail: the technical detail of that failure.
        error_at: when it failed.
    """

    last_success: datetime | None
    error: SyncErrorCode | None
    detail: str
    error_at: datetime | None


def load_outcome(store: SettingsStore) -> LastOutcome:
    """The persisted last success and last error.

    Args:
        store: the kiosk's settings.
    """
    success = _parse_time(store.get_setting(KEY_LAST_SUCCESS))
    doc = _load_json(store, KEY_LAST_ERROR) or {}
    code: SyncErrorCode | None
    try:
        code = SyncErrorCode(doc["code"]) if "code" in doc else None
    except ValueError:
        code = None
    return LastOutcome(success, code, str(doc.get("detail", "")), _parse_time(doc.get("at")))


def record_success(store: SettingsStore, at: datetime) -> None:
    """Record a complete pass and clear the last error.

    Args:
        store: the kiosk's settings.
        at: when the pass finished.
    """
    store.set_setting(KEY_LAST_SUCCESS, at.astimezone(UTC).isoformat())
    if store.get_setting(KEY_LAST_ERROR) is not None:
        store.set_setting(KEY_LAST_ERROR, None)


def record_error(store: SettingsStore, code: SyncErrorCode, detail: str, at: datetime) -> None:
    """Record a failed attempt.

    Args:
        store: the kiosk's settings.
        code: why it failed.
        detail: a technical detail (English, no personal data, no token).
        at: when it failed.
    """
    doc = {"code": code.value, "detail": detail[:500], "at": at.astimezone(UTC).isoformat()}
    store.set_setting(KEY_LAST_ERROR, json.dumps(doc, sort_keys=True))


#: Reasons kept for staff mode (the engine keeps at most ten a pass).
_MAX_KEPT_REASONS = 3


def record_refused(store: SettingsStore, count: int, reasons: dict[str, int]) -> None:
    """Record what the server refused at a complete pass (nothing: cleared), so staff mode can
    say why signatures stay pending instead of seeing the count never go down.

    Args:
        store: the kiosk's settings.
        count: signatures refused (answered ``rejected``).
        reasons: the server's reasons, each with how many (control characters already gone).
    """
    if not count:
        if store.get_setting(KEY_LAST_REFUSED) is not None:
            store.set_setting(KEY_LAST_REFUSED, None)
        return
    top = sorted(reasons.items(), key=lambda kv: -kv[1])[:_MAX_KEPT_REASONS]
    doc = {"count": count, "reasons": [reason[:300] for reason, _n in top]}
    store.set_setting(KEY_LAST_REFUSED, json.dumps(doc, sort_keys=True))


def load_refused(store: SettingsStore) -> tuple[int, tuple[str, ...]]:
    """What the server refused at the last complete pass: how many, and its main reasons."""
    doc = _load_json(store, KEY_LAST_REFUSED) or {}
    try:
        count = max(0, int(doc.get("count", 0)))
        reasons = tuple(str(r) for r in doc.get("reasons", ()))[:_MAX_KEPT_REASONS]
    except (TypeError, ValueError):
        return 0, ()
    return count, reasons
