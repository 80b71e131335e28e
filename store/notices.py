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
        """SELECT n.key, n.kind, n.recipient, n.subject, n.due_at, n.detail, n.created_at,
                  CASE WHEN count(d.key) = 0 THEN 'no recipients'
                       WHEN bool_or(d.status = 'failed') THEN 'failed'
                       WHEN bool_and(d.status = 'sent') THEN 'sent'
                       ELSE 'pending' END AS status
           FROM notices n LEFT JOIN deliveries d ON d.notice_key = n.key
           WHERE n.case_id = $1 GROUP BY n.key ORDER BY n.created_at, n.key""",
        case_id,
    )


DELIVERY_COLUMNS = (
    "key, audience, partner_id, channel, address, subject, body, due_at, status, attempts, "
    "last_error, sent_at, created_at"
)


async def plan(conn: asyncpg.Connection, n: Notice, rows: list[dict]) -> list[asyncpg.Record]:
    """Queue the notice and one delivery per recipient, once; the deliveries as stored.

    A retried or replayed plan finds the rows of the first one and changes nothing."""
    async with conn.transaction():
        await queue(conn, n)
        await conn.executemany(
            """INSERT INTO deliveries (key, notice_key, case_id, audience, partner_id, channel,
                                       address, subject, body, due_at, status, last_error)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
               ON CONFLICT (key) DO NOTHING""",
            [
                (
                    r["key"],
                    n.key,
                    n.case_id,
                    r["audience"],
                    r["partner_id"],
                    r["channel"],
                    r["address"],
                    r["subject"],
                    r["body"],
                    r["due_at"],
                    r["status"],
                    r["last_error"],
                )
                for r in rows
            ],
        )
        return await conn.fetch(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE notice_key = $1 ORDER BY key", n.key
        )


async def begin_attempt(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    """Count an attempt and return the delivery; None when it was sent (or failed) before."""
    return await conn.fetchrow(
        f"""UPDATE deliveries SET attempts = attempts + 1, status = 'sending'
            WHERE key = $1 AND status IN ('pending', 'sending') RETURNING {DELIVERY_COLUMNS}""",
        key,
    )


async def mark_sent(conn: asyncpg.Connection, key: str) -> None:
    await conn.execute(
        "UPDATE deliveries SET status = 'sent', sent_at = now(), last_error = NULL WHERE key = $1",
        key,
    )


async def record_error(conn: asyncpg.Connection, key: str, error: str, final: bool) -> None:
    await conn.execute(
        "UPDATE deliveries SET last_error = $2, status = CASE WHEN $3 THEN 'failed' ELSE status END"
        " WHERE key = $1 AND status <> 'sent'",
        key,
        error,
        final,
    )


async def deliveries_for_case(conn: asyncpg.Connection, case_id: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT {DELIVERY_COLUMNS}, notice_key FROM deliveries WHERE case_id = $1
            ORDER BY created_at, key""",
        case_id,
    )
