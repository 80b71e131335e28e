"""The deadline calculator for jurists: when a legal period ends, from a moment they give."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import current_principal
from api.deps import SettingsDep
from api.routes.deadlines import calculate
from api.web.render import error_page, page
from domain.access import Principal
from domain.workdays import AMSTERDAM

router = APIRouter(include_in_schema=False)


@router.get("/termijnen", response_class=HTMLResponse)
async def deadlines_page(
    request: Request,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(current_principal)],
    rule: str = "huisverbod",
    start: Annotated[str, Query(alias="from")] = "",
) -> HTMLResponse:
    """The deadline calculator for jurists; a time from the form is Amsterdam wall-clock."""
    catalogue = request.app.state.catalogue
    result = None
    if start:
        moment = datetime.fromisoformat(start) if _is_time(start) else None
        if moment is None:
            return error_page(
                request, 422, "Vul een datum en tijd in, bijvoorbeeld 20-10-2026 20:00."
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=AMSTERDAM)
        result = calculate(catalogue, rule, moment.isoformat(), settings, field="vanaf")
    return page(
        request,
        "deadlines.html",
        rules=sorted(catalogue.calculator),
        rule=rule,
        start=start,
        result=result,
        rule_names={k: c.name for k, c in catalogue.calculator.items()},
        date_names=catalogue.date_names,
    )


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
