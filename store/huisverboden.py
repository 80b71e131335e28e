"""SQL for the huisverbod file and its read model."""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.access import Scope
from domain.huisverbod import HuisverbodRequestIn, HuisverbodSnapshot
from store import deadlines
from store.db import atomic
from store.scoping import case_conditions


async def insert_request(
    conn: asyncpg.Connection, huisverbod_id: str, case: dict[str, Any], req: HuisverbodRequestIn
) -> None:
    """Store the request's file (the address, the officer, the grounds: never in Temporal).
    The read model's row is written by the workflow alone, so no huisverbod shows without a
    workflow behind it; a repeat with the same id stores nothing more."""
    await conn.execute(
        """INSERT INTO huisverbod_files (huisverbod_id, case_id, address, requested_by, grounds,
                                         risk_assessment, children_at_address,
                                         veilig_thuis_consulted, incident_at, rihg)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (huisverbod_id) DO NOTHING""",
        huisverbod_id,
        case["case_id"],
        req.address,
        req.requested_by.model_dump(mode="json"),
        req.grounds,
        [a.model_dump(mode="json") for a in req.risk_assessment],
        req.children_at_address,
        req.veilig_thuis_consulted,
        req.incident_at,
        [r.model_dump(mode="json") for r in req.rihg],
    )


async def delete_request(conn: asyncpg.Connection, huisverbod_id: str) -> None:
    """Remove a request that the case workflow rejected (or that could not reach it)."""
    async with conn.transaction():
        await conn.execute("DELETE FROM huisverboden WHERE huisverbod_id = $1", huisverbod_id)
        await conn.execute("DELETE FROM huisverbod_files WHERE huisverbod_id = $1", huisverbod_id)


async def upsert_snapshot(conn: asyncpg.Connection, s: HuisverbodSnapshot) -> bool:
    async with atomic(conn):
        applied = await _upsert(conn, s)
        if applied:
            await deadlines.replace(conn, s.case_id, f"huisverbod:{s.huisverbod_id}", s.deadlines)
    return applied


async def _upsert(conn: asyncpg.Connection, s: HuisverbodSnapshot) -> bool:
    status = await conn.execute(
        """INSERT INTO huisverboden (huisverbod_id, case_id, municipality, status, requested_at,
                                     imposed_at, ends_at, max_end, version, snapshot)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
           ON CONFLICT (huisverbod_id) DO UPDATE SET
               status = EXCLUDED.status, imposed_at = EXCLUDED.imposed_at,
               ends_at = EXCLUDED.ends_at, max_end = EXCLUDED.max_end,
               version = EXCLUDED.version, snapshot = EXCLUDED.snapshot, updated_at = now()
           WHERE huisverboden.version < EXCLUDED.version""",
        s.huisverbod_id,
        s.case_id,
        s.municipality,
        s.status,
        s.requested_at,
        s.imposed_at,
        s.ends_at,
        s.max_end,
        s.version,
        s.model_dump(mode="json"),
    )
    return status.endswith(" 1")


# The request's file beside the read model's snapshot: the person to leave (their name in
# the case file), the address, the officer, the grounds; null for a request without a file.
FILE_COLUMNS = """h.snapshot, c.number, f.address, f.requested_by, f.grounds,
    f.risk_assessment, f.rihg, f.children_at_address, f.veilig_thuis_consulted, f.incident_at,
    (SELECT p->>'name' FROM jsonb_array_elements(cf.persons) p
      WHERE p->>'ref' = h.snapshot->>'pleger_ref') AS pleger_name,
    (SELECT p->>'birth_date' FROM jsonb_array_elements(cf.persons) p
      WHERE p->>'ref' = h.snapshot->>'pleger_ref') AS pleger_birth_date"""
FILE_JOINS = """huisverboden h JOIN cases c USING (case_id)
    JOIN case_files cf USING (case_id)
    LEFT JOIN huisverbod_files f USING (huisverbod_id)"""


def _with_file(row: asyncpg.Record) -> dict[str, Any]:
    return {**row["snapshot"], **{k: v for k, v in row.items() if k != "snapshot"}}


async def list_huisverboden(
    conn: asyncpg.Connection,
    scope: Scope | None,
    *,
    municipality: str | None,
    status: str | list[str] | None,
    case_id: str | None = None,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """Oldest request first (`newest_first`: the latest first), each with its file; only
    those within `scope` (None: every one, for internal use)."""
    allowed, args = case_conditions(scope, 6) if scope is not None else ("true", [])
    rows = await conn.fetch(
        f"""SELECT {FILE_COLUMNS} FROM {FILE_JOINS}
            WHERE ($1::text IS NULL OR h.municipality = $1)
              AND ($2::text[] IS NULL OR h.status = ANY($2))
              AND ($3::text IS NULL OR h.case_id = $3)
              AND {allowed}
            ORDER BY h.requested_at {"DESC" if newest_first else ""}, h.huisverbod_id
            LIMIT $4 OFFSET $5""",
        municipality,
        [status] if isinstance(status, str) else status,
        case_id,
        limit,
        offset,
        *args,
    )
    return [_with_file(r) for r in rows]


async def get_huisverbod(
    conn: asyncpg.Connection, huisverbod_id: str, scope: Scope
) -> dict[str, Any] | None:
    allowed, args = case_conditions(scope, 2)
    row = await conn.fetchrow(
        f"SELECT {FILE_COLUMNS} FROM {FILE_JOINS} WHERE h.huisverbod_id = $1 AND {allowed}",
        huisverbod_id,
        *args,
    )
    return None if row is None else _with_file(row)
