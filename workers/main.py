"""The ketenregie worker: case and huisverbod workflows plus their activities."""

from __future__ import annotations

import asyncpg
from temporalio.client import Client
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.notifications import NotificationActivities
from activities.read_model import ReadModelActivities
from domain.workdays import preload_calendar
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow

WORKFLOWS = [CaseWorkflow, HuisverbodWorkflow]

# The holiday calendar is deterministic data; load it once, outside the sandbox.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("holidays", "dateutil")
)


def build_worker(client: Client, pool: asyncpg.Pool, task_queue: str) -> Worker:
    preload_calendar()
    read_model = ReadModelActivities(pool)
    notifications = NotificationActivities(pool)
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[
            read_model.upsert_case,
            read_model.upsert_huisverbod,
            notifications.queue_notice,
        ],
    )
