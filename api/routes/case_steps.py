"""The Veilig Thuis worker moves a case on: safety assessment, follow-up, investigation,
monitoring, closure, consent refused. A step that the case's phase does not allow is a 409."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.routes.cases import case_detail
from api.schemas import CaseDetail
from domain.access import Principal
from domain.case import ConsentRefusedCmd
from domain.models import (
    CloseCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    SafetyAssessmentCmd,
)
from services import case as case_service
from services.context import Caller
from workflows.case import CaseWorkflow

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["veilig thuis"])
StepCaller = Annotated[Principal, Depends(allowed("case.step"))]


async def _step(parts, case_id: str, principal, audit, update, cmd, moment: str) -> CaseDetail:
    caller = Caller(principal, audit)
    await case_service.step(parts, caller, case_id, update, cmd, moment)
    async with parts.pool.acquire() as conn:
        return await case_detail(conn, case_id, caller.scope, audit)


@router.post("/safety-assessment", response_model=CaseDetail)
async def record_safety_assessment(
    case_id: str, body: SafetyAssessmentCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """The veiligheidsbeoordeling (within 5 working days; at once when acute)."""
    update = CaseWorkflow.record_safety_assessment
    return await _step(parts, case_id, p, audit, update, body, "assessed_at")


@router.post("/follow-up", response_model=CaseDetail)
async def decide_follow_up(
    case_id: str, body: FollowUpCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """Close with advice, hand over to a partner, investigate, or refer (beschermtafel, MDA++)."""
    update = CaseWorkflow.decide_follow_up
    return await _step(parts, case_id, p, audit, update, body, "decided_at")


@router.post("/investigation", response_model=CaseDetail)
async def record_investigation(
    case_id: str, body: InvestigationCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """The investigation's conclusion (within 10 weeks of its start)."""
    update = CaseWorkflow.record_investigation
    return await _step(parts, case_id, p, audit, update, body, "concluded_at")


@router.post("/monitoring-checks", response_model=CaseDetail)
async def record_monitoring_check(
    case_id: str, body: MonitoringCheckCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """A periodic check after handover: does safety hold?"""
    update = CaseWorkflow.record_monitoring_check
    return await _step(parts, case_id, p, audit, update, body, "checked_at")


@router.post("/close", response_model=CaseDetail)
async def close_case(
    case_id: str, body: CloseCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    return await _step(parts, case_id, p, audit, CaseWorkflow.close, body, "closed_at")


@router.post("/consent-refusals", response_model=CaseDetail)
async def record_consent_refused(
    case_id: str, body: ConsentRefusedCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """Parents refused consent for help; record it and the path taken instead."""
    update = CaseWorkflow.record_consent_refused
    return await _step(parts, case_id, p, audit, update, body, "at")
