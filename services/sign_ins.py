"""The sign-in limit: a few attempts a minute per account and per client address, counted in
Postgres so that every API process counts the same attempts."""

from __future__ import annotations

import math

import asyncpg

from store import sign_ins


async def wait(pool: asyncpg.Pool, limits: dict[str, int]) -> int:
    """Seconds until an attempt is allowed under every (key: per minute) limit; 0 counts
    this attempt under each key."""
    async with pool.acquire() as conn:
        left = await sign_ins.attempt(conn, limits)
    return max(1, math.ceil(left)) if left else 0
