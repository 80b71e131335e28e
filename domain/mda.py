"""MDA++: the multidisciplinary approach of complex or repeating violence.

Commands, state, which step the state allows (409) and the Dutch labels.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, model_validator

from domain.chain import Chain
from domain.commands import commanded_union
from domain.models import AwareDatetime, Day, Ref, ShortText, Strict, within_years
from domain.policy import Rule
from domain.procedure import (
    CaseFile,
    NoticeSpec,
    PathInput,
    PathState,
    ProcedureSpec,
    StartPathCmd,
    check_partners,
)

MdaStatus = Literal["intake", "analysis", "plan", "closed"]


class PlanAction(Strict):
    action_id: Ref
    owner: Ref = Field(description="partner id of the organisation that carries it out")
    what: ShortText
    due_on: Day
    # as taken since the start (an offset is not required), within the years the API takes
    done_at: Annotated[datetime, AfterValidator(within_years)] | None = None


class MdaStartIn(Strict):
    partners: Annotated[list[Ref], Field(min_length=1, max_length=20)] = Field(
        description="partner ids of the organisations taking part"
    )
    at: AwareDatetime | None = None


class MdaIntake(Strict):
    step: Literal["intake_held"]
    accepted: bool
    at: AwareDatetime | None = None


class MdaAnalysis(Strict):
    step: Literal["analysis_done"]
    at: AwareDatetime | None = None


class MdaPlan(Strict):
    """The one shared plan: goals and each partner's actions with owner and due date."""

    step: Literal["plan_agreed"]
    goals: Annotated[list[ShortText], Field(min_length=1, max_length=20)]
    actions: Annotated[list[PlanAction], Field(min_length=1, max_length=50)]
    at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _unique(self) -> MdaPlan:
        ids = [a.action_id for a in self.actions]
        if len(ids) != len(set(ids)):
            raise ValueError("elke actie in het plan heeft een eigen nummer (veld action_id)")
        return self


class MdaActionDone(Strict):
    step: Literal["action_done"]
    action_id: Ref
    at: AwareDatetime | None = None


class MdaReview(Strict):
    step: Literal["review_held"]
    goals_hold: bool
    at: AwareDatetime | None = None


class MdaClose(Strict):
    step: Literal["closed"]
    at: AwareDatetime | None = None


MdaStep = Annotated[
    MdaIntake | MdaAnalysis | MdaPlan | MdaActionDone | MdaReview | MdaClose,
    Field(discriminator="step"),
]
MDA_STEPS: dict[str, tuple[str, ...]] = {
    "intake_held": ("intake",),
    "analysis_done": ("analysis",),
    "plan_agreed": ("plan",),  # a plan is agreed, or replaced at a review
    "action_done": ("plan",),
    "review_held": ("plan",),
    "closed": ("intake", "analysis", "plan"),
}
# the steps as the workflow takes them: each with its actor (`domain.commands`)
MdaStepCmd = commanded_union(MdaStep)


class MdaState(PathState):
    kind: Literal["mda"] = "mda"
    status: MdaStatus
    partners: list[str]
    goals: list[str] = Field(default_factory=list)
    actions: list[PlanAction] = Field(default_factory=list)
    reviews: int = 0
    reviews_this_run: int = 0
    goals_hold: bool = False
    runs: int = 1


class MdaStart(BaseModel):
    path: PathInput
    partners: list[str]
    carried: MdaState | None = None  # set when the workflow continues as new


STEP_NAMES = {
    "intake_held": "de intake",
    "analysis_done": "de gezamenlijke analyse",
    "plan_agreed": "een plan",
    "action_done": "een uitgevoerde actie",
    "review_held": "een evaluatie",
    "closed": "het afsluiten",
}


def mda_step_problem(s: MdaState, step: BaseModel) -> str | None:
    name = step.step  # type: ignore[attr-defined]
    if s.status not in MDA_STEPS[name]:
        return (
            f"kan {STEP_NAMES[name]} niet vastleggen: het traject MDA++ is in de stand "
            f"'{STATUSES[s.status]}'"
        )
    if isinstance(step, MdaReview | MdaActionDone) and not s.actions:
        return "er is nog geen plan afgesproken"
    if isinstance(step, MdaPlan):
        strangers = sorted({a.owner for a in step.actions} - set(s.partners))
        if strangers:
            return (
                f"{', '.join(strangers)} doet niet mee aan deze MDA++; wie een actie uitvoert "
                "moet deelnemen (veld owner)"
            )
    if isinstance(step, MdaActionDone):
        action = next((a for a in s.actions if a.action_id == step.action_id), None)
        if action is None:
            return f"het plan heeft geen actie {step.action_id!r}"
        if action.done_at is not None:
            return f"actie {step.action_id!r} is al uitgevoerd"
    if isinstance(step, MdaClose) and s.status == "plan" and not s.goals_hold:
        return (
            "MDA++ sluit af als de doelen van het plan bereikt zijn: de laatste evaluatie "
            "stelde dat niet vast"
        )
    return None


STATUSES = {
    "intake": "intake",
    "analysis": "analyse",
    "plan": "plan loopt",
    "closed": "afgesloten",
}


def _start(path: PathInput, cmd: StartPathCmd) -> MdaStart:
    return MdaStart(path=path, partners=SPEC.start_cmd(cmd).partners)


def check_start(case: CaseFile, body: MdaStartIn, chain: Chain) -> None:
    check_partners(chain, case["region"], body.partners, ())


# its deadlines, each with its source (gathered by the catalogue, `domain.catalogue`)
DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="mda_intake",
            label="intake MDA++ gehouden",
            source="Kader MDA++: intake (standaard van ketenregie: 10 werkdagen)",
        ),
        Rule(
            key="mda_analysis",
            label="gezamenlijke analyse gedaan",
            source="Kader MDA++: gezamenlijke analyse (standaard van ketenregie: 4 weken)",
        ),
        Rule(
            key="mda_review",
            label="evaluatie van het plan MDA++",
            source="Kader MDA++: periodieke evaluatie van het plan (standaard 6 weken)",
        ),
        Rule(
            key="mda_action",
            label="actie uit het plan MDA++ uitgevoerd",
            source="plan MDA++: de datum die voor de actie is afgesproken",
        ),
    )
}


REFERRAL = NoticeSpec(
    kind="referral",
    subject="mda",
    audiences=("zorg_en_veiligheidshuis",),
    label="Verwijzing naar MDA++",
    event_type="verwijzing.mda",
)


SPEC = ProcedureSpec(
    kind="mda",
    slug="mda",
    label="MDA++",
    words={
        "partners": "Welke partners doen mee?",
        "intake_held": "Intake gehouden",
        "accepted": "Aangenomen voor MDA++?",
        "analysis_done": "Gezamenlijke analyse gedaan",
        "plan_agreed": "Plan afgesproken",
        "goals": "Doelen (één per regel)",
        "actions": "Acties",
        "action_done": "Actie uitgevoerd",
        "action_id": "Actie (kenmerk)",
        "review_held": "Evaluatie gehouden",
        "goals_hold": "Worden de doelen gehaald?",
        "closed": "MDA++ afsluiten",
    },
    statuses=STATUSES,
    start_in=MdaStartIn,
    state=MdaState,
    step=MdaStep,
    start_input=_start,
    step_statuses=MDA_STEPS,
    check_start=check_start,
    rules=tuple(DEADLINES.values()),
    notices=(REFERRAL,),
)
