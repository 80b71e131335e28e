"""Meldingen and cases."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from opentelemetry import trace
from pydantic import BaseModel, ConfigDict
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from activities import destruction
from api.auth import AuditDep, allowed
from api.deps import ConnDep, SettingsDep, TemporalDep
from api.schemas import (
    CaseCreated,
    CaseDetail,
    CaseList,
    CaseSummary,
    DeliveryView,
    HuisverbodCreated,
    NotificationList,
)
from domain.access import Principal, Scope, scope_of
from domain.models import (
    CaseInput,
    HuisverbodRequestCmd,
    HuisverbodRequestIn,
    MeldingIn,
    PersonRef,
    Unsafety,
)
from domain.policy import RuleViolation, check_huisverbod_subject
from ketenregie.settings import Settings
from ketenregie.telemetry import CASES_OPENED
from services.context import at_or_now
from services.errors import not_found, run_command, unprocessable
from store import cases, deadlines, huisverboden, notices
from workflows.case import CaseWorkflow
from workflows.ids import case_workflow_id

router = APIRouter(prefix="/v1", tags=["cases"])


async def start_case(client: Client, settings: Settings, case: dict) -> None:
    """Start (or find already running) the case workflow; idempotent on the case id."""
    await client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case["case_id"],
            region=case["region"],
            municipality=case["municipality"],
            reporter_kind=case["reporter"]["kind"],
            persons=[PersonRef(ref=p["ref"], role=p["role"]) for p in case["persons"]],
            unsafety=Unsafety(**case["unsafety"]),
            received_at=case["opened_at"],
            policy=settings.policy,
        ),
        id=case_workflow_id(case["case_id"]),
        task_queue=settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
    )


def involved_partners(melding: MeldingIn):
    """(field, partner id, allowed kinds) of every partner the melding names."""
    if melding.wijkteam:
        yield "wijkteam", melding.wijkteam, ("sociaal_wijkteam",)
    for i, p in enumerate(melding.persons):
        if p.huisarts:
            yield f"persons[{i}].huisarts", p.huisarts, ("huisarts",)
        if p.school:
            if p.role != "child":
                raise unprocessable(f"persons[{i}].school: only a child has a school")
            yield f"persons[{i}].school", p.school, ("school", "kinderopvang")


@router.post("/meldingen", status_code=201, response_model=CaseCreated)
async def create_melding(
    melding: MeldingIn,
    conn: ConnDep,
    client: TemporalDep,
    settings: SettingsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.create"))],
) -> CaseCreated:
    """Register a melding: the case file is stored first, then its workflow starts.

    When Temporal is unreachable the case is kept (orchestration "pending") and started
    as soon as it is back, so a melding is never lost.
    """
    problem = settings.chain.check_location(melding.region, melding.municipality)
    if problem:
        raise unprocessable(problem)
    for field, partner_id, kinds in involved_partners(melding):
        if problem := settings.chain.check_partner(melding.region, partner_id, kinds):
            raise unprocessable(f"{field}: {problem}")
    if melding.region != principal.region:
        raise HTTPException(
            403, f"{principal.org} registers meldingen for region {principal.region} only"
        )
    received_at = at_or_now(melding.received_at, "received_at")
    case_id = uuid.uuid4().hex
    await cases.insert_case(conn, case_id, melding, received_at)
    CASES_OPENED.add(1, {"region": melding.region, "reporter": melding.reporter.kind})
    trace.get_current_span().set_attribute("ketenregie.case_id", case_id)
    audit.touches(case_id, [p.ref for p in melding.persons])
    orchestration = "pending"
    try:
        await start_case(client, settings, await cases.get_case(conn, case_id))
        await cases.mark_started(conn, case_id)
        orchestration = "started"
    except RPCError:
        pass
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
    conn: ConnDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.list"))],
    region: str | None = None,
    municipality: str | None = None,
    phase: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CaseList:
    """The cases the caller may see, newest first."""
    rows = await cases.list_cases(
        conn,
        scope_of(principal),
        region=region,
        municipality=municipality,
        phase=phase,
        limit=limit,
        offset=offset,
    )
    for r in rows:
        audit.touches(r["case_id"])
    audit.detail = f"search region={region} municipality={municipality} phase={phase}"
    return CaseList(items=[CaseSummary(**dict(r)) for r in rows], limit=limit, offset=offset)


async def case_detail(conn, case_id: str, scope: Scope, audit) -> CaseDetail:
    """The whole case as the caller may see it; 404 outside the caller's scope."""
    case = await cases.get_case(conn, case_id, scope)
    if case is None:
        raise not_found("case")
    audit.touches(case_id, [p["ref"] for p in case["persons"]])
    bans = await huisverboden.list_huisverboden(
        conn, None, municipality=None, status=None, case_id=case_id
    )
    all_deadlines = await deadlines.for_case(conn, case_id)
    return CaseDetail(
        **case,
        deadlines=all_deadlines,
        open_deadlines=[d for d in all_deadlines if d["status"] == "open"],
        huisverboden=bans,
        notices=[dict(n) for n in await notices.for_case(conn, case_id)],
    )


@router.get("/cases/{case_id}", response_model=CaseDetail)
async def get_case(
    case_id: str,
    conn: ConnDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.read"))],
) -> CaseDetail:
    return await case_detail(conn, case_id, scope_of(principal), audit)


@router.get("/cases/{case_id}/notifications", response_model=NotificationList)
async def list_notifications(
    case_id: str,
    conn: ConnDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.read"))],
) -> NotificationList:
    """Every notification of the case to every partner, with its status, channel and attempts."""
    if not await cases.visible(conn, case_id, scope_of(principal)):
        raise not_found("case")
    audit.touches(case_id)
    rows = await notices.deliveries_for_case(conn, case_id)
    return NotificationList(
        items=[
            DeliveryView(
                **{k: r[k] for k in DeliveryView.model_fields if k != "on_time"},
                on_time=None
                if r["due_at"] is None or r["sent_at"] is None
                else r["sent_at"] <= r["due_at"],
            )
            for r in rows
        ]
    )


@router.post(
    "/cases/{case_id}/huisverbod-requests", status_code=201, response_model=HuisverbodCreated
)
async def request_huisverbod(
    case_id: str,
    req: HuisverbodRequestIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("huisverbod.request"))],
) -> HuisverbodCreated:
    """The police (or Veilig Thuis) request a tijdelijk huisverbod for a pleger of the case."""
    case = await cases.get_case(conn, case_id, scope_of(principal))
    if case is None:
        raise not_found("case")
    audit.touches(case_id, [req.pleger_ref])
    person = next((p for p in case["persons"] if p["ref"] == req.pleger_ref), None)
    if person is None:
        raise unprocessable(f"pleger_ref {req.pleger_ref!r} is not a person of this case")
    requested_at = datetime.now(UTC)
    try:
        birth = (
            datetime.fromisoformat(person["birth_date"]).date()
            if person.get("birth_date")
            else None
        )
        check_huisverbod_subject(person["role"], birth, requested_at.date())
    except RuleViolation as e:
        raise unprocessable(str(e)) from None
    huisverbod_id = uuid.uuid4().hex
    audit.huisverbod_id = huisverbod_id
    await huisverboden.insert_request(conn, huisverbod_id, case, req, requested_at)
    handle = client.get_workflow_handle(case_workflow_id(case_id))
    try:
        await run_command(
            handle.execute_update(
                CaseWorkflow.request_huisverbod,
                HuisverbodRequestCmd(
                    huisverbod_id=huisverbod_id,
                    pleger_ref=req.pleger_ref,
                    requested_at=requested_at,
                    incident_at=req.incident_at,
                ),
            ),
            closed_reason="the case workflow is not running (closed, or not started yet)",
        )
    except BaseException:
        await huisverboden.delete_request(conn, huisverbod_id)
        raise
    await cases.mark_police_involved(conn, case_id)
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
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("case.destroy"))],
) -> Destroyed:
    """Destroy a Veilig Thuis file: its workflows stop, its rows and its data key are deleted,
    which leaves its Temporal histories and any backup unreadable. The access log keeps ids only."""
    case = await cases.get_case(conn, case_id, scope_of(principal))
    if case is None:
        raise not_found("case")
    audit.touches(case_id, [p["ref"] for p in case["persons"]])
    audit.detail = f"destroyed: {body.reason}"
    terminated = await destruction.destroy_case(conn, client, request.app.state.case_keys, case_id)
    return Destroyed(
        case_id=case_id, destroyed_at=datetime.now(UTC), workflows_terminated=terminated
    )
