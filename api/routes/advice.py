"""Advice questions (adviesvragen): registering a question, reading them, and the Veilig Thuis
steps (advice with a follow-up, the follow-up, closing, turning it into a melding)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from api.auth import AuditDep, allowed
from api.deps import IDEMPOTENT, PartsDep
from api.schemas import (
    AdviceConverted,
    AdviceCreated,
    AdviceDetail,
    AdviceList,
    AdviceStep,
    AdviceSummary,
)
from domain.access import Principal
from domain.advice import (
    AdviceCloseIn,
    AdviceFilter,
    AdviceIn,
    AdviceQuestionIn,
    AdviceStatus,
    ConvertIn,
    FollowUpIn,
)
from services import advice as advice_service
from services.context import Caller

router = APIRouter(prefix="/v1/adviesvragen", tags=["advice"])
Creating = Annotated[Principal, Depends(allowed("advice.create"))]
Reading = Annotated[Principal, Depends(allowed("advice.read"))]
Stepping = Annotated[Principal, Depends(allowed("advice.step"))]


@router.post("", status_code=201, response_model=AdviceCreated, dependencies=IDEMPOTENT)
async def register(
    question: AdviceQuestionIn, parts: PartsDep, audit: AuditDep, principal: Creating
) -> AdviceCreated:
    """Register an advice question; the family may stay unnamed. Its workflow starts after
    the question is stored (or once Temporal is back: orchestration "pending")."""
    advice_id, received_at, orchestration = await advice_service.register(
        parts, Caller(principal, audit), question
    )
    return AdviceCreated(
        advice_id=advice_id,
        status="registered",
        region=question.region,
        received_at=received_at,
        orchestration=orchestration,
    )


@router.get("", response_model=AdviceList)
async def list_advice(
    parts: PartsDep,
    audit: AuditDep,
    principal: Reading,
    municipality: Annotated[str | None, Query(max_length=20)] = None,
    status: AdviceStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AdviceList:
    """The region's advice questions that match, newest first, a page at a time."""
    rows, total = await advice_service.find(
        parts,
        Caller(principal, audit),
        AdviceFilter(municipality, status),
        limit=limit,
        offset=offset,
    )
    items = [AdviceSummary(**r) for r in rows]
    return AdviceList(items=items, limit=limit, offset=offset, total=total)


@router.get("/{advice_id}", response_model=AdviceDetail)
async def get_advice(
    advice_id: str, parts: PartsDep, audit: AuditDep, principal: Reading
) -> AdviceDetail:
    """The question, its persons, the advice given, its timeline and follow-ups."""
    return AdviceDetail(**await advice_service.detail(parts, Caller(principal, audit), advice_id))


@router.post("/{advice_id}/advies", response_model=AdviceStep, dependencies=IDEMPOTENT)
async def give_advice(
    advice_id: str, body: AdviceIn, parts: PartsDep, audit: AuditDep, principal: Stepping
) -> AdviceStep:
    """Record the advice given and, when agreed with the asker, the follow-up moment: a
    deadline reminded at 09:00 the working day before."""
    state = await advice_service.give_advice(parts, Caller(principal, audit), advice_id, body)
    return AdviceStep(**state.model_dump())


@router.post("/{advice_id}/opvolging", response_model=AdviceStep, dependencies=IDEMPOTENT)
async def record_follow_up(
    advice_id: str, body: FollowUpIn, parts: PartsDep, audit: AuditDep, principal: Stepping
) -> AdviceStep:
    """The agreed follow-up took place (a note, a further follow-up if agreed)."""
    caller = Caller(principal, audit)
    state = await advice_service.record_follow_up(parts, caller, advice_id, body)
    return AdviceStep(**state.model_dump())


@router.post("/{advice_id}/sluiten", response_model=AdviceStep, dependencies=IDEMPOTENT)
async def close(
    advice_id: str, body: AdviceCloseIn, parts: PartsDep, audit: AuditDep, principal: Stepping
) -> AdviceStep:
    state = await advice_service.close(parts, Caller(principal, audit), advice_id, body)
    return AdviceStep(**state.model_dump())


@router.post(
    "/{advice_id}/melding", status_code=201, response_model=AdviceConverted, dependencies=IDEMPOTENT
)
async def convert(
    advice_id: str, body: ConvertIn, parts: PartsDep, audit: AuditDep, principal: Stepping
) -> AdviceConverted:
    """Turn the question into a melding (the persons must then be named): the case's timeline
    opens with the advice's history; the question links to the case."""
    caller = Caller(principal, audit)
    state, _, orchestration = await advice_service.convert(parts, caller, advice_id, body)
    return AdviceConverted(**state.model_dump(), orchestration=orchestration)
