"""SQL for the coordinators' dashboard of a region; every query is served by an index."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from store.cases import CASE_COLUMNS

_DUE = """
    SELECT DISTINCT ON (d.case_id) d.case_id, c.municipality, c.phase, c.urgent,
           d.key AS deadline, d.due_at
    FROM case_deadlines d JOIN cases c USING (case_id)
    WHERE d.region = $1 AND d.status IN ('open', 'overdue') AND d.met_at IS NULL
      AND c.phase <> 'closed' AND {window}
    ORDER BY d.case_id, d.due_at
"""


async def open_per_phase(conn: asyncpg.Connection, region: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT phase, count(*) AS n FROM cases WHERE region = $1 AND phase <> 'closed' GROUP BY phase",
        region,
    )
    return {r["phase"]: r["n"] for r in rows}


async def due_between(
    conn: asyncpg.Connection, region: str, now: datetime, horizon: datetime, limit: int
):
    """Open cases with an unmet deadline due between now and the horizon, soonest first."""
    sql = _DUE.format(window="d.due_at >= $2 AND d.due_at <= $3")
    return await conn.fetch(
        f"SELECT * FROM ({sql}) due ORDER BY due_at LIMIT $4", region, now, horizon, limit
    )


async def overdue(conn: asyncpg.Connection, region: str, now: datetime, limit: int):
    """Open cases with a deadline that passed unmet, most overdue first."""
    sql = _DUE.format(window="d.due_at < $2")
    return await conn.fetch(
        f"SELECT * FROM ({sql}) due ORDER BY due_at LIMIT $3", region, now, limit
    )


async def oldest_open(conn: asyncpg.Connection, region: str):
    return await conn.fetchrow(
        f"SELECT {CASE_COLUMNS} FROM cases c WHERE c.region = $1 AND c.phase <> 'closed' "
        "ORDER BY c.opened_at LIMIT 1",
        region,
    )
