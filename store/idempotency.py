"""SQL for idempotency keys: the first answer to a command, kept per principal and key for
at least 24 hours, so a client that retries after a timeout gets that answer again."""

from __future__ import annotations

from typing import Any

import asyncpg

KEPT = "24 hours"
# a claim without an answer after this was cut off (its API process died): run it again. Short,
# as running a command twice is harmless (what it creates is named by the key) while a long
# wait starves a client whose requests keep being cut off
IN_PROGRESS = "10 seconds"


async def claim(
    conn: asyncpg.Connection, principal: str, key: str, request_hash: str
) -> dict[str, Any] | None:
    """Claim `key` for this request; None when it is ours to run, else the row of the
    earlier request with that key (its answer, or none yet while it runs)."""
    won = await conn.fetchval(
        f"""INSERT INTO idempotency_keys (principal, key, request_hash) VALUES ($1, $2, $3)
            ON CONFLICT (principal, key) DO UPDATE
                SET request_hash = EXCLUDED.request_hash, status = NULL, body = NULL,
                    created_at = now()
                WHERE idempotency_keys.created_at < now() - interval '{KEPT}'
                   OR (idempotency_keys.status IS NULL
                       AND idempotency_keys.created_at < now() - interval '{IN_PROGRESS}')
            RETURNING true""",
        principal,
        key,
        request_hash,
    )
    if won:
        return None
    row = await conn.fetchrow(
        "SELECT request_hash, status, body FROM idempotency_keys WHERE principal = $1 AND key = $2",
        principal,
        key,
    )
    return dict(row) if row else None


async def remember(
    conn: asyncpg.Connection, principal: str, key: str, status: int, body: Any
) -> None:
    await conn.execute(
        "UPDATE idempotency_keys SET status = $3, body = $4 WHERE principal = $1 AND key = $2",
        principal,
        key,
        status,
        body,
    )


async def release(conn: asyncpg.Connection, principal: str, key: str) -> None:
    """The request failed without an answer worth keeping (5xx): a retry runs it again."""
    await conn.execute(
        "DELETE FROM idempotency_keys WHERE principal = $1 AND key = $2", principal, key
    )


async def purge(conn: asyncpg.Connection) -> int:
    """Forget answers older than they are kept for."""
    done = await conn.execute(
        f"DELETE FROM idempotency_keys WHERE created_at < now() - interval '{KEPT}'"
    )
    return int(done.split()[-1])
