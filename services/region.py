"""The regional coordinator's view: open cases per phase, deadlines due soon and overdue, and
notices to partners that could not be delivered (a legal duty not met)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.workdays import working_day_horizon
from services.context import Caller, Parts
from services.errors import not_found
from store import dashboard as dashboard_store


async def dashboard(
    parts: Parts, caller: Caller, region: str, *, days: int = 3, limit: int = 100
) -> dict[str, Any]:
    """Open cases per phase; unmet deadlines due within the next `days` working days (on the
    region's calendar) and those already overdue, each list capped at `limit` with the number
    of cases concerned; the oldest open case."""
    if parts.chain.region(region) is None or region != caller.principal.region:
        raise not_found("regio")
    now = datetime.now(UTC)
    horizon = working_day_horizon(now, days, parts.policy.veilig_thuis.working_days)
    async with parts.pool.acquire() as conn:
        oldest = await dashboard_store.oldest_open(conn, region)
        due_soon, due_soon_count, due_soon_cases = await dashboard_store.due_between(
            conn, region, now, horizon, limit
        )
        overdue, overdue_count, overdue_cases = await dashboard_store.overdue(
            conn, region, now, limit
        )
        per_phase = await dashboard_store.open_per_phase(conn, region)
        failed, failed_count = await dashboard_store.failed_duties(conn, region, limit)
    for row in [*due_soon, *overdue, *failed, *([oldest] if oldest else [])]:
        if row["case_id"]:
            caller.audit.touches(row["case_id"])
    return {
        "region": region,
        "generated_at": now,
        "horizon": horizon,
        "open_per_phase": per_phase,
        "due_soon_count": due_soon_count,
        "due_soon_cases": due_soon_cases,
        "due_soon": [dict(r) for r in due_soon],
        "overdue_count": overdue_count,
        "overdue_cases": overdue_cases,
        "overdue": [dict(r) for r in overdue],
        "oldest_open_case": dict(oldest) if oldest else None,
        "failed_duties_count": failed_count,
        "failed_duties": [dict(r) for r in failed],
    }
