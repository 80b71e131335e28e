"""Signing out ends a page session on the server: its cookie is not taken again, whichever
API process it reaches, although its signature and expiry still hold."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from store import sessions


async def end(pool: asyncpg.Pool, session_id: str, expires_at: int) -> None:
    async with pool.acquire() as conn:
        await sessions.end(conn, session_id, datetime.fromtimestamp(expires_at, UTC))


async def ended(pool: asyncpg.Pool, session_id: str) -> bool:
    async with pool.acquire() as conn:
        return await sessions.ended(conn, session_id)
