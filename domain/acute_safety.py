"""Acute safety: a safe place within hours, by a placement or an arrangement.

Commands, state and Dutch labels. Where a placed person stays is never here: only a
reference to the row in Postgres that holds the location.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.commands import commanded, commanded_union
from domain.models import AwareDatetime, Ref, ShortText, Strict
from domain.policy import Rule
from domain.procedure import PathInput, PathState, ProcedureSpec, StartPathCmd

PlacementKind = Literal["crisis_placement", "vrouwenopvang", "mannenopvang"]
AcuteStatus = Literal["arranging", "safe", "closed"]


class AcuteStartIn(Strict):
    at: AwareDatetime | None = None


class PlacementIn(Strict):
    """Where a person is safe. The location is kept in Postgres, shown only to Veilig Thuis
    and the provider itself; Temporal and the timeline get the placement's reference."""

    person_ref: Ref
    kind: PlacementKind
    provider: Ref = Field(description="partner id of the crisisdienst jeugd or the opvang")
    location: ShortText
    parents_consent: bool | None = Field(
        None, description="for a child: do the parents agree to the crisis placement?"
    )
    at: AwareDatetime | None = None


class Placement(BaseModel):
    placement_id: str
    person_ref: str
    kind: PlacementKind
    provider: str
    placed_at: datetime
    parents_consent: bool | None = None
    ended_at: datetime | None = None


# a placement as the workflow takes it: with who records it (`domain.commands`)
PlacementCmd = commanded(Placement)


class SafeWithoutPlacement(Strict):
    step: Literal["safe_without_placement"]
    arrangement: Literal["huisverbod", "pleger_left", "network"]
    at: AwareDatetime | None = None


class PlacementEnded(Strict):
    step: Literal["placement_ended"]
    placement_id: Ref
    at: AwareDatetime | None = None


AcuteStep = Annotated[SafeWithoutPlacement | PlacementEnded, Field(discriminator="step")]
# the steps as the workflow takes them: each with its actor (`domain.commands`)
AcuteStepCmd = commanded_union(AcuteStep)


class AcuteState(PathState):
    kind: Literal["acute_safety"] = "acute_safety"
    status: AcuteStatus
    placements: list[Placement] = Field(default_factory=list)
    arrangement: str | None = None


STATUSES = {"arranging": "veilige plek nodig", "safe": "veilig", "closed": "afgesloten"}
PLACEMENT_LABELS = {
    "crisis_placement": "crisisplaatsing (crisisdienst jeugd)",
    "vrouwenopvang": "vrouwenopvang",
    "mannenopvang": "mannenopvang",
}
ARRANGEMENT_LABELS = {
    "huisverbod": "een tijdelijk huisverbod",
    "pleger_left": "de pleger is vertrokken",
    "network": "opvang in het eigen netwerk",
}


def _start(path: PathInput, cmd: StartPathCmd) -> PathInput:
    return path


WITHHELD = "withheld"


def redact(state: AcuteState, org_kind: str) -> AcuteState:
    """Which shelter or crisis provider took a person in narrows down where they are: only
    Veilig Thuis sees the provider."""
    if org_kind != "veilig_thuis":
        for placement in state.placements:
            placement.provider = WITHHELD
    return state


# its deadlines, each with its source (gathered by the catalogue, `domain.catalogue`)
DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="safe_place",
            label="iedereen veilig: een plek of afspraak vastgelegd",
            source="acute onveiligheid: direct een veilige plek (4 uur)",
        ),
        Rule(
            key="crisis_placement_review",
            label="evaluatie van de crisisplaatsing",
            source="regionale afspraak crisisdienst jeugd: evaluatie na 4 weken",
        ),
    )
}


SPEC = ProcedureSpec(
    kind="acute_safety",
    slug="acute-safety",
    label="Acute veiligheid",
    words={
        "safe_without_placement": "Veilig zonder plaatsing",
        "arrangement": "Hoe is de veiligheid geregeld?",
        "huisverbod": "tijdelijk huisverbod",
        "pleger_left": "de pleger is vertrokken",
        "network": "via het netwerk",
        "placement_ended": "Plaatsing beëindigd",
        "placement_id": "Plaatsing (kenmerk)",
    },
    statuses=STATUSES,
    start_in=AcuteStartIn,
    state=AcuteState,
    step=AcuteStep,
    start_input=_start,
    redact=redact,
    rules=tuple(DEADLINES.values()),
)
