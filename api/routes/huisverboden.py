"""Huisverboden: the mayor's office decides and extends; appeal and the court's ruling."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query
from temporalio.client import Client

from api.auth import AuditDep, allowed
from api.deps import ConnDep, TemporalDep
from api.errors import not_found, run_command
from api.routes.cases import at_or_now
from api.schemas import HuisverbodList, HuisverbodView
from domain.access import DECIDING_CAPACITY, Principal, scope_of
from domain.models import (
    AppealCmd,
    AppealIn,
    DecisionCmd,
    DecisionIn,
    ExtensionCmd,
    ExtensionIn,
    HuisverbodStatus,
    MilestoneCmd,
    MilestoneIn,
    RulingCmd,
    RulingIn,
)
from store import huisverboden
from workflows.huisverbod import HuisverbodWorkflow
from workflows.ids import huisverbod_workflow_id

router = APIRouter(prefix="/v1/huisverboden", tags=["huisverboden"])


Decider = Annotated[Principal, Depends(allowed("huisverbod.decide"))]
Extender = Annotated[Principal, Depends(allowed("huisverbod.extend"))]
Appellate = Annotated[Principal, Depends(allowed("huisverbod.appeal"))]
Reader = Annotated[Principal, Depends(allowed("huisverbod.read"))]


@router.get("", response_model=HuisverbodList)
async def list_huisverboden(
    conn: ConnDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("huisverbod.list"))],
    municipality: str | None = None,
    status: HuisverbodStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HuisverbodList:
    """Oldest request first: the order in which the mayor's office works its inbox."""
    rows = await huisverboden.list_huisverboden(
        conn,
        scope_of(principal),
        municipality=municipality,
        status=status,
        limit=limit,
        offset=offset,
    )
    for r in rows:
        audit.touches(r["case_id"], [r["pleger_ref"]])
    audit.detail = f"search municipality={municipality} status={status}"
    return HuisverbodList(items=[HuisverbodView(**r) for r in rows], limit=limit, offset=offset)


async def _load(conn, huisverbod_id: str, principal: Principal, audit) -> dict[str, Any]:
    found = await huisverboden.get_huisverbod(conn, huisverbod_id, scope_of(principal))
    if found is None:
        raise not_found("huisverbod")
    audit.touches(found["case_id"], [found["pleger_ref"]])
    return found


@router.get("/{huisverbod_id}", response_model=HuisverbodView)
async def get_huisverbod(
    huisverbod_id: str, conn: ConnDep, audit: AuditDep, principal: Reader
) -> HuisverbodView:
    return HuisverbodView(**await _load(conn, huisverbod_id, principal, audit))


async def _command(
    conn, client: Client, huisverbod_id: str, principal, audit, update, cmd
) -> HuisverbodView:
    current = await _load(conn, huisverbod_id, principal, audit)
    handle = client.get_workflow_handle(huisverbod_workflow_id(current["case_id"], huisverbod_id))
    await run_command(
        handle.execute_update(update, cmd),
        closed_reason=f"the huisverbod is {current['status']}; it no longer takes commands",
    )
    return HuisverbodView(**await _load(conn, huisverbod_id, principal, audit))


def _own_capacity(principal: Principal, capacity: str) -> None:
    """A mayor's office decides as the mayor, the police as hulpofficier; nobody in another's name."""
    own = DECIDING_CAPACITY.get(principal.org_kind)
    if capacity != own:
        raise HTTPException(
            403, f"a {principal.org_kind} decides in the capacity {own!r}, not {capacity!r}"
        )


@router.post("/{huisverbod_id}/decision", response_model=HuisverbodView)
async def decide(
    huisverbod_id: str,
    body: DecisionIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Decider,
) -> HuisverbodView:
    """The mayor (or a hulpofficier under mandate, Wth art. 3) imposes or refuses."""
    _own_capacity(principal, body.decided_by.capacity)
    cmd = DecisionCmd(
        **body.model_dump(exclude={"decided_at"}),
        decided_at=at_or_now(body.decided_at, "decided_at"),
    )
    return await _command(
        conn, client, huisverbod_id, principal, audit, HuisverbodWorkflow.decide, cmd
    )


@router.post("/{huisverbod_id}/extension", response_model=HuisverbodView)
async def extend(
    huisverbod_id: str,
    body: ExtensionIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Extender,
) -> HuisverbodView:
    """The mayor extends a running ban, at most to four weeks after imposition (Wth art. 9)."""
    cmd = ExtensionCmd(
        **body.model_dump(exclude={"decided_at"}),
        decided_at=at_or_now(body.decided_at, "decided_at"),
    )
    return await _command(
        conn, client, huisverbod_id, principal, audit, HuisverbodWorkflow.extend, cmd
    )


@router.post("/{huisverbod_id}/appeal", response_model=HuisverbodView)
async def appeal(
    huisverbod_id: str,
    body: AppealIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Appellate,
) -> HuisverbodView:
    cmd = AppealCmd(
        lodged_at=at_or_now(body.lodged_at, "lodged_at"),
        interim_relief_requested=body.interim_relief_requested,
    )
    return await _command(
        conn, client, huisverbod_id, principal, audit, HuisverbodWorkflow.appeal, cmd
    )


@router.post("/{huisverbod_id}/ruling", response_model=HuisverbodView)
async def rule(
    huisverbod_id: str,
    body: RulingIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Appellate,
) -> HuisverbodView:
    cmd = RulingCmd(outcome=body.outcome, ruled_at=at_or_now(body.ruled_at, "ruled_at"))
    return await _command(
        conn, client, huisverbod_id, principal, audit, HuisverbodWorkflow.rule, cmd
    )


@router.post("/{huisverbod_id}/milestones", response_model=HuisverbodView)
async def milestone(
    huisverbod_id: str,
    body: MilestoneIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Reader,
) -> HuisverbodView:
    """Contact address given (Wth art. 2 lid 6), help started, written order issued."""
    cmd = MilestoneCmd(milestone=body.milestone, at=at_or_now(body.at, "at"))
    return await _command(
        conn, client, huisverbod_id, principal, audit, HuisverbodWorkflow.record_milestone, cmd
    )
