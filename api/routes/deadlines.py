"""The deadline calculator on the API: every date a legal rule yields from a moment, by the
code the workflows use. For any signed-in user; it reads no case data."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from api.auth import Caller
from api.deps import SettingsDep
from domain.catalogue import Catalogue
from domain.chain_policy import Policy
from domain.deadlines import DueDate, UnknownRule
from domain.models import within_years
from domain.workdays import AMSTERDAM
from services.errors import unprocessable

router = APIRouter(prefix="/v1/deadlines", tags=["deadlines"])


class Deadlines(BaseModel):
    rule: str
    start: datetime
    dates: list[DueDate]


def calculate(
    catalogue: Catalogue, rule: str, start: str, settings, field: str = "from"
) -> Deadlines:
    """Shared by the route and the page: 422 for an unknown rule or a time without offset;
    `field` names the start where the reason says what is wrong with it."""
    try:
        moment = within_years(datetime.fromisoformat(start))  # counted on without overflow
        policy = Policy.build(working_days=settings.working_days)  # real periods, never scaled
        dates = catalogue.calculate(rule, moment, policy)
    except UnknownRule as e:
        raise unprocessable(str(e)) from None
    except ValueError as e:
        raise unprocessable(f"{field}: {e}") from None
    for d in dates:
        d.due_at = d.due_at.astimezone(AMSTERDAM)
    return Deadlines(rule=rule, start=moment, dates=dates)


@router.get("", response_model=list[str])
async def list_rules(request: Request, principal: Caller) -> list[str]:
    """The rules the calculator knows."""
    return sorted(request.app.state.catalogue.calculator)


@router.get("/{rule}", response_model=Deadlines)
async def deadlines(
    request: Request,
    rule: str,
    principal: Caller,
    settings: SettingsDep,
    start: Annotated[
        str, Query(alias="from", description="ISO 8601 with offset, e.g. 2026-10-20T20:00:00+02:00")
    ],
) -> Deadlines:
    """Every date `rule` yields from `from`, each with its article."""
    return calculate(request.app.state.catalogue, rule, start, settings)
