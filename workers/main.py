"""The ketenregie worker: case and huisverbod workflows plus their activities."""

from __future__ import annotations

import asyncpg
from temporalio.client import Client
from temporalio.worker import Worker

from activities.notifications import NotificationActivities
from activities.read_model import ReadModelActivities
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow

WORKFLOWS = [CaseWorkflow, HuisverbodWorkflow]


def build_worker(client: Client, pool: asyncpg.Pool, task_queue: str) -> Worker:
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
