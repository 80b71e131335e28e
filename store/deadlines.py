"""SQL for deadlines as rows: what dashboards query across cases."""

from __future__ import annotations

import asyncpg

from domain.models import Deadline


async def replace(
    conn: asyncpg.Connection, case_id: str, source: str, deadlines: list[Deadline]
) -> None:
    """Make the rows of one workflow's deadlines equal to `deadlines` (inside a transaction)."""
    await conn.execute(
        "DELETE FROM case_deadlines WHERE case_id = $1 AND source = $2", case_id, source
    )
    await conn.executemany(
        """INSERT INTO case_deadlines (case_id, source, seq, region, key, label, rule, responsible,
                                       due_at, remind_at, status, met_at)
           SELECT $1, $2, $3, c.region, $4, $5, $6, $7, $8, $9, $10, $11 FROM cases c WHERE c.case_id = $1""",
        [
            (
                case_id,
                source,
                i,
                d.key,
                d.label,
                d.rule,
                d.responsible,
                d.due_at,
                d.remind_at,
                d.status,
                d.met_at,
            )
            for i, d in enumerate(deadlines)
        ],
    )


async def for_case(conn: asyncpg.Connection, case_id: str) -> list[dict]:
    """Every deadline of a case; an open one past its due time shows as overdue."""
    rows = await conn.fetch(
        """SELECT key, label, rule, responsible, source, due_at, remind_at, met_at,
                  CASE WHEN status = 'open' AND due_at < now() THEN 'overdue' ELSE status END AS status
           FROM case_deadlines WHERE case_id = $1 ORDER BY due_at, source, seq""",
        case_id,
    )
    return [dict(r) for r in rows]
