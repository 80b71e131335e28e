"""What a restore of an older backup left for the coordinator: the entries that existed only in
Postgres and must be entered again (`activities.reconcile.after_restore` rebuilt the rest)."""

from __future__ import annotations

from typing import Any

from domain.huisverbod import HuisverbodRequestIn
from services.context import Caller, Parts
from services.errors import conflict, not_found, unprocessable
from services.procedures import case_file
from store import huisverboden, placements, restore


async def re_entry(parts: Parts, caller: Caller, region: str) -> dict[str, Any]:
    """For the region's coordinator: huisverboden whose request's file is gone, placements
    whose location is gone, and the region's cases lost with their data key (ids and times
    only: the region is all that is known of them, from their workflow)."""
    if parts.chain.region(region) is None or region != caller.principal.region:
        raise not_found("regio")
    async with parts.pool.acquire() as conn:
        files = await restore.huisverboden_without_file(conn, region)
        locations = await restore.placements_without_location(conn, region)
        lost = await restore.lost(conn, region)
    for row in [*files, *locations]:
        caller.audit.touches(row["case_id"])
    caller.audit.detail = "na een herstel opnieuw in te voeren"
    return {"region": region, "huisverboden": files, "placements": locations, "lost": lost}


async def enter_request_file(
    parts: Parts, caller: Caller, huisverbod_id: str, req: HuisverbodRequestIn
) -> None:
    """A huisverbod's request file (address, officer, grounds) lost in a restore, entered
    again; once: a file that is there is never overwritten."""
    async with parts.pool.acquire() as conn:
        found = await huisverboden.get_huisverbod(conn, huisverbod_id, caller.scope)
    if found is None:
        raise not_found("huisverbod")
    caller.audit.touches(found["case_id"], [found["pleger_ref"]])
    if found["address"] is not None:
        raise conflict("het verzoek van dit huisverbod is bekend; er is niets opnieuw in te voeren")
    if req.pleger_ref != found["pleger_ref"]:
        raise unprocessable(f"pleger_ref: het huisverbod geldt voor {found['pleger_ref']}")
    async with parts.pool.acquire() as conn:
        await huisverboden.insert_request(conn, huisverbod_id, found, req)


async def enter_location(
    parts: Parts, caller: Caller, case_id: str, placement_id: str, location: str
) -> None:
    """Where a placed person stays, lost in a restore, entered again by Veilig Thuis of the
    case's region; once: a location that is there is never overwritten."""
    await case_file(parts, caller, case_id)
    async with parts.pool.acquire() as conn:
        if await restore.enter_location(conn, case_id, placement_id, location):
            return
        known = await placements.get(conn, placement_id)
    if known is not None and known["case_id"] == case_id:
        raise conflict("de locatie van deze plaatsing is bekend; er is niets opnieuw in te voeren")
    raise not_found("plaatsing")
