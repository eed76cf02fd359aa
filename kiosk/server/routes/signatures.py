"""``POST /signatures``: a device pushes a batch of signatures, voids and events."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from kiosk.server import devices
from kiosk.server.db import write_transaction
from kiosk.server.deps import (
    ClockDep,
    DeviceDep,
    EngineDep,
    KeyringDep,
    SettingsDep,
    check_demo,
    require_json,
)
from kiosk.server.errors import AUTH_RESPONSES, ERROR_RESPONSES
from kiosk.server.ingest import store_push
from kiosk.wire import API_PREFIX, PushRequest, PushResponse

router = APIRouter(prefix=API_PREFIX, tags=["sync"])


@router.post(
    "/signatures",
    response_model=PushResponse,
    dependencies=[Depends(require_json)],
    responses={**ERROR_RESPONSES, **AUTH_RESPONSES},
)
def push(
    body: PushRequest,
    device: DeviceDep,
    request: Request,
    settings: SettingsDep,
    db: EngineDep,
    clock: ClockDep,
    keyring: KeyringDep,
) -> Response:
    """Store a batch of signatures, voids and events in one transaction.

    Answers one result per item, in request order; see :class:`kiosk.wire.PushResponse`.
    A demo kiosk's push is refused unless the server is in demo mode, and the other way
    round (403 ``demo_kiosk`` / ``demo_server``).
    """
    check_demo(settings.demo, request, device.demo)
    now = clock()
    with write_transaction(db) as conn:
        result = store_push(conn, device.id, body, now, keyring)
        devices.touch(conn, device, now)
    return Response(result.model_dump_json(), media_type="application/json")
