"""SQL for the coordinators' dashboard of a region; every query is served by an index.

A case that closes closes its deadlines too, so an unmet deadline always belongs to an
open case and the deadline queries need not look at the cases table to filter. The follow-ups
agreed on advice questions join the lists of deadlines (an advice question is no case).
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from store.cases import CASE_COLUMNS

_UNMET = """FROM {table} d
    WHERE d.region = $1 AND d.met_at IS NULL AND {window}
      AND (d.status IN ('open', 'overdue'){also})"""
_SOON = "d.due_at >= $2 AND d.due_at <= $3"
_PAST = "d.due_at < $2"
# passed unmet also counts a deadline whose procedure ended before it was met ("missed": the
# help of a huisverbod that never started), while its case is open
_MISSED = """ OR (d.status = 'missed'
                  AND EXISTS (SELECT 1 FROM cases c WHERE c.case_id = d.case_id
                              AND c.phase <> 'closed'))"""


async def open_per_phase(conn: asyncpg.Connection, region: str) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT phase, count(*) AS n FROM cases "
        "WHERE region = $1 AND phase <> 'closed' GROUP BY phase",
        region,
    )
    return {r["phase"]: r["n"] for r in rows}


async def _unmet(conn: asyncpg.Connection, window: str, missed: str, limit: int, *args):
    """The first `limit` unmet deadlines in `window`, soonest first, with their case or advice
    question (an agreed follow-up); how many deadlines there are and of how many cases and
    questions."""
    cases = _UNMET.format(table="case_deadlines", window=window, also=missed)
    advice = _UNMET.format(table="advice_deadlines", window=window, also="")
    n = len(args) + 1
    items = await conn.fetch(
        f"""SELECT d.case_id, d.advice_id, c.number,
                   coalesce(c.municipality, q.municipality) AS municipality, c.phase,
                   coalesce(c.urgent, false) AS urgent, d.key AS deadline, d.label, d.due_at
            FROM ((SELECT d.case_id, NULL::text AS advice_id, d.key, d.label, d.due_at {cases}
                   ORDER BY d.due_at LIMIT ${n})
                  UNION ALL
                  (SELECT NULL::text, d.advice_id, d.key, d.label, d.due_at {advice}
                   ORDER BY d.due_at LIMIT ${n})) d
            LEFT JOIN cases c ON c.case_id = d.case_id
            LEFT JOIN advice_questions q ON q.advice_id = d.advice_id
            ORDER BY d.due_at LIMIT ${n}""",
        *args,
        limit,
    )
    counts = await conn.fetchrow(
        f"""SELECT (SELECT count(*) {cases}) + (SELECT count(*) {advice}) AS deadlines,
                   (SELECT count(DISTINCT d.case_id) {cases})
                   + (SELECT count(DISTINCT d.advice_id) {advice}) AS cases""",
        *args,
    )
    return items, counts["deadlines"], counts["cases"]


async def due_between(
    conn: asyncpg.Connection, region: str, now: datetime, horizon: datetime, limit: int
):
    """Unmet deadlines due between now and the horizon."""
    return await _unmet(conn, _SOON, "", limit, region, now, horizon)


async def overdue(conn: asyncpg.Connection, region: str, now: datetime, limit: int):
    """Deadlines that passed unmet, missed ones included, most overdue first."""
    return await _unmet(conn, _PAST, _MISSED, limit, region, now)


async def oldest_open(conn: asyncpg.Connection, region: str):
    return await conn.fetchrow(
        f"SELECT {CASE_COLUMNS} FROM cases c WHERE c.region = $1 AND c.phase <> 'closed' "
        "ORDER BY c.opened_at LIMIT 1",
        region,
    )


async def failed_duties(
    conn: asyncpg.Connection, region: str, limit: int
) -> tuple[list[asyncpg.Record], int]:
    """Notices to partners (not reminders or escalations) that could not be delivered at all,
    newest first, and how many there are: legal duties that nobody has met yet."""
    where = """FROM deliveries d JOIN notices n ON n.key = d.notice_key
        WHERE n.region = $1 AND d.status = 'failed' AND n.kind IN ('event', 'alert', 'referral')"""
    rows = await conn.fetch(
        f"""SELECT d.case_id, d.audience, d.partner_id, d.last_error,
                   coalesce(d.body->>'title', d.subject) AS title, d.created_at
            {where} ORDER BY d.created_at DESC LIMIT $2""",
        region,
        limit,
    )
    return rows, await conn.fetchval(f"SELECT count(*) {where}", region)
