"""The radar: a contact is matched against earlier ones of its region on keyed pseudonyms.

`register` is the one call for every kind of contact: a melding calls it when its case file
is stored, and an advice question can call it the same way (kind "advice", its own id, its
region and persons) to learn its earlier contacts and whether they make repeated violence.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.chain import Chain
from domain.radar import EarlierContact, Radar, is_repeat, pseudonyms
from store import radar as radar_store


def person_pseudonyms(radar: Radar, persons: list[dict[str, Any]]) -> list[str]:
    """Every pseudonym of the persons (name with birth date, and BSN when given)."""
    return sorted(
        {
            p
            for person in persons
            for p in pseudonyms(
                radar.key, person.get("name"), person.get("birth_date"), person.get("bsn")
            )
        }
    )


async def register(
    conn: asyncpg.Connection,
    radar: Radar,
    chain: Chain,
    *,
    kind: str,
    contact_id: str,
    region: str,
    at: datetime,
    persons: list[dict[str, Any]],
) -> tuple[list[EarlierContact], bool]:
    """Keep the contact's pseudonyms and match them: its earlier contacts (in its region, or
    the regions the configuration joins it with) and whether the repeat rule flags it."""
    mine = person_pseudonyms(radar, persons)
    await radar_store.remember(conn, kind, contact_id, region, at, mine)
    found = await _matches(conn, chain, mine, kind, contact_id, region, at)
    return found, is_repeat(radar.rule, at, found)


async def earlier_contacts(
    conn: asyncpg.Connection, chain: Chain, kind: str, contact_id: str, region: str, at: datetime
) -> list[EarlierContact]:
    """The earlier contacts of a registered contact, as they stand now (a destroyed file no
    longer shows); reads the stored pseudonyms, so it needs no key."""
    mine = await radar_store.of_contact(conn, kind, contact_id)
    return await _matches(conn, chain, mine, kind, contact_id, region, at)


def logged(audit: Any, found: list[EarlierContact]) -> list[EarlierContact]:
    """Each earlier case shown counts as read: it goes into the caller's access-log entry."""
    for e in found:
        if e.kind == "melding":
            audit.touches(e.contact_id)
    return found


async def _matches(conn, chain, mine, kind, contact_id, region, at) -> list[EarlierContact]:
    if not mine:
        return []
    rows = await radar_store.earlier(conn, chain.radar_regions(region), mine, at, kind, contact_id)
    return [EarlierContact(**dict(r)) for r in rows]
