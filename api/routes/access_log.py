"""The access log: coordinators read the log of their region's cases, and export one
person's access history for a subject-access request. Reading the log is logged too."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from domain.access import Principal
from services import access_log
from services.context import Caller

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
    parts: PartsDep,
    audit: AuditDep,
    principal: Auditor,
    case_id: Annotated[
        str | None, Query(alias="caseId", max_length=100, description="one case only")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[AccessEntry]:
    """Newest first: who accessed the region's cases (optionally one case)."""
    rows = await access_log.region_log(parts, Caller(principal, audit), case_id, limit, offset)
    return [AccessEntry(**r) for r in rows]


@router.get("/persons/{case_id}/{ref}", response_model=list[AccessEntry])
async def person_export(
    case_id: str, ref: str, parts: PartsDep, audit: AuditDep, principal: Auditor
) -> list[AccessEntry]:
    """Every access to one person's data, oldest first (AVG art. 15 subject-access export)."""
    rows = await access_log.person_export(parts, Caller(principal, audit), case_id, ref)
    return [AccessEntry(**r) for r in rows]
