"""``GET /campaigns``: every campaign document, with an ``ETag``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header
from fastapi.responses import JSONResponse, Response

from kiosk.server import campaigns as campaign_store
from kiosk.server.deps import DeviceDep, EngineDep
from kiosk.server.errors import AUTH_RESPONSES
from kiosk.wire import API_PREFIX, CampaignsResponse

router = APIRouter(prefix=API_PREFIX, tags=["campaigns"])


@router.get(
    "/campaigns",
    response_model=CampaignsResponse,
    responses={**AUTH_RESPONSES, 304: {"description": "Not modified (If-None-Match)"}},
)
def get_campaigns(
    device: DeviceDep,
    db: EngineDep,
    if_none_match: Annotated[str | None, Header(max_length=2048)] = None,
) -> Response:
    """Every campaign document (the campaign file structure as JSON).

    Send the last ``ETag`` in ``If-None-Match`` to get 304 when nothing changed.
    """
    with db.connect() as conn:
        tag = campaign_store.etag(conn)
        headers = {"ETag": tag, "Cache-Control": "no-cache"}
        if campaign_store.if_none_match(if_none_match, tag):
            return Response(status_code=304, headers=headers)
        docs = campaign_store.documents(conn)
    return JSONResponse({"campaigns": docs}, headers=headers)
