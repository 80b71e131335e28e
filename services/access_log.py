"""The access log (NEN 7513): an entry for every request that touched case data, the log of
a region's cases for its coordinators, and one person's access history for a subject-access
request (AVG art. 15). Reading the log is logged too."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.access import Principal
from services.context import AuditEntry, Caller, Parts
from services.errors import not_found
from store import access_log, cases


async def record(
    pool: asyncpg.Pool, principal: Principal, entry: AuditEntry, outcome: int, client: str
) -> None:
    """Write the request's entry; raises when the database is down (the answer is withheld)."""
    async with pool.acquire() as conn:
        await access_log.append(
            conn,
            principal=principal,
            action=entry.action,  # type: ignore[arg-type]
            outcome=outcome,
            client=client,
            case_ids=entry.case_ids,
            person_refs=entry.person_refs,
            huisverbod_id=entry.huisverbod_id,
            detail=entry.detail,
            view_id=entry.view_id,
            advice_ids=entry.advice_ids,
        )


async def region_log(
    parts: Parts, caller: Caller, case_id: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """Newest first: who accessed the region's cases (optionally one case)."""
    async with parts.pool.acquire() as conn:
        rows = await access_log.for_region(conn, caller.principal.region, case_id, limit, offset)
    if case_id:
        caller.audit.touches(case_id)
    caller.audit.detail = f"toegangslog casus={case_id}"
    return [dict(r) for r in rows]


async def person_export(parts: Parts, caller: Caller, case_id: str, ref: str) -> list[dict]:
    """Every access to one person's data, oldest first."""
    async with parts.pool.acquire() as conn:
        if await cases.get_case(conn, case_id, caller.scope) is None:
            raise not_found("casus")
        rows = await access_log.for_person(conn, case_id, ref)
    caller.audit.touches(case_id, [ref])
    caller.audit.detail = "inzageverzoek: export"
    return [dict(r) for r in rows]
