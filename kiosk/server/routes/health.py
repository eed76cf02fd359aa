"""``GET /health``: whether the server and its database answer (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

import kiosk
from kiosk.server.deps import EngineDep
from kiosk.wire import API_PREFIX, ErrorBody, HealthResponse

router = APIRouter(prefix=API_PREFIX, tags=["health"])


@router.get(
    "/health",
    response_model=HealthResponse,
    responses={503: {"model": ErrorBody, "description": "Database unavailable"}},
)
def health(db: EngineDep) -> HealthResponse:
    """Whether the server and its database answer."""
    with db.connect() as conn:
        conn.execute(text("SELECT 1"))
    return HealthResponse(status="ok", version=kiosk.__version__)
