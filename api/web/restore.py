"""The coordinator's page after a restore: what must be entered again (`services.restore`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import ReEntry
from api.web.render import page
from domain.access import Principal
from services import restore as restore_service
from services.context import Caller

router = APIRouter(include_in_schema=False)
Coordinator = Annotated[Principal, Depends(allowed("dashboard.read"))]


@router.get("/regio/{region}/herstel", response_class=HTMLResponse)
async def re_entry_page(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    found = ReEntry(**await restore_service.re_entry(parts, Caller(p, audit), region))
    return page(request, "restore.html", found=found, region=parts.chain.region(region))
