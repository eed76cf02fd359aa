"""``POST /enroll``: a device trades a one-time code for its id and bearer token."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from kiosk.server import devices, log
from kiosk.server.db import write_transaction
from kiosk.server.deps import ClockDep, EngineDep, SettingsDep, check_demo, require_json
from kiosk.server.errors import ERROR_RESPONSES, ApiError
from kiosk.server.middleware import client_address
from kiosk.server.ratelimit import refund_enroll_attempt, take_enroll_attempt
from kiosk.wire import API_PREFIX, EnrollRequest, EnrollResponse, ErrorBody

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
