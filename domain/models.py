"""Pydantic models of the case and the huisverbod: API commands and workflow state.

Models that travel through Temporal (`*Input`, `*Snapshot`, commands) carry references
only: no names, birth dates, addresses or free-text case content. Those stay in the case
file in Postgres.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from domain.policy import DeliveryPolicy, HuisverbodPolicy, Policy


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "must be an ISO-8601 time with a UTC offset, e.g. 2026-11-23T09:00:00+01:00"
        )
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]

PersonRole = Literal["victim", "pleger", "child", "other"]
ReporterKind = Literal["professional", "police", "citizen", "anonymous"]
Capacity = Literal["mayor", "hulpofficier"]
HuisverbodStatus = Literal["requested", "imposed", "refused", "extended", "lifted", "expired"]
DeadlineStatus = Literal["open", "met", "overdue", "closed"]
DeliveryStatus = Literal["pending", "sending", "sent", "failed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- API commands (may hold personal data; never sent to Temporal as such) ---


class Reporter(Strict):
    kind: ReporterKind
    organisation: ShortText | None = None


class PersonIn(Strict):
    ref: Ref
    role: PersonRole
    name: ShortText
    birth_date: date | None = None
    address: ShortText | None = None
    huisarts: Ref | None = Field(None, description="partner id of the person's huisarts")
    school: Ref | None = Field(
        None, description="partner id of a child's school or kinderopvang (Handle with Care)"
    )


class Unsafety(Strict):
    """The reporter's answers to the meldcode's afwegingskader."""

    acute: bool
    structural: bool
    reporter_can_help: bool | None = Field(
        None, description="can the reporter offer or organise adequate help? (afwegingskader)"
    )


class MeldingIn(Strict):
    region: ShortText
    municipality: Annotated[str, StringConstraints(pattern=r"^GM\d{4}$")]
    reporter: Reporter
    persons: Annotated[list[PersonIn], Field(min_length=1, max_length=50)]
    unsafety: Unsafety
    summary: Text
    received_at: AwareDatetime | None = None
    wijkteam: Ref | None = Field(
        None, description="partner id of the sociaal wijkteam already involved, if any"
    )

    @model_validator(mode="after")
    def _unique_refs(self) -> MeldingIn:
        refs = [p.ref for p in self.persons]
        doubles = sorted({r for r in refs if refs.count(r) > 1})
        if doubles:
            raise ValueError(
                f"person refs must be unique within a melding; repeated: {', '.join(doubles)}"
            )
        return self


class RequestedBy(Strict):
    organisation: ShortText
    officer: ShortText


class HuisverbodRequestIn(Strict):
    pleger_ref: Ref
    address: ShortText
    requested_by: RequestedBy
    incident_at: AwareDatetime | None = None


class Decider(Strict):
    name: ShortText
    capacity: Capacity


class DecisionIn(Strict):
    decision: Literal["impose", "refuse"]
    reason: Text
    decided_by: Decider
    decided_at: AwareDatetime | None = None
    veilig_thuis_consulted: bool | None = None
    ordered_orally: bool = Field(
        False, description="urgent order given orally (Wth art. 2 lid 7); the written order follows"
    )


class ExtensionIn(Strict):
    until: AwareDatetime
    reason: Text
    decided_by: Decider
    decided_at: AwareDatetime | None = None


class AppealIn(Strict):
    lodged_at: AwareDatetime | None = None
    interim_relief_requested: bool = True


class RulingIn(Strict):
    outcome: Literal["upheld", "lifted"]
    ruled_at: AwareDatetime | None = None


class MilestoneIn(Strict):
    milestone: Literal["contact_address_given", "help_started", "written_order_issued"]
    at: AwareDatetime | None = None


# --- What Temporal sees: references, roles, times, decisions ---


class PersonRef(BaseModel):
    ref: str
    role: PersonRole


class TimelineEvent(BaseModel):
    at: datetime
    kind: str
    detail: str = ""
    source: str = "case"


class Deadline(BaseModel):
    key: str
    label: str
    due_at: datetime
    rule: str
    status: DeadlineStatus = "open"
    met_at: datetime | None = None
    source: str = "case"
    responsible: str = "veilig_thuis"
    remind_at: datetime | None = None
    reminded: bool = False
    ref: str | None = None  # which item of a list it belongs to (a plan action)


class Notice(BaseModel):
    """Something a person must be told: routed through the one notification activity."""

    key: str  # stable idempotency key: the same notice is never queued twice
    case_id: str
    region: str
    kind: Literal["reminder", "escalation", "alert", "referral", "event"]
    recipient: str  # a role: the responsible team, "regional_coordinator", "police", ...
    subject: str
    at: datetime | None = None  # when the event happened
    due_at: datetime | None = None
    detail: str = ""


class CaseInput(BaseModel):
    case_id: str
    region: str
    municipality: str
    reporter_kind: ReporterKind
    persons: list[PersonRef]
    unsafety: Unsafety
    received_at: datetime
    policy: Policy = Policy()
    carried: CaseCarry | None = None  # set when the case continues as new


class CaseSnapshot(BaseModel):
    case_id: str
    region: str
    municipality: str
    phase: str
    urgent: bool = False
    partner: str | None = None
    acute: bool
    structural: bool
    opened_at: datetime
    version: int
    timeline: list[TimelineEvent]
    deadlines: list[Deadline]
    huisverbod_ids: list[str] = []


class Subprocedure(BaseModel):
    """The case's record of one of its child procedures: a huisverbod or a path."""

    kind: str  # "huisverbod", or the kind of path
    subject: str | None = None  # the pleger of a huisverbod, the child of child protection
    status: str
    active: bool


ACTIVE_HUISVERBOD = ("requested", "imposed", "extended")


class CaseCarry(BaseModel):
    """What a case takes into its next run when it continues as new."""

    snapshot: CaseSnapshot
    children: dict[str, Subprocedure] = {}
    investigated: bool

    @model_validator(mode="before")
    @classmethod
    def _from_tuples(cls, data: Any) -> Any:
        """Runs carried before the typed record kept its children as tuples."""
        if isinstance(data, dict) and ("huisverboden" in data or "paths" in data):
            data = dict(data)
            children = {
                hid: {
                    "kind": "huisverbod",
                    "subject": ref,
                    "status": status,
                    "active": status in ACTIVE_HUISVERBOD,
                }
                for hid, (ref, status) in data.pop("huisverboden", {}).items()
            }
            for pid, (kind, child, active) in data.pop("paths", {}).items():
                children[pid] = {
                    "kind": kind,
                    "subject": child,
                    "status": "running" if active else "closed",
                    "active": active,
                }
            data["children"] = children
        return data


CaseInput.model_rebuild()


class HuisverbodRequestCmd(BaseModel):
    huisverbod_id: str
    pleger_ref: str
    requested_at: datetime
    incident_at: datetime | None = None


class HuisverbodInput(BaseModel):
    huisverbod_id: str
    case_id: str
    region: str
    municipality: str
    pleger_ref: str
    requested_at: datetime
    incident_at: datetime | None = None
    children_involved: bool
    policy: HuisverbodPolicy = HuisverbodPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()


class DecisionCmd(BaseModel):
    decision: Literal["impose", "refuse"]
    reason: str
    decided_by: Decider
    decided_at: datetime
    veilig_thuis_consulted: bool | None = None
    ordered_orally: bool = False


class ExtensionCmd(BaseModel):
    until: datetime
    reason: str
    decided_by: Decider
    decided_at: datetime


class AppealCmd(BaseModel):
    lodged_at: datetime
    interim_relief_requested: bool = True


class RulingCmd(BaseModel):
    outcome: Literal["upheld", "lifted"]
    ruled_at: datetime


class MilestoneCmd(BaseModel):
    milestone: Literal["contact_address_given", "help_started", "written_order_issued"]
    at: datetime


class HuisverbodSnapshot(BaseModel):
    huisverbod_id: str
    case_id: str
    municipality: str
    pleger_ref: str
    status: HuisverbodStatus
    requested_at: datetime
    decision: DecisionCmd | None = None
    imposed_at: datetime | None = None
    ends_at: datetime | None = None
    max_end: datetime | None = None
    extensions: list[ExtensionCmd] = []
    appeal: AppealCmd | None = None
    ruling: RulingCmd | None = None
    ended_at: datetime | None = None
    version: int
    timeline: list[TimelineEvent]
    deadlines: list[Deadline]


class HuisverbodChange(BaseModel):
    """What a huisverbod tells its case: its new status and the events since the last change."""

    huisverbod_id: str
    status: HuisverbodStatus
    events: list[TimelineEvent]


# --- Veilig Thuis commands: one model each; the API fills in the time when it is left out ---

Phase = Literal["triage", "follow_up_decision", "investigation", "monitoring", "referred", "closed"]
FollowUp = Literal["close_with_advice", "handover", "investigation", "beschermtafel", "mda"]


class SafetyAssessmentCmd(Strict):
    """The veiligheidsbeoordeling: is there acute or structural unsafety?"""

    acute: bool
    structural: bool
    assessed_at: AwareDatetime | None = None


class FollowUpCmd(Strict):
    decision: FollowUp
    partner: ShortText | None = Field(
        None, description="for a handover: the partner organisation id from the chain configuration"
    )
    decided_at: AwareDatetime | None = None


class InvestigationCmd(Strict):
    conclusion: Literal["unsafe", "safe", "undetermined"]
    concluded_at: AwareDatetime | None = None


class MonitoringCheckCmd(Strict):
    safety_holds: bool
    checked_at: AwareDatetime | None = None


class CloseCmd(Strict):
    reason: Literal["advice_given", "handed_over_and_safe", "no_concerns", "merged", "other"]
    closed_at: AwareDatetime | None = None


class NotifyInput(BaseModel):
    notice: Notice
    delivery: DeliveryPolicy = DeliveryPolicy()


class PlannedDelivery(BaseModel):
    """One recipient of a notice, as the notify workflow sees it: references only."""

    key: str
    audience: str
    partner_id: str | None
    status: DeliveryStatus
    error: str | None = None


class FailedDelivery(BaseModel):
    key: str
    error: str
