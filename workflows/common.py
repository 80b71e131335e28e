"""Activity options and helpers shared by the workflows."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities
    from domain.models import Notice
    from domain.policy import HuisverbodPolicy, VeiligThuisPolicy
    from workflows.deadlines import Firing

# Retried with backoff for as long as it takes: a projection or a notice is never dropped.
DURABLE = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=1),
        non_retryable_error_types=["ValidationError"],
    ),
}

COORDINATOR = "regional_coordinator"


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


def firing_event(firing: Firing) -> tuple[str, str]:
    """(kind, detail) of the timeline event a firing deadline leaves."""
    kind, d = firing
    if kind == "reminder":
        return "reminder", f"reminder to {d.responsible}: {d.label}"
    return "escalated", f"deadline passed unmet, escalated to the coordinator: {d.label}"


async def send(notices: list[Notice]) -> None:
    await asyncio.gather(
        *(
            workflow.execute_activity_method(NotificationActivities.queue_notice, n, **DURABLE)
            for n in notices
        )
    )


def due(
    policy: VeiligThuisPolicy | HuisverbodPolicy, start: datetime, key: str
) -> tuple[datetime, datetime | None]:
    """The policy's (due, remind_at) for `key`. The holiday calendar reads locale data, which
    the sandbox forbids; the computation itself is deterministic."""
    with workflow.unsafe.sandbox_unrestricted():
        return policy.due(start, key)
