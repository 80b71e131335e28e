"""Placements of the acute safety procedure. Where a person is safe is stored apart, in
Postgres only, and shown to Veilig Thuis of the region and the provider only."""

from __future__ import annotations

from typing import Any

from domain.access import may_see_location
from domain.acute_safety import AcuteState, Placement, PlacementIn
from domain.commands import command
from domain.ids import path_workflow_id
from domain.procedure import check_partners, person
from services.context import Caller, Parts, at_or_now
from services.errors import Refused, check, not_found, run_command, unprocessable
from services.procedures import PATH_CLOSED, _load, case_file
from store import placements


def _fits(case: dict[str, Any], body: PlacementIn, chain) -> None:
    """A child goes to the crisisdienst jeugd, an adult to a shelter of the region."""
    if (body.kind == "crisis_placement") != (person(case, body.person_ref)["role"] == "child"):
        raise unprocessable(
            "een kind wordt geplaatst door de crisisdienst jeugd (crisis_placement); "
            "een volwassene gaat naar een vrouwenopvang of mannenopvang"
        )
    kinds = ("crisisdienst_jeugd",) if body.kind == "crisis_placement" else ("opvang",)
    check_partners(chain, case["region"], [body.provider], kinds)


async def record_placement(
    parts: Parts, caller: Caller, case_id: str, path_id: str, body: PlacementIn
) -> Placement:
    """The location is stored first, under the id the idempotency key names; the path's
    workflow decides, and only a placement it took in has a location for anyone. Answers the
    placement as the workflow holds it: a retry after a lost answer finds the same one."""
    case = await case_file(parts, caller, case_id)
    check(_fits, case, body, parts.chain)
    await _load(parts, case_id, path_id, "acute_safety")
    placement = Placement(
        placement_id=caller.new_id("placement"),
        person_ref=body.person_ref,
        kind=body.kind,
        provider=body.provider,
        placed_at=at_or_now(body.at),
        parents_consent=body.parents_consent,
    )
    async with parts.pool.acquire() as conn:
        await placements.insert(conn, placement.placement_id, case_id, path_id, body)
    try:
        state = await run_command(
            parts.client.get_workflow_handle(path_workflow_id(case_id, path_id)),
            "record_placement",
            command(placement, caller.principal.actor()),
            closed_reason=PATH_CLOSED,
            result_type=AcuteState,
        )
    except Refused as refused:  # the path said no: the location goes (after a 503 or a
        if refused.status_code in (409, 422):  # cancellation the update may have landed)
            async with parts.pool.acquire() as conn:
                await placements.discard(conn, placement.placement_id)
        raise
    return next(p for p in state.placements if p.placement_id == placement.placement_id)


async def placement_location(
    parts: Parts, caller: Caller, case_id: str, placement_id: str
) -> dict[str, Any]:
    """Where the person is safe: for Veilig Thuis of the region and the provider only."""
    async with parts.pool.acquire() as conn:
        found = await placements.get(conn, placement_id)
        known = found is not None and await placements.confirmed(conn, placement_id)
    if not known or found["case_id"] != case_id:
        raise not_found("plaatsing")
    caller.audit.touches(case_id, [found["person_ref"]])
    if not may_see_location(caller.principal, found["provider"], found["region"]):
        raise not_found("plaatsing")  # outside the caller's scope: as if it did not exist
    return found
