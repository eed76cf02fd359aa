"""``GET /exports/{campaign}.csv`` and ``.pdf``: coordinators read every kiosk's signatures
back, decrypted with the organization's private key. Each export is written to the server's
audit trail before its data leaves."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from kiosk.domain.demo import export_marks, mark_csv
from kiosk.domain.sheets import MAX_ROWS_PER_SHEET, PageSize
from kiosk.exports import for_excel
from kiosk.server import audit as server_audit
from kiosk.server import coordinators, log
from kiosk.server import exports as server_exports
from kiosk.server.db import write_transaction
from kiosk.server.deps import (
    EngineDep,
    ExporterDep,
    KeyringDep,
    SlugQuery,
    aware,
    seen_coordinator,
    slug_param,
)
from kiosk.server.errors import COORDINATOR_RESPONSES, ApiError
from kiosk.wire import API_PREFIX, ErrorBody

router = APIRouter(prefix=API_PREFIX, tags=["coordinators"])

_EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    **COORDINATOR_RESPONSES,
    404: {
        "model": ErrorBody,
        "description": "Unknown campaign, local campaign or event, or nothing",
    },
    409: {"model": ErrorBody, "description": "No private key is configured on the server"},
}

CampaignParam = Annotated[str, Depends(slug_param)]


def _export_failed(exc: server_exports.ExportError) -> ApiError:
    status = {"no_private_key": 409, "bad_dates": 422}.get(exc.code, 404)
    return ApiError(status, exc.code, str(exc))


#: An event id as kiosks send it (1-64 characters, no control characters).
EventQuery = Annotated[str, Query(min_length=1, max_length=64, pattern=r"^[^\x00-\x1f\x7f-\x9f]+$")]


def _export_query(
    request: Request,
    campaign: CampaignParam,
    local: SlugQuery | None = None,
    since: datetime | None = None,
    include_synthetic: bool = False,
    until: Annotated[
        datetime | None,
        Query(
            description="before this moment; a date alone (2026-11-30) counts that whole day "
            "(UTC), as `kiosk-server export --until` does"
        ),
    ] = None,
    event: EventQuery | None = None,
) -> server_exports.ExportQuery:
    """The query parameters both exports share: which signatures (naive times mean UTC). A
    date alone as ``until`` includes that day (before the next midnight, UTC), as the command
    line's ``--until`` does; before, the API stopped at its first moment."""
    end = aware(until, "until")
    if end is not None:
        try:
            end = server_exports.until_end(request.query_params.get("until", ""), end)
        except OverflowError:
            raise ApiError(422, "validation_failed", "until: date out of range") from None
    return server_exports.ExportQuery(
        campaign, local, aware(since), include_synthetic, until=end, event=event
    )


#: Resolved after the coordinator's authentication (declare it after ``who``).
ExportQueryDep = Annotated[server_exports.ExportQuery, Depends(_export_query)]


def _export_headers(name: str, result: server_exports.ServerExportResult) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store",
        "X-Export-Records": str(result.records),
        "X-Export-Undecryptable": str(result.undecryptable),
        "X-Export-Unknown-Version": str(result.unknown_version),
    }


def _audit_export(
    request: Request,
    who: coordinators.CoordinatorInfo,
    action: str,
    query: server_exports.ExportQuery,
    records: int,
    **extra: Any,
) -> None:
    # Written before the data leaves: an export the trail cannot record is not served.
    detail = {
        "channel": "http",
        "coordinator": who.id,
        **server_exports.audit_detail(query),
        "records": records,
        **extra,
    }
    with write_transaction(request.app.state.engine) as conn:
        server_audit.record_server(conn, action, detail, request.app.state.clock())
    log.info("coordinator %s: %s of %s (%d rows)", who.id, action, query.campaign, records)


@router.get(
    "/exports/{campaign}.csv",
    response_class=Response,
    responses={
        **_EXPORT_RESPONSES,
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV"},
    },
)
def export_csv(
    campaign: CampaignParam,
    who: ExporterDep,
    query: ExportQueryDep,
    request: Request,
    db: EngineDep,
    keyring: KeyringDep,
    excel: bool = False,
) -> Response:
    """The contact list (CSV) of every kiosk's signatures of a campaign (voided left out):
    signed at or after ``since`` and before ``until`` (naive means UTC), at ``event``; with
    ``excel`` the UTF-8 byte-order mark first, for Excel on Windows."""
    seen_coordinator(request, who)
    try:
        with db.connect() as conn:
            data, result = server_exports.export_csv(conn, keyring, query)
    except server_exports.ExportError as exc:
        raise _export_failed(exc) from None
    # Asked for synthetic signatures: the list says TEST DATA before its header row.
    data = mark_csv(data, export_marks(False, query.include_synthetic))
    if excel:  # the byte-order mark before everything, the TEST DATA line too
        data = for_excel(data)
    _audit_export(request, who, "export_csv", query, result.records)
    return Response(
        data,
        media_type="text/csv; charset=utf-8",
        headers=_export_headers(f"{campaign}.csv", result),
    )


@router.get(
    "/exports/{campaign}.pdf",
    response_class=Response,
    responses={
        **_EXPORT_RESPONSES,
        200: {
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            "description": "PDF packet",
        },
    },
)
def export_pdf(
    campaign: CampaignParam,
    who: ExporterDep,
    query: ExportQueryDep,
    request: Request,
    db: EngineDep,
    keyring: KeyringDep,
    lang: Literal["en", "es"] = "en",
    page_size: PageSize = "letter",
    rows_per_sheet: Annotated[int, Query(ge=1, le=MAX_ROWS_PER_SHEET)] = 10,
    comments: Annotated[
        bool, Query(description="each row shows the signer's comment (as --comments does)")
    ] = False,
) -> Response:
    """One delivery packet: the local campaign's (``local``) or the whole campaign's, of the
    signatures made at or after ``since``, before ``until`` and at ``event`` (as the CSV)."""
    from kiosk.pdf import PacketOptions, render_packet

    seen_coordinator(request, who)
    local = query.local_campaign
    options = PacketOptions(
        page_size=page_size, rows_per_sheet=rows_per_sheet, include_comments=comments
    )
    try:
        with db.connect() as conn:
            packets, result = server_exports.export_packets(
                conn, keyring, query, lang, options, per_local=local is not None
            )
    except server_exports.ExportError as exc:
        raise _export_failed(exc) from None
    packet = packets[0][1]
    if query.include_synthetic:  # every page says TEST DATA
        packet = dataclasses.replace(packet, marks=export_marks(False, True))
    data = render_packet(packet)
    _audit_export(request, who, "export_pdf", query, result.records, lang=lang)
    name = f"{campaign}-{local}.pdf" if local else f"{campaign}.pdf"
    return Response(data, media_type="application/pdf", headers=_export_headers(name, result))
