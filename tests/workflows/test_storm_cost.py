"""What a reminder costs at 09:00: one write that puts its notice in the outbox with the state
that shows it, no signal to the case for each reminder its path sends (the case hears of it with
the path's next report; its page reads it from the path's projection meanwhile), and
dispatchers served on a task queue of their own."""

from __future__ import annotations

from datetime import timedelta

from temporalio.worker import Worker

from domain.ids import dispatch_queue, dispatch_workflow_id, path_workflow_id
from domain.models import Notice
from domain.policy import DeliveryPolicy
from infra.client import signal_dispatcher
from testing import eventually, open_case
from workers.main import WORKFLOW_RUNNER
from workflows.case import CaseWorkflow
from workflows.dispatch import DispatchWorkflow


async def settled_history(handle):
    """A workflow's history once it has no workflow task pending or running (whose commands
    would be missing)."""

    async def settled():
        description = await handle.describe()
        pending = description.raw_description.HasField("pending_workflow_task")
        return not pending and await handle.fetch_history()

    return await eventually(settled)


async def writes(handle) -> int:
    """The local activities (read-model and outbox writes) in a workflow's history."""
    return sum(
        e.marker_recorded_event_attributes.marker_name == "core_local_activity"
        for e in (await settled_history(handle)).events
        if e.HasField("marker_recorded_event_attributes")
    )


async def signals_sent(handle) -> int:
    return sum(
        e.HasField("signal_external_workflow_execution_initiated_event_attributes")
        for e in (await settled_history(handle)).events
    )


def reminded(timeline) -> set[str]:
    return {e.source for e in timeline if e.kind == "reminder"}


async def test_an_acute_cases_two_reminders_are_two_writes_and_no_signal(env, worker, read_model):
    case, case_id = await open_case(env, worker, acute=True)
    path_id = (await read_model.path("acute_safety")).path_id
    path = env.client.get_workflow_handle(path_workflow_id(case_id, path_id))
    await env.sleep(timedelta(hours=2, minutes=59))
    before = await writes(case), await writes(path), await signals_sent(path)

    await env.sleep(timedelta(minutes=2))  # the safety assessment's and the safe place's reminders
    reminders = [n for n in read_model.notices.values() if n.kind == "reminder"]
    assert sorted(n.subject for n in reminders) == ["acute_safety_assessment", "safe_place"]
    # each reminder is one write, its notice with the state, and the path does not signal
    # its case for its reminder (the case's page reads it from the path's projection)
    after = await writes(case), await writes(path), await signals_sent(path)
    assert after == (before[0] + 1, before[1] + 1, before[2])
    path_state = read_model.paths[path_id].state
    assert [e["kind"] for e in path_state["timeline"]].count("reminder") == 1
    assert reminded((await case.query(CaseWorkflow.state)).timeline) == {"case"}

    await env.sleep(timedelta(days=1))  # the safe place's term passes: the path reports it
    source = f"acute_safety:{path_id}"

    async def told():  # the held reminder goes to the case with the escalation
        return reminded((await case.query(CaseWorkflow.state)).timeline) == {"case", source}

    await eventually(told)
    kinds = [e.kind for e in (await case.query(CaseWorkflow.state)).timeline if e.source == source]
    assert kinds.index("reminder") < kinds.index("escalated")


async def test_the_dispatchers_deliver_while_the_procedures_worker_does_nothing(env, read_model):
    """Only the dispatchers' worker runs: a notice in the outbox still goes out."""
    task_queue = "procedures-busy"
    notice = Notice(
        key="n1", case_id="c1", region="haaglanden", kind="alert", recipient="police", subject="s"
    )
    read_model._queue(notice)
    async with Worker(
        env.client,
        task_queue=dispatch_queue(task_queue),
        workflows=[DispatchWorkflow],
        workflow_runner=WORKFLOW_RUNNER,
        activities=[read_model.deliver_due],
    ):
        await signal_dispatcher(env.client, task_queue, "haaglanden", DeliveryPolicy())
        await eventually(lambda: read_model.delivered)
        dispatcher = env.client.get_workflow_handle(dispatch_workflow_id(task_queue, "haaglanden"))
        await dispatcher.terminate("the test is over")
    assert read_model.delivered == ["n1>police"]
