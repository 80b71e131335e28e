"""The Veilig Thuis case lifecycle with its real deadlines, under time skipping."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.case import (
    CaseInput,
    CloseCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    PersonRef,
    SafetyAssessmentCmd,
    Unsafety,
)
from domain.chain_policy import Policy
from domain.huisverbod import HuisverbodRequestCmd
from domain.ids import case_workflow_id
from domain.procedure import StartPathCmd
from domain.veilig_thuis_policy import VeiligThuisPolicy
from testing import eventually
from testing import open_case as open_family_case
from testing.actors import POLICE, VEILIG_THUIS, by
from workflows.case import CaseWorkflow

# each command as the service sends it for a Veilig Thuis worker (the workflow checks it)
CloseCmd = by(VEILIG_THUIS, CloseCmd)
FollowUpCmd = by(VEILIG_THUIS, FollowUpCmd)
InvestigationCmd = by(VEILIG_THUIS, InvestigationCmd)
MonitoringCheckCmd = by(VEILIG_THUIS, MonitoringCheckCmd)
SafetyAssessmentCmd = by(VEILIG_THUIS, SafetyAssessmentCmd)
StartPathCmd = by(VEILIG_THUIS, StartPathCmd)

VT = VeiligThuisPolicy()
SECOND = timedelta(seconds=1)


async def open_case(env, task_queue, *, acute=False, policy=None):
    now = await env.get_current_time()
    case_id = uuid.uuid4().hex
    handle = await env.client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind="professional",
            persons=[PersonRef(ref="p1", role="victim"), PersonRef(ref="p2", role="pleger")],
            unsafety=Unsafety(acute=acute, structural=True, reporter_can_help=False),
            received_at=now,
            policy=policy or Policy(),
        ),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    return handle, now


async def skip_to(env, moment):
    await env.sleep(moment - await env.get_current_time())


async def has_event(case, kind: str) -> bool:
    return kind in kinds(await case.query(CaseWorkflow.state))


def kinds(state):
    return [e.kind for e in state.timeline]


async def test_unmet_safety_assessment_reminds_then_escalates(env, worker, read_model):
    case, received = await open_case(env, worker)
    due, remind = VT.due(received, "safety_assessment")
    state = await case.query(CaseWorkflow.state)
    assert state.phase == "triage"
    assert [(d.key, d.due_at) for d in state.deadlines] == [("safety_assessment", due)]

    await skip_to(env, remind - SECOND)
    assert "reminder" not in kinds(await case.query(CaseWorkflow.state))
    await skip_to(env, remind + SECOND)
    assert "reminder" in kinds(await case.query(CaseWorkflow.state))
    assert "escalated" not in kinds(await case.query(CaseWorkflow.state))

    await skip_to(env, due + SECOND)
    state = await case.query(CaseWorkflow.state)
    assert kinds(state)[-2:] == ["reminder", "escalated"]
    assert state.deadlines[0].status == "overdue"
    assert await read_model.sent(2) == [
        ("escalation", "regional_coordinator"),
        ("reminder", "veilig_thuis"),
    ]


async def test_deadline_met_early_cancels_its_reminder_and_escalation(env, worker, read_model):
    case, received = await open_case(env, worker)
    due, _ = VT.due(received, "safety_assessment")
    await env.sleep(timedelta(hours=2))
    state = await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=await env.get_current_time()),
    )
    assert state.phase == "follow_up_decision" and state.deadlines[0].status == "met"
    await skip_to(env, due + timedelta(days=1))
    state = await case.query(CaseWorkflow.state)
    assert "reminder" not in kinds(state) and "escalated" not in kinds(state)
    assert read_model.notices == {}


async def test_acute_melding_alerts_police_and_wants_an_assessment_within_hours(
    env, worker, read_model
):
    case, received = await open_case(env, worker, acute=True)
    state = await case.query(CaseWorkflow.state)
    assert state.urgent
    assert [(d.key, d.due_at) for d in state.deadlines] == [
        ("acute_safety_assessment", received + timedelta(hours=4))
    ]
    assert await read_model.sent(1) == [("alert", "police")]
    acute = await read_model.path("acute_safety")
    assert [(d.key, d.due_at) for d in acute.deadlines] == [
        ("safe_place", received + timedelta(hours=4))
    ]
    # the path tells its case by signal, just after its own projection
    await eventually(lambda: has_event(case, "partners_alerted"))
    await env.sleep(timedelta(hours=4, seconds=1))
    assert (await case.query(CaseWorkflow.state)).deadlines[0].status == "overdue"


async def test_full_path_investigation_handover_monitoring_close(env, worker, read_model):
    case, _ = await open_case(env, worker)

    async def step(update, cmd):
        return await case.execute_update(update, cmd)

    now = await env.get_current_time()
    await step(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    state = await step(
        CaseWorkflow.decide_follow_up, FollowUpCmd(decision="investigation", decided_at=now)
    )
    assert state.phase == "investigation"
    investigation = next(d for d in state.deadlines if d.key == "investigation")
    assert investigation.due_at == VT.due(now, "investigation")[0]

    await skip_to(env, investigation.due_at - timedelta(days=1))
    now = await env.get_current_time()
    state = await step(
        CaseWorkflow.record_investigation, InvestigationCmd(conclusion="unsafe", concluded_at=now)
    )
    assert state.phase == "follow_up_decision"
    assert next(d for d in state.deadlines if d.key == "investigation").status == "met"

    with pytest.raises(WorkflowUpdateFailedError) as err:
        await step(
            CaseWorkflow.decide_follow_up, FollowUpCmd(decision="investigation", decided_at=now)
        )
    assert "al onderzocht" in str(err.value.cause)

    state = await step(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="handover", partner="zvh-haaglanden", decided_at=now),
    )
    assert state.phase == "monitoring" and state.partner == "zvh-haaglanden"
    first_check = next(d for d in state.deadlines if d.key == "monitoring_check")
    assert first_check.due_at == VT.due(now, "monitoring_check")[0]

    await skip_to(env, first_check.due_at - timedelta(hours=1))
    now = await env.get_current_time()
    state = await step(
        CaseWorkflow.record_monitoring_check, MonitoringCheckCmd(safety_holds=True, checked_at=now)
    )
    checks = [d for d in state.deadlines if d.key == "monitoring_check"]
    assert [d.status for d in checks] == ["met", "open"]

    state = await step(CaseWorkflow.close, CloseCmd(reason="handed_over_and_safe", closed_at=now))
    assert state.phase == "closed"
    assert [d.status for d in state.deadlines if d.key == "monitoring_check"] == ["met", "closed"]
    await env.sleep(SECOND)
    assert (await case.result()).phase == "closed"


async def test_steps_out_of_order_are_refused(env, worker, read_model):
    case, now = await open_case(env, worker)
    for update, cmd, message in [
        (CaseWorkflow.close, CloseCmd(reason="other", closed_at=now), "kan niet worden gesloten"),
        (
            CaseWorkflow.record_investigation,
            InvestigationCmd(conclusion="safe", concluded_at=now),
            "de fase triage en veiligheidsbeoordeling",
        ),
        (
            CaseWorkflow.decide_follow_up,
            FollowUpCmd(decision="handover", decided_at=now),
            "de fase triage en veiligheidsbeoordeling",
        ),
    ]:
        with pytest.raises(WorkflowUpdateFailedError) as err:
            await case.execute_update(update, cmd)
        assert message in str(err.value.cause)


async def test_case_with_a_running_huisverbod_cannot_be_closed(env, worker, read_model):
    case, now = await open_case(env, worker)
    await case.execute_update(
        CaseWorkflow.request_huisverbod,
        HuisverbodRequestCmd(actor=POLICE, huisverbod_id="h1", pleger_ref="p2", requested_at=now),
    )
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=True, structural=True, assessed_at=now),
    )
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await case.execute_update(CaseWorkflow.close, CloseCmd(reason="other", closed_at=now))
    assert "loopt nog" in str(err.value.cause)


async def test_referral_to_mda_is_a_handoff_with_a_notice(env, worker, read_model):
    case, now = await open_case(env, worker)
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    state = await case.execute_update(
        CaseWorkflow.decide_follow_up, FollowUpCmd(decision="mda", decided_at=now)
    )
    assert state.phase == "referred"
    assert await read_model.sent(1) == [("referral", "mda")]


async def test_a_long_case_continues_as_new_and_keeps_its_state(env, worker, read_model):
    case, _ = await open_case(env, worker, policy=Policy(case_events_per_run=60))
    first_run = (await case.describe()).run_id
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    await case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="handover", partner="wijkteam-a", decided_at=now),
    )
    for _ in range(12):  # years of monitoring, one check a quarter
        await env.sleep(timedelta(weeks=12))
        latest = env.client.get_workflow_handle(case.id)
        await latest.execute_update(
            CaseWorkflow.record_monitoring_check,
            MonitoringCheckCmd(safety_holds=True, checked_at=await env.get_current_time()),
        )
    latest = env.client.get_workflow_handle(case.id)
    assert (await latest.describe()).run_id != first_run
    state = await latest.query(CaseWorkflow.state)
    assert state.phase == "monitoring" and state.partner == "wijkteam-a"
    assert kinds(state)[0] == "melding_received"  # the whole timeline came along
    assert kinds(state).count("monitoring_check") == 12
    assert [d.status for d in state.deadlines if d.key == "monitoring_check"][-2:] == [
        "met",
        "open",
    ]
    # a child started now reports to the case's newest run
    now = await env.get_current_time()
    await latest.execute_update(
        CaseWorkflow.request_huisverbod,
        HuisverbodRequestCmd(actor=POLICE, huisverbod_id="hv1", pleger_ref="p2", requested_at=now),
    )
    await eventually(lambda: has_event(latest, "huisverbod_requested"))
    with pytest.raises(WorkflowUpdateFailedError) as err:  # its state came along too
        await latest.execute_update(CaseWorkflow.close, CloseCmd(reason="other", closed_at=now))
    assert "huisverbod" in str(err.value.cause)


async def test_a_deadline_that_passed_stays_missed_when_the_case_closes(env, worker, read_model):
    """The regional figures count it as a missed deadline; one still open merely lapses."""
    case, _ = await open_case(env, worker)
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    state = await case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="handover", partner="zvh-haaglanden", decided_at=now),
    )
    check = next(d for d in state.deadlines if d.key == "monitoring_check")
    await skip_to(env, check.due_at + SECOND)
    now = await env.get_current_time()
    state = await case.execute_update(
        CaseWorkflow.close, CloseCmd(reason="handed_over_and_safe", closed_at=now)
    )
    assert [d.status for d in state.deadlines if d.key == "monitoring_check"] == ["missed"]


async def test_a_referral_starts_its_path_in_the_same_step(env, worker):
    case, _ = await open_family_case(env, worker)
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )

    def start(kind: str, **fields) -> dict:
        cmd = StartPathCmd(kind=kind, path_id=uuid.uuid4().hex, at=now, **fields)
        return cmd.model_dump(mode="json")

    # the start must be the decision's own path
    mda = FollowUpCmd(decision="beschermtafel", decided_at=now, start=start("mda", partners=["x"]))
    with pytest.raises(WorkflowUpdateFailedError):
        await case.execute_update(CaseWorkflow.decide_follow_up, mda)
    # and its subject a child of the case
    victim = start("child_protection", child_ref="p1", via="beschermtafel")
    with pytest.raises(WorkflowUpdateFailedError):
        await case.execute_update(
            CaseWorkflow.decide_follow_up,
            FollowUpCmd(decision="beschermtafel", decided_at=now, start=victim),
        )
    child = start("child_protection", child_ref="k1", via="beschermtafel")
    state = await case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="beschermtafel", decided_at=now, start=child),
    )
    assert state.phase == "referred"

    async def path_referred():
        return "protection_referred" in kinds(await case.query(CaseWorkflow.state))

    await eventually(path_referred)
    # one referral on the timeline: the path's own
    assert "follow_up_beschermtafel" not in kinds(await case.query(CaseWorkflow.state))


async def test_a_referral_to_mda_is_sent_once_by_its_path(env, worker, read_model):
    case, _ = await open_family_case(env, worker)
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    start = StartPathCmd(kind="mda", path_id="mda-1", at=now, partners=["wijkteam"])
    await case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="mda", decided_at=now, start=start.model_dump(mode="json")),
    )
    sent = await read_model.sent(1)
    await asyncio.sleep(0.5)  # a second referral would be queued by now
    assert [n for n in await read_model.sent(1) if n[0] == "referral"] == [
        ("referral", "zorg_en_veiligheidshuis")
    ], sent
