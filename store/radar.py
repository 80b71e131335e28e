"""SQL for the radar's pseudonyms (`radar_pseudonyms`): one row per contact and pseudonym."""

from __future__ import annotations

from datetime import datetime

import asyncpg

RUNNING_HUISVERBOD = ["imposed", "extended"]


async def remember(
    conn: asyncpg.Connection,
    kind: str,
    contact_id: str,
    region: str,
    at: datetime,
    pseudonyms: list[str],
) -> None:
    """Keep the contact's pseudonyms; a repeat (a retried command) adds nothing."""
    await conn.executemany(
        """INSERT INTO radar_pseudonyms (kind, contact_id, region, pseudonym, at)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING""",
        [(kind, contact_id, region, p, at) for p in pseudonyms],
    )


async def of_contact(conn: asyncpg.Connection, kind: str, contact_id: str) -> list[str]:
    rows = await conn.fetch(
        "SELECT pseudonym FROM radar_pseudonyms WHERE kind = $1 AND contact_id = $2",
        kind,
        contact_id,
    )
    return [r["pseudonym"] for r in rows]


async def earlier(
    conn: asyncpg.Connection,
    regions: list[str],
    pseudonyms: list[str],
    before: datetime,
    kind: str,
    contact_id: str,
) -> list[asyncpg.Record]:
    """Other contacts in `regions` before `before` that share a pseudonym, oldest first; for
    a melding its case number, phase, last follow-up decision and whether a huisverbod of
    it runs; for an advice question its status. The advice question a melding came from is
    the same contact, not an earlier one."""
    return await conn.fetch(
        """SELECT m.kind, m.contact_id, m.region, m.at, c.number,
                  coalesce(c.phase, a.status) AS phase,
                  (SELECT substr(e->>'kind', length('follow_up_') + 1)
                     FROM jsonb_array_elements(c.timeline) e
                    WHERE e->>'kind' LIKE 'follow\\_up\\_%'
                    ORDER BY (e->>'at')::timestamptz DESC LIMIT 1) AS outcome,
                  EXISTS (SELECT 1 FROM huisverboden h
                           WHERE h.case_id = m.contact_id AND h.status = ANY($6))
                    AS huisverbod_running
           FROM (SELECT DISTINCT kind, contact_id, region, at FROM radar_pseudonyms
                  WHERE region = ANY($1) AND pseudonym = ANY($2) AND at < $3
                    AND NOT (kind = $4 AND contact_id = $5)) m
           LEFT JOIN cases c ON m.kind = 'melding' AND c.case_id = m.contact_id
           LEFT JOIN advice_questions a ON m.kind = 'advice' AND a.advice_id = m.contact_id
           WHERE a.case_id IS DISTINCT FROM $5
           ORDER BY m.at, m.contact_id""",
        regions,
        pseudonyms,
        before,
        kind,
        contact_id,
        RUNNING_HUISVERBOD,
    )


async def forget(conn: asyncpg.Connection, kind: str, contact_id: str) -> None:
    """Destroy the contact's pseudonyms (with its file)."""
    await conn.execute(
        "DELETE FROM radar_pseudonyms WHERE kind = $1 AND contact_id = $2", kind, contact_id
    )
