"""The notify workflow: retries with the delivery policy's real backoff, then fails visibly."""

from __future__ import annotations

from domain.models import Notice, NotifyInput
from domain.policy import DeliveryPolicy
from workflows.notify import NotifyWorkflow

ALERT = Notice(
    key="case:c1:alert:acute_unsafety:t",
    case_id="c1",
    region="haaglanden",
    kind="alert",
    recipient="police",
    subject="acute_unsafety",
)


async def notify(env, task_queue, policy: DeliveryPolicy):
    handle = await env.client.start_workflow(
        NotifyWorkflow.run,
        NotifyInput(notice=ALERT, delivery=policy),
        id="notice-c1-test",
        task_queue=task_queue,
    )
    return await handle.result()


async def test_a_delivery_is_made_once(env, worker, read_model):
    [outcome] = await notify(env, worker, DeliveryPolicy())
    assert outcome.status == "sent"
    assert read_model.delivered == [f"{ALERT.key}>police"]


async def test_an_unreachable_partner_is_tried_policy_attempts_then_escalated(
    env, worker, read_model
):
    read_model.unreachable.add("police")
    policy = DeliveryPolicy()  # the production policy: 12 tries
    outcomes = await notify(env, worker, policy)

    police, coordinator = outcomes
    assert police.status == "failed" and "connection refused" in police.error
    tries = read_model.attempts[police.key]
    assert len(tries) == policy.attempts
    assert [f.key for f in read_model.failed] == [police.key]
    assert coordinator.status == "sent"
    escalation = read_model.notices[f"{ALERT.key}:undelivered"]
    assert escalation.kind == "escalation" and escalation.recipient == "regional_coordinator"
