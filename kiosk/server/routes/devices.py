"""``POST /enroll``: a device trades a one-time code for its id and bearer token;
``POST /report``: an enrolled device says how it is (pending signatures, app version, last
error) after each sync pass; ``GET /device``: what the server holds from the asking device."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kiosk.server import devices, log
from kiosk.server.db import write_transaction
from kiosk.server.deps import (
    ClockDep,
    DeviceDep,
    EngineDep,
    SettingsDep,
    check_demo,
    require_json,
)
from kiosk.server.errors import AUTH_RESPONSES, ERROR_RESPONSES, ApiError
from kiosk.server.middleware import client_address
from kiosk.server.ratelimit import refund_enroll_attempt, take_enroll_attempt
from kiosk.wire import (
    API_PREFIX,
    DeviceState,
    EnrollRequest,
    EnrollResponse,
    ErrorBody,
    KioskReport,
)

router = APIRouter(prefix=API_PREFIX, tags=["devices"])


@router.post(
    "/enroll",
    response_model=EnrollResponse,
    dependencies=[Depends(require_json)],
    responses={
        **ERROR_RESPONSES,
        403: {"model": ErrorBody, "description": "Code unknown, expired or used"},
        429: {"model": ErrorBody, "description": "Too many refused attempts; Retry-After"},
    },
)
def enroll(
    body: EnrollRequest,
    request: Request,
    settings: SettingsDep,
    db: EngineDep,
    clock: ClockDep,
) -> EnrollResponse:
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
        log.warning("refused enrollment attempt from %s: %s", address, refused.reason)
        detail = {
            devices.EnrollFailure.INVALID: "unknown enrollment code",
            devices.EnrollFailure.EXPIRED: "this enrollment code has expired; make a new one",
            devices.EnrollFailure.USED: "this enrollment code was already used",
        }[refused.reason]
        raise ApiError(403, str(refused.reason), detail) from None
    log.info("device %s enrolled", enrolled.device_id)
    return EnrollResponse(
        device_id=enrolled.device_id,
        token=enrolled.token,
        server_name=settings.server_name,
        org_public_key=settings.org_public_key,
    )


@router.post(
    "/report",
    status_code=204,
    response_class=Response,
    dependencies=[Depends(require_json)],
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
)
def report(
    body: KioskReport,
    device: DeviceDep,
    request: Request,
    settings: SettingsDep,
    db: EngineDep,
    clock: ClockDep,
) -> Response:
    """Keep what the kiosk says of itself: signatures still pending on it, its app version,
    the error code its last failed sync ended with (null after a pass that succeeded). Shown
    on the console's kiosks page; nothing personal. Answers 204."""
    check_demo(settings.demo, request, device.demo)
    with write_transaction(db) as conn:
        devices.record_report(conn, device, body, clock())
    return Response(status_code=204)


@router.get(
    "/device",
    response_model=DeviceState,
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
)
def device_state(
    device: DeviceDep,
    request: Request,
    settings: SettingsDep,
    db: EngineDep,
) -> DeviceState:
    """What the server holds from the asking kiosk: the signatures stored from it and the head
    of its audit trail acknowledged, both only ever moving forward (see
    :class:`kiosk.wire.DeviceState`). Asked at the start of each sync pass: an answer behind
    what the kiosk was told before shows a database restored from an older backup."""
    check_demo(settings.demo, request, device.demo)
    with db.connect() as conn:
        return devices.device_state(conn, device.id)
