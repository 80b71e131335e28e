"""The advice question (adviesvraag) at Veilig Thuis: a professional or a citizen asks what
to do about a family, possibly without naming it (Wmo 2015 art. 4.1.1 lid 2 sub a: Veilig
Thuis gives advice; Handelingsprotocol Veilig Thuis 2019, "advies"). Veilig Thuis registers
the question and the advice given, and a follow-up when one is agreed with the asker; an
advice can turn into a melding, whose case then starts with the advice in its timeline.

The question, the advice and the persons (names) live in Postgres; the workflow sees the
advice id, the region, the kind of asker and the moments only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain.case import MeldingIn, PersonIn, Reporter, Unsafety
from domain.commands import ByActor
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
from domain.policy import DeliveryPolicy, Rule, RuleViolation
from domain.procedure import Tables
from domain.veilig_thuis_policy import VeiligThuisPolicy
from domain.workdays import AMSTERDAM

AskerKind = Literal["professional", "citizen", "anonymous"]
AdviceStatus = Literal["registered", "advised", "follow_up_due", "closed", "converted"]
Municipality = Annotated[str, StringConstraints(pattern=r"^GM\d{4}$")]

STATUSES: dict[str, str] = {
    "registered": "geregistreerd",
    "advised": "advies gegeven",
    "follow_up_due": "opvolging afgesproken",
    "closed": "afgesloten",
    "converted": "omgezet in een melding",
}
ASKERS: dict[str, str] = {
    "professional": "beroepskracht",
    "citizen": "burger",
    "anonymous": "anonieme adviesvrager",
}
CloseReason = Literal["advice_sufficient", "referred_elsewhere", "no_contact", "other"]
CLOSE_REASONS: dict[str, str] = {
    "advice_sufficient": "het advies volstaat",
    "referred_elsewhere": "doorverwezen naar andere hulp",
    "no_contact": "geen contact meer met de adviesvrager",
    "other": "anders",
}
FINAL = ("closed", "converted")


# --- what the API takes (personal content: Postgres only) ---


class Asker(Strict):
    kind: AskerKind
    organisation: ShortText | None = Field(None, description="a professional's organisation")
    partner: Ref | None = Field(
        None, description="partner id of the professional's organisation, when of the chain"
    )

    @model_validator(mode="after")
    def _professional_only(self) -> Asker:
        if self.kind != "professional" and (self.organisation or self.partner):
            raise ValueError("only a professional asks on behalf of an organisation")
        return self


class AdviceQuestionIn(Strict):
    region: ShortText
    municipality: Municipality | None = Field(None, description="where the family lives, if said")
    asker: Asker
    question: Text
    persons: Annotated[list[PersonIn], Field(max_length=50)] = Field(
        default_factory=list, description="the family, when named; empty: asked anonymously"
    )
    received_at: PastMoment | None = None

    @model_validator(mode="after")
    def _unique_refs(self) -> AdviceQuestionIn:
        refs = [p.ref for p in self.persons]
        if doubles := sorted({r for r in refs if refs.count(r) > 1}):
            raise ValueError(f"person refs must be unique; repeated: {', '.join(doubles)}")
        return self


class AdviceIn(Strict):
    advice: Text
    follow_up_at: AwareDatetime | None = Field(
        None, description="the follow-up agreed with the asker (a call back), if any"
    )
    at: AwareDatetime | None = None


class FollowUpIn(Strict):
    note: Text | None = Field(None, description="what the follow-up brought")
    next_follow_up_at: AwareDatetime | None = Field(None, description="a further follow-up")
    at: AwareDatetime | None = None


class AdviceCloseIn(Strict):
    reason: CloseReason
    at: AwareDatetime | None = None


class ConvertIn(Strict):
    """Turn the advice into a melding: the afwegingskader's answers, and the family when the
    question left it unnamed (a melding names its persons)."""

    unsafety: Unsafety
    summary: Text | None = Field(None, description="the melding's summary; default the question")
    municipality: Municipality | None = None
    persons: Annotated[list[PersonIn], Field(max_length=50)] | None = Field(
        None, description="the persons of the melding; default those of the advice question"
    )


# --- what the workflow sees: references and moments only ---


class AdviceInput(BaseModel):
    advice_id: str
    region: str
    asker_kind: AskerKind
    family_named: bool
    received_at: datetime
    policy: VeiligThuisPolicy = VeiligThuisPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()


# the workflow's commands, each with its actor (`domain.commands.ByActor`): set by the service


class GiveAdviceCmd(ByActor):
    ref: str  # names the advice text in Postgres; a repeat of the same ref changes nothing
    at: datetime
    follow_up_at: datetime | None = None


class FollowUpDoneCmd(ByActor):
    ref: str
    at: datetime
    noted: bool = False
    next_follow_up_at: datetime | None = None


class CloseAdviceCmd(ByActor):
    ref: str
    at: datetime
    reason: CloseReason


class ConvertCmd(ByActor):
    ref: str
    at: datetime
    case_id: str


AdviceCmd = GiveAdviceCmd | FollowUpDoneCmd | CloseAdviceCmd | ConvertCmd


class AdviceState(BaseModel):
    advice_id: str
    region: str
    status: AdviceStatus
    received_at: datetime
    ended_at: datetime | None = None
    case_id: str | None = None  # the melding it became
    version: int = 0
    timeline: list[TimelineEvent] = []
    deadlines: list[Deadline] = []
    refs: list[str] = []  # the commands taken, by ref: a retried one is answered as before


# --- rules ---

_ALLOWED: dict[str, tuple[tuple[str, ...], str]] = {
    "give_advice": (("registered", "advised"), "advies geven"),
    "record_follow_up": (("follow_up_due",), "de opvolging vastleggen"),
    "close": (("registered", "advised", "follow_up_due"), "afsluiten"),
    "convert": (("registered", "advised", "follow_up_due"), "omzetten in een melding"),
}


def refusal(status: str, action: str) -> str | None:
    """Why an advice question in `status` does not allow `action`; None when it does."""
    allowed, dutch = _ALLOWED[action]
    if status in allowed:
        return None
    return f"{dutch} kan niet: de adviesvraag is {STATUSES[status]}"


def check_follow_up(at: datetime, follow_up_at: datetime | None) -> None:
    """A follow-up is agreed for a moment after the conversation."""
    if follow_up_at is not None and follow_up_at <= at:
        raise RuleViolation("het moment van opvolging moet na het gesprek liggen")


def follow_up_label(agreed_at: datetime) -> str:
    return f"opvolging adviesvraag, afgesproken {agreed_at.astimezone(AMSTERDAM):%d-%m-%Y %H:%M}"


def melding_of(question: dict, body: ConvertIn, received_at: datetime) -> MeldingIn:
    """The melding an advice question becomes: the asker reports, the family must be named."""
    persons = body.persons if body.persons is not None else question["persons"]
    municipality = body.municipality or question["municipality"]
    if not persons:
        raise RuleViolation("een melding noemt de betrokkenen: vul ze in bij het omzetten")
    if municipality is None:
        raise RuleViolation("een melding noemt de gemeente waar het gezin woont")
    asker = question["asker"]
    return MeldingIn.model_validate(
        {
            "region": question["region"],
            "municipality": municipality,
            "reporter": Reporter(
                kind=asker["kind"],
                organisation=asker.get("organisation"),
                partner=asker.get("partner"),
            ),
            "persons": [p if isinstance(p, dict) else p.model_dump() for p in persons],
            "unsafety": body.unsafety,
            "summary": body.summary or question["question"],
            "received_at": received_at,
        }
    )


def prior_events(advice_id: str, timeline: list[dict], at: datetime) -> list[TimelineEvent]:
    """The advice's history, to open the timeline of the case it became."""
    source = f"advice:{advice_id}"
    events = [TimelineEvent.model_validate({**e, "source": source}) for e in timeline]
    events.append(
        TimelineEvent(
            at=at,
            kind="advice_converted",
            detail="advies voorafgaand aan de melding: de adviesvraag is omgezet in deze melding",
            source=source,
        )
    )
    return events


@dataclass(frozen=True)
class AdviceFilter:
    """What a list of advice questions narrows to; None is any."""

    municipality: str | None = None
    status: str | None = None


FOLLOW_UP_DEADLINE = Rule(
    key="advice_follow_up",
    label="afgesproken vervolgcontact met de adviesvrager",
    source="Handelingsprotocol Veilig Thuis 2019 (advies): afspraak met de adviesvrager; "
    "geen wettelijke termijn",
)
TABLES = Tables(kind="advice", rules=(FOLLOW_UP_DEADLINE,))
