"""SQL for the sign-in limit: the attempts of the last minute per key (an account, a client
address), shared by every API process."""

from __future__ import annotations

import asyncpg


async def attempt(conn: asyncpg.Connection, limits: dict[str, int]) -> float:
    """Count an attempt under every key of `limits` (key: attempts a minute) when each is
    under its limit, and return 0; else count nothing and return the seconds until the
    oldest attempt that is in the way is a minute old. The keys are locked while counted,
    so two processes never both take the last attempt."""
    keys = sorted(limits)
    await conn.execute(  # attempts older than a minute: gone, unless another takes them now
        """DELETE FROM sign_in_attempts WHERE ctid = ANY(ARRAY(
               SELECT ctid FROM sign_in_attempts WHERE at <= now() - interval '1 minute'
               FOR UPDATE SKIP LOCKED))"""
    )
    async with conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock(hashtext('sign-in:' || k)) FROM unnest($1::text[]) k",
            keys,
        )
        rows = await conn.fetch(
            """SELECT key, count(*) AS attempts,
                      extract(epoch FROM min(at) + interval '1 minute' - clock_timestamp())
                          AS left
               FROM sign_in_attempts
               WHERE key = ANY($1) AND at > clock_timestamp() - interval '1 minute'
               GROUP BY key""",
            keys,
        )
        waits = [float(r["left"]) for r in rows if r["attempts"] >= limits[r["key"]]]
        if waits:
            return max(waits)
        await conn.execute(
            "INSERT INTO sign_in_attempts (key, at) SELECT k, clock_timestamp() "
            "FROM unnest($1::text[]) k",
            keys,
        )
    return 0.0
