"""Home visit: planned with a partner of the region, held (or not), closed."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.chain import Chain
from domain.models import AwareDatetime, Ref, Strict
from domain.procedure import (
    CaseFile,
    PathInput,
    PathState,
    ProcedureSpec,
    StartPathCmd,
    check_partners,
)


class HomeVisitIn(Strict):
    visitor: Ref = Field(description="partner id of the organisation that visits")
    at: AwareDatetime | None = None


class HomeVisitStart(BaseModel):
    path: PathInput
    visitor: str


class VisitHeld(Strict):
    step: Literal["visit_held"]
    family_home: bool
    at: AwareDatetime | None = None


class VisitClosed(Strict):
    step: Literal["closed"]
    at: AwareDatetime | None = None


HomeVisitStep = Annotated[VisitHeld | VisitClosed, Field(discriminator="step")]


class HomeVisitState(PathState):
    kind: Literal["home_visit"] = "home_visit"
    status: Literal["planned", "held", "closed"]
    visitor: str


def check_start(case: CaseFile, body: HomeVisitIn, chain: Chain) -> None:
    check_partners(chain, case["region"], [body.visitor], ())


def _start(path: PathInput, cmd: StartPathCmd) -> HomeVisitStart:
    return HomeVisitStart(path=path, visitor=SPEC.start_cmd(cmd).visitor)


SPEC = ProcedureSpec(
    kind="home_visit",
    slug="home-visit",
    label="Huisbezoek",
    statuses={"planned": "gepland", "held": "afgelegd", "closed": "afgesloten"},
    start_in=HomeVisitIn,
    state=HomeVisitState,
    step=HomeVisitStep,
    start_input=_start,
    check_start=check_start,
)
