"""SQL for the access log (NEN 7513 style): append-only, ids only, never case content."""

from __future__ import annotations

import asyncpg

from domain.access import Principal


async def append(
    conn: asyncpg.Connection,
    *,
    principal: Principal,
    action: str,
    outcome: int,
    client: str,
    case_ids: list[str],
    person_refs: list[str],
    huisverbod_id: str | None,
    detail: str,
    view_id: str | None = None,
    advice_ids: list[str] = (),
) -> None:
    """One entry; within one view of a page (its live refreshes) the first read is the one."""
    await conn.execute(
        """INSERT INTO access_log (action, outcome, subject, org, org_kind, role, client,
                                   case_ids, person_refs, huisverbod_id, detail, view_id,
                                   advice_ids)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
           ON CONFLICT (subject, view_id, action) WHERE view_id IS NOT NULL DO NOTHING""",
        action,
        outcome,
        principal.subject,
        principal.org,
        principal.org_kind,
        principal.role,
        client,
        case_ids,
        person_refs,
        huisverbod_id,
        detail,
        view_id,
        list(advice_ids),
    )


async def for_region(
    conn: asyncpg.Connection, region: str, case_id: str | None, limit: int, offset: int
):
    """Entries about the region's cases (a coordinator's view), newest first."""
    return await conn.fetch(
        """SELECT l.* FROM access_log l
           WHERE EXISTS (SELECT 1 FROM cases c WHERE c.case_id = ANY (l.case_ids) AND c.region = $1)
             AND ($2::text IS NULL OR $2 = ANY (l.case_ids))
           ORDER BY l.id DESC LIMIT $3 OFFSET $4""",
        region,
        case_id,
        limit,
        offset,
    )


async def for_person(conn: asyncpg.Connection, case_id: str, ref: str):
    """Every access to one person's data: the export for a subject-access request."""
    return await conn.fetch(
        "SELECT * FROM access_log WHERE $1 = ANY (case_ids) AND $2 = ANY (person_refs) ORDER BY id",
        case_id,
        ref,
    )


async def for_advice_person(conn: asyncpg.Connection, advice_id: str, ref: str):
    """Every access to one person's data in an advice question (entries from before the log
    named advice questions say so in their detail)."""
    return await conn.fetch(
        """SELECT * FROM access_log
           WHERE ($1 = ANY (advice_ids) OR detail ~ ('^advice ' || $1 || '(\\W|$)'))
             AND $2 = ANY (person_refs) ORDER BY id""",
        advice_id,
        ref,
    )
