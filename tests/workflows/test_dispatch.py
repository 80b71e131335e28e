"""The region's dispatcher: a case's notices reach their recipients without a workflow per
notice; an unreachable partner is retried with the delivery policy's real backoff, then
failed, escalated and shown on the case, and delays nobody else."""

from __future__ import annotations

import itertools
from datetime import timedelta

from domain.chain_policy import Policy
from domain.ids import dispatch_workflow_id
from domain.policy import DeliveryPolicy
from testing import eventually, open_case
from workflows.case import CaseWorkflow
from workflows.dispatch import DispatchWorkflow


async def kinds_once(case, kind: str) -> list[str]:
    async def kinds():
        found = [e.kind for e in (await case.query(CaseWorkflow.state)).timeline]
        return found if kind in found else None

    return await eventually(kinds)


async def test_notices_go_through_the_regions_dispatcher(env, worker, read_model):
    case, _ = await open_case(env, worker, acute=True)
    assert await read_model.sent(1) == [("alert", "police")]
    await eventually(lambda: read_model.delivered)
    assert read_model.delivered == [f"{next(iter(read_model.notices))}>police"]
    # the region's dispatcher delivered it; the case started no workflow per notice
    dispatcher = env.client.get_workflow_handle(dispatch_workflow_id(worker, "haaglanden"))
    assert (await dispatcher.describe()).workflow_type == DispatchWorkflow.__name__
    history = await case.fetch_history()
    children = [
        e
        for e in history.events
        if e.HasField("start_child_workflow_execution_initiated_event_attributes")
    ]
    assert [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_type.name
        for e in children
    ] == ["AcuteSafetyWorkflow"]


async def test_an_unreachable_partner_is_tried_policy_attempts_then_escalated(
    env, worker, read_model
):
    read_model.unreachable.add("police")
    delivery = DeliveryPolicy()  # the production policy: 12 tries over about an hour
    case, _ = await open_case(env, worker, acute=True, policy=Policy(delivery=delivery))
    [alert] = [k for k in await _keys(read_model) if k.endswith(">police")]
    await env.sleep(timedelta(minutes=5))  # the police's channel is being retried
    started = await env.get_current_time()
    await open_case(env, worker, repeat_violence=True, policy=Policy(delivery=delivery))
    await env.sleep(timedelta(hours=2))

    tries = read_model.attempts[alert]
    assert len(tries) == delivery.attempts
    waits = [round((b - a).total_seconds()) for a, b in itertools.pairwise(tries)]
    assert waits == [delivery.backoff(n).seconds for n in range(1, delivery.attempts)]
    assert [f.key for f in read_model.failed] == [alert]
    escalation = read_model.notices[f"{alert.split('>')[0]}:undelivered"]
    assert escalation.kind == "escalation" and escalation.recipient == "regional_coordinator"
    assert f"{escalation.key}>regional_coordinator" in read_model.delivered
    # meanwhile another case's alert went out at once, not after the police's hour of retries
    [other] = [k for k in read_model.delivered if "repeat_violence" in k]
    assert len(read_model.attempts[other]) == 1
    assert read_model.attempts[other][0] - started < timedelta(seconds=5)
    assert "notification_failed" in await kinds_once(case, "notification_failed")


async def _keys(read_model) -> list[str]:
    return list(await eventually(lambda: read_model.outbox))
