"""Escalation paths of a case: child protection, MDA++, acute safety, the safety plan; and
consent refused. Each path is a child workflow of the case; a step its state does not allow
is a 409, a step against a rule a 422. Where a placed person is safe is shown to Veilig
Thuis of the region and the provider only."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, TypeAdapter
from temporalio.client import Client

from api.auth import AuditDep, AuditEntry, allowed
from api.deps import ConnDep, SettingsDep, TemporalDep
from api.errors import not_found, run_command, unavailable, unprocessable
from api.routes.cases import at_or_now, case_detail
from api.schemas import CaseDetail
from domain.access import Principal, may_see_location, scope_of
from domain.paths import (
    AcuteStartIn,
    AcuteState,
    AcuteStep,
    AnyPath,
    ConsentRefusedCmd,
    CourtDecided,
    MdaStartIn,
    MdaStep,
    MeasureRenewed,
    PathKind,
    Placement,
    PlacementIn,
    ProtectionStartIn,
    ProtectionStep,
    SafetyPlanIn,
    SafetyPlanStep,
    StartPathCmd,
    check_child_consent,
)
from domain.policy import RuleViolation, check_majority, is_adult
from store import cases, paths
from workflows.case import CaseWorkflow
from workflows.ids import case_workflow_id, path_workflow_id
from workflows.mda import MdaWorkflow
from workflows.protection import ChildProtectionWorkflow
from workflows.safety import AcuteSafetyWorkflow, SafetyPlanWorkflow

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["escalation paths"])

Stepper = Annotated[Principal, Depends(allowed("case.step"))]
Reader = Annotated[Principal, Depends(allowed("case.read"))]
LocationReader = Annotated[Principal, Depends(allowed("placement.location.read"))]
APPEARS_WITHIN = 10.0  # seconds for a started path to reach the read model
WITHHELD = "withheld"
PATH_VIEW: TypeAdapter[AnyPath] = TypeAdapter(AnyPath)


class PathList(BaseModel):
    items: list[AnyPath]


class PlacementView(BaseModel):
    """A placement as everyone who may read the case sees it: without the location."""

    placement_id: str
    person_ref: str
    kind: str
    provider: str
    placed_at: datetime


class PlacementLocation(BaseModel):
    placement_id: str
    person_ref: str
    provider: str
    location: str


async def _case(conn, case_id: str, principal: Principal, audit: AuditEntry) -> dict[str, Any]:
    case = await cases.get_case(conn, case_id, scope_of(principal))
    if case is None:
        raise not_found("case")
    audit.touches(case_id, [p["ref"] for p in case["persons"]])
    return case


def _person(case: dict[str, Any], ref: str) -> dict[str, Any]:
    person = next((p for p in case["persons"] if p["ref"] == ref), None)
    if person is None:
        raise unprocessable(f"{ref!r} is not a person of this case")
    return person


def _birth(person: dict[str, Any]) -> date | None:
    return date.fromisoformat(person["birth_date"]) if person.get("birth_date") else None


def _check(rule, *args) -> None:
    try:
        rule(*args)
    except RuleViolation as e:
        raise unprocessable(str(e)) from None


def _partners(settings, case: dict[str, Any], ids: list[str], kinds: tuple[str, ...]) -> None:
    region = settings.chain.region(case["region"])
    known = {p.id: p.kind for p in (region.partners if region else [])}
    for partner_id in ids:
        if partner_id not in known:
            raise unprocessable(f"{partner_id!r} is not a partner organisation of {case['region']}")
        if kinds and known[partner_id] not in kinds:
            raise unprocessable(
                f"{partner_id!r} is a {known[partner_id]}, not a {' or '.join(kinds)}"
            )


async def _start(conn, client: Client, case_id: str, cmd: StartPathCmd) -> AnyPath:
    """Ask the case to start the path; answer with the path once the read model has it."""
    await run_command(
        client.get_workflow_handle(case_workflow_id(case_id)).execute_update(
            CaseWorkflow.start_path, cmd
        ),
        closed_reason="the case workflow is not running (closed, or not started yet)",
    )
    deadline = time.monotonic() + APPEARS_WITHIN
    while (state := await paths.get(conn, case_id, cmd.path_id)) is None:
        if time.monotonic() > deadline:
            raise unavailable("the path was started; it is not visible yet, look again shortly")
        await asyncio.sleep(0.1)
    return _view(state)


async def _load(conn, case_id: str, path_id: str, kind: PathKind | None = None) -> dict:
    state = await paths.get(conn, case_id, path_id)
    if state is None or (kind is not None and state["kind"] != kind):
        raise not_found("path")
    return state


async def _step(conn, client: Client, case_id: str, path_id: str, kind: PathKind, update, step):
    await _load(conn, case_id, path_id, kind)
    step = step.model_copy(update={"at": at_or_now(step.at, "at")})
    await run_command(
        client.get_workflow_handle(path_workflow_id(case_id, path_id)).execute_update(update, step),
        closed_reason="this path has closed; it takes no more steps",
    )
    return _view(await _load(conn, case_id, path_id))


def _view(state: dict, principal: Principal | None = None) -> AnyPath:
    """The path as `principal` may see it: which shelter or crisis provider took a person in
    narrows down where they are, so only Veilig Thuis sees the provider."""
    view = PATH_VIEW.validate_python(state)
    if isinstance(view, AcuteState) and principal and principal.org_kind != "veilig_thuis":
        for placement in view.placements:
            placement.provider = WITHHELD
    return view


def _new_id() -> str:
    return uuid.uuid4().hex


# --- reading ---


@router.get("/paths", response_model=PathList)
async def list_paths(case_id: str, conn: ConnDep, audit: AuditDep, principal: Reader) -> PathList:
    """Every escalation path of the case, oldest first (placements without their location)."""
    await _case(conn, case_id, principal, audit)
    return PathList(items=[_view(s, principal) for s in await paths.for_case(conn, case_id)])


@router.get("/paths/{path_id}", response_model=AnyPath)
async def get_path(
    case_id: str, path_id: str, conn: ConnDep, audit: AuditDep, principal: Reader
) -> AnyPath:
    await _case(conn, case_id, principal, audit)
    return _view(await _load(conn, case_id, path_id), principal)


# --- consent refused ---


@router.post("/consent-refusals", response_model=CaseDetail)
async def record_consent_refused(
    case_id: str,
    body: ConsentRefusedCmd,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> CaseDetail:
    """Parents refused consent for help; record it and the path taken instead."""
    case = await _case(conn, case_id, principal, audit)
    cmd = body.model_copy(update={"at": at_or_now(body.at, "at")})
    if cmd.path == "help_with_consent_of_the_child":
        _check(check_child_consent, _birth(_person(case, cmd.child_ref)), cmd.at.date())
    await run_command(
        client.get_workflow_handle(case_workflow_id(case_id)).execute_update(
            CaseWorkflow.record_consent_refused, cmd
        ),
        closed_reason="the case workflow is not running (closed, or not started yet)",
    )
    return await case_detail(conn, case_id, scope_of(principal), audit)


# --- child protection ---


@router.post("/child-protection", status_code=201, response_model=AnyPath)
async def start_child_protection(
    case_id: str,
    body: ProtectionStartIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """Refer a child to the beschermtafel, or ask the Raad to investigate at once (CORV)."""
    case = await _case(conn, case_id, principal, audit)
    child = _person(case, body.child_ref)
    at = at_or_now(body.at, "at")
    birth = _birth(child)
    if child["role"] != "child" or (birth is not None and is_adult(birth, at.date())):
        raise unprocessable(f"{body.child_ref!r} is not a minor child of this case (BW 1:233)")
    cmd = StartPathCmd(
        kind="child_protection", path_id=_new_id(), at=at, child_ref=body.child_ref, via=body.via
    )
    return await _start(conn, client, case_id, cmd)


@router.post("/child-protection/{path_id}/steps", response_model=AnyPath)
async def child_protection_step(
    case_id: str,
    path_id: str,
    body: ProtectionStep,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """Beschermtafel, the Raad's answer and conclusion, the court's decision, a measure's
    renewal or end. The measure's end date is checked against BW boek 1."""
    case = await _case(conn, case_id, principal, audit)
    if isinstance(body, CourtDecided | MeasureRenewed):
        state = await _load(conn, case_id, path_id, "child_protection")
        end = body.ends_at if isinstance(body, CourtDecided) else body.until
        birth = _birth(_person(case, state["child_ref"]))
        if birth is not None and end is not None:
            _check(check_majority, birth, end.date())
    return await _step(
        conn, client, case_id, path_id, "child_protection", ChildProtectionWorkflow.step, body
    )


# --- MDA++ ---


@router.post("/mda", status_code=201, response_model=AnyPath)
async def start_mda(
    case_id: str,
    body: MdaStartIn,
    conn: ConnDep,
    client: TemporalDep,
    settings: SettingsDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """Refer the case to MDA++ with the partners that take part."""
    case = await _case(conn, case_id, principal, audit)
    _partners(settings, case, body.partners, ())
    cmd = StartPathCmd(
        kind="mda", path_id=_new_id(), at=at_or_now(body.at, "at"), partners=body.partners
    )
    return await _start(conn, client, case_id, cmd)


@router.post("/mda/{path_id}/steps", response_model=AnyPath)
async def mda_step(
    case_id: str,
    path_id: str,
    body: MdaStep,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """Intake, joint analysis, the shared plan, an action done, a review, closure."""
    await _case(conn, case_id, principal, audit)
    return await _step(conn, client, case_id, path_id, "mda", MdaWorkflow.step, body)


# --- acute safety ---


@router.post("/acute-safety", status_code=201, response_model=AnyPath)
async def start_acute_safety(
    case_id: str,
    body: AcuteStartIn,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """Acute unsafety found later in the case: alert the police, a safe place is due at once."""
    await _case(conn, case_id, principal, audit)
    cmd = StartPathCmd(kind="acute_safety", path_id=_new_id(), at=at_or_now(body.at, "at"))
    return await _start(conn, client, case_id, cmd)


@router.post("/acute-safety/{path_id}/placements", status_code=201, response_model=PlacementView)
async def record_placement(
    case_id: str,
    path_id: str,
    body: PlacementIn,
    conn: ConnDep,
    client: TemporalDep,
    settings: SettingsDep,
    audit: AuditDep,
    principal: Stepper,
) -> PlacementView:
    """A child placed by the crisisdienst jeugd, or an adult in a shelter. The location is
    stored apart and never shown in the case, its timeline or its notifications."""
    case = await _case(conn, case_id, principal, audit)
    person = _person(case, body.person_ref)
    if (body.kind == "crisis_placement") != (person["role"] == "child"):
        raise unprocessable(
            "a child is placed by the crisisdienst jeugd (crisis_placement); "
            "an adult goes to a vrouwenopvang or mannenopvang"
        )
    kinds = ("crisisdienst_jeugd",) if body.kind == "crisis_placement" else ("opvang",)
    _partners(settings, case, [body.provider], kinds)
    await _load(conn, case_id, path_id, "acute_safety")
    placement = Placement(
        placement_id=_new_id(),
        person_ref=body.person_ref,
        kind=body.kind,
        provider=body.provider,
        placed_at=at_or_now(body.at, "at"),
        parents_consent=body.parents_consent,
    )
    await paths.insert_placement(conn, placement.placement_id, case_id, path_id, body)
    try:
        await run_command(
            client.get_workflow_handle(path_workflow_id(case_id, path_id)).execute_update(
                AcuteSafetyWorkflow.record_placement, placement
            ),
            closed_reason="the acute safety path has closed",
        )
    except BaseException:
        await paths.delete_placement(conn, placement.placement_id)
        raise
    return PlacementView(**placement.model_dump())


@router.post("/acute-safety/{path_id}/steps", response_model=AnyPath)
async def acute_safety_step(
    case_id: str,
    path_id: str,
    body: AcuteStep,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """Safe without a placement (huisverbod, the pleger left, the network), or a placement ended."""
    await _case(conn, case_id, principal, audit)
    return await _step(
        conn, client, case_id, path_id, "acute_safety", AcuteSafetyWorkflow.step, body
    )


@router.get("/placements/{placement_id}/location", response_model=PlacementLocation)
async def placement_location(
    case_id: str,
    placement_id: str,
    conn: ConnDep,
    audit: AuditDep,
    principal: LocationReader,
) -> PlacementLocation:
    """Where the person is safe: for Veilig Thuis of the region and the provider only."""
    found = await paths.get_placement(conn, placement_id)
    if found is None or found["case_id"] != case_id:
        raise not_found("placement")
    audit.touches(case_id, [found["person_ref"]])
    if not may_see_location(principal, found["provider"], found["region"]):
        raise HTTPException(
            403, "the location of a placement is known to Veilig Thuis and the provider only"
        )
    return PlacementLocation(**{k: found[k] for k in PlacementLocation.model_fields})


# --- the Signs of Safety safety plan ---


@router.post("/safety-plan", status_code=201, response_model=AnyPath)
async def start_safety_plan(
    case_id: str,
    body: SafetyPlanIn,
    conn: ConnDep,
    client: TemporalDep,
    settings: SettingsDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """The safety plan made with the family and its review dates."""
    case = await _case(conn, case_id, principal, audit)
    _partners(settings, case, [body.responsible], ())
    at = at_or_now(body.at, "at")
    if body.review_dates[0] < datetime.now(UTC).date():
        raise unprocessable(f"review date {body.review_dates[0].isoformat()} lies in the past")
    cmd = StartPathCmd(
        kind="safety_plan",
        path_id=_new_id(),
        at=at,
        responsible=body.responsible,
        worker=body.worker,
        review_dates=body.review_dates,
    )
    return await _start(conn, client, case_id, cmd)


@router.post("/safety-plan/{path_id}/steps", response_model=AnyPath)
async def safety_plan_step(
    case_id: str,
    path_id: str,
    body: SafetyPlanStep,
    conn: ConnDep,
    client: TemporalDep,
    audit: AuditDep,
    principal: Stepper,
) -> AnyPath:
    """A review held with the family (and the next date, if agreed), or the plan closed."""
    await _case(conn, case_id, principal, audit)
    return await _step(conn, client, case_id, path_id, "safety_plan", SafetyPlanWorkflow.step, body)
