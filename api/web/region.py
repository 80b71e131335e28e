"""The region's pages: the coordinator's dashboard, and the figures (a region's for its
coordinator, the national sum for a national organisation)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from api import charts
from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import Dashboard
from api.web.render import new_view, page
from domain.access import Principal
from domain.case import CaseFilter
from domain.figures import quarter_start
from domain.models import within_years
from domain.workdays import AMSTERDAM, calendar_notice, local_date
from services import case as case_service
from services import figures as figures_service
from services import region as region_service
from services import zgw_checks
from services.context import Caller

router = APIRouter(include_in_schema=False)
Coordinator = Annotated[Principal, Depends(allowed("dashboard.read"))]
FiguresReader = Annotated[Principal, Depends(allowed("figures.read"))]
DATE_FIELDS = {"from": "vanaf", "to": "tot en met"}  # the figures' period, as the form says


async def _dashboard(region: str, parts, caller: Caller):
    board = Dashboard(**await region_service.dashboard(parts, caller, region, days=3, limit=50))
    newest, _ = await case_service.find(parts, caller, CaseFilter(region=region), limit=10)
    return {
        "board": board,
        "newest": newest,
        "region": parts.chain.region(region),
        "calendar_notice": calendar_notice(local_date(datetime.now(UTC))),
        "catalogue_warnings": await zgw_checks.region_warnings(parts, region),
    }


@router.get("/regio/{region}", response_class=HTMLResponse)
async def dashboard_page(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    context = await _dashboard(region, parts, Caller(p, audit))
    return page(request, "dashboard.html", view_id=new_view(audit), **context)


@router.get("/regio/{region}/deel", response_class=HTMLResponse)
async def dashboard_part(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    context = await _dashboard(region, parts, Caller(p, audit))
    return page(request, "dashboard_part.html", **context)


# --- figures: a region's for its coordinator, the national sum for a national organisation ---


async def _figures_page(request: Request, region: str | None, parts, caller: Caller):
    today = datetime.now(UTC).astimezone(AMSTERDAM).date()
    first = _date_param(request, "from") or quarter_start(today)
    last = _date_param(request, "to") or today
    found = await figures_service.figures(parts, caller, region, first, last)

    def names(measure: str, category: str) -> str:
        return figures_service.category_name(measure, category, found["deadline_labels"])

    known = parts.chain.region(region) if region else None
    return page(
        request,
        "figures.html",
        title=known.name if known else "landelijk (alle regio's)",
        found=found,
        last_day=last,
        charts=charts.build(found, names),
        api_path=f"/v1/regions/{region}/figures" if region else "/v1/figures",
    )


def _date_param(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        raise HTTPException(422, f"{DATE_FIELDS[name]}: geen datum (jjjj-mm-dd)") from None
    try:
        return day and within_years(day)
    except ValueError as e:
        raise HTTPException(422, f"{DATE_FIELDS[name]}: {e}") from None


@router.get("/regio/{region}/cijfers", response_class=HTMLResponse)
async def region_figures_page(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: FiguresReader
) -> HTMLResponse:
    return await _figures_page(request, region, parts, Caller(p, audit))


@router.get("/cijfers", response_class=HTMLResponse)
async def national_figures_page(
    request: Request, parts: PartsDep, audit: AuditDep, p: FiguresReader
) -> HTMLResponse:
    return await _figures_page(request, None, parts, Caller(p, audit))
