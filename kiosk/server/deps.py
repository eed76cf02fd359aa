"""What the routers share: the application's state (engine, settings, keys, clock), bearer
authentication of devices and coordinators, and checks on requests and parameters.

:func:`kiosk.server.app.create_app` puts the state on ``app.state``; routers read it through
the ``...Dep`` annotations here, never through globals, so tests can build several apps side
by side. Rate limits are applied before routing (:mod:`kiosk.server.middleware`), except the
enrollment limit, which the enroll route takes in its own transaction.
"""

from __future__ import annotations

import email.message
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from kiosk.domain.ports import Clock, utc_now
from kiosk.server import audit as server_audit
from kiosk.server import coordinators, devices, log
from kiosk.server.config import ServerSettings
from kiosk.server.db import write_transaction
from kiosk.server.errors import ApiError

# --- the application's state -------------------------------------------------------------------
# ``async`` so FastAPI calls them on the event loop instead of a worker thread: they only read.


async def _engine_dep(request: Request) -> Engine:
    return _engine(request)


async def _settings(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.settings
    return settings


async def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


async def _keyring(request: Request) -> Any:
    return request.app.state.keyring


#: The database engine.
EngineDep = Annotated[Engine, Depends(_engine_dep)]
#: The server's resolved settings.
SettingsDep = Annotated[ServerSettings, Depends(_settings)]
#: Returns the current aware UTC time.
ClockDep = Annotated[Clock, Depends(_clock)]
#: The organization's private keys (:func:`kiosk.server.keys.load_keyring`), or None.
KeyringDep = Annotated[Any, Depends(_keyring)]


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


# --- requests ----------------------------------------------------------------------------------


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    if message.get_content_maintype() != "application":
        return False
    subtype = message.get_content_subtype()
    return subtype == "json" or subtype.endswith("+json")


def require_json(request: Request) -> None:
    """Refuse (415) a request body that is not ``application/json``.

    Raises:
        ApiError: 415 ``unsupported_media_type``.
    """
    if not _is_json(request.headers.get("content-type")):
        raise ApiError(
            415, "unsupported_media_type", "send the body as Content-Type: application/json"
        )


_bearer = HTTPBearer(
    auto_error=False,
    description="A device token (POST /api/v1/enroll) or a coordinator token "
    "(kiosk-server coordinators add)",
)


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


def _audit_revoked(request: Request, device_id: str | None) -> None:
    """Write to the server's audit trail that a revoked device was refused.

    Throttled as every refusal a device keeps causing (:func:`kiosk.server.audit.
    device_refusal_due`: one entry a minute per device and process, with how many more were
    refused since), so a stolen tablet hammering the server cannot flood the trail, and no
    write transaction is opened for the ones not written; every refusal is logged.
    """
    log.warning("refused a request from revoked device %s to %s", device_id, request.url.path)
    if device_id is None:
        return
    again = server_audit.device_refusal_due("revoked_device_refused", device_id)
    if again is None:
        return
    detail = {"device": device_id, "method": request.method, "path": request.url.path}
    with write_transaction(_engine(request)) as conn:
        server_audit.record_server(
            conn,
            "revoked_device_refused",
            server_audit.with_again(detail, again),
            request.app.state.clock(),
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


def exporting_coordinator(request: Request, who: CoordinatorDep) -> coordinators.CoordinatorInfo:
    """The coordinator behind the token, if their account may export signers' data: a
    ``viewer`` reads counts and exports nothing, on the API as in the console.

    Raises:
        ApiError: 403 ``viewer_no_export`` (written to the server's audit trail, as the
            console's refusal is), besides :func:`current_coordinator`'s refusals.
    """
    if who.role.allows(coordinators.Role.COORDINATOR):
        return who
    log.warning("refused an export to coordinator %s (role %s)", who.id, who.role.value)
    with write_transaction(_engine(request)) as conn:
        server_audit.record_export_refused(
            conn, who.id, who.role.value, "api", request.app.state.clock()
        )
    raise ApiError(403, "viewer_no_export", "a viewer account reads counts but exports nothing")


ExporterDep = Annotated[coordinators.CoordinatorInfo, Depends(exporting_coordinator)]


def seen_coordinator(request: Request, who: coordinators.CoordinatorInfo) -> None:
    """Record that ``who`` used the API just now."""
    with write_transaction(_engine(request)) as conn:
        coordinators.touch(conn, who, request.app.state.clock())


# --- parameters --------------------------------------------------------------------------------


def aware(moment: datetime | None, field: str = "since") -> datetime | None:
    """The query parameter ``field`` (``since``, ``until``) as an aware UTC datetime (naive
    means UTC).

    Raises:
        ApiError: 422 naming ``field`` when it cannot be expressed in UTC
            (9999-12-31T23:59:59-12:00, year 1 with +14:00: the conversion would leave the
            calendar).
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise ApiError(
            422, "validation_failed", f"{field}: date-time out of range once converted to UTC"
        ) from None


SlugQuery = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


def slug_param(campaign: str) -> str:
    """The ``{campaign}`` path parameter, checked like a campaign slug.

    Raises:
        ApiError: 404 for something that cannot be a campaign slug.
    """
    if not 1 <= len(campaign) <= 64 or not all(
        c.isascii() and ((c.isalnum() and not c.isupper()) or c == "-") for c in campaign
    ):
        raise ApiError(404, "campaign_not_found", "no such campaign")
    return campaign


__all__ = [
    "DEMO_HEADER",
    "Clock",
    "ClockDep",
    "CoordinatorDep",
    "DeviceDep",
    "EngineDep",
    "KeyringDep",
    "SettingsDep",
    "SlugQuery",
    "aware",
    "check_demo",
    "current_coordinator",
    "current_device",
    "require_json",
    "seen_coordinator",
    "slug_param",
    "utc_now",
]
