"""SQL for the inzageverzoek and correction: persons found by name and birth date in the
region's case files and advice questions, a file with its persons, its notices with their
deliveries, and the corrections of a person's data."""

from __future__ import annotations

from datetime import date
from typing import Any

import asyncpg

from domain.inzage import PersonKey
from store.scoping import contains

_PERSON = """($2::text IS NULL OR fold_name(p->>'name') LIKE fold_name($2))
             AND ($3::text IS NULL OR p->>'birth_date' = $3)"""


async def find_persons(
    conn: asyncpg.Connection, region: str, name: str | None, born: date | None, limit: int
) -> list[asyncpg.Record]:
    """The persons of the region's cases and advice questions whose name contains `name`
    (case-insensitive) and who were born on `born`; newest file first."""
    return await conn.fetch(
        f"""SELECT 'case' AS kind, c.case_id AS file_id, c.number, c.municipality,
                   c.opened_at, c.phase AS status, p AS person
            FROM cases c JOIN case_files f USING (case_id), jsonb_array_elements(f.persons) p
            WHERE c.region = $1 AND {_PERSON}
            UNION ALL
            SELECT 'advice', q.advice_id, NULL, q.municipality, q.received_at, q.status, p
            FROM advice_questions q, jsonb_array_elements(q.persons) p
            WHERE q.region = $1 AND {_PERSON}
            ORDER BY opened_at DESC, file_id LIMIT {int(limit)}""",
        region,
        contains(name) if name else None,
        born.isoformat() if born else None,
    )


async def get_file(conn: asyncpg.Connection, key: PersonKey, region: str) -> dict[str, Any] | None:
    """The case or advice question of `key` with its persons and timeline; None when absent
    or of another region."""
    if key.kind == "case":
        row = await conn.fetchrow(
            """SELECT c.number, c.opened_at, c.phase AS status, c.timeline, f.persons,
                      f.reporter, f.summary
               FROM cases c JOIN case_files f USING (case_id)
               WHERE c.case_id = $1 AND c.region = $2""",
            key.file_id,
            region,
        )
    else:
        row = await conn.fetchrow(
            """SELECT NULL AS number, received_at AS opened_at, status, timeline, persons, asker,
                      question, ARRAY(SELECT text FROM advice_notes n
                                      WHERE n.advice_id = q.advice_id ORDER BY at, ref) AS notes
               FROM advice_questions q WHERE advice_id = $1 AND region = $2""",
            key.file_id,
            region,
        )
    return dict(row) if row else None


def _owner(key: PersonKey) -> str:
    return "case_id" if key.kind == "case" else "advice_id"


async def notices_of(conn: asyncpg.Connection, key: PersonKey) -> list[asyncpg.Record]:
    """The notices of the file with their deliveries (to whom, how, and whether sent)."""
    return await conn.fetch(
        f"""SELECT n.kind, n.recipient, n.subject, n.detail, n.created_at,
                   coalesce(jsonb_agg(jsonb_build_object(
                       'audience', d.audience, 'partner_id', d.partner_id,
                       'channel', d.channel, 'status', d.status, 'sent_at', d.sent_at)
                       ORDER BY d.key) FILTER (WHERE d.key IS NOT NULL), '[]') AS deliveries
            FROM notices n LEFT JOIN deliveries d ON d.notice_key = n.key
            WHERE n.{_owner(key)} = $1 GROUP BY n.key ORDER BY n.created_at, n.key""",
        key.file_id,
    )


async def bans_of(conn: asyncpg.Connection, case_id: str) -> list[asyncpg.Record]:
    """The case's requests for a huisverbod: the house, who was to leave, the police's grounds
    and the decision's reason."""
    return await conn.fetch(
        """SELECT h.requested_at, h.snapshot->>'pleger_ref' AS pleger_ref, f.address, f.grounds,
                  f.children_at_address, h.snapshot->'decision'->>'reason' AS reason
           FROM huisverboden h LEFT JOIN huisverbod_files f USING (huisverbod_id)
           WHERE h.case_id = $1 ORDER BY h.requested_at, h.huisverbod_id""",
        case_id,
    )


async def corrections_of(conn: asyncpg.Connection, key: PersonKey) -> list[asyncpg.Record]:
    return await conn.fetch(
        f"""SELECT at, field, old_value, new_value, reason, subject AS by, org
            FROM person_corrections WHERE {_owner(key)} = $1 AND person_ref = $2 ORDER BY id""",
        key.file_id,
        key.ref,
    )


async def correct(
    conn: asyncpg.Connection,
    key: PersonKey,
    person: dict[str, Any],
    changes: list[tuple[str, str | None, str | None]],
    reason: str,
    subject: str,
    org: str,
) -> None:
    """Store the corrected person in its file and keep each old value beside it, in one
    transaction (the caller's)."""
    table, column = (
        ("case_files", "case_id") if key.kind == "case" else ("advice_questions", "advice_id")
    )
    await conn.execute(
        f"""UPDATE {table} SET persons = (
                SELECT jsonb_agg(CASE WHEN p->>'ref' = $2 THEN $3::jsonb ELSE p END
                                 ORDER BY i)
                FROM jsonb_array_elements(persons) WITH ORDINALITY AS e(p, i))
            WHERE {column} = $1""",
        key.file_id,
        key.ref,
        person,
    )
    await conn.executemany(
        f"""INSERT INTO person_corrections ({column}, person_ref, field, old_value, new_value,
                                            reason, subject, org)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [(key.file_id, key.ref, f, old, new, reason, subject, org) for f, old, new in changes],
    )
