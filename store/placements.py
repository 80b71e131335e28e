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


async def unconfirmed(conn: asyncpg.Connection, older_than: str) -> list[str]:
    """Placements whose path never took them in (its update failed and nobody retried):
    their location row is all there is of them."""
    rows = await conn.fetch(
        f"""SELECT p.placement_id FROM placements p
            LEFT JOIN case_paths c ON c.path_id = p.path_id
            WHERE p.created_at < now() - interval '{older_than}'
              AND NOT coalesce(c.state -> 'placements' @> jsonb_build_array(
                      jsonb_build_object('placement_id', p.placement_id)), false)"""
    )
    return [r["placement_id"] for r in rows]


async def confirmed(conn: asyncpg.Connection, placement_id: str) -> bool:
    """The placement's path took it in: only then does its location exist for anyone."""
    return await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM placements p JOIN case_paths c ON c.path_id = p.path_id
               WHERE p.placement_id = $1 AND c.state -> 'placements' @> jsonb_build_array(
                   jsonb_build_object('placement_id', p.placement_id)))""",
        placement_id,
    )
