"""SQL for the notice outbox."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.models import Notice
from store.db import atomic


async def queue(conn: asyncpg.Connection, n: Notice) -> bool:
    """Queue a notice once; False when its key was queued before."""
    status = await conn.execute(
        """INSERT INTO notices (key, case_id, advice_id, region, kind, recipient, subject,
                                due_at, detail)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (key) DO NOTHING""",
        n.key,
        *_owner(n),
        n.region,
        n.kind,
        n.recipient,
        n.subject,
        n.due_at,
        n.detail,
    )
    return status.endswith(" 1")


async def notice(conn: asyncpg.Connection, key: str) -> Notice | None:
    """The notice queued under `key`, if any."""
    row = await conn.fetchrow(
        """SELECT key, coalesce(case_id, advice_id) AS case_id,
                  CASE WHEN advice_id IS NULL THEN 'case' ELSE 'advice' END AS about,
                  region, kind, recipient, subject, due_at, detail
           FROM notices WHERE key = $1""",
        key,
    )
    return Notice(**dict(row)) if row else None


def _owner(n: Notice) -> tuple[str | None, str | None]:
    """(case_id, advice_id) of the rows of `n`: one of them is set."""
    return (None, n.case_id) if n.about == "advice" else (n.case_id, None)


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
# what a send needs besides the delivery: its notice (a webhook's CloudEvent is built from it)
SEND_COLUMNS = f"""{DELIVERY_COLUMNS}, notice_key, case_id, (
    SELECT jsonb_build_object(
        'key', n.key, 'case_id', coalesce(n.case_id, n.advice_id),
        'about', CASE WHEN n.advice_id IS NULL THEN 'case' ELSE 'advice' END,
        'region', n.region, 'kind', n.kind, 'recipient', n.recipient, 'subject', n.subject,
        'due_at', n.due_at, 'detail', n.detail)
    FROM notices n WHERE n.key = deliveries.notice_key) AS notice"""


async def plan(
    conn: asyncpg.Connection, n: Notice, rows: list[dict], *, dispatched: bool = False
) -> list[asyncpg.Record]:
    """Queue the notice and one delivery per recipient, once; the deliveries as stored. A
    `dispatched` delivery is the region dispatcher's to send, from now on.

    A retried or replayed plan finds the rows of the first one and changes nothing."""
    async with atomic(conn):
        await queue(conn, n)
        await conn.executemany(
            """INSERT INTO deliveries (key, notice_key, case_id, advice_id, audience, partner_id,
                                       channel, address, subject, body, due_at, status,
                                       last_error, region, next_attempt_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,
                       CASE WHEN $15 THEN now() END)
               ON CONFLICT (key) DO NOTHING""",
            [
                (
                    r["key"],
                    n.key,
                    *_owner(n),
                    r["audience"],
                    r["partner_id"],
                    r["channel"],
                    r["address"],
                    r["subject"],
                    r["body"],
                    r["due_at"],
                    r["status"],
                    r["last_error"],
                    n.region,
                    dispatched,
                )
                for r in rows
            ],
        )
        return await conn.fetch(
            f"SELECT {DELIVERY_COLUMNS} FROM deliveries WHERE notice_key = $1 ORDER BY key", n.key
        )


async def begin_attempt(conn: asyncpg.Connection, key: str) -> asyncpg.Record | None:
    """Count an attempt and return the delivery with its notice; None when it was sent (or
    failed) before."""
    return await conn.fetchrow(
        f"""UPDATE deliveries SET attempts = attempts + 1, status = 'sending'
            WHERE key = $1 AND status IN ('pending', 'sending') RETURNING {SEND_COLUMNS}""",
        key,
    )


async def claim_due(
    conn: asyncpg.Connection, region: str, limit: int, hold: timedelta
) -> list[asyncpg.Record]:
    """Take up to `limit` of the region's deliveries whose attempt is due, oldest first, with
    their notices, and count the attempt. A claim is held for `hold`: one whose attempt was
    cut off (a crash) is due again after it, and two dispatchers never take the same row."""
    return await conn.fetch(
        f"""UPDATE deliveries SET attempts = attempts + 1, status = 'sending',
                                  claimed_until = now() + $3
            WHERE key IN (
                SELECT key FROM deliveries
                WHERE region = $1 AND next_attempt_at IS NOT NULL
                  AND (status = 'pending' AND next_attempt_at <= now()
                       OR status = 'sending' AND claimed_until < now())
                ORDER BY next_attempt_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            RETURNING {SEND_COLUMNS}""",
        region,
        limit,
        hold,
    )


async def retry_later(conn: asyncpg.Connection, key: str, error: str, wait: timedelta) -> None:
    """The attempt failed: try again after `wait`."""
    await conn.execute(
        """UPDATE deliveries SET status = 'pending', last_error = $2, claimed_until = NULL,
                                 next_attempt_at = now() + $3
           WHERE key = $1 AND status = 'sending'""",
        key,
        error,
        wait,
    )


async def next_due(conn: asyncpg.Connection, region: str) -> datetime | None:
    """When the region's next delivery is due (a claim that lapses counts too)."""
    return await conn.fetchval(
        """SELECT min(CASE WHEN status = 'pending' THEN next_attempt_at ELSE claimed_until END)
           FROM deliveries
           WHERE region = $1 AND next_attempt_at IS NOT NULL
             AND status IN ('pending', 'sending')""",
        region,
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
