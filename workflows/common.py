"""Helpers shared by the case and huisverbod workflows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from domain.models import Notice, NotifyInput
    from domain.policy import DeadlinePolicy, DeliveryPolicy
    from workflows.deadlines import Firing
    from workflows.ids import notice_workflow_id
    from workflows.notify import NotifyWorkflow
    from workflows.options import COORDINATOR

T = TypeVar("T")


def deadline_notice(firing: Firing, case_id: str, region: str) -> Notice:
    """A reminder goes to the team responsible; an escalation to the regional coordinator."""
    kind, d = firing
    return Notice(
        key=f"{d.source}:{d.key}:{d.due_at.isoformat()}:{kind}",
        case_id=case_id,
        region=region,
        kind=kind,
        recipient=d.responsible if kind == "reminder" else COORDINATOR,
        subject=d.key,
        due_at=d.due_at,
        detail=f"{'due soon' if kind == 'reminder' else 'passed unmet'}: {d.label}",
    )


def firing_event(firing: Firing, now: datetime) -> tuple[str, str]:
    """(kind, detail) of the timeline event a firing deadline leaves; counted in the metrics
    (missed deadlines, how late a reminder went out)."""
    kind, d = firing
    meter = workflow.metric_meter()
    if kind == "reminder" and d.remind_at is not None:
        meter.create_histogram_timedelta(
            "ketenregie_reminder_lateness", "reminder sent after its moment", "ms"
        ).record(now - d.remind_at, {"deadline": d.key})
    else:
        meter.create_counter("ketenregie_deadlines_missed").add(1, {"deadline": d.key})
    if kind == "reminder":
        return "reminder", f"reminder to {d.responsible}: {d.label}"
    return "escalated", f"deadline passed unmet, escalated to the coordinator: {d.label}"


async def send(notices: list[Notice], delivery: DeliveryPolicy) -> None:
    """Hand each notice to its own notify workflow; a notice is started once, ever."""
    for n in notices:
        try:
            await workflow.start_child_workflow(
                NotifyWorkflow.run,
                NotifyInput(notice=n, delivery=delivery),
                id=notice_workflow_id(n.case_id, n.key),
                # a notice that was decided on goes out, whatever happens to its sender
                parent_close_policy=ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            pass


def on_calendar(compute: Callable[..., T], *args: Any) -> T:
    """Run a date computation of the policy. The holiday calendar reads locale data, which the
    sandbox forbids; the computation itself is deterministic."""
    with workflow.unsafe.sandbox_unrestricted():
        return compute(*args)


def due(policy: DeadlinePolicy, start: datetime, key: str) -> tuple[datetime, datetime | None]:
    """The policy's (due, remind_at) for `key`."""
    return on_calendar(policy.due, start, key)
