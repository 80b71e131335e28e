"""Escalation paths of a case: child protection, MDA++, acute safety and the safety plan.

Each path is a child workflow of the case with its own timeline and deadlines. Here are its
commands (API bodies, also what the workflow receives: references, dates, decisions), its
state, and the pure rules on which step the state allows. Free text stays short and goes
through the payload codec; names, birth dates and the shelter's location stay in Postgres.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from domain.models import AwareDatetime, Deadline, Ref, ShortText, Strict, TimelineEvent
from domain.policy import MeasureKind, Policy, RuleViolation, age_on

PathKind = Literal["child_protection", "mda", "acute_safety", "safety_plan"]
PATH_LABELS = {
    "child_protection": "beschermtafel / Raad voor de Kinderbescherming",
    "mda": "MDA++",
    "acute_safety": "acute safety",
    "safety_plan": "Signs of Safety safety plan",
}


class PathState(BaseModel):
    """What every path keeps: its status, timeline and deadlines."""

    path_id: str
    case_id: str
    region: str
    kind: PathKind
    status: str
    started_at: datetime
    ended_at: datetime | None = None
    version: int = 0
    timeline: list[TimelineEvent] = []
    deadlines: list[Deadline] = []


class PathInput(BaseModel):
    path_id: str
    case_id: str
    region: str
    municipality: str
    started_at: datetime
    policy: Policy = Policy()

    def base(self) -> dict[str, Any]:
        """The fields every path's state starts with."""
        return {
            "path_id": self.path_id,
            "case_id": self.case_id,
            "region": self.region,
            "started_at": self.started_at,
        }


class PathRecord(BaseModel):
    """A path as the read model stores it; `state` is the path's own snapshot."""

    path_id: str
    case_id: str
    kind: PathKind
    status: str
    version: int
    state: dict[str, Any]  # with its deadlines, which also become rows for the dashboards

    @property
    def deadlines(self) -> list[Deadline]:
        return [Deadline.model_validate(d) for d in self.state.get("deadlines", [])]


class PathChange(BaseModel):
    """What a path tells its case: its status and the events since the last change."""

    path_id: str
    kind: PathKind
    status: str
    active: bool
    events: list[TimelineEvent]


class StartPathCmd(BaseModel):
    """The case starts a path (its child workflow)."""

    kind: PathKind
    path_id: str
    at: datetime
    child_ref: str | None = None
    via: Literal["beschermtafel", "raad"] = "beschermtafel"
    partners: list[str] = []
    responsible: str | None = None
    worker: str | None = None
    review_dates: list[date] = []


# --- consent refused (Toestemmingsvereiste voor hulp bij kindermishandeling) ---

ConsentPath = Literal[
    "help_with_consent_of_the_child",
    "veilig_thuis_melding",
    "beschermtafel",
    "raad_voor_de_kinderbescherming",
    "mda",
]
CONSENT_PATH_LABELS = {
    "help_with_consent_of_the_child": "help with the child's own consent (16 or older)",
    "veilig_thuis_melding": "Veilig Thuis continues without the parents' consent (meldrecht)",
    "beschermtafel": "referral to the beschermtafel",
    "raad_voor_de_kinderbescherming": "verzoek tot onderzoek to the Raad voor de Kinderbescherming",
    "mda": "referral to MDA++",
}
CHILD_CONSENT_AGE = 16  # WGBO, BW 7:447 lid 1; Jeugdwet art. 7.3.4 lid 1


class ConsentRefusedCmd(Strict):
    """Parents refused consent for help; the case records it and the path taken instead."""

    child_ref: Ref
    refused_by: Literal["one_parent", "both_parents", "guardian"]
    path: ConsentPath
    at: AwareDatetime | None = None


def check_child_consent(birth_date: date | None, on: date) -> None:
    """Help on the child's own consent needs a child of 16 or older (BW 7:447 lid 1)."""
    if birth_date is None:
        raise RuleViolation("the child's birth date is not known: its own consent cannot count")
    if age_on(birth_date, on) < CHILD_CONSENT_AGE:
        raise RuleViolation(
            f"the child is {age_on(birth_date, on)}: from {CHILD_CONSENT_AGE} a child consents "
            "to help on its own (BW 7:447 lid 1, Jeugdwet art. 7.3.4)"
        )


# --- child protection: beschermtafel, Raad, kinderrechter ---

ProtectionStatus = Literal[
    "referred",
    "meeting_scheduled",
    "raad_requested",
    "raad_investigating",
    "court_petitioned",
    "measure_running",
    "closed",
]


class ProtectionStartIn(Strict):
    child_ref: Ref
    via: Literal["beschermtafel", "raad"] = Field(
        "beschermtafel",
        description="beschermtafel first, or a verzoek tot onderzoek to the Raad at once",
    )
    at: AwareDatetime | None = None


class ProtectionStart(BaseModel):
    path: PathInput
    child_ref: str
    via: Literal["beschermtafel", "raad"]


class CorvRequest(BaseModel):
    """What the CORV adapter needs to build the verzoek tot onderzoek from the case file."""

    path_id: str
    case_id: str
    region: str
    child_ref: str


class MeetingScheduled(Strict):
    step: Literal["meeting_scheduled"]
    meeting_on: date
    at: AwareDatetime | None = None


class MeetingHeld(Strict):
    step: Literal["meeting_held"]
    outcome: Literal["voluntary_help_agreed", "request_raad"]
    at: AwareDatetime | None = None


class RaadAnswered(Strict):
    step: Literal["raad_answered"]
    investigation_started: bool
    at: AwareDatetime | None = None


class RaadConcluded(Strict):
    step: Literal["raad_concluded"]
    petition: MeasureKind | None = Field(
        None, description="the measure the Raad asks the court for; none: no measure needed"
    )
    at: AwareDatetime | None = None


class CourtDecided(Strict):
    step: Literal["court_decided"]
    measure: MeasureKind
    granted: bool
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    at: AwareDatetime | None = None


class MeasureRenewed(Strict):
    step: Literal["measure_renewed"]
    measure: MeasureKind
    until: AwareDatetime
    at: AwareDatetime | None = None


class PlacementCarriedOut(Strict):
    step: Literal["placement_carried_out"]
    at: AwareDatetime | None = None


class MeasureEnded(Strict):
    step: Literal["measure_ended"]
    measure: MeasureKind
    at: AwareDatetime | None = None


ProtectionStep = Annotated[
    MeetingScheduled
    | MeetingHeld
    | RaadAnswered
    | RaadConcluded
    | CourtDecided
    | MeasureRenewed
    | PlacementCarriedOut
    | MeasureEnded,
    Field(discriminator="step"),
]

# step -> the statuses in which it may be taken
PROTECTION_STEPS: dict[str, tuple[str, ...]] = {
    "meeting_scheduled": ("referred",),
    "meeting_held": ("meeting_scheduled",),
    "raad_answered": ("raad_requested",),
    "raad_concluded": ("raad_investigating",),
    "court_decided": ("court_petitioned", "raad_investigating", "measure_running"),
    # measures may run from a voorlopige OTS during the investigation on
    "measure_renewed": ("raad_investigating", "court_petitioned", "measure_running"),
    "placement_carried_out": ("raad_investigating", "court_petitioned", "measure_running"),
    "measure_ended": ("raad_investigating", "court_petitioned", "measure_running"),
}


class Measure(BaseModel):
    kind: MeasureKind
    starts_at: datetime
    ends_at: datetime | None
    running: bool = True
    placed: bool = False


class ProtectionState(PathState):
    kind: Literal["child_protection"] = "child_protection"
    status: ProtectionStatus
    child_ref: str
    via: Literal["beschermtafel", "raad"]
    meeting_on: date | None = None
    corv_message_id: str | None = None
    petition: MeasureKind | None = None
    measures: list[Measure] = []


def protection_step_problem(s: ProtectionState, step: BaseModel) -> str | None:
    """Why the current state does not allow `step` (a 409), or None."""
    name = step.step  # type: ignore[attr-defined]
    if s.status not in PROTECTION_STEPS[name]:
        return f"cannot record {name.replace('_', ' ')}: the path is {s.status.replace('_', ' ')}"
    running = {m.kind for m in s.measures if m.running}
    if isinstance(step, CourtDecided):
        if s.status == "raad_investigating" and step.measure != "voorlopige_ondertoezichtstelling":
            return (
                "during the Raad's investigation the court can only give a voorlopige "
                "ondertoezichtstelling (BW 1:257); the other measures follow its petition"
            )
        supervised = running & {"ondertoezichtstelling", "voorlopige_ondertoezichtstelling"}
        if step.measure == "machtiging_uithuisplaatsing" and step.granted and not supervised:
            return (
                "a machtiging tot uithuisplaatsing is given within a (voorlopige) "
                "ondertoezichtstelling (BW 1:265b lid 1); none is running"
            )
        if step.measure in running:
            return f"a {step.measure.replace('_', ' ')} is already running; renew it instead"
    if isinstance(step, MeasureRenewed | MeasureEnded) and step.measure not in running:
        return f"no {step.measure.replace('_', ' ')} is running"
    unused = any(m.kind == "machtiging_uithuisplaatsing" and not m.placed for m in s.measures)
    if isinstance(step, PlacementCarriedOut) and not unused:
        return "there is no unused machtiging tot uithuisplaatsing"
    return None


# --- MDA++ ---

MdaStatus = Literal["intake", "analysis", "plan", "closed"]


class PlanAction(Strict):
    action_id: Ref
    owner: Ref = Field(description="partner id of the organisation that carries it out")
    what: ShortText
    due_on: date
    done_at: datetime | None = None


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
            raise ValueError("action ids must be unique within the plan")
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


class MdaState(PathState):
    kind: Literal["mda"] = "mda"
    status: MdaStatus
    partners: list[str]
    goals: list[str] = []
    actions: list[PlanAction] = []
    reviews: int = 0
    reviews_this_run: int = 0
    goals_hold: bool = False
    runs: int = 1


class MdaStart(BaseModel):
    path: PathInput
    partners: list[str]
    carried: MdaState | None = None  # set when the workflow continues as new


def mda_step_problem(s: MdaState, step: BaseModel) -> str | None:
    name = step.step  # type: ignore[attr-defined]
    if s.status not in MDA_STEPS[name]:
        return f"cannot record {name.replace('_', ' ')}: the MDA++ path is in {s.status}"
    if isinstance(step, MdaReview | MdaActionDone) and not s.actions:
        return "no plan was agreed yet"
    if isinstance(step, MdaPlan):
        strangers = sorted({a.owner for a in step.actions} - set(s.partners))
        if strangers:
            return f"{', '.join(strangers)} take no part in this MDA++; owners must be partners"
    if isinstance(step, MdaActionDone):
        action = next((a for a in s.actions if a.action_id == step.action_id), None)
        if action is None:
            return f"the plan has no action {step.action_id!r}"
        if action.done_at is not None:
            return f"action {step.action_id!r} was already done"
    if isinstance(step, MdaClose) and s.status == "plan" and not s.goals_hold:
        return "MDA++ closes when the plan's goals hold: the last review did not find that"
    return None


# --- acute safety and the safety plan ---

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


class SafeWithoutPlacement(Strict):
    step: Literal["safe_without_placement"]
    arrangement: Literal["huisverbod", "pleger_left", "network"]
    at: AwareDatetime | None = None


class PlacementEnded(Strict):
    step: Literal["placement_ended"]
    placement_id: Ref
    at: AwareDatetime | None = None


AcuteStep = Annotated[SafeWithoutPlacement | PlacementEnded, Field(discriminator="step")]


class AcuteState(PathState):
    kind: Literal["acute_safety"] = "acute_safety"
    status: AcuteStatus
    placements: list[Placement] = []
    arrangement: str | None = None


class SafetyPlanIn(Strict):
    responsible: Ref = Field(description="partner id of the organisation of the worker")
    worker: Ref = Field(description="the responsible worker's user id (no name)")
    review_dates: Annotated[list[date], Field(min_length=1, max_length=24)]
    at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> SafetyPlanIn:
        if self.review_dates != sorted(set(self.review_dates)):
            raise ValueError("review dates must be distinct and in order")
        return self


class SafetyPlanStart(BaseModel):
    path: PathInput
    responsible: str
    worker: str
    review_dates: list[date]


class SafetyReview(Strict):
    step: Literal["review_held"]
    plan_holds: bool
    next_review_on: date | None = Field(None, description="an extra review date, if agreed")
    at: AwareDatetime | None = None


class SafetyPlanClose(Strict):
    step: Literal["closed"]
    at: AwareDatetime | None = None


SafetyPlanStep = Annotated[SafetyReview | SafetyPlanClose, Field(discriminator="step")]


class SafetyPlanState(PathState):
    kind: Literal["safety_plan"] = "safety_plan"
    status: Literal["active", "closed"]
    responsible: str
    worker: str
    review_dates: list[date]
    reviews: list[tuple[datetime, bool]] = []


AnyPath = Annotated[
    ProtectionState | MdaState | AcuteState | SafetyPlanState, Field(discriminator="kind")
]
