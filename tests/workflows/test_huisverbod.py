"""The huisverbod lifecycle with the real legal durations, under time skipping."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.service import RPCError

from domain.case import CaseInput, PersonRef, Unsafety
from domain.huisverbod import (
    AppealCmd,
    Decider,
    DecisionCmd,
    ExtensionCmd,
    HuisverbodRequestCmd,
    MilestoneCmd,
    RulingCmd,
)
from domain.ids import case_workflow_id, huisverbod_workflow_id
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow

MAYOR = Decider(name="A. Burgemeester", capacity="mayor")
HULPOFFICIER = Decider(name="H. Officier", capacity="hulpofficier")
DAY = timedelta(days=1)


async def open_case(env, task_queue, *, children=False):
    case_id = uuid.uuid4().hex
    persons = [PersonRef(ref="p1", role="victim"), PersonRef(ref="p2", role="pleger")]
    if children:
        persons.append(PersonRef(ref="k1", role="child"))
    now = await env.get_current_time()
    case = await env.client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind="police",
            persons=persons,
            unsafety=Unsafety(acute=True, structural=False),
            received_at=now,
        ),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    hv_id = uuid.uuid4().hex
    await case.execute_update(
        CaseWorkflow.request_huisverbod,
        HuisverbodRequestCmd(huisverbod_id=hv_id, pleger_ref="p2", requested_at=now),
    )
    return case, env.client.get_workflow_handle_for(
        HuisverbodWorkflow.run, huisverbod_workflow_id(case_id, hv_id)
    )


async def result_after(env, hv, moment: datetime):
    """Skip time to just past `moment`, then fetch the huisverbod's final state.

    (The test server does not skip time while a client long-polls for a result of a
    child workflow, so the skip is explicit.)
    """
    await env.sleep(max(moment - await env.get_current_time(), timedelta(0)) + timedelta(seconds=1))
    return await hv.result()


async def impose(env, hv, decider=MAYOR):
    now = await env.get_current_time()
    return await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            decision="impose", reason="RiHG: ernstig gevaar", decided_by=decider, decided_at=now
        ),
    )


async def test_imposed_extended_then_expires_exactly_at_the_extended_end(env, worker, read_model):
    case, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    assert imposed.ends_at == imposed.imposed_at + 10 * DAY
    assert imposed.max_end == imposed.imposed_at + 28 * DAY

    await env.sleep(9 * DAY)
    until = imposed.imposed_at + 28 * DAY
    extended = await hv.execute_update(
        HuisverbodWorkflow.extend,
        ExtensionCmd(
            until=until,
            reason="dreiging duurt voort",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    assert extended.status == "extended"

    await env.sleep(until - await env.get_current_time() - timedelta(minutes=1))
    assert (await hv.query(HuisverbodWorkflow.state)).status == "extended"

    final = await result_after(env, hv, until)
    assert final.status == "expired"
    assert final.ended_at == until
    kinds = [e.kind for e in (await case.query(CaseWorkflow.state)).timeline]
    assert kinds[-1] == "huisverbod_expired"
    assert "huisverbod_extended" in kinds
    assert read_model.huisverboden[final.huisverbod_id].status == "expired"


async def test_unextended_ban_expires_after_ten_days(env, worker, read_model):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv, HULPOFFICIER)
    final = await result_after(env, hv, imposed.ends_at)
    assert final.ended_at - imposed.imposed_at == 10 * DAY
    overdue = {d.key for d in final.deadlines if d.status == "overdue"}
    assert overdue == {"contact_address", "help_started"}


async def test_refused_request_ends_without_a_ban(env, worker, read_model):
    _, hv = await open_case(env, worker)
    now = await env.get_current_time()
    refused = await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            decision="refuse", reason="geen ernstig gevaar", decided_by=MAYOR, decided_at=now
        ),
    )
    assert refused.status == "refused" and refused.imposed_at is None
    assert (await result_after(env, hv, refused.requested_at)).status == "refused"
    assert {d.key: d.status for d in refused.deadlines} == {"mayor_decision": "met"}


async def test_ban_lifted_on_appeal_ends_at_once(env, worker, read_model):
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    await env.sleep(2 * DAY)
    appealed = await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(lodged_at=await env.get_current_time())
    )
    ruling_due = next(d for d in appealed.deadlines if d.key == "interim_relief_ruling")
    assert ruling_due.due_at == appealed.appeal.lodged_at + 3 * DAY
    await env.sleep(DAY)
    ruled_at = await env.get_current_time()
    lifted = await hv.execute_update(
        HuisverbodWorkflow.rule, RulingCmd(outcome="lifted", ruled_at=ruled_at)
    )
    assert lifted.status == "lifted" and lifted.ended_at == ruled_at
    assert (await result_after(env, hv, ruled_at)).status == "lifted"


async def test_upheld_ruling_keeps_the_ban_running(env, worker, read_model):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(lodged_at=await env.get_current_time())
    )
    upheld = await hv.execute_update(
        HuisverbodWorkflow.rule, RulingCmd(outcome="upheld", ruled_at=await env.get_current_time())
    )
    assert upheld.status == "imposed"
    assert (await result_after(env, hv, imposed.ends_at)).ended_at == imposed.ends_at


@pytest.mark.parametrize(
    "until_days, wait_days, decider, message",
    [
        (29, 5, MAYOR, "past the legal maximum"),
        (20, 5, HULPOFFICIER, "only be decided by the mayor"),
    ],
)
async def test_extension_outside_the_law_is_refused(
    env, worker, read_model, until_days, wait_days, decider, message
):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    await env.sleep(wait_days * DAY)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await hv.execute_update(
            HuisverbodWorkflow.extend,
            ExtensionCmd(
                until=imposed.imposed_at + until_days * DAY,
                reason="x",
                decided_by=decider,
                decided_at=await env.get_current_time(),
            ),
        )
    assert message in str(err.value.cause)
    assert (await hv.query(HuisverbodWorkflow.state)).ends_at == imposed.ends_at


async def test_extension_after_day_ten_is_refused(env, worker, read_model):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    assert (await result_after(env, hv, imposed.ends_at)).status == "expired"
    with pytest.raises(RPCError):  # the workflow has completed: no handler takes the update
        await hv.execute_update(
            HuisverbodWorkflow.extend,
            ExtensionCmd(
                until=imposed.imposed_at + 20 * DAY,
                reason="te laat",
                decided_by=MAYOR,
                decided_at=await env.get_current_time(),
            ),
        )


async def test_no_decision_within_the_window_is_escalated(env, worker, read_model):
    case, hv = await open_case(env, worker)
    await env.sleep(timedelta(hours=4, minutes=1))
    state = await hv.query(HuisverbodWorkflow.state)
    assert state.status == "requested"
    assert [d.status for d in state.deadlines if d.key == "mayor_decision"] == ["overdue"]
    assert "escalated" in [e.kind for e in (await case.query(CaseWorkflow.state)).timeline]
    decided = await impose(env, hv)
    assert decided.status == "imposed"


async def test_children_involved_require_veilig_thuis_consultation(env, worker, read_model):
    _, hv = await open_case(env, worker, children=True)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await impose(env, hv)
    assert "Wth art. 2 lid 3" in str(err.value.cause)
    now = await env.get_current_time()
    ok = await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            decision="impose",
            reason="r",
            decided_by=MAYOR,
            decided_at=now,
            veilig_thuis_consulted=True,
        ),
    )
    assert "veilig_thuis_consulted" in [e.kind for e in ok.timeline]


async def test_contact_address_given_in_time_meets_its_deadline(env, worker, read_model):
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    await env.sleep(timedelta(hours=5))
    state = await hv.execute_update(
        HuisverbodWorkflow.record_milestone,
        MilestoneCmd(milestone="contact_address_given", at=await env.get_current_time()),
    )
    assert {d.key: d.status for d in state.deadlines}["contact_address"] == "met"
