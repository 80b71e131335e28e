"""SQL for the coordinators' dashboard of a region; every query is served by an index.

A case that closes closes its deadlines too, so an unmet deadline always belongs to an
open case and the deadline queries need not look at the cases table to filter.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from store.cases import CASE_COLUMNS

_UNMET = """FROM case_deadlines d
    WHERE d.region = $1 AND d.status IN ('open', 'overdue') AND d.met_at IS NULL AND {window}"""
_SOON = "d.due_at >= $2 AND d.due_at <= $3"
_PAST = "d.due_at < $2"


async def open_per_phase(conn: asyncpg.Connection, region: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT phase, count(*) AS n FROM cases "
        "WHERE region = $1 AND phase <> 'closed' GROUP BY phase",
        region,
    )
    return {r["phase"]: r["n"] for r in rows}


async def _unmet(conn: asyncpg.Connection, window: str, limit: int, *args):
    """The first `limit` unmet deadlines in `window`, soonest first, with their case; how many
    deadlines there are and in how many cases."""
    where = _UNMET.format(window=window)
    n = len(args) + 1
    items = await conn.fetch(
        f"""SELECT d.case_id, c.number, c.municipality, c.phase, c.urgent, d.key AS deadline,
                   d.label, d.due_at
            FROM (SELECT d.case_id, d.key, d.label, d.due_at {where} ORDER BY d.due_at
                  LIMIT ${n}) d
            JOIN cases c USING (case_id) ORDER BY d.due_at""",
        *args,
        limit,
    )
    counts = await conn.fetchrow(
        f"SELECT count(*) AS deadlines, count(DISTINCT d.case_id) AS cases {where}", *args
    )
    return items, counts["deadlines"], counts["cases"]


async def due_between(
    conn: asyncpg.Connection, region: str, now: datetime, horizon: datetime, limit: int
):
    """Unmet deadlines due between now and the horizon."""
    return await _unmet(conn, _SOON, limit, region, now, horizon)


async def overdue(conn: asyncpg.Connection, region: str, now: datetime, limit: int):
    """Deadlines that passed unmet, most overdue first."""
    return await _unmet(conn, _PAST, limit, region, now)


async def oldest_open(conn: asyncpg.Connection, region: str):
    return await conn.fetchrow(
        f"SELECT {CASE_COLUMNS} FROM cases c WHERE c.region = $1 AND c.phase <> 'closed' "
        "ORDER BY c.opened_at LIMIT 1",
        region,
    )
