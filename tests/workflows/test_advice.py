"""An advice question's follow-up under time skipping: reminded at 09:00 the working day
before the agreed day, escalated when the day passes without it, both by e-mail too."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.advice import (
    ConvertCmd,
    FollowUpDoneCmd,
    GiveAdviceCmd,
)
from domain.workdays import AMSTERDAM, is_working_day, local_date, nth_working_day_before
from testing import start_advice
from testing.actors import VEILIG_THUIS, by
from workflows.advice import AdviceWorkflow

# each command as the service sends it for a Veilig Thuis worker (the workflow checks it)
ConvertCmd = by(VEILIG_THUIS, ConvertCmd)
FollowUpDoneCmd = by(VEILIG_THUIS, FollowUpDoneCmd)
GiveAdviceCmd = by(VEILIG_THUIS, GiveAdviceCmd)

SECOND = timedelta(seconds=1)


def kinds(state):
    return [e.kind for e in state.timeline]


async def skip_to(env, moment, step=timedelta(days=5)):
    while (now := await env.get_current_time()) < moment:
        await env.sleep(min(step, moment - now))


def agreed_working_day(after: datetime) -> datetime:
    """14:00 on the first working day at least ten days later whose day before is one too."""
    day = local_date(after) + timedelta(days=10)
    while not (is_working_day(day) and is_working_day(day - timedelta(days=1))):
        day += timedelta(days=1)
    return datetime.combine(day, time(14), AMSTERDAM)


async def test_follow_up_reminds_the_working_day_before_at_nine_then_escalates(
    env, worker, read_model
):
    handle, received = await start_advice(env, worker)
    agreed = agreed_working_day(received)
    state = await handle.execute_update(
        AdviceWorkflow.give_advice, GiveAdviceCmd(ref="a1", at=received, follow_up_at=agreed)
    )
    assert state.status == "follow_up_due"
    [deadline] = state.deadlines
    remind = datetime.combine(nth_working_day_before(agreed.date(), 1), time(9), AMSTERDAM)
    assert deadline.key == "advice_follow_up" and deadline.remind_at == remind
    assert deadline.due_at == datetime.combine(
        agreed.date() + timedelta(days=1), time(0), AMSTERDAM
    )
    assert "geen wettelijke termijn" in deadline.rule

    await skip_to(env, remind - SECOND)
    assert "reminder" not in kinds(await handle.query(AdviceWorkflow.state))
    await skip_to(env, remind + SECOND)
    state = await handle.query(AdviceWorkflow.state)
    reminder = next(e for e in state.timeline if e.kind == "reminder")
    assert remind <= reminder.at < remind + SECOND  # 09:00, the working day before
    assert "escalated" not in kinds(state)
    [mailed] = read_model.notices.values()  # to the team, by e-mail, as the question's
    assert (mailed.kind, mailed.recipient, mailed.about) == ("reminder", "veilig_thuis", "advice")
    assert mailed.case_id == state.advice_id

    await skip_to(env, deadline.due_at + SECOND)
    state = await handle.query(AdviceWorkflow.state)
    assert kinds(state)[-2:] == ["reminder", "escalated"]
    assert state.deadlines[0].status == "overdue"
    escalation = [n for n in read_model.notices.values() if n.kind == "escalation"]
    assert [(n.recipient, n.about) for n in escalation] == [("regional_coordinator", "advice")]

    now = await env.get_current_time()
    state = await handle.execute_update(
        AdviceWorkflow.record_follow_up, FollowUpDoneCmd(ref="f1", at=now, noted=True)
    )
    assert state.status == "advised" and state.deadlines[0].met_at == now
    assert read_model.advice[state.advice_id].version == state.version


async def test_a_retried_advice_changes_nothing_and_a_conversion_ends_the_question(env, worker):
    handle, received = await start_advice(env, worker)
    await handle.execute_update(AdviceWorkflow.give_advice, GiveAdviceCmd(ref="a1", at=received))
    again = await handle.execute_update(
        AdviceWorkflow.give_advice, GiveAdviceCmd(ref="a1", at=received)
    )
    assert kinds(again).count("advice_given") == 1
    state = await handle.execute_update(
        AdviceWorkflow.convert, ConvertCmd(ref="c1", at=received, case_id="case1")
    )
    assert state.status == "converted" and state.case_id == "case1"
    assert state.deadlines == [] and (await handle.result()).status == "converted"


async def test_a_follow_up_must_lie_after_the_advice(env, worker):
    handle, received = await start_advice(env, worker)
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(
            AdviceWorkflow.give_advice,
            GiveAdviceCmd(ref="a1", at=received, follow_up_at=received - timedelta(hours=1)),
        )
    assert e.value.cause.type == "Invalid"
