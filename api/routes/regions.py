"""The regional coordinator's view."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import AuditDep, allowed
from api.deps import ConnDep, SettingsDep
from api.schemas import CaseSummary, Dashboard, DueCase
from domain.access import Principal
from domain.workdays import working_day_horizon
from services.errors import not_found
from store import dashboard

router = APIRouter(prefix="/v1/regions", tags=["coordinators"])


@router.get("/{region}/dashboard", response_model=Dashboard)
async def region_dashboard(
    region: str,
    conn: ConnDep,
    settings: SettingsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("dashboard.read"))],
    days: Annotated[int, Query(ge=1, le=60, description="working days ahead")] = 3,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Dashboard:
    """Open cases per phase; unmet deadlines due within the next `days` working days and
    those already overdue (each list capped at `limit`, with the number of cases concerned);
    the oldest open case."""
    if settings.chain.region(region) is None or region != principal.region:
        raise not_found("region")
    now = datetime.now(UTC)
    horizon = working_day_horizon(now, days)
    oldest = await dashboard.oldest_open(conn, region)
    due_soon, due_soon_cases = await dashboard.due_between(conn, region, now, horizon, limit)
    overdue, overdue_cases = await dashboard.overdue(conn, region, now, limit)
    for row in [*due_soon, *overdue, *([oldest] if oldest else [])]:
        audit.touches(row["case_id"])
    return Dashboard(
        region=region,
        generated_at=now,
        horizon=horizon,
        open_per_phase=await dashboard.open_per_phase(conn, region),
        due_soon_cases=due_soon_cases,
        due_soon=[DueCase(**dict(r)) for r in due_soon],
        overdue_cases=overdue_cases,
        overdue=[DueCase(**dict(r)) for r in overdue],
        oldest_open_case=CaseSummary(**dict(oldest)) if oldest else None,
    )
