"""What `/healthz` and `/readyz` say of the parts the API depends on. Postgres and Temporal
decide the status; the worker, the Atw calendar and the zaaksystemen are said, not counted: the
API serves reads, pages and commands' answers without them. Every question is bounded, so a
probe never hangs on a part that does not answer."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client

from domain.workdays import calendar_reach
from services import zgw_checks
from store import db

TIMEOUT_SECONDS = 3
COUNTED = ("postgres", "temporal")  # what decides 200 or 503


async def postgres(pool: asyncpg.Pool) -> str:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await db.answers(pool)
    except Exception as e:  # noqa: BLE001 - any failure means unhealthy
        return f"unreachable: {type(e).__name__}"
    return "ok"


async def temporal(client: Client) -> str:
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            await client.service_client.check_health()
    except Exception as e:  # noqa: BLE001
        return f"unreachable: {type(e).__name__}"
    return "ok"


async def worker(client: Client, task_queue: str) -> str:
    """Whether a worker polls the task queue (the API keeps commands' answers without one)."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            found = await client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=client.namespace,
                    task_queue=TaskQueue(name=task_queue),
                    task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
                )
            )
    except Exception as e:  # noqa: BLE001
        return f"unknown: {type(e).__name__}"
    return "ok" if found.pollers else "down: no worker polls the task queue"


async def catalogues(pool: asyncpg.Pool) -> dict[str, dict] | str:
    """The worker's last check of each mayor's office's zaaksysteem catalogue (the chain works
    without its zaaksysteem, which files again once fixed). How many findings, not what they
    say: this answer is for anyone who reaches the port, the findings (type addresses,
    errors) for the office's and the region's signed-in pages."""
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            found = await zgw_checks.latest(pool)
    except Exception as e:  # noqa: BLE001
        return f"unknown: {type(e).__name__}"
    return {
        c["partner_id"]: {
            "municipality": c["municipality"],
            "checked_at": c["checked_at"].isoformat(),
            "status": "warning" if c["findings"] else "ok",
            "findings": len(c["findings"]),
        }
        for c in found
    }


async def health(pool: asyncpg.Pool, client: Client, task_queue: str) -> dict[str, Any]:
    """Each part's state; a part that depends on one that is down is not asked."""
    checks: dict[str, Any] = {"postgres": await postgres(pool), "temporal": await temporal(client)}
    if checks["temporal"] == "ok":
        checks["worker"] = await worker(client, task_queue)
    # how far the Atw calendar's decree data reaches (docs/operators.md: its runbook)
    checks["calendar"] = f"Atw decrees known up to {calendar_reach().isoformat()}"
    if checks["postgres"] == "ok":
        checks["zaaksysteem"] = await catalogues(pool)
    return checks


def healthy(checks: dict[str, Any]) -> bool:
    return all(checks[part] == "ok" for part in COUNTED)
