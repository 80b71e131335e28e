"""The access log: coordinators read the log of their region's cases, and export one
person's access history for a subject-access request. Reading the log is logged too."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.auth import AuditDep, allowed
from api.deps import ConnDep
from domain.access import Principal, scope_of
from services.errors import not_found
from store import access_log, cases

router = APIRouter(prefix="/v1/access-log", tags=["access log"])
Auditor = Annotated[Principal, Depends(allowed("access_log.read"))]


class AccessEntry(BaseModel):
    id: int
    at: datetime
    action: str
    outcome: int
    subject: str
    org: str
    org_kind: str
    role: str
    client: str
    case_ids: list[str]
    person_refs: list[str]
    huisverbod_id: str | None
    detail: str


@router.get("", response_model=list[AccessEntry])
async def region_log(
    conn: ConnDep,
    audit: AuditDep,
    principal: Auditor,
    case_id: Annotated[
        str | None, Query(alias="caseId", max_length=100, description="one case only")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AccessEntry]:
    """Newest first: who accessed the region's cases (optionally one case)."""
    rows = await access_log.for_region(conn, principal.region, case_id, limit, offset)
    if case_id:
        audit.touches(case_id)
    audit.detail = f"toegangslog casus={case_id}"
    return [AccessEntry(**dict(r)) for r in rows]


@router.get("/persons/{case_id}/{ref}", response_model=list[AccessEntry])
async def person_export(
    case_id: str, ref: str, conn: ConnDep, audit: AuditDep, principal: Auditor
) -> list[AccessEntry]:
    """Every access to one person's data, oldest first (AVG art. 15 subject-access export)."""
    if await cases.get_case(conn, case_id, scope_of(principal)) is None:
        raise not_found("casus")
    audit.touches(case_id, [ref])
    audit.detail = "inzageverzoek: export"
    return [AccessEntry(**dict(r)) for r in await access_log.for_person(conn, case_id, ref)]
