"""What a restore of an older backup left for the coordinator: the entries that existed only in
Postgres and must be entered again (`activities.reconcile.after_restore` rebuilt the rest)."""

from __future__ import annotations

from typing import Any

from services.context import Caller, Parts
from services.errors import not_found
from store import restore


async def re_entry(parts: Parts, caller: Caller, region: str) -> dict[str, Any]:
    """For the region's coordinator: huisverboden whose request's file is gone, placements
    whose location is gone, and cases lost with their data key (ids and times only: their
    region went with the key)."""
    if parts.chain.region(region) is None or region != caller.principal.region:
        raise not_found("regio")
    async with parts.pool.acquire() as conn:
        files = await restore.huisverboden_without_file(conn, region)
        locations = await restore.placements_without_location(conn, region)
        lost = await restore.lost(conn)
    for row in [*files, *locations]:
        caller.audit.touches(row["case_id"])
    caller.audit.detail = "na een herstel opnieuw in te voeren"
    return {"region": region, "huisverboden": files, "placements": locations, "lost": lost}
