"""Every command names who gives it, and every workflow's validator checks that actor against
the act's permission: a command sent straight to a workflow (past the API: a script, a bug,
a Temporal client) that names nobody, or someone without the permission, is refused before
it enters the history and changes nothing. The same command from a Veilig Thuis worker is
taken."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from pydantic import BaseModel
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain import child_protection
from domain.access import Actor
from domain.acute_safety import Placement, SafeWithoutPlacement
from domain.advice import GiveAdviceCmd
from domain.case import ConsentRefusedCmd, SafetyAssessmentCmd
from domain.catalogue import PARTS, build
from domain.child_protection import MeetingScheduled, ProtectionStart
from domain.commands import command, commanded
from domain.ids import path_workflow_id
from domain.mda import MdaIntake
from domain.procedure import StartPathCmd
from domain.safety_plan import SafetyReview
from domain.workdays import local_date
from testing import open_case, start_advice
from testing.actors import POLICE, VEILIG_THUIS
from workers.main import workflows
from workflows.acute_safety import AcuteSafetyWorkflow
from workflows.advice import AdviceWorkflow
from workflows.case import CaseWorkflow
from workflows.child_protection import ChildProtectionWorkflow
from workflows.mda import MdaWorkflow
from workflows.procedure import PathWorkflow, unchecked_updates
from workflows.registry import WORKFLOWS, procedures_of
from workflows.safety_plan import SafetyPlanWorkflow

NOBODY = "de opdracht noemt niet wie haar geeft"
# a shelter's staff: in the chain, but with no permission to record anything
SHELTER = Actor(org="opvang-haaglanden", org_kind="opvang", role="staff")
STEP_DENIED = "mag geen stap in een casus vastleggen"


def test_every_update_that_takes_a_command_checks_its_actor():
    """Deny by default: no workflow has an update whose command could go unchecked (no
    validator, or a command without an actor); the registry refuses a procedure that has."""
    assert {w.__name__: unchecked_updates(w) for w in workflows()} == {
        w.__name__: [] for w in workflows()
    }
    unchecked = replace(child_protection.SPEC, kind="unchecked", slug="unchecked")
    catalogue = build((*PARTS, unchecked))
    with pytest.raises(ValueError, match=r"updates \['step'\] do not check the command's actor"):
        procedures_of(catalogue, {**WORKFLOWS, "unchecked": UncheckedWorkflow})


@workflow.defn(name="Unchecked")
class UncheckedWorkflow(PathWorkflow):
    """A procedure whose step goes unchecked: no validator, a command without an actor."""

    @workflow.run
    async def run(self, start: ProtectionStart) -> None:
        pass

    @workflow.update
    async def step(self, step: MeetingScheduled) -> None:
        pass


async def refused_then_taken(
    handle: WorkflowHandle, query, update, body: BaseModel, denied: str = STEP_DENIED
) -> None:
    """`body` as a command of nobody, of the police and of a shelter is refused (403's type,
    the Dutch reason) and leaves the state and the history's updates as they were; given by a
    Veilig Thuis worker it is taken."""
    before = (await handle.query(query)).model_dump()
    accepted = await _accepted(handle)
    for actor, reason in [
        (None, NOBODY),
        (POLICE, f"een agent van de politie {denied}"),
        (SHELTER, f"een medewerker van de opvang {denied}"),
    ]:
        cmd = commanded(type(body))(**{**dict(body), "actor": actor})
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(update, cmd)
        assert refused.value.cause.type == "Forbidden", actor
        assert reason in refused.value.cause.message, actor
    assert (await handle.query(query)).model_dump() == before
    assert await _accepted(handle) == accepted
    await handle.execute_update(update, command(body, VEILIG_THUIS))
    assert (await handle.query(query)).model_dump() != before


async def _accepted(handle: WorkflowHandle) -> int:
    history = await handle.fetch_history()
    return sum(
        e.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED
        for e in history.events
    )


async def start_path(env, task_queue, kind: str, **fields) -> tuple[WorkflowHandle, WorkflowHandle]:
    """A case, and the path `kind` its worker started: (case, path)."""
    case, case_id = await open_case(env, task_queue)
    path_id = uuid.uuid4().hex
    start = StartPathCmd(kind=kind, path_id=path_id, at=await env.get_current_time(), **fields)
    await case.execute_update(CaseWorkflow.start_path, command(start, VEILIG_THUIS))
    path = env.client.get_workflow_handle(path_workflow_id(case_id, path_id))
    await path.execute_update(ChildProtectionWorkflow.projected)  # the path runs
    return case, path


async def test_the_case_refuses_a_step_of_nobody_or_of_the_police(env, worker, read_model):
    case, _ = await open_case(env, worker)
    now = await env.get_current_time()
    assessment = SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now)
    await refused_then_taken(
        case, CaseWorkflow.state, CaseWorkflow.record_safety_assessment, assessment
    )
    refusal = ConsentRefusedCmd(
        child_ref="k1", refused_by="both_parents", path="veilig_thuis_melding", at=now
    )
    await refused_then_taken(case, CaseWorkflow.state, CaseWorkflow.record_consent_refused, refusal)


async def test_the_case_starts_no_path_for_nobody_or_the_police(env, worker, read_model):
    case, _ = await open_case(env, worker)
    start = StartPathCmd(
        kind="mda", path_id=uuid.uuid4().hex, at=await env.get_current_time(), partners=["politie"]
    )
    for actor in (None, POLICE):
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await case.execute_update(
                CaseWorkflow.start_path, start.model_copy(update={"actor": actor})
            )
        assert refused.value.cause.type == "Forbidden"
    assert await _accepted(case) == 0


async def test_child_protection_refuses_a_step_of_nobody_or_of_the_police(env, worker, read_model):
    _, path = await start_path(env, worker, "child_protection", child_ref="k1", via="beschermtafel")
    now = await env.get_current_time()
    meeting = MeetingScheduled(
        step="meeting_scheduled", meeting_on=local_date(now + timedelta(days=3)), at=now
    )
    await refused_then_taken(
        path, ChildProtectionWorkflow.state, ChildProtectionWorkflow.step, meeting
    )


async def test_mda_refuses_a_step_of_nobody_or_of_the_police(env, worker, read_model):
    _, path = await start_path(env, worker, "mda", partners=["politie"])
    intake = MdaIntake(step="intake_held", accepted=True, at=await env.get_current_time())
    await refused_then_taken(path, MdaWorkflow.state, MdaWorkflow.step, intake)


async def test_a_safety_plan_refuses_a_review_of_nobody_or_of_the_police(env, worker, read_model):
    now = await env.get_current_time()
    review_on = local_date(now + timedelta(days=14))
    _, path = await start_path(
        env,
        worker,
        "safety_plan",
        responsible="wijkteam-a",
        worker="u-17",
        review_dates=[review_on],
    )
    review = SafetyReview(step="review_held", plan_holds=True, at=await env.get_current_time())
    await refused_then_taken(path, SafetyPlanWorkflow.state, SafetyPlanWorkflow.step, review)


async def test_acute_safety_refuses_a_placement_or_step_of_nobody_or_of_the_police(
    env, worker, read_model
):
    _, path = await start_path(env, worker, "acute_safety")
    now = await env.get_current_time()
    placement = Placement(
        placement_id="pl1", person_ref="p1", kind="vrouwenopvang", provider="opvang-haaglanden",
        placed_at=now,
    )  # fmt: skip
    await refused_then_taken(
        path, AcuteSafetyWorkflow.state, AcuteSafetyWorkflow.record_placement, placement
    )
    _, other = await start_path(env, worker, "acute_safety")
    now = await env.get_current_time()
    safe = SafeWithoutPlacement(step="safe_without_placement", arrangement="network", at=now)
    await refused_then_taken(other, AcuteSafetyWorkflow.state, AcuteSafetyWorkflow.step, safe)


async def test_an_advice_question_refuses_advice_of_nobody_or_of_the_police(
    env, worker, read_model
):
    handle, received = await start_advice(env, worker)
    advice = GiveAdviceCmd(ref=uuid.uuid4().hex, at=received)
    await refused_then_taken(
        handle,
        AdviceWorkflow.state,
        AdviceWorkflow.give_advice,
        advice,
        denied="mag geen stap in een adviesvraag vastleggen",
    )
