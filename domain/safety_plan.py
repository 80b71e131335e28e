"""The Signs of Safety safety plan made with the family, and its reviews.

Commands, state and Dutch labels.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, model_validator

from domain.chain import Chain
from domain.commands import commanded_union
from domain.models import AwareDatetime, Day, Ref, Strict
from domain.policy import Rule, RuleViolation
from domain.procedure import (
    CaseFile,
    PathInput,
    PathState,
    ProcedureSpec,
    StartPathCmd,
    check_partners,
)
from domain.workdays import dutch_date, local_date

# `format: date` on the list as on its items: the NL API Design Rules' linter asks it of every
# field named like a date; JSON Schema applies `format` to strings only, so no validation changes
ReviewDates = Annotated[list[Day], Field(json_schema_extra={"format": "date"})]


class SafetyPlanIn(Strict):
    responsible: Ref = Field(description="partner id of the organisation of the worker")
    worker: Ref = Field(description="the responsible worker's user id (no name)")
    review_dates: Annotated[ReviewDates, Field(min_length=1, max_length=24)]
    at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SafetyPlanIn:
        if self.review_dates != sorted(set(self.review_dates)):
            raise ValueError(
                "de evaluatiedata moeten verschillen en op volgorde staan (veld review_dates)"
            )
        return self


class SafetyPlanStart(BaseModel):
    path: PathInput
    responsible: str
    worker: str
    review_dates: list[date]


class SafetyReview(Strict):
    step: Literal["review_held"]
    plan_holds: bool
    next_review_on: Day | None = Field(None, description="an extra review date, if agreed")
    at: AwareDatetime | None = None


class SafetyPlanClose(Strict):
    step: Literal["closed"]
    at: AwareDatetime | None = None


SafetyPlanStep = Annotated[SafetyReview | SafetyPlanClose, Field(discriminator="step")]
# the steps as the workflow takes them: each with its actor (`domain.commands`)
SafetyPlanStepCmd = commanded_union(SafetyPlanStep)


class SafetyPlanState(PathState):
    kind: Literal["safety_plan"] = "safety_plan"
    status: Literal["active", "closed"]
    responsible: str
    worker: str
    review_dates: ReviewDates
    reviews: list[tuple[datetime, bool]] = Field(default_factory=list)


STATUSES = {"active": "loopt", "closed": "afgesloten"}


def _start(path: PathInput, cmd: StartPathCmd) -> SafetyPlanStart:
    body = SPEC.start_cmd(cmd)
    return SafetyPlanStart(
        path=path, responsible=body.responsible, worker=body.worker, review_dates=body.review_dates
    )


def check_start(case: CaseFile, body: SafetyPlanIn, chain: Chain) -> None:
    check_partners(chain, case["region"], [body.responsible], ())
    today = local_date(datetime.now(UTC))  # the Amsterdam day, whatever the server's zone
    if body.review_dates[0] < today:
        raise RuleViolation(
            f"evaluatiedatum {dutch_date(body.review_dates[0])} ligt in het verleden"
        )


# its deadlines, each with its source (gathered by the catalogue, `domain.catalogue`)
DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="safety_plan_review",
            label="evaluatie van het veiligheidsplan",
            source="Signs of Safety: evaluatiedatum afgesproken met het gezin",
        ),
    )
}


SPEC = ProcedureSpec(
    kind="safety_plan",
    slug="safety-plan",
    label="Veiligheidsplan (Signs of Safety)",
    words={
        "review_held": "Evaluatie gehouden",
        "plan_holds": "Houdt het plan stand?",
        "next_review_on": "Extra evaluatiedatum (als afgesproken)",
        "closed": "Veiligheidsplan afsluiten",
    },
    statuses=STATUSES,
    start_in=SafetyPlanIn,
    state=SafetyPlanState,
    step=SafetyPlanStep,
    start_input=_start,
    check_start=check_start,
    rules=tuple(DEADLINES.values()),
)
