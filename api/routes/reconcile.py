"""What reconciliation after a restore left for the region's coordinator, and entering it
again: a huisverbod's request file, a placement's location."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import ReEntry
from domain.access import Principal
from domain.huisverbod import HuisverbodRequestIn
from domain.models import ShortText, Strict
from services import restore as restore_service
from services.context import Caller

router = APIRouter(prefix="/v1", tags=["coordinators"])


class LocationIn(Strict):
    location: ShortText


@router.get("/regions/{region}/reconcile", response_model=ReEntry)
async def re_entry(
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("dashboard.read"))],
) -> ReEntry:
    """After Postgres was restored from an older backup and `ketenregie reconcile
    --after-restore --repair` rebuilt what the workflows hold: what existed only in Postgres and
    must be entered again."""
    return ReEntry(**await restore_service.re_entry(parts, Caller(principal, audit), region))


@router.put("/huisverboden/{huisverbod_id}/request-file", status_code=204)
async def enter_request_file(
    huisverbod_id: str,
    body: HuisverbodRequestIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("huisverbod.request"))],
) -> Response:
    """The request's file of a huisverbod, lost in a restore, entered again (409 when it is
    there: a file is never overwritten)."""
    caller = Caller(principal, audit)
    await restore_service.enter_request_file(parts, caller, huisverbod_id, body)
    return Response(status_code=204)


@router.put("/cases/{case_id}/placements/{placement_id}/location", status_code=204)
async def enter_location(
    case_id: str,
    placement_id: str,
    body: LocationIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("placement.location.read"))],
) -> Response:
    """Where a placed person stays, lost in a restore, entered again by Veilig Thuis of the
    case's region (409 when it is there: a location is never overwritten)."""
    caller = Caller(principal, audit)
    await restore_service.enter_location(parts, caller, case_id, placement_id, body.location)
    return Response(status_code=204)
