"""Liveness of the parts the API depends on."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


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
