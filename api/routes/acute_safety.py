"""Placements of the acute safety procedure, and where a placed person is safe (Veilig Thuis
of the region and the provider only)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.auth import AuditDep, allowed
from api.deps import IDEMPOTENT, PartsDep
from domain.access import Principal
from domain.acute_safety import PlacementIn
from services import acute_safety
from services.context import Caller

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["procedures"])
Stepper = Annotated[Principal, Depends(allowed("case.step"))]
LocationReader = Annotated[Principal, Depends(allowed("placement.location.read"))]


class PlacementView(BaseModel):
    """A placement as everyone who may read the case sees it: without the location."""

    placement_id: str
    person_ref: str
    kind: str
    provider: str
    placed_at: datetime


class PlacementLocation(BaseModel):
    placement_id: str
    person_ref: str
    provider: str
    location: str


@router.post(
    "/acute-safety/{path_id}/placements",
    status_code=201,
    response_model=PlacementView,
    dependencies=IDEMPOTENT,
)
async def record_placement(
    case_id: str,
    path_id: str,
    body: PlacementIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Stepper,
) -> PlacementView:
    """A child placed by the crisisdienst jeugd, or an adult in a shelter. The location is
    stored apart and never shown in the case, its timeline or its notifications."""
    caller = Caller(principal, audit)
    placement = await acute_safety.record_placement(parts, caller, case_id, path_id, body)
    return PlacementView(**placement.model_dump())


@router.get("/placements/{placement_id}/location", response_model=PlacementLocation)
async def placement_location(
    case_id: str, placement_id: str, parts: PartsDep, audit: AuditDep, principal: LocationReader
) -> PlacementLocation:
    """Where the person is safe: for Veilig Thuis of the region and the provider only."""
    found = await acute_safety.placement_location(
        parts, Caller(principal, audit), case_id, placement_id
    )
    return PlacementLocation(**{k: found[k] for k in PlacementLocation.model_fields})
