"""Huisverboden: the mayor's office decides and extends; appeal and the court's ruling."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import HuisverbodList, HuisverbodView
from domain.access import Principal
from domain.huisverbod import (
    AppealIn,
    DecisionIn,
    ExtensionIn,
    HearingIn,
    HuisverbodStatus,
    MilestoneIn,
    RulingIn,
    ViolationIn,
    WithdrawalIn,
)
from domain.huisverbod_order import OrderKind
from domain.order_pdf import render
from services import huisverbod
from services.context import Caller

router = APIRouter(prefix="/v1/huisverboden", tags=["huisverboden"])


Decider = Annotated[Principal, Depends(allowed("huisverbod.decide"))]
Extender = Annotated[Principal, Depends(allowed("huisverbod.extend"))]
# the court's acts (Wth art. 6): recorded by the mayor's office's jurist, who receives them
Appellate = Annotated[Principal, Depends(allowed("huisverbod.appeal"))]
Hearing = Annotated[Principal, Depends(allowed("huisverbod.hearing"))]
Ruling = Annotated[Principal, Depends(allowed("huisverbod.ruling"))]
Reader = Annotated[Principal, Depends(allowed("huisverbod.read"))]
Withdrawer = Annotated[Principal, Depends(allowed("huisverbod.withdraw"))]
Police = Annotated[Principal, Depends(allowed("huisverbod.violation"))]
OrderReader = Annotated[Principal, Depends(allowed("huisverbod.order"))]
Refiler = Annotated[Principal, Depends(allowed("huisverbod.refile"))]


@router.get("", response_model=HuisverbodList)
async def list_huisverboden(
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("huisverbod.list"))],
    municipality: str | None = None,
    status: HuisverbodStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HuisverbodList:
    """Oldest request first: the order in which the mayor's office works its inbox."""
    rows = await huisverbod.inbox(
        parts,
        Caller(principal, audit),
        municipality=municipality,
        status=status,
        limit=limit,
        offset=offset,
    )
    return HuisverbodList(items=[HuisverbodView(**r) for r in rows], limit=limit, offset=offset)


@router.get("/{huisverbod_id}", response_model=HuisverbodView)
async def get_huisverbod(
    huisverbod_id: str, parts: PartsDep, audit: AuditDep, principal: Reader
) -> HuisverbodView:
    return HuisverbodView(**await huisverbod.load(parts, Caller(principal, audit), huisverbod_id))


@router.get(
    "/{huisverbod_id}/beschikking.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the written order"}},
)
async def written_order(
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: OrderReader,
    soort: OrderKind = "oplegging",
) -> Response:
    """The written order (beschikking) of the imposition, the refusal, the last extension or
    the withdrawal, as a tagged PDF (PDF/UA-1): for the mayor's office of the municipality,
    Veilig Thuis of the region and the police of the region, who hand it over; 404 while there
    is no such decision. Each download is in the access log."""
    order = await huisverbod.written_order(parts, Caller(principal, audit), huisverbod_id, soort)
    return Response(
        await run_in_threadpool(render, order),
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="beschikking-{soort}-{huisverbod_id}.pdf"',
            "cache-control": "no-store",
        },
    )


@router.post("/{huisverbod_id}/decision", response_model=HuisverbodView)
async def decide(
    huisverbod_id: str, body: DecisionIn, parts: PartsDep, audit: AuditDep, principal: Decider
) -> HuisverbodView:
    """The mayor (or a hulpofficier under mandate, Wth art. 3) imposes or refuses."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.decide(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/extension", response_model=HuisverbodView)
async def extend(
    huisverbod_id: str, body: ExtensionIn, parts: PartsDep, audit: AuditDep, principal: Extender
) -> HuisverbodView:
    """The mayor extends a running ban, at most to four weeks after imposition (Wth art. 9)."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.extend(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/appeal", response_model=HuisverbodView)
async def appeal(
    huisverbod_id: str, body: AppealIn, parts: PartsDep, audit: AuditDep, principal: Appellate
) -> HuisverbodView:
    """The appeal (or request for interim relief) lodged against the mayor's decision, as the
    court notified the mayor (Wth art. 6); the mayor's office's jurist records it."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.appeal(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/ruling", response_model=HuisverbodView)
async def rule(
    huisverbod_id: str, body: RulingIn, parts: PartsDep, audit: AuditDep, principal: Ruling
) -> HuisverbodView:
    """The court's ruling on the appeal or the interim relief (Wth art. 6); "lifted" ends a
    running ban at once. The mayor's office's jurist records it."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.rule(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/hearing", response_model=HuisverbodView)
async def hearing(
    huisverbod_id: str, body: HearingIn, parts: PartsDep, audit: AuditDep, principal: Hearing
) -> HuisverbodView:
    """The court heard the request for interim relief (Wth art. 6: within three days of
    receiving it; the ruling follows)."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.hearing(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/withdrawal", response_model=HuisverbodView)
async def withdraw(
    huisverbod_id: str, body: WithdrawalIn, parts: PartsDep, audit: AuditDep, principal: Withdrawer
) -> HuisverbodView:
    """The mayor withdraws the ban (intrekking); it ends at once."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.withdraw(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/refiling", response_model=HuisverbodView)
async def refile(
    huisverbod_id: str, parts: PartsDep, audit: AuditDep, principal: Refiler
) -> HuisverbodView:
    """File the ban's failed events in the municipality's zaaksysteem again, once its
    configuration is fixed (the mayor's office); 409 when nothing failed."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.refile(parts, caller, huisverbod_id))


@router.post("/{huisverbod_id}/violations", response_model=HuisverbodView)
async def violation(
    huisverbod_id: str, body: ViolationIn, parts: PartsDep, audit: AuditDep, principal: Police
) -> HuisverbodView:
    """The police record a violation (Wth art. 11)."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.violation(parts, caller, huisverbod_id, body))


@router.post("/{huisverbod_id}/milestones", response_model=HuisverbodView)
async def milestone(
    huisverbod_id: str, body: MilestoneIn, parts: PartsDep, audit: AuditDep, principal: Reader
) -> HuisverbodView:
    """Contact address given (Wth art. 2 lid 6), help started, written order issued: each by
    the organisation that does it (403 for others)."""
    caller = Caller(principal, audit)
    return HuisverbodView(**await huisverbod.milestone(parts, caller, huisverbod_id, body))
