"""SQL for the case file and the case read model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import asyncpg

from domain.access import Scope
from domain.case import CaseFilter, CaseSnapshot, MeldingIn, number_pattern
from domain.models import TimelineEvent
from domain.workdays import AMSTERDAM
from store import deadlines
from store.db import atomic
from store.scoping import case_conditions, contains


async def insert_case(
    conn: asyncpg.Connection,
    case_id: str,
    melding: MeldingIn,
    received_at,
    prefix: str,
    prior: Sequence[TimelineEvent] = (),
) -> None:
    """Store the case file and its initial read-model row in one transaction, numbered
    `prefix`-year-sequence; a repeat with the same id (a retried command) stores nothing
    more and takes no number. `prior` is the timeline until the workflow's first snapshot."""
    async with conn.transaction():
        status = await conn.execute(
            "INSERT INTO case_files (case_id, reporter, persons, summary, unsafety, wijkteam)"
            " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (case_id) DO NOTHING",
            case_id,
            melding.reporter.model_dump(mode="json"),
            [p.model_dump(mode="json") for p in melding.persons],
            melding.summary,
            melding.unsafety.model_dump(mode="json"),
            melding.wijkteam,
        )
        if status.endswith(" 0"):
            return
        year = received_at.astimezone(AMSTERDAM).year
        sequence = await conn.fetchval(
            """INSERT INTO case_numbers (prefix, year, last) VALUES ($1, $2, 1)
               ON CONFLICT (prefix, year) DO UPDATE SET last = case_numbers.last + 1
               RETURNING last""",
            prefix,
            year,
        )
        await conn.execute(
            """INSERT INTO cases (case_id, region, municipality, phase, acute, structural, urgent,
                                  opened_at, police_involved, number, timeline)
               VALUES ($1, $2, $3, 'triage', $4, $5, $4, $6, $7, $8, $9)""",
            case_id,
            melding.region,
            melding.municipality,
            melding.unsafety.acute,
            melding.unsafety.structural,
            received_at,
            melding.reporter.kind == "police",
            f"{prefix}-{year}-{sequence:06d}",
            [e.model_dump(mode="json") for e in prior],
        )


async def mark_started(conn: asyncpg.Connection, case_id: str) -> None:
    await conn.execute("UPDATE cases SET started = true WHERE case_id = $1", case_id)


async def not_started(conn: asyncpg.Connection) -> list[str]:
    """Cases whose workflow could not be started yet (Temporal was unreachable)."""
    rows = await conn.fetch("SELECT case_id FROM cases WHERE NOT started ORDER BY opened_at")
    return [r["case_id"] for r in rows]


async def upsert_snapshot(conn: asyncpg.Connection, s: CaseSnapshot) -> bool:
    """Apply a workflow snapshot unless a newer one is already there; True when applied."""
    async with atomic(conn):
        status = await conn.execute(
            """UPDATE cases SET phase = $2, version = $3, timeline = $4, urgent = $5, partner = $6,
                      acute = $7, structural = $8, started = true, updated_at = now()
               WHERE case_id = $1 AND version < $3""",
            s.case_id,
            s.phase,
            s.version,
            [e.model_dump(mode="json") for e in s.timeline],
            s.urgent,
            s.partner,
            s.acute,
            s.structural,
        )
        applied = status.endswith(" 1")
        if applied:
            await deadlines.replace(conn, s.case_id, "case", s.deadlines)
    return applied


CASE_COLUMNS = (
    "c.case_id, c.region, c.municipality, c.phase, c.urgent, c.acute, c.structural, c.partner, "
    "c.opened_at, c.updated_at, c.number, c.assigned_to"
)


_DEADLINE_STATUS = {"overdue": ["overdue"], "open": ["open"]}
# a case's next deadline: the earliest not yet met, passed or not (of the case or its paths)
_NEXT_DEADLINE = """SELECT d.due_at, d.label, d.status, d.responsible FROM case_deadlines d
    WHERE d.case_id = c.case_id AND d.met_at IS NULL AND d.status IN ('open', 'overdue')
    ORDER BY d.due_at LIMIT 1"""


async def list_cases(
    conn: asyncpg.Connection,
    scope: Scope,
    f: CaseFilter,
    *,
    limit: int,
    offset: int,
) -> tuple[list[asyncpg.Record], int]:
    """One page of the cases in scope that match, with each one's next deadline, and how many
    match: newest first, or (`f.by_deadline`) the one whose next deadline falls first."""
    allowed, args = case_conditions(scope, 9)
    where = f"""WHERE ($1::text IS NULL OR c.region = $1)
              AND ($2::text IS NULL OR c.municipality = $2)
              AND ($3::text IS NULL OR c.phase = $3)
              AND ($4::text IS NULL OR upper(c.number) LIKE upper($4) || '%'
                   OR c.case_id LIKE lower($4) || '%' OR c.number ~* $7)
              AND ($5::text IS NULL OR c.assigned_to = $5)
              AND ($6::text[] IS NULL OR EXISTS (
                    SELECT 1 FROM case_deadlines d WHERE d.case_id = c.case_id
                    AND d.status = ANY($6) AND d.met_at IS NULL))
              AND ($8::text IS NULL OR EXISTS (
                    SELECT 1 FROM case_files f, jsonb_array_elements(f.persons) p
                    WHERE f.case_id = c.case_id AND fold_name(p->>'name') LIKE fold_name($8)))
              AND {allowed}"""
    number = f.number.strip() if f.number else None
    values = (
        f.region,
        f.municipality,
        f.phase,
        number,
        f.assigned_to,
        _DEADLINE_STATUS.get(f.deadlines or ""),
        number_pattern(number) if number else None,
        contains(f.name) if f.name else None,
    )
    order = "n.due_at NULLS LAST, " if f.by_deadline else ""
    rows = await conn.fetch(
        f"""SELECT {CASE_COLUMNS}, n.due_at AS next_due_at, n.label AS next_due_label,
                   n.status AS next_due_status, n.responsible AS next_due_owner
            FROM cases c LEFT JOIN LATERAL ({_NEXT_DEADLINE}) n ON true {where}
            ORDER BY {order}c.opened_at DESC, c.case_id
            LIMIT {int(limit)} OFFSET {int(offset)}""",
        *values,
        *args,
    )
    total = await conn.fetchval(f"SELECT count(*) FROM cases c {where}", *values, *args)
    return rows, total


async def assign(conn: asyncpg.Connection, case_id: str, subject: str | None) -> bool:
    status = await conn.execute(
        "UPDATE cases SET assigned_to = $2 WHERE case_id = $1", case_id, subject
    )
    return status.endswith(" 1")


async def get_case(
    conn: asyncpg.Connection, case_id: str, scope: Scope | None = None
) -> dict[str, Any] | None:
    """The case file with its read model; None when absent or outside `scope` (None: internal use)."""
    allowed, args = case_conditions(scope, 2) if scope is not None else ("true", [])
    row = await conn.fetchrow(
        f"""SELECT {CASE_COLUMNS}, c.timeline, c.repeat_violence, f.reporter, f.persons,
                   f.summary, f.unsafety
            FROM cases c JOIN case_files f USING (case_id) WHERE c.case_id = $1 AND {allowed}""",
        case_id,
        *args,
    )
    return dict(row) if row else None


async def with_child_reminders(
    conn: asyncpg.Connection, case_id: str, timeline: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The case's timeline with the reminders of its paths and huisverboden that it has not
    taken in yet, in time order: a child tells its case of a reminder only with its next
    report (`workflows.patches.REMINDERS_WAIT`), and its own projection has it at once."""
    reminders = await conn.fetchval(
        """SELECT coalesce(jsonb_agg(r.e), '[]') FROM (
               SELECT e FROM case_paths p, jsonb_array_elements(p.state->'timeline') e
                WHERE p.case_id = $1 AND e->>'kind' = 'reminder'
               UNION ALL
               SELECT e FROM huisverboden h, jsonb_array_elements(h.snapshot->'timeline') e
                WHERE h.case_id = $1 AND e->>'kind' = 'reminder') r""",
        case_id,
    )
    if not reminders:
        return timeline
    events = [TimelineEvent.model_validate(e) for e in timeline]
    new = [e for e in map(TimelineEvent.model_validate, reminders) if e not in events]
    if not new:
        return timeline
    return [e.model_dump() for e in sorted(events + new, key=lambda e: e.at)]  # stable: ties keep


async def visible(conn: asyncpg.Connection, case_id: str, scope: Scope) -> bool:
    """Whether the case exists and lies within `scope`."""
    allowed, args = case_conditions(scope, 2)
    return bool(
        await conn.fetchval(
            f"SELECT true FROM cases c WHERE c.case_id = $1 AND {allowed}", case_id, *args
        )
    )


async def flag_repeat_violence(conn: asyncpg.Connection, case_id: str) -> None:
    """The radar found repeated violence when the melding came in."""
    await conn.execute("UPDATE cases SET repeat_violence = true WHERE case_id = $1", case_id)


async def mark_police_involved(conn: asyncpg.Connection, case_id: str) -> None:
    await conn.execute("UPDATE cases SET police_involved = true WHERE case_id = $1", case_id)


async def destroy(conn: asyncpg.Connection, case_id: str) -> None:
    """Delete the case file; the read model, deadlines, notices and the data key go with it."""
    await conn.execute("DELETE FROM case_files WHERE case_id = $1", case_id)


async def closed_before(conn: asyncpg.Connection, moment) -> list[str]:
    rows = await conn.fetch(
        "SELECT case_id FROM cases WHERE phase = 'closed' AND updated_at < $1 ORDER BY updated_at",
        moment,
    )
    return [r["case_id"] for r in rows]
