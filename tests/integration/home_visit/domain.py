"""Home visit: planned with a partner of the region, held (or not) within three working days,
closed. The partner that visits is told; the rule, the notice, the page and the rule of the
deadline calculator are its own."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.chain import Chain
from domain.chain_policy import Policy
from domain.commands import commanded_union
from domain.deadlines import CalculatorRule, DueDate
from domain.models import AwareDatetime, Ref, Strict
from domain.notifications import PARTNER
from domain.policy import Rule, ScaledPolicy
from domain.procedure import (
    CaseFile,
    NoticeSpec,
    PathInput,
    PathState,
    ProcedureSpec,
    StartPathCmd,
    check_partners,
)

HELD = Rule(
    key="home_visit_held",
    label="huisbezoek afgelegd",
    source="fictieve procedure van de tests: binnen 3 werkdagen",
)
PLANNED = NoticeSpec(
    kind="event",
    subject="home_visit_planned",
    audiences=(PARTNER,),  # the partner that visits, named by the notice
    label="Huisbezoek gepland: u legt het af",
    event_type="huisbezoek.gepland",
)


class HomeVisitPolicy(ScaledPolicy):
    held_within_working_days: int = 3

    def due(self, start: datetime) -> tuple[datetime, datetime | None]:
        real = self._working_days(start, self.held_within_working_days)
        return self._after(start, real), self.reminder_at(start, real)


def _calculated(start: datetime, policy: Policy) -> list[DueDate]:
    held = policy.own(HomeVisitPolicy).due(start)[0]
    return [DueDate(key="visit_held", due_at=held, article=HELD.source)]


CALCULATOR = CalculatorRule(
    key="home_visit",
    name="Huisbezoek (vanaf het plannen)",
    dates=_calculated,
    date_names={"visit_held": "huisbezoek afgelegd"},
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
HomeVisitStepCmd = commanded_union(HomeVisitStep)  # as the workflow takes it: with its actor


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
    words={"visit_held": "Huisbezoek afgelegd", "family_home": "Gezin thuis", "closed": "Sluiten"},
    rules=(HELD,),
    notices=(PLANNED,),
    page=Path(__file__).with_name("home_visit.html"),
    calculator=(CALCULATOR,),
)
