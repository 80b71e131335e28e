"""Liveness of the parts the API depends on, and its metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

router = APIRouter(tags=["health"])


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics() -> Response:
    """The API's own metrics (cases opened, ...) for Prometheus."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)


@router.get("/healthz")
async def healthz(request: Request) -> JSONResponse:
    """200 only when both Temporal and Postgres answer."""
    checks = {}
    try:
        async with asyncio.timeout(3):
            await request.app.state.pool.fetchval("SELECT 1")
        checks["postgres"] = "ok"
    except Exception as e:  # noqa: BLE001 - any failure means unhealthy
        checks["postgres"] = f"unreachable: {type(e).__name__}"
    try:
        async with asyncio.timeout(3):
            await request.app.state.temporal.service_client.check_health()
        checks["temporal"] = "ok"
    except Exception as e:  # noqa: BLE001
        checks["temporal"] = f"unreachable: {type(e).__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JSONResponse(checks, status_code=200 if healthy else 503)
