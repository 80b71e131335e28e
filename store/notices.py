"""SQL for the notice outbox."""

from __future__ import annotations

import asyncpg

from domain.models import Notice


async def queue(conn: asyncpg.Connection, n: Notice) -> bool:
    """Queue a notice once; False when its key was queued before."""
    status = await conn.execute(
        """INSERT INTO notices (key, case_id, region, kind, recipient, subject, due_at, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO NOTHING""",
        n.key,
        n.case_id,
        n.region,
        n.kind,
        n.recipient,
        n.subject,
        n.due_at,
        n.detail,
    )
    return status.endswith(" 1")


async def for_case(conn: asyncpg.Connection, case_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT key, kind, recipient, subject, due_at, detail, status, created_at FROM notices "
        "WHERE case_id = $1 ORDER BY created_at, key",
        case_id,
    )
