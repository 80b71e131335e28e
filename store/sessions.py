"""SQL for the pages' sessions that were ended before their time (signed out): a session is a
signed cookie, so the server remembers which ones it no longer takes, until they expire."""

from __future__ import annotations

from datetime import datetime

import asyncpg


async def end(conn: asyncpg.Connection, session_id: str, expires_at: datetime) -> None:
    """Take the session no more; forget the ended sessions that have expired anyway."""
    await conn.execute(
        """INSERT INTO ended_sessions (session_id, expires_at) VALUES ($1, $2)
           ON CONFLICT (session_id) DO NOTHING""",
        session_id,
        expires_at,
    )
    await conn.execute("DELETE FROM ended_sessions WHERE expires_at < now()")


async def ended(conn: asyncpg.Connection, session_id: str) -> bool:
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM ended_sessions WHERE session_id = $1)", session_id
    )
