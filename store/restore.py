"""SQL for reconciliation after a restore of an older backup: how far the read model got, which
cases still have their data key, what was lost for good, and what only Postgres held and must
be entered again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

# (table, id column) of the read model each kind of workflow writes
READ_MODEL = {
    "case": ("cases", "case_id"),
    "huisverbod": ("huisverboden", "huisverbod_id"),
    "path": ("case_paths", "path_id"),
}


async def latest_write(conn: asyncpg.Connection) -> datetime | None:
    """The last moment a workflow wrote to this read model: a restored database stops there."""
    return await conn.fetchval(
        """SELECT max(at) FROM (SELECT max(updated_at) AS at FROM cases
                                UNION ALL SELECT max(updated_at) FROM huisverboden
                                UNION ALL SELECT max(updated_at) FROM case_paths) w"""
    )


async def versions(conn: asyncpg.Connection, kind: str, ids: list[str]) -> dict[str, int]:
    """The read model's version of each of `ids` that has a row."""
    table, column = READ_MODEL[kind]
    rows = await conn.fetch(
        f"SELECT {column} AS id, version FROM {table} WHERE {column} = ANY($1)", ids
    )
    return {r["id"]: r["version"] for r in rows}


async def with_key(conn: asyncpg.Connection, case_ids: list[str]) -> set[str]:
    """The cases whose data key is here: only their workflows can be read."""
    rows = await conn.fetch("SELECT case_id FROM case_keys WHERE case_id = ANY($1)", case_ids)
    return {r["case_id"] for r in rows}


async def record_losses(
    conn: asyncpg.Connection, losses: list[tuple[str, str, str, datetime, str | None]]
):
    """Keep (workflow id, case id, kind, started at, region) of each workflow lost for good."""
    await conn.executemany(
        """INSERT INTO restore_losses (workflow_id, case_id, kind, started_at, region)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT (workflow_id) DO NOTHING""",
        losses,
    )


async def lost(conn: asyncpg.Connection, region: str) -> list[dict[str, Any]]:
    """Workflows of `region` lost with their data key (ids and times: nothing else is left).
    A loss whose region is unknown (a case started before workflows carried it) is listed
    for every region: it holds no personal data, and someone must enter it again."""
    rows = await conn.fetch(
        """SELECT workflow_id, case_id, kind, started_at, found_at FROM restore_losses
           WHERE NOT EXISTS (SELECT 1 FROM case_files f WHERE f.case_id = restore_losses.case_id)
             AND (region = $1 OR region IS NULL)
           ORDER BY started_at, workflow_id""",
        region,
    )
    return [dict(r) for r in rows]


async def huisverboden_without_file(conn: asyncpg.Connection, region: str) -> list[dict]:
    """Huisverboden of the region whose request's file (address, officer, grounds, the risk
    assessment) is gone: their workflow runs, the file existed only in Postgres."""
    rows = await conn.fetch(
        """SELECT h.huisverbod_id, h.case_id, c.number, h.status, h.requested_at
           FROM huisverboden h JOIN cases c USING (case_id)
           WHERE c.region = $1 AND NOT EXISTS (
               SELECT 1 FROM huisverbod_files f WHERE f.huisverbod_id = h.huisverbod_id)
           ORDER BY h.requested_at, h.huisverbod_id""",
        region,
    )
    return [dict(r) for r in rows]


async def placements_without_location(conn: asyncpg.Connection, region: str) -> list[dict]:
    """Placements of the region a path took in whose location row is gone."""
    rows = await conn.fetch(
        """SELECT p ->> 'placement_id' AS placement_id, c.case_id, c.number, s.path_id,
                  p ->> 'person_ref' AS person_ref, p ->> 'kind' AS kind,
                  p ->> 'provider' AS provider, (p ->> 'placed_at')::timestamptz AS placed_at
           FROM case_paths s JOIN cases c USING (case_id),
                jsonb_array_elements(s.state -> 'placements') p
           WHERE s.kind = 'acute_safety' AND c.region = $1 AND NOT EXISTS (
               SELECT 1 FROM placements l WHERE l.placement_id = p ->> 'placement_id')
           ORDER BY placed_at, placement_id""",
        region,
    )
    return [dict(r) for r in rows]


async def enter_location(
    conn: asyncpg.Connection, case_id: str, placement_id: str, location: str
) -> bool:
    """Store a placement's location again, with what its path holds of it; False when the
    path holds no such placement or its location is there."""
    status = await conn.execute(
        """INSERT INTO placements (placement_id, case_id, path_id, person_ref, kind, provider,
                                   location)
           SELECT p ->> 'placement_id', s.case_id, s.path_id, p ->> 'person_ref', p ->> 'kind',
                  p ->> 'provider', $3
           FROM case_paths s, jsonb_array_elements(s.state -> 'placements') p
           WHERE s.case_id = $1 AND s.kind = 'acute_safety' AND p ->> 'placement_id' = $2
           ON CONFLICT (placement_id) DO NOTHING""",
        case_id,
        placement_id,
        location,
    )
    return status.endswith(" 1")
