"""SQL for the last catalogue check of each mayor's office's zaaksysteem (`zgw_checks`): when
it ran and what it found (Dutch texts naming types and settings, never a person)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg


async def record(
    conn: asyncpg.Connection,
    partner_id: str,
    municipality: str,
    checked_at: datetime,
    findings: list[str],
) -> None:
    """Keep the check's result in place of the one before."""
    await conn.execute(
        """INSERT INTO zgw_checks (partner_id, municipality, checked_at, findings)
           VALUES ($1, $2, $3, $4)
           ON CONFLICT (partner_id) DO UPDATE
           SET municipality = $2, checked_at = $3, findings = $4""",
        partner_id,
        municipality,
        checked_at,
        findings,
    )


async def latest(
    conn: asyncpg.Connection, partner_ids: list[str] | None = None
) -> list[dict[str, Any]]:
    """The last check per office (all, or those of `partner_ids`), by municipality."""
    rows = await conn.fetch(
        """SELECT partner_id, municipality, checked_at, findings FROM zgw_checks
           WHERE $1::text[] IS NULL OR partner_id = ANY($1)
           ORDER BY municipality, partner_id""",
        partner_ids,
    )
    return [dict(r) for r in rows]
