"""Regional figures (counts per quarter) as JSON or CSV: a region's for its Veilig Thuis
coordinator, the sum over all regions for a national organisation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import Figures
from domain.access import Principal
from domain.figures import quarter_start
from domain.models import Day
from domain.workdays import AMSTERDAM
from services import figures as figures_service
from services.context import Caller

router = APIRouter(prefix="/v1", tags=["figures"])
Reader = Annotated[Principal, Depends(allowed("figures.read"))]
From = Annotated[
    Day | None, Query(alias="from", description="a day in the first quarter (default: this one)")
]
To = Annotated[Day | None, Query(description="a day in the last quarter (default: today)")]
Format = Annotated[Literal["json", "csv"], Query(description="csv: one row per cell")]
CSV_RESPONSE = {200: {"content": {"text/csv": {}}, "description": "JSON, or CSV with format=csv"}}


async def _answer(parts, caller: Caller, region: str | None, first, last, format: str):
    today = datetime.now(UTC).astimezone(AMSTERDAM).date()
    found = await figures_service.figures(
        parts, caller, region, first or quarter_start(today), last or today
    )
    if format == "csv":
        name = f"cijfers-{found['region']}-{found['from']}.csv"
        return Response(
            figures_service.as_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Figures.model_validate(found)


@router.get("/regions/{region}/figures", response_model=Figures, responses=CSV_RESPONSE)
async def region_figures(
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: Reader,
    from_: From = None,
    to: To = None,
    format: Format = "json",
):
    """Per quarter: meldingen by kind of reporter, safety assessments on time and late,
    follow-up decisions by kind, huisverboden imposed, extended and refused, missed
    deadlines per rule. Counts from 1 up to the threshold are null (CSV: "<5")."""
    return await _answer(parts, Caller(principal, audit), region, from_, to, format)


@router.get("/figures", response_model=Figures, responses=CSV_RESPONSE)
async def national_figures(
    parts: PartsDep,
    audit: AuditDep,
    principal: Reader,
    from_: From = None,
    to: To = None,
    format: Format = "json",
):
    """The same figures summed over all regions: for a national organisation only."""
    return await _answer(parts, Caller(principal, audit), None, from_, to, format)
