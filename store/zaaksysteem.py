"""SQL for the huisverbod's resources in the municipality's zaaksysteem (`zgw_resources`).

One row per resource filed (the zaak, a besluit, a document, a link, a status, a besluit
cut short), keyed by the huisverbod and what the resource is; a retried filing finds its URL
here and creates nothing again. A step's filed moment is kept here too (`moment:<step>`, the
moment where the URL would be): fixed at its first filing, found again by every retry. Filings of one huisverbod take turns under an advisory lock keyed by it.
"""

from __future__ import annotations

from typing import Any

import asyncpg

from domain.zgw import AUDIENCE, SOURCE

LOCK_CLASS = "zgw:"


async def lock(conn: asyncpg.Connection, huisverbod_id: str) -> None:
    """Wait until no other filing of this huisverbod runs; held until `unlock` or until the
    connection ends (a crashed worker's lock goes with its connection)."""
    await conn.execute(
        "SELECT pg_advisory_lock(hashtextextended($1, 0))", LOCK_CLASS + huisverbod_id
    )


async def unlock(conn: asyncpg.Connection, huisverbod_id: str) -> None:
    await conn.execute(
        "SELECT pg_advisory_unlock(hashtextextended($1, 0))", LOCK_CLASS + huisverbod_id
    )


async def resources(conn: asyncpg.Connection, huisverbod_id: str) -> dict[str, str]:
    """What was filed for the huisverbod: key -> URL."""
    rows = await conn.fetch(
        "SELECT key, url FROM zgw_resources WHERE huisverbod_id = $1", huisverbod_id
    )
    return {r["key"]: r["url"] for r in rows}


async def remember(conn: asyncpg.Connection, huisverbod_id: str, key: str, url: str) -> str:
    """Keep the URL of a resource filed; the one kept first when it was kept before."""
    return await conn.fetchval(
        """WITH new AS (
               INSERT INTO zgw_resources (huisverbod_id, key, url) VALUES ($1, $2, $3)
               ON CONFLICT (huisverbod_id, key) DO NOTHING RETURNING url)
           SELECT url FROM new
           UNION ALL SELECT url FROM zgw_resources WHERE huisverbod_id = $1 AND key = $2
           LIMIT 1""",
        huisverbod_id,
        key,
        url,
    )


async def huisverbod(conn: asyncpg.Connection, huisverbod_id: str) -> dict[str, Any] | None:
    """The ban as the read model has it, with what its written order needs from the request's
    file and the case number; None when it is not (or no longer) there."""
    row = await conn.fetchrow(
        """SELECT h.snapshot, c.number, f.address, f.grounds, f.requested_by,
                  (SELECT p->>'name' FROM jsonb_array_elements(cf.persons) p
                    WHERE p->>'ref' = h.snapshot->>'pleger_ref') AS pleger_name,
                  (SELECT p->>'birth_date' FROM jsonb_array_elements(cf.persons) p
                    WHERE p->>'ref' = h.snapshot->>'pleger_ref') AS pleger_birth_date
           FROM huisverboden h JOIN cases c USING (case_id)
           JOIN case_files cf USING (case_id)
           LEFT JOIN huisverbod_files f USING (huisverbod_id)
           WHERE h.huisverbod_id = $1""",
        huisverbod_id,
    )
    return None if row is None else dict(row)


async def filings(conn: asyncpg.Connection, case_ids: list[str]) -> dict[str, dict]:
    """How the filing of each huisverbod of these cases stands, for the mayor's office, by
    huisverbod id: `status` (filed, pending, retrying, failed), the zaak's URL and the last
    error. A huisverbod whose municipality has no zaaksysteem has none (nothing was filed)."""
    rows = await conn.fetch(
        """SELECT split_part(d.notice_key, ':', 2) AS huisverbod_id, d.status, d.last_error,
                  z.url AS zaak_url
           FROM deliveries d
           LEFT JOIN zgw_resources z
             ON z.huisverbod_id = split_part(d.notice_key, ':', 2) AND z.key = 'zaak'
           WHERE d.case_id = ANY($1::text[]) AND d.audience = $2 AND d.notice_key LIKE $3
           ORDER BY d.created_at, d.key""",
        case_ids,
        AUDIENCE,
        f"{SOURCE}%",
    )
    by_ban: dict[str, list] = {}
    for r in rows:
        by_ban.setdefault(r["huisverbod_id"], []).append(r)
    return {hv: _standing(found) for hv, found in by_ban.items()}


async def refile(conn: asyncpg.Connection, huisverbod_id: str | None) -> dict[str, str]:
    """File the ban's failed events again, now (the configuration was fixed), or those of
    every ban when `huisverbod_id` is None: each failed delivery is due again with a fresh
    count of attempts. The bans filed again, each with the region whose dispatcher must be
    woken."""
    rows = await conn.fetch(
        """UPDATE deliveries SET status = 'pending', attempts = 0, claimed_until = NULL,
                                 next_attempt_at = now()
           WHERE audience = $1 AND notice_key LIKE $2 AND status = 'failed'
             AND ($3::text IS NULL OR split_part(notice_key, ':', 2) = $3)
           RETURNING split_part(notice_key, ':', 2) AS huisverbod_id, region""",
        AUDIENCE,
        f"{SOURCE}%",
        huisverbod_id,
    )
    return {r["huisverbod_id"]: r["region"] for r in rows}


def _standing(rows: list) -> dict:
    """The latest truth: a delivery files every event before its own, so once one is filed
    the failures before it are repaired."""
    last_sent = max((i for i, r in enumerate(rows) if r["status"] == "sent"), default=-1)
    zaak_url = rows[0]["zaak_url"]
    rows = rows[last_sent + 1 :]
    failed = [r for r in rows if r["status"] == "failed"]
    waiting = [r for r in rows if r["status"] in ("pending", "sending")]
    if failed:
        status, error = "failed", failed[-1]["last_error"]
    elif errors := [r["last_error"] for r in waiting if r["last_error"]]:
        status, error = "retrying", errors[-1]
    elif waiting:
        status, error = "pending", None
    else:
        status, error = "filed", None
    return {"status": status, "zaak_url": zaak_url, "error": error}
