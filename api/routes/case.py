"""Meldingen and cases: registering a melding, reading cases, the Veilig Thuis steps
(safety assessment, follow-up, investigation, monitoring, closure, consent refused), a
huisverbod request, and destroying a file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AuditDep, allowed
from api.deps import IDEMPOTENT, PartsDep
from api.schemas import (
    CaseCreated,
    CaseDetail,
    CaseList,
    CaseSummary,
    DeliveryView,
    HuisverbodCreated,
    NotificationList,
)
from domain.access import Principal
from domain.case import (
    CaseFilter,
    CloseCmd,
    ConsentRefusedCmd,
    FollowUpCmd,
    InvestigationCmd,
    MeldingIn,
    MonitoringCheckCmd,
    Phase,
    SafetyAssessmentCmd,
)
from domain.huisverbod import HuisverbodRequestIn
from infra.telemetry import CASES_OPENED
from services import case as case_service
from services import huisverbod as huisverbod_service
from services.context import Caller
from services.errors import Refused

router = APIRouter(prefix="/v1", tags=["cases"])


@router.post("/meldingen", status_code=201, response_model=CaseCreated, dependencies=IDEMPOTENT)
async def create_melding(
    melding: MeldingIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.create"))],
) -> CaseCreated:
    """Register a melding: the case file is stored first, then its workflow starts.

    When Temporal is unreachable the case is kept (orchestration "pending") and started
    as soon as it is back, so a melding is never lost.
    """
    caller = Caller(principal, audit)
    case_id, received_at, orchestration = await case_service.open_melding(parts, caller, melding)
    CASES_OPENED.add(1, {"region": melding.region, "reporter": melding.reporter.kind})
    return CaseCreated(
        case_id=case_id,
        phase="triage",
        region=melding.region,
        municipality=melding.municipality,
        opened_at=received_at,
        orchestration=orchestration,
    )


@router.get("/cases", response_model=CaseList)
async def list_cases(
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.list"))],
    region: str | None = None,
    municipality: str | None = None,
    phase: Phase | None = None,
    number: Annotated[
        str | None,
        Query(
            max_length=40,
            description="the start of a case number or id, or its last parts: 000002, 2 and "
            "vt-hgl-2026-2 all find VT-HGL-2026-000002",
        ),
    ] = None,
    assigned_to: Annotated[
        str | None,
        Query(alias="assignedTo", max_length=200, description="the worker's sign-in id"),
    ] = None,
    deadlines: Annotated[
        Literal["overdue", "open"] | None,
        Query(description="overdue: a deadline passed unmet; open: one still to meet"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    name: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> CaseList:
    """The cases the caller may see that match, newest first, a page at a time. By a
    person's name: `POST /v1/cases/search` (a name is never put in a URL)."""
    if name is not None:
        raise Refused(
            400,
            "zoek op een naam met POST /v1/cases/search: een naam hoort niet in een URL (die "
            "komt in logboeken van proxy's en servers terecht)",
        )
    what = CaseFilter(region, municipality, phase, number, assigned_to, deadlines)
    rows, total = await case_service.find(
        parts, Caller(principal, audit), what, limit=limit, offset=offset
    )
    return CaseList(items=[CaseSummary(**r) for r in rows], limit=limit, offset=offset, total=total)


class CaseSearch(BaseModel):
    """A search by a person's name, in the body: a URL (with its query) ends up in the logs
    of proxies and servers, a body does not."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(
        min_length=2,
        max_length=200,
        description="a part of the name of a person in the case file (any case); the search "
        "is logged with the cases it found",
    )
    region: str | None = Field(None, max_length=200)
    municipality: str | None = Field(None, max_length=200)
    phase: Phase | None = None
    number: str | None = Field(
        None, max_length=40, description="the start of a case number or id, or its last parts"
    )
    assigned_to: str | None = Field(None, max_length=200, description="the worker's sign-in id")
    deadlines: Literal["overdue", "open"] | None = None
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=1_000_000)


@router.post("/cases/search", response_model=CaseList)
async def search_cases(
    body: CaseSearch,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.list"))],
) -> CaseList:
    """The cases the caller may see with a person of this name (or a part of it) that match
    the other filters, newest first, a page at a time; changes nothing."""
    what = CaseFilter(
        body.region,
        body.municipality,
        body.phase,
        body.number,
        body.assigned_to,
        body.deadlines,
        body.name,
    )
    rows, total = await case_service.find(
        parts, Caller(principal, audit), what, limit=body.limit, offset=body.offset
    )
    return CaseList(
        items=[CaseSummary(**r) for r in rows], limit=body.limit, offset=body.offset, total=total
    )


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    worker: str | None = Field(
        None, max_length=200, description="the worker's sign-in id; null takes the case back"
    )


@router.post("/cases/{case_id}/assignment", response_model=CaseSummary)
async def assign_case(
    case_id: str,
    body: AssignIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.assign"))],
) -> CaseSummary:
    """A coordinator gives the case to a Veilig Thuis worker of the region, or takes it back."""
    caller = Caller(principal, audit)
    await case_service.assign(parts, caller, case_id, body.worker)
    return CaseSummary(**await case_service.detail(parts, caller, case_id))


@router.get("/cases/{case_id}", response_model=CaseDetail)
async def get_case(
    case_id: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.read"))],
) -> CaseDetail:
    return CaseDetail(**await case_service.detail(parts, Caller(principal, audit), case_id))


@router.get("/cases/{case_id}/notifications", response_model=NotificationList)
async def list_notifications(
    case_id: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.read"))],
) -> NotificationList:
    """Every notification of the case to every partner, with its status, channel and attempts."""
    rows = await case_service.deliveries(parts, Caller(principal, audit), case_id)
    return NotificationList(
        items=[DeliveryView(**{k: r[k] for k in DeliveryView.model_fields}) for r in rows]
    )


@router.post(
    "/cases/{case_id}/huisverbod-requests",
    status_code=201,
    response_model=HuisverbodCreated,
    dependencies=IDEMPOTENT,
)
async def request_huisverbod(
    case_id: str,
    req: HuisverbodRequestIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("huisverbod.request"))],
) -> HuisverbodCreated:
    """The police (or Veilig Thuis) request a tijdelijk huisverbod for a pleger of the case."""
    caller = Caller(principal, audit)
    huisverbod_id = await huisverbod_service.request(parts, caller, case_id, req)
    return HuisverbodCreated(huisverbod_id=huisverbod_id, case_id=case_id, status="requested")


class DestroyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["justified_request", "retention_expired"]


class Destroyed(BaseModel):
    case_id: str
    destroyed_at: datetime
    workflows_terminated: int


@router.post("/cases/{case_id}/destroy", response_model=Destroyed)
async def destroy_case(
    case_id: str,
    body: DestroyIn,
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.destroy"))],
) -> Destroyed:
    """Destroy a Veilig Thuis file: its workflows stop, its rows and its data key are deleted,
    which leaves its Temporal histories and any backup unreadable. The access log keeps ids only."""
    caller = Caller(principal, audit)
    keys = request.app.state.case_keys
    terminated = await case_service.destroy(parts, caller, case_id, body.reason, keys)
    return Destroyed(
        case_id=case_id, destroyed_at=datetime.now(UTC), workflows_terminated=terminated
    )


# --- the Veilig Thuis worker moves a case on; a step its phase does not allow is a 409 ---

StepCaller = Annotated[Principal, Depends(allowed("case.step"))]


async def _step(parts, case_id: str, principal, audit, name: str, cmd) -> CaseDetail:
    caller = Caller(principal, audit)
    await case_service.step(parts, caller, case_id, name, cmd)
    return CaseDetail(**await case_service.detail(parts, caller, case_id))


@router.post("/cases/{case_id}/safety-assessment", response_model=CaseDetail)
async def record_safety_assessment(
    case_id: str, body: SafetyAssessmentCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """The veiligheidsbeoordeling (within 5 working days; at once when acute)."""
    return await _step(parts, case_id, p, audit, "safety_assessment", body)


@router.post("/cases/{case_id}/follow-up", response_model=CaseDetail)
async def decide_follow_up(
    case_id: str, body: FollowUpCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """Close with advice, hand over to a partner, investigate, or refer (beschermtafel, MDA++)."""
    return await _step(parts, case_id, p, audit, "follow_up", body)


@router.post("/cases/{case_id}/investigation", response_model=CaseDetail)
async def record_investigation(
    case_id: str, body: InvestigationCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """The investigation's conclusion (within 10 weeks of its start)."""
    return await _step(parts, case_id, p, audit, "investigation", body)


@router.post("/cases/{case_id}/monitoring-checks", response_model=CaseDetail)
async def record_monitoring_check(
    case_id: str, body: MonitoringCheckCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """A periodic check after handover: does safety hold?"""
    return await _step(parts, case_id, p, audit, "monitoring_check", body)


@router.post("/cases/{case_id}/close", response_model=CaseDetail)
async def close_case(
    case_id: str, body: CloseCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    return await _step(parts, case_id, p, audit, "close", body)


@router.post("/cases/{case_id}/consent-refusals", response_model=CaseDetail)
async def record_consent_refused(
    case_id: str, body: ConsentRefusedCmd, parts: PartsDep, audit: AuditDep, p: StepCaller
) -> CaseDetail:
    """Parents refused consent for help; record it and the path taken instead."""
    return await _step(parts, case_id, p, audit, "consent_refused", body)
