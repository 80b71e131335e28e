"""Idempotency keys of the API's commands: a repeat with the same key gets the first answer
(`store.idempotency` keeps them, per principal, for a day)."""

from __future__ import annotations

from typing import Any

import asyncpg

from store import idempotency


async def claim(pool: asyncpg.Pool, who: str, key: str, digest: str) -> dict[str, Any] | None:
    """None when the request is ours to run; else the earlier request with this key."""
    async with pool.acquire() as conn:
        return await idempotency.claim(conn, who, key, digest)


async def settle(pool: asyncpg.Pool, who: str, key: str, status: int, body: Any | None) -> None:
    """Keep the answer to repeat it (`body` a JSON answer); without one, free the key."""
    async with pool.acquire() as conn:
        if body is None:
            await idempotency.release(conn, who, key)
        else:
            await idempotency.remember(conn, who, key, status, body)
