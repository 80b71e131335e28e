"""What reconciliation after a restore left for the region's coordinator."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import ReEntry
from domain.access import Principal
from services import restore as restore_service
from services.context import Caller

router = APIRouter(prefix="/v1/regions", tags=["coordinators"])


@router.get("/{region}/reconcile", response_model=ReEntry)
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
