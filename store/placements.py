"""SQL for the placements of acute safety: where a person is safe. Only this table holds
the location; it is read for Veilig Thuis of the region and the provider itself.

A row is stored before its path's workflow decides, and counts only once the path took the
placement in: the workflow writes that to its read model (`case_paths.state`), so whether a
placement exists has one source, the workflow."""

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


async def discard(conn: asyncpg.Connection, placement_id: str) -> None:
    """Remove the location of a placement its path refused; never one the path took in."""
    await conn.execute(
        f"DELETE FROM placements p WHERE p.placement_id = $1 AND NOT {_TAKEN_IN}", placement_id
    )


async def get(conn: asyncpg.Connection, placement_id: str) -> dict[str, Any] | None:
    """A placement with its location and the case's region: only for the location rule."""
    row = await conn.fetchrow(
        """SELECT p.placement_id, p.case_id, p.person_ref, p.kind, p.provider, p.location,
                  c.region
           FROM placements p JOIN cases c USING (case_id) WHERE p.placement_id = $1""",
        placement_id,
    )
    return dict(row) if row else None


# the row's path holds the placement in its read model (p: the placements row)
_TAKEN_IN = """EXISTS (SELECT 1 FROM case_paths c WHERE c.path_id = p.path_id
    AND c.state -> 'placements' @> jsonb_build_array(
        jsonb_build_object('placement_id', p.placement_id)))"""


async def unconfirmed(conn: asyncpg.Connection, older_than: str) -> list[str]:
    """Placements whose path never took them in (its update failed and nobody retried):
    their location row is all there is of them."""
    rows = await conn.fetch(
        f"""SELECT p.placement_id FROM placements p
            WHERE p.created_at < now() - interval '{older_than}' AND NOT {_TAKEN_IN}"""
    )
    return [r["placement_id"] for r in rows]


async def confirmed(conn: asyncpg.Connection, placement_id: str) -> bool:
    """The placement's path took it in: only then does its location exist for anyone."""
    return await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM placements p WHERE p.placement_id = $1 AND {_TAKEN_IN})",
        placement_id,
    )


async def without_location(conn: asyncpg.Connection) -> list[str]:
    """Placements a path took in whose location row is gone (deleted, or a restore of an
    older backup): only a new entry can bring the location back."""
    rows = await conn.fetch(
        """SELECT p ->> 'placement_id' AS placement_id
           FROM case_paths c, jsonb_array_elements(c.state -> 'placements') p
           WHERE c.kind = 'acute_safety' AND NOT EXISTS (
               SELECT 1 FROM placements l WHERE l.placement_id = p ->> 'placement_id')
           ORDER BY 1"""
    )
    return [r["placement_id"] for r in rows]
