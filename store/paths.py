"""SQL for the procedures a case starts (table `case_paths`): each one's snapshot, and its
deadlines as rows for the dashboards."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.procedure import PathRecord
from store import deadlines
from store.db import atomic


async def upsert(conn: asyncpg.Connection, r: PathRecord) -> bool:
    """Apply a path's snapshot unless a newer one is there (or the case was destroyed)."""
    async with atomic(conn):
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
