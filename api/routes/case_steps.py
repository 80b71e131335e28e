"""The Veilig Thuis worker moves a case on: safety assessment, follow-up, investigation,
monitoring, closure. A step that the case's phase does not allow is a 409."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.auth import AuditDep, allowed
from api.deps import ConnDep, SettingsDep, TemporalDep
from api.errors import not_found, run_command, unprocessable
from api.routes.cases import at_or_now, case_detail
from api.schemas import CaseDetail
from domain.access import Principal, scope_of
from domain.models import (
    CloseCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    SafetyAssessmentCmd,
)
from store import cases
from workflows.case import CaseWorkflow
from workflows.ids import case_workflow_id

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["veilig thuis"])


async def _step(conn, client, case_id: str, principal: Principal, audit, update, cmd) -> CaseDetail:
    scope = scope_of(principal)
    if await cases.get_case(conn, case_id, scope) is None:
        raise not_found("case")
    await run_command(
        client.get_workflow_handle(case_workflow_id(case_id)).execute_update(update, cmd),
        closed_reason="the case is closed (or its workflow has not started yet)",
    )
    return await case_detail(conn, case_id, scope, audit)


StepCaller = Annotated[Principal, Depends(allowed("case.step"))]


@router.post("/safety-assessment", response_model=CaseDetail)
async def record_safety_assessment(
    case_id: str,
    body: SafetyAssessmentCmd,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: StepCaller,
) -> CaseDetail:
    """The veiligheidsbeoordeling (within 5 working days; at once when acute)."""
    cmd = body.model_copy(update={"assessed_at": at_or_now(body.assessed_at, "assessed_at")})
    return await _step(
        conn, client, case_id, principal, audit, CaseWorkflow.record_safety_assessment, cmd
    )


@router.post("/follow-up", response_model=CaseDetail)
async def decide_follow_up(
    case_id: str,
    body: FollowUpCmd,
    conn: ConnDep,
    client: TemporalDep,
    settings: SettingsDep,
    audit: AuditDep,
    principal: StepCaller,
) -> CaseDetail:
    """Close with advice, hand over to a partner, investigate, or refer (beschermtafel, MDA++)."""
    if body.partner is not None:
        case = await cases.get_case(conn, case_id, scope_of(principal))
        region = settings.chain.region(case["region"]) if case else None
        if region and body.partner not in {p.id for p in region.partners}:
            known = ", ".join(sorted(p.id for p in region.partners))
            raise unprocessable(
                f"unknown partner {body.partner!r} in region {region.slug}; known: {known}"
            )
    cmd = body.model_copy(update={"decided_at": at_or_now(body.decided_at, "decided_at")})
    return await _step(conn, client, case_id, principal, audit, CaseWorkflow.decide_follow_up, cmd)


@router.post("/investigation", response_model=CaseDetail)
async def record_investigation(
    case_id: str,
    body: InvestigationCmd,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: StepCaller,
) -> CaseDetail:
    """The investigation's conclusion (within 10 weeks of its start)."""
    cmd = body.model_copy(update={"concluded_at": at_or_now(body.concluded_at, "concluded_at")})
    return await _step(
        conn, client, case_id, principal, audit, CaseWorkflow.record_investigation, cmd
    )


@router.post("/monitoring-checks", response_model=CaseDetail)
async def record_monitoring_check(
    case_id: str,
    body: MonitoringCheckCmd,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: StepCaller,
) -> CaseDetail:
    """A periodic check after handover: does safety hold?"""
    cmd = body.model_copy(update={"checked_at": at_or_now(body.checked_at, "checked_at")})
    return await _step(
        conn, client, case_id, principal, audit, CaseWorkflow.record_monitoring_check, cmd
    )


@router.post("/close", response_model=CaseDetail)
async def close_case(
    case_id: str,
    body: CloseCmd,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: StepCaller,
) -> CaseDetail:
    cmd = body.model_copy(update={"closed_at": at_or_now(body.closed_at, "closed_at")})
    return await _step(conn, client, case_id, principal, audit, CaseWorkflow.close, cmd)
