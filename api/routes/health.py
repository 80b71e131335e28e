"""Liveness of the parts the API depends on, and its metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from domain.workdays import calendar_reach
from services import zgw_checks

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    """The API's own metrics (cases opened, ...) for Prometheus."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


async def _postgres(request: Request) -> str:
    try:
        async with asyncio.timeout(3):
            await request.app.state.pool.fetchval("SELECT 1")
    except Exception as e:  # noqa: BLE001 - any failure means unhealthy
        return f"unreachable: {type(e).__name__}"
    return "ok"


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when this process can serve: Postgres answers. Reads and pages need nothing
    more, commands answer 503 while Temporal is down (Kubernetes' readiness probe)."""
    postgres = await _postgres(request)
    return JSONResponse({"postgres": postgres}, status_code=200 if postgres == "ok" else 503)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 only when both Temporal and Postgres answer."""
    checks = {"postgres": await _postgres(request)}
    try:
        async with asyncio.timeout(3):
            await request.app.state.temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as e:  # noqa: BLE001
        checks["temporal"] = f"unreachable: {type(e).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    if checks["temporal"] == "ok":
        checks["worker"] = await _worker(request)
    # said, not counted: how far the Atw calendar's decree data reaches (README: runbook)
    checks["calendar"] = f"Atw decrees known up to {calendar_reach().isoformat()}"
    if checks["postgres"] == "ok":
        checks["zaaksysteem"] = await _catalogues(request)
    return JSONResponse(checks, status_code=200 if healthy else 503)


async def _catalogues(request: Request) -> dict[str, dict] | str:
    """The worker's last check of each mayor's office's zaaksysteem catalogue (said, not
    counted: the chain works without its zaaksysteem, which files again once fixed). How many
    findings, not what they say: this answer is for anyone who reaches the port, the findings
    (type addresses, errors) for the office's and the region's signed-in pages."""
    try:
        async with asyncio.timeout(3):
            found = await zgw_checks.latest(request.app.state.pool)
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


async def _worker(request: Request) -> str:
    """Whether a worker polls the task queue (said, not counted in the API's own health: the
    API serves reads and keeps commands' answers without one)."""
    client, queue = request.app.state.temporal, request.app.state.settings.task_queue
    try:
        async with asyncio.timeout(3):
            found = await client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=client.namespace,
                    task_queue=TaskQueue(name=queue),
                    task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
                )
            )
    except Exception as e:  # noqa: BLE001
        return f"unknown: {type(e).__name__}"
    return "ok" if found.pollers else "down: no worker polls the task queue"
