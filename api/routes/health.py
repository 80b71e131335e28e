"""Liveness of the parts the API depends on (`services.health` asks them), and its metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services import health

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    """The API's own metrics (cases opened, ...) for Prometheus."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 when this process can serve: Postgres answers. Reads and pages need nothing
    more, commands answer 503 while Temporal is down (Kubernetes' readiness probe)."""
    postgres = await health.postgres(request.app.state.pool)
    return JSONResponse({"postgres": postgres}, status_code=200 if postgres == "ok" else 503)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 only when both Temporal and Postgres answer."""
    state = request.app.state
    checks = await health.health(state.pool, state.temporal, state.settings.task_queue)
    return JSONResponse(checks, status_code=200 if health.healthy(checks) else 503)
