"""Tijdelijk huisverbod (Wet tijdelijk huisverbod): the police's request, the mayor's
decision and extension, appeal and the court's ruling, the milestones of the ten days.

API bodies (`*In`, which may hold an address or an officer's name and stay in Postgres) and
what the workflow sees (`*Cmd`, `HuisverbodInput`, `HuisverbodSnapshot`: references only).
Its deadlines and rules of the calculator are in `domain.huisverbod_policy`; `SPEC` is its
entry in the catalogue.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from domain.access import Action, Actor
from domain.huisverbod_policy import CALCULATOR, DEADLINES, HuisverbodPolicy
from domain.models import (
    AwareDatetime,
    Deadline,
    PastMoment,
    Ref,
    ShortText,
    Strict,
    Text,
    TimelineEvent,
)
from domain.policy import DeliveryPolicy
from domain.procedure import NoticeSpec, PathChange, ProcedureSpec
from domain.rihg import SIGNAL_COUNT, SignalRating, check_ratings

Capacity = Literal["mayor", "hulpofficier"]


HuisverbodStatus = Literal[
    "requested", "imposed", "refused", "extended", "lifted", "expired", "withdrawn"
]
AppealAgainst = Literal["imposition", "extension"]


class RequestedBy(Strict):
    organisation: ShortText
    officer: ShortText


Grounds = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
RiskAnswerValue = Literal["yes", "no", "unknown"]
RISK_ANSWER_LABELS: dict[str, str] = {"yes": "ja", "no": "nee", "unknown": "onbekend"}


class RiskAnswer(Strict):
    """One free answer of a risk assessment, the indicator as the police worded it (before
    the RiHG's own signals were in ketenregie: `HuisverbodRequestIn.rihg`); still taken and
    shown as it was."""

    question: ShortText
    answer: RiskAnswerValue


class HuisverbodRequestIn(Strict):
    """The police's request. The address, the officer and the grounds stay in Postgres."""

    pleger_ref: Ref
    address: ShortText
    requested_by: RequestedBy
    incident_at: PastMoment | None = None
    grounds: Grounds = Field(description="the facts and circumstances the request rests on")
    risk_assessment: list[RiskAnswer] = Field([], max_length=60)
    rihg: Annotated[list[SignalRating], AfterValidator(check_ratings)] = Field(
        [],
        max_length=SIGNAL_COUNT,
        description="the RiHG's signals as the police rated them (high, medium or low risk), "
        "each by its id (README: the RiHG); the instrument's conclusion is in the huisverbod's read",
    )
    children_at_address: bool = Field(description="children live at the address")
    veilig_thuis_consulted: bool = Field(
        False, description="Veilig Thuis was already consulted (Wth art. 2 lid 3)"
    )


# What a huisverbod's read adds from its request's file (Postgres only), for those who may
# read it (`domain.access.may_read_huisverbod_file`).
FILE_FIELDS = (
    "pleger_name",
    "pleger_birth_date",
    "address",
    "requested_by",
    "grounds",
    "risk_assessment",
    "rihg",
    "children_at_address",
    "veilig_thuis_consulted",
)


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
    """Appeal (beroep, Wth art. 6) against the imposition or an extension, also after the ban
    ended; with or without a request for interim relief (voorlopige voorziening)."""

    lodged_at: AwareDatetime | None = Field(None, description="when the court received it")
    interim_relief_requested: bool = True
    against: AppealAgainst = "imposition"


class HearingIn(Strict):
    """The court heard the request for interim relief (Wth art. 6: within three days)."""

    at: AwareDatetime | None = None


class WithdrawalIn(Strict):
    """The mayor withdraws the ban (intrekking); it ends at once. Not under mandate."""

    reason: Text
    decided_by: Decider
    at: AwareDatetime | None = None


class ViolationIn(Strict):
    """The police record a violation of the ban (Wth art. 11: a criminal offence)."""

    at: AwareDatetime | None = None


class RulingIn(Strict):
    outcome: Literal["upheld", "lifted"]
    ruled_at: AwareDatetime | None = None


# milestone -> (the deadline it meets, if any; what the timeline says)
MILESTONES: dict[str, tuple[str | None, str]] = {
    "contact_address_given": (
        "contact_address",
        "de uithuisgeplaatste heeft een adres of contactgegevens opgegeven",
    ),
    "help_started": ("help_started", "de hulp voor het gezin is gestart"),
    "written_order_issued": (None, "de schriftelijke beschikking is uitgereikt"),
}
# milestone -> who may record it: the organisation that does it. The person put out gives an
# address to the mayor, in practice to the police who hand over the order (Wth art. 2 lid 6);
# Veilig Thuis starts the help of the ten days (Wmo 2015 art. 4.1.1); the mayor's office issues
# the written order and the police hand it over.
MILESTONE_ACTIONS: dict[str, Action] = {
    "contact_address_given": "huisverbod.contact_address",
    "help_started": "huisverbod.help_started",
    "written_order_issued": "huisverbod.order_issued",
}


class MilestoneIn(Strict):
    milestone: Literal["contact_address_given", "help_started", "written_order_issued"]
    at: AwareDatetime | None = None


IN_FORCE = ("imposed", "extended")  # a ban that holds: its end and cap run
ACTIVE_HUISVERBOD = ("requested", *IN_FORCE)


# Every command carries its actor, set by the service from the signed-in principal; the
# workflow's validator refuses it unless the actor holds the act's permission
# (`domain.access.check_actor`). Optional only so that histories from before still load.


class HuisverbodRequestCmd(BaseModel):
    huisverbod_id: str
    pleger_ref: str
    requested_at: datetime
    incident_at: datetime | None = None
    actor: Actor | None = None


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
    actor: Actor | None = None


class ExtensionCmd(BaseModel):
    until: datetime
    reason: str
    decided_by: Decider
    decided_at: datetime
    actor: Actor | None = None


class AppealCmd(BaseModel):
    lodged_at: datetime
    interim_relief_requested: bool = True
    against: AppealAgainst = "imposition"
    actor: Actor | None = None


class HearingCmd(BaseModel):
    at: datetime
    actor: Actor | None = None


class WithdrawalCmd(BaseModel):
    reason: str
    decided_by: Decider
    at: datetime
    actor: Actor | None = None


class ViolationCmd(BaseModel):
    at: datetime
    actor: Actor | None = None


class RulingCmd(BaseModel):
    outcome: Literal["upheld", "lifted"]
    ruled_at: datetime
    actor: Actor | None = None


class MilestoneCmd(BaseModel):
    milestone: Literal["contact_address_given", "help_started", "written_order_issued"]
    at: datetime
    actor: Actor | None = None


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
    appeal: AppealCmd | None = None  # the first appeal
    ruling: RulingCmd | None = None  # the last ruling
    appeals: list[AppealCmd] = []
    rulings: list[RulingCmd] = []
    hearings: list[datetime] = []
    withdrawal: WithdrawalCmd | None = None
    violations: list[datetime] = []
    ended_at: datetime | None = None
    open_until: datetime | None = None  # after the end: appeals are taken until then
    version: int
    timeline: list[TimelineEvent]
    deadlines: list[Deadline]


class HuisverbodChange(BaseModel):
    """What a huisverbod tells its case: its new status and the events since the last change."""

    huisverbod_id: str
    status: HuisverbodStatus
    events: list[TimelineEvent]

    def as_path_change(self) -> PathChange:
        """The change as every procedure tells its case (the signal keeps its own shape)."""
        return PathChange(
            path_id=self.huisverbod_id,
            kind=SPEC.kind,
            status=self.status,
            active=self.status in ACTIVE_HUISVERBOD,
            events=self.events,
        )


STATUS_NAMES = {
    "requested": "aangevraagd",
    "imposed": "opgelegd",
    "extended": "verlengd",
    "refused": "afgewezen",
    "lifted": "opgeheven",
    "expired": "afgelopen",
    "withdrawn": "ingetrokken",
}


# Who hears of what (Wth): the zaaksysteem is the municipality's own record of the ban (ZGW,
# `domain.zgw`), where its mayor's office has one configured.
BAN_CHANGED = ("police", "veilig_thuis", "huisarts", "sociaal_wijkteam", "zaaksysteem")
NOTICES = (
    NoticeSpec(
        kind="event",
        subject="huisverbod_requested",
        audiences=("mayor_office", "zaaksysteem"),
        label="Verzoek om een tijdelijk huisverbod: uw beslissing is nodig",
        event_type="huisverbod.aangevraagd",
    ),
    NoticeSpec(
        kind="event",
        subject="huisverbod_imposed",
        audiences=(
            "police",
            "veilig_thuis",
            "huisarts",
            "sociaal_wijkteam",
            "handle_with_care",
            "zaaksysteem",
        ),
        label="Tijdelijk huisverbod opgelegd",
        event_type="huisverbod.opgelegd",
    ),
    NoticeSpec(
        kind="event",
        subject="huisverbod_refused",
        audiences=("police", "veilig_thuis", "zaaksysteem"),
        label="Verzoek om een tijdelijk huisverbod afgewezen",
        event_type="huisverbod.afgewezen",
    ),
    NoticeSpec(
        kind="event",
        subject="huisverbod_extended",
        audiences=BAN_CHANGED,
        label="Tijdelijk huisverbod verlengd",
        event_type="huisverbod.verlengd",
    ),
    NoticeSpec(
        kind="event",
        subject="huisverbod_lifted",
        audiences=BAN_CHANGED,
        label="Tijdelijk huisverbod opgeheven door de rechter",
        event_type="huisverbod.opgeheven",
    ),
    NoticeSpec(
        kind="event",
        subject="huisverbod_expired",
        audiences=BAN_CHANGED,
        label="Tijdelijk huisverbod afgelopen",
        event_type="huisverbod.afgelopen",
    ),
    NoticeSpec(
        kind="event",
        subject="huisverbod_withdrawn",
        audiences=BAN_CHANGED,
        label="Tijdelijk huisverbod ingetrokken door de burgemeester",
        event_type="huisverbod.ingetrokken",
    ),
    # Wth art. 11: a violation is a crime; the mayor, Veilig Thuis and the OM hear of it
    NoticeSpec(
        kind="event",
        subject="huisverbod_violated",
        audiences=("mayor_office", "veilig_thuis", "openbaar_ministerie"),
        label="Overtreding van een tijdelijk huisverbod (art. 11 Wth)",
        event_type="huisverbod.overtreden",
    ),
    # Wth art. 3 lid 2: a hulpofficier who imposes under mandate tells the mayor at once
    NoticeSpec(
        kind="alert",
        subject="imposed_under_mandate",
        audiences=("mayor_office",),
        label="Huisverbod opgelegd door een hulpofficier in mandaat",
        event_type="huisverbod.opgelegd-in-mandaat",
    ),
)
LABELS = {n.subject: n.label for n in NOTICES}


# Its entry in the catalogue. Older than the paths of a case, it keeps what running
# histories and the v1 API know of it: the case starts it by `request_huisverbod`, its
# workflows are `huisverbod-<case>-<id>`, it tells its case by the `huisverbod_changed`
# signal and its read model is the table `huisverboden`; its routes are its own.
SPEC = ProcedureSpec(
    kind="huisverbod",
    slug="huisverbod-requests",
    label="Tijdelijk huisverbod",
    statuses=STATUS_NAMES,
    start_in=HuisverbodRequestIn,
    state=HuisverbodSnapshot,
    step=None,
    one_at_a_time=lambda cmd: cmd.pleger_ref,
    subject_role="pleger",
    rules=tuple(DEADLINES.values()),
    notices=NOTICES,
    calculator=CALCULATOR,
    start_update="request_huisverbod",
    id_prefix="huisverbod",
    signal="huisverbod_changed",
    read_model=("huisverboden", "huisverbod_id"),
    resource="huisverboden",
)


def huisverbod_workflow_id(case_id: str, huisverbod_id: str) -> str:
    return SPEC.workflow_id(case_id, huisverbod_id)
