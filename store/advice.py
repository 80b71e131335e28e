"""SQL for advice questions: the question with its persons and advice texts, the read model
of their workflow, and their follow-ups as deadline rows for the coordinator's lists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.advice import AdviceFilter, AdviceQuestionIn, AdviceState
from store.db import atomic

COLUMNS = (
    "q.advice_id, q.region, q.municipality, q.asker, q.received_at, q.status, q.case_id, "
    "q.version, q.updated_at, c.number AS case_number"
)
_FROM = "FROM advice_questions q LEFT JOIN cases c ON c.case_id = q.case_id"


async def insert(
    conn: asyncpg.Connection, advice_id: str, q: AdviceQuestionIn, received_at: datetime
) -> None:
    """Store the question; a repeat with the same id (a retried command) stores nothing more."""
    await conn.execute(
        """INSERT INTO advice_questions (advice_id, region, municipality, asker, question, persons,
                                         received_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (advice_id) DO NOTHING""",
        advice_id,
        q.region,
        q.municipality,
        q.asker.model_dump(mode="json"),
        q.question,
        [p.model_dump(mode="json") for p in q.persons],
        received_at,
    )


async def mark_started(conn: asyncpg.Connection, advice_id: str) -> None:
    await conn.execute("UPDATE advice_questions SET started = true WHERE advice_id = $1", advice_id)


async def not_started(conn: asyncpg.Connection) -> list[dict[str, Any]]:
    """Questions whose workflow could not be started yet (Temporal was unreachable)."""
    rows = await conn.fetch(
        "SELECT advice_id, region, asker, persons, received_at FROM advice_questions "
        "WHERE NOT started ORDER BY received_at"
    )
    return [dict(r) for r in rows]


async def upsert_state(conn: asyncpg.Connection, s: AdviceState) -> bool:
    """Apply a workflow state unless a newer one is there already; True when applied."""
    async with atomic(conn):
        status = await conn.execute(
            """UPDATE advice_questions SET status = $2, version = $3, timeline = $4, case_id = $5,
                      started = true, updated_at = now()
               WHERE advice_id = $1 AND version < $3""",
            s.advice_id,
            s.status,
            s.version,
            [e.model_dump(mode="json") for e in s.timeline],
            s.case_id,
        )
        if not status.endswith(" 1"):
            return False
        await conn.execute("DELETE FROM advice_deadlines WHERE advice_id = $1", s.advice_id)
        await conn.executemany(
            """INSERT INTO advice_deadlines (advice_id, seq, region, key, label, rule, responsible,
                                             due_at, remind_at, status, met_at, reminded)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)""",
            [
                (
                    s.advice_id,
                    i,
                    s.region,
                    d.key,
                    d.label,
                    d.rule,
                    d.responsible,
                    d.due_at,
                    d.remind_at,
                    d.status,
                    d.met_at,
                    d.reminded,
                )
                for i, d in enumerate(s.deadlines)
            ],
        )
    return True


async def add_note(
    conn: asyncpg.Connection, advice_id: str, ref: str, kind: str, text: str, at: datetime
) -> None:
    """Keep an advice text or a follow-up note once (a retry under the same ref adds none)."""
    await conn.execute(
        """INSERT INTO advice_notes (advice_id, ref, kind, text, at) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (advice_id, ref) DO NOTHING""",
        advice_id,
        ref,
        kind,
        text,
        at,
    )


async def get(conn: asyncpg.Connection, advice_id: str, region: str) -> dict[str, Any] | None:
    """The question with its persons, notes and deadlines; None when absent or of another region."""
    row = await conn.fetchrow(
        f"SELECT {COLUMNS}, q.question, q.persons, q.timeline {_FROM} "
        "WHERE q.advice_id = $1 AND q.region = $2",
        advice_id,
        region,
    )
    if row is None:
        return None
    notes = await conn.fetch(
        "SELECT ref, kind, text, at FROM advice_notes WHERE advice_id = $1 ORDER BY at, ref",
        advice_id,
    )
    deadlines = await conn.fetch(
        """SELECT key, label, rule, responsible, 'advice:' || advice_id AS source, due_at,
                  remind_at, met_at, reminded,
                  CASE WHEN status = 'open' AND due_at < now() THEN 'overdue' ELSE status END
                  AS status
           FROM advice_deadlines WHERE advice_id = $1 ORDER BY due_at, seq""",
        advice_id,
    )
    return {
        **dict(row),
        "notes": [dict(n) for n in notes],
        "deadlines": [dict(d) for d in deadlines],
    }


async def status_of(conn: asyncpg.Connection, advice_id: str, region: str) -> str | None:
    return await conn.fetchval(
        "SELECT status FROM advice_questions WHERE advice_id = $1 AND region = $2",
        advice_id,
        region,
    )


async def find(
    conn: asyncpg.Connection, region: str, f: AdviceFilter, *, limit: int, offset: int
) -> tuple[list[asyncpg.Record], int]:
    """One page of the region's questions that match, newest first, and how many match."""
    where = """WHERE q.region = $1 AND ($2::text IS NULL OR q.municipality = $2)
               AND ($3::text IS NULL OR q.status = $3)"""
    values = (region, f.municipality, f.status)
    rows = await conn.fetch(
        f"""SELECT {COLUMNS} {_FROM} {where}
            ORDER BY q.received_at DESC, q.advice_id LIMIT {int(limit)} OFFSET {int(offset)}""",
        *values,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM advice_questions q {where}", *values)
    return rows, total


async def destroy_converted(conn: asyncpg.Connection, case_id: str) -> list[str]:
    """Delete the advice questions that became the melding of `case_id`: the question and its
    persons are part of that file and go with it. Answers their ids."""
    rows = await conn.fetch(
        "DELETE FROM advice_questions WHERE case_id = $1 RETURNING advice_id", case_id
    )
    return [r["advice_id"] for r in rows]


async def closed_before(conn: asyncpg.Connection, before: datetime) -> list[str]:
    """Advice questions closed (not turned into a melding) before `before`: their retention
    has run out. A converted one belongs to its case's file."""
    rows = await conn.fetch(
        """SELECT advice_id FROM advice_questions
           WHERE status = 'closed' AND case_id IS NULL AND updated_at < $1""",
        before,
    )
    return [r["advice_id"] for r in rows]


async def destroy(conn: asyncpg.Connection, advice_id: str) -> None:
    """Delete the question with its persons, notes, deadlines and outbox rows."""
    await conn.execute("DELETE FROM advice_questions WHERE advice_id = $1", advice_id)
