"""``POST /signatures``: a device pushes a batch of signatures, voids and events."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

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
from kiosk.server.ingest import prepare_push, store_push, stored_already
from kiosk.wire import (
    API_PREFIX,
    BASE_BATCH_SIGNATURES,
    MAX_BATCH_SIGNATURES,
    MAX_SIGNATURES_HEADER,
    PushRequest,
    PushResponse,
)

router = APIRouter(prefix=API_PREFIX, tags=["sync"])


async def _raw_body(request: Request) -> bytes:
    return await request.body()


_PUSH = TypeAdapter(PushRequest)


def parse_push(raw: bytes) -> PushRequest:
    """The push in ``raw``, read and validated in one pass by pydantic's own JSON parser (on the
    worker thread, not the event loop): for a 500-signature body about two thirds of the cost
    of ``json.loads`` and validating what it made, as FastAPI does for a declared body.

    A body it refuses is read again the way FastAPI reads one (``json.loads``, then the same
    validation), so every refusal is answered exactly as before: the two parsers word their
    errors differently, and pydantic's refuses a few bodies as JSON (a lone surrogate escape,
    a number too long) that FastAPI's answers field by field.

    Raises:
        RequestValidationError: the body is not JSON (400) or breaks a rule (422).
        HTTPException: 400, the body cannot be decoded at all (FastAPI's own answer).
    """
    try:
        return PushRequest.model_validate_json(raw)
    except ValidationError:
        pass
    if not raw:
        raise RequestValidationError(
            [{"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}]
        )
    try:
        data: Any = json.loads(raw)
    except json.JSONDecodeError as e:
        raise RequestValidationError(
            [
                {
                    "type": "json_invalid",
                    "loc": ("body", e.pos),
                    "msg": "JSON decode error",
                    "input": {},
                    "ctx": {"error": e.msg},
                }
            ]
        ) from None
    except Exception:  # noqa: BLE001 - undecodable bytes, nested too deep, a number too long
        raise HTTPException(400, "There was an error parsing the body") from None
    try:
        return _PUSH.validate_python(data, from_attributes=True)  # as FastAPI validates
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in errors]) from None


#: The body as documented: FastAPI does not read it (:func:`parse_push` does), so the document
#: says what it would have said of a declared ``PushRequest`` body (the schema is added to the
#: document's components by :func:`kiosk.server.app.create_app`).
_BODY_DOC = {
    "requestBody": {
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/PushRequest"}}},
        "required": True,
    }
}


#: The headers of a stored push's answer, for the API's description.
_PUSH_HEADERS: dict[int | str, dict[str, Any]] = {
    200: {
        "headers": {
            MAX_SIGNATURES_HEADER: {
                "description": "The most signatures this server takes in one push (kiosks "
                f"send at most {BASE_BATCH_SIGNATURES} until an answer names more).",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    }
}


@router.post(
    "/signatures",
    response_model=PushResponse,
    dependencies=[Depends(require_json)],
    responses={**_PUSH_HEADERS, **ERROR_RESPONSES, **AUTH_RESPONSES},
    openapi_extra=_BODY_DOC,
)
def push(
    raw: Annotated[bytes, Depends(_raw_body)],
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
    body = parse_push(raw)  # refused before anything else is checked, as a declared body is
    check_demo(settings.demo, request, device.demo)
    stored = frozenset[uuid.UUID]()
    # Sent again (a retry, everything after a server restore): what is stored is not opened
    # again, and PostgreSQL does not try a COPY that would fail on it.
    if body.signatures and (keyring is not None or db.dialect.name == "postgresql"):
        with db.connect() as conn:
            stored = stored_already(conn, body)
    prepared = prepare_push(body, keyring, stored)  # hashed and opened before the write lock
    now = clock()
    with write_transaction(db) as conn:
        result = store_push(conn, device.id, prepared, now, keyring)
        devices.touch(conn, device, now)
    return Response(
        result.model_dump_json(),
        media_type="application/json",
        headers={MAX_SIGNATURES_HEADER: str(MAX_BATCH_SIGNATURES)},
    )
