"""SQL for the case file and the case read model."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.access import Scope
from domain.case import CaseSnapshot, MeldingIn
from store import deadlines
from store.scoping import case_conditions


async def insert_case(
    conn: asyncpg.Connection, case_id: str, melding: MeldingIn, received_at
) -> None:
    """Store the case file and its initial read-model row in one transaction; a repeat with
    the same id (a retried command) stores nothing more."""
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
        await conn.execute(
            """INSERT INTO cases (case_id, region, municipality, phase, acute, structural, urgent,
                                  opened_at, police_involved)
               VALUES ($1, $2, $3, 'triage', $4, $5, $4, $6, $7)""",
            case_id,
            melding.region,
            melding.municipality,
            melding.unsafety.acute,
            melding.unsafety.structural,
            received_at,
            melding.reporter.kind == "police",
        )


async def mark_started(conn: asyncpg.Connection, case_id: str) -> None:
    await conn.execute("UPDATE cases SET started = true WHERE case_id = $1", case_id)


async def not_started(conn: asyncpg.Connection) -> list[str]:
    """Cases whose workflow could not be started yet (Temporal was unreachable)."""
    rows = await conn.fetch("SELECT case_id FROM cases WHERE NOT started ORDER BY opened_at")
    return [r["case_id"] for r in rows]


async def upsert_snapshot(conn: asyncpg.Connection, s: CaseSnapshot) -> bool:
    """Apply a workflow snapshot unless a newer one is already there; True when applied."""
    async with conn.transaction():
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
    "c.opened_at, c.updated_at"
)


async def list_cases(
    conn: asyncpg.Connection,
    scope: Scope,
    *,
    region: str | None,
    municipality: str | None,
    phase: str | None,
    limit: int,
    offset: int,
) -> list[asyncpg.Record]:
    allowed, args = case_conditions(scope, 6)
    return await conn.fetch(
        f"""SELECT {CASE_COLUMNS} FROM cases c
            WHERE ($1::text IS NULL OR c.region = $1)
              AND ($2::text IS NULL OR c.municipality = $2)
              AND ($3::text IS NULL OR c.phase = $3)
              AND {allowed}
            ORDER BY c.opened_at DESC, c.case_id
            LIMIT $4 OFFSET $5""",
        region,
        municipality,
        phase,
        limit,
        offset,
        *args,
    )


async def get_case(
    conn: asyncpg.Connection, case_id: str, scope: Scope | None = None
) -> dict[str, Any] | None:
    """The case file with its read model; None when absent or outside `scope` (None: internal use)."""
    allowed, args = case_conditions(scope, 2) if scope is not None else ("true", [])
    row = await conn.fetchrow(
        f"""SELECT {CASE_COLUMNS}, c.timeline, f.reporter, f.persons, f.summary, f.unsafety
            FROM cases c JOIN case_files f USING (case_id) WHERE c.case_id = $1 AND {allowed}""",
        case_id,
        *args,
    )
    return dict(row) if row else None


async def visible(conn: asyncpg.Connection, case_id: str, scope: Scope) -> bool:
    """Whether the case exists and lies within `scope`."""
    allowed, args = case_conditions(scope, 2)
    return bool(
        await conn.fetchval(
            f"SELECT true FROM cases c WHERE c.case_id = $1 AND {allowed}", case_id, *args
        )
    )


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
