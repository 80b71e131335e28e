"""SQL for the people who signed in to the pages: whom a coordinator can assign a case to."""

from __future__ import annotations

import asyncpg

from domain.access import Principal


async def seen(conn: asyncpg.Connection, p: Principal, name: str, email: str | None) -> None:
    """Who signed in, with the address their reminders go to (when the provider gave one)."""
    await conn.execute(
        """INSERT INTO staff (subject, org, role, name, email) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (subject) DO UPDATE
               SET org = $2, role = $3, name = $4, email = $5, last_seen = now()""",
        p.subject,
        p.org,
        p.role,
        name,
        email,
    )


async def listed(
    conn: asyncpg.Connection, org: str, subject: str, role: str, name: str, email: str | None
) -> None:
    """A person of the configured staff directory, kept once a case is theirs (so their
    reminders find their address); what their own sign-in wrote stays as it is."""
    await conn.execute(
        """INSERT INTO staff (subject, org, role, name, email) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (subject) DO NOTHING""",
        subject,
        org,
        role,
        name,
        email,
    )


async def of_org(conn: asyncpg.Connection, org: str) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT subject, role, name FROM staff WHERE org = $1 ORDER BY name", org
    )


async def get(conn: asyncpg.Connection, subject: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT subject, org, role, name FROM staff WHERE subject = $1", subject
    )
