"""The last catalogue check of the mayor's offices' zaaksystemen, as the worker stored it:
read by /healthz and the pages, never a call to the zaaksysteem per request."""

from __future__ import annotations

from typing import Any

import asyncpg

from services.context import Parts
from store import zgw_checks


async def latest(pool: asyncpg.Pool, partner_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Per office (all, or those of `partner_ids`): its municipality, when the check ran and
    what it found (empty when the catalogue is in order)."""
    async with pool.acquire() as conn:
        return await zgw_checks.latest(conn, partner_ids)


async def warnings(parts: Parts, partner_ids: list[str]) -> list[dict[str, Any]]:
    """The offices' last checks that found something: what their pages warn about."""
    return [c for c in await latest(parts.pool, partner_ids) if c["findings"]]


async def region_warnings(parts: Parts, region: str) -> list[dict[str, Any]]:
    """The warnings of the region's mayor's offices with a zaaksysteem (its dashboard)."""
    known = parts.chain.region(region)
    offices = [p.id for p in known.partners if p.zaaksysteem] if known else []
    return await warnings(parts, offices) if offices else []
