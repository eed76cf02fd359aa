"""``GET /totals`` (devices: counted signatures) and ``GET /stats`` (coordinators: counts per
campaign, local campaign, device, event and day)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from kiosk.server import stats
from kiosk.server.deps import CoordinatorDep, DeviceDep, EngineDep, KeyringDep, seen_coordinator
from kiosk.server.errors import AUTH_RESPONSES, COORDINATOR_RESPONSES
from kiosk.wire import API_PREFIX, CoordinatorStatsResponse, TotalsResponse

router = APIRouter(prefix=API_PREFIX)


@router.get(
    "/totals",
    response_model=TotalsResponse,
    responses=AUTH_RESPONSES,
    tags=["campaigns"],
)
def get_totals(device: DeviceDep, db: EngineDep) -> TotalsResponse:
    """Signatures per campaign and local campaign across all kiosks (not void, not
    synthetic)."""
    with db.connect() as conn:
        return stats.totals(conn)


@router.get(
    "/stats",
    response_model=CoordinatorStatsResponse,
    responses=COORDINATOR_RESPONSES,
    tags=["coordinators"],
)
def get_stats(
    who: CoordinatorDep, request: Request, db: EngineDep, keyring: KeyringDep
) -> CoordinatorStatsResponse:
    """Counted signatures per campaign, local campaign and device; unique signers (distinct
    normalised name + ZIP) when the server has the organization's private key."""
    seen_coordinator(request, who)
    with db.connect() as conn:
        data = stats.stats(conn)
    return CoordinatorStatsResponse(
        campaigns=data["campaigns"],
        locals=data["locals"],
        devices={k: v["signatures"] for k, v in data["devices"].items()},
        events=data["by_event"],
        days=data["by_day"],
        voided=data["voided"],
        synthetic=data["synthetic"],
        unique_signers=data["unique_signers"] if keyring is not None else None,
        undecryptable=data["quarantined"],
        quarantined=data["quarantined"],
        unread=data["pending"],
    )
