"""SQL for the placements of acute safety: where a person is safe. Only this table holds
the location; it is read for Veilig Thuis of the region and the provider itself."""

from __future__ import annotations

from typing import Any

import asyncpg


async def insert(
    conn: asyncpg.Connection, placement_id: str, case_id: str, path_id: str, body
) -> None:
    await conn.execute(
        """INSERT INTO placements (placement_id, case_id, path_id, person_ref, kind, provider, location)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (placement_id) DO NOTHING""",
        placement_id,
        case_id,
        path_id,
        body.person_ref,
        body.kind,
        body.provider,
        body.location,
    )


async def delete(conn: asyncpg.Connection, placement_id: str) -> None:
    await conn.execute("DELETE FROM placements WHERE placement_id = $1", placement_id)


async def get(conn: asyncpg.Connection, placement_id: str) -> dict[str, Any] | None:
    """A placement with its location and the case's region: only for the location rule."""
    row = await conn.fetchrow(
        """SELECT p.placement_id, p.case_id, p.person_ref, p.kind, p.provider, p.location,
                  c.region
           FROM placements p JOIN cases c USING (case_id) WHERE p.placement_id = $1""",
        placement_id,
    )
    return dict(row) if row else None
