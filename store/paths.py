"""SQL for the escalation paths of a case and for placements (with the shelter's location)."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.procedure import PathRecord
from store import deadlines


async def upsert(conn: asyncpg.Connection, r: PathRecord) -> bool:
    """Apply a path's snapshot unless a newer one is there (or the case was destroyed)."""
    async with conn.transaction():
        status = await conn.execute(
            """INSERT INTO case_paths (path_id, case_id, kind, status, version, state, started_at)
               SELECT $1, $2, $3, $4, $5, $6, ($6::jsonb ->> 'started_at')::timestamptz
               WHERE EXISTS (SELECT 1 FROM case_files WHERE case_id = $2)
               ON CONFLICT (path_id) DO UPDATE SET
                   status = EXCLUDED.status, version = EXCLUDED.version,
                   state = EXCLUDED.state, updated_at = now()
               WHERE case_paths.version < EXCLUDED.version""",
            r.path_id,
            r.case_id,
            r.kind,
            r.status,
            r.version,
            r.state,
        )
        applied = status.endswith(" 1")
        if applied:
            await deadlines.replace(conn, r.case_id, f"{r.kind}:{r.path_id}", r.deadlines)
    return applied


async def for_case(conn: asyncpg.Connection, case_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT state FROM case_paths WHERE case_id = $1 ORDER BY started_at, path_id", case_id
    )
    return [r["state"] for r in rows]


async def get(conn: asyncpg.Connection, case_id: str, path_id: str) -> dict[str, Any] | None:
    return await conn.fetchval(
        "SELECT state FROM case_paths WHERE case_id = $1 AND path_id = $2", case_id, path_id
    )


async def insert_placement(
    conn: asyncpg.Connection, placement_id: str, case_id: str, path_id: str, body
) -> None:
    await conn.execute(
        """INSERT INTO placements (placement_id, case_id, path_id, person_ref, kind, provider, location)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        placement_id,
        case_id,
        path_id,
        body.person_ref,
        body.kind,
        body.provider,
        body.location,
    )


async def delete_placement(conn: asyncpg.Connection, placement_id: str) -> None:
    await conn.execute("DELETE FROM placements WHERE placement_id = $1", placement_id)


async def get_placement(conn: asyncpg.Connection, placement_id: str) -> dict[str, Any] | None:
    """A placement with its location and the case's region: only for the location rule."""
    row = await conn.fetchrow(
        """SELECT p.placement_id, p.case_id, p.person_ref, p.kind, p.provider, p.location,
                  c.region
           FROM placements p JOIN cases c USING (case_id) WHERE p.placement_id = $1""",
        placement_id,
    )
    return dict(row) if row else None
