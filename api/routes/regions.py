"""The regional coordinator's view."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import Dashboard
from domain.access import Principal
from services import region as region_service
from services.context import Caller

router = APIRouter(prefix="/v1/regions", tags=["coordinators"])


@router.get("/{region}/dashboard", response_model=Dashboard)
async def region_dashboard(
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("dashboard.read"))],
    days: Annotated[int, Query(ge=1, le=60, description="working days ahead")] = 3,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Dashboard:
    """Open cases per phase; unmet deadlines due within the next `days` working days and
    those already overdue (each list capped at `limit`, with the number of cases concerned);
    the oldest open case."""
    caller = Caller(principal, audit)
    return Dashboard(
        **await region_service.dashboard(parts, caller, region, days=days, limit=limit)
    )
