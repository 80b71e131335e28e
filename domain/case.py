"""The case (casus) at Veilig Thuis: the melding as it comes in (API bodies with names and
birth dates, kept in Postgres), what the case workflow sees (references, roles, answers),
its state, the Veilig Thuis steps, and consent refused (Toestemmingsvereiste voor hulp bij
kindermishandeling)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from domain.chain_policy import Policy
from domain.commands import commanded
from domain.deadlines import CalculatorRule, DueDate
from domain.huisverbod import ACTIVE_HUISVERBOD
from domain.models import (
    AwareDatetime,
    Deadline,
    PastDate,
    Ref,
    ShortText,
    Strict,
    Text,
    TimelineEvent,
)
from domain.names import PersonName
from domain.notifications import PARTNER
from domain.policy import Rule, RuleViolation, age_on
from domain.procedure import NoticeSpec, Tables
from domain.workdays import dutch_time

PersonRole = Literal["victim", "pleger", "child", "other"]


ReporterKind = Literal["professional", "police", "citizen", "anonymous"]


class Reporter(Strict):
    kind: ReporterKind
    organisation: ShortText | None = None
    partner: Ref | None = Field(
        None,
        description="partner id of the reporting organisation, when it is one of the chain: "
        "it hears what Veilig Thuis did with the melding (Wmo 2015 art. 4.1.1 lid 2 sub g)",
    )


class PersonIn(Strict):
    ref: Ref
    role: PersonRole
    name: PersonName
    birth_date: PastDate | None = None
    bsn: Annotated[str, StringConstraints(pattern=r"^\d{9}$")] | None = Field(
        None, description="burgerservicenummer, when known: the radar matches on it too"
    )
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
                "elke persoon in een melding heeft een eigen verwijzing (veld persons[].ref); "
                f"dubbel: {', '.join(doubles)}"
            )
        return self


# how long after it came in a melding may still be registered with its own moment
LATE_REGISTRATION = timedelta(days=30)


def check_received(received_at: datetime, now: datetime) -> None:
    """A melding is registered when it comes in: its deadlines run from that moment, so one
    dated long before (a typing error: 1999 for 2026) would be overdue at once."""
    if received_at < now - LATE_REGISTRATION:
        raise RuleViolation(
            f"ontvangen op {dutch_time(received_at)} ligt meer dan "
            f"{LATE_REGISTRATION.days} dagen terug; een melding wordt vastgelegd wanneer ze "
            "binnenkomt"
        )


class PersonRef(BaseModel):
    ref: str
    role: PersonRole


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
    reporter_partner: str | None = None  # a partner id: told what was done with the melding
    # the radar found repeated violence (`domain.radar.is_repeat`): MDA++ is proposed to the
    # coordinator; a flag, never the earlier contacts themselves
    repeat_violence: bool = False
    # what came before the melding (an advice question it grew from): opens the timeline
    prior: list[TimelineEvent] = []


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


Phase = Literal["triage", "follow_up_decision", "investigation", "monitoring", "referred", "closed"]


FollowUp = Literal["close_with_advice", "handover", "investigation", "beschermtafel", "mda"]
FOLLOW_UP_NAMES: dict[str, str] = {
    "close_with_advice": "afsluiten met advies",
    "handover": "overdragen aan lokaal team (daarna monitoring)",
    "investigation": "onderzoek door Veilig Thuis",
    "beschermtafel": "naar de beschermtafel",
    "mda": "naar MDA++ (complex of herhaald geweld)",
}
# a follow-up that refers the case to a path starts that path (`FollowUpCmd.start`)
FOLLOW_UP_PATHS: dict[str, str] = {"beschermtafel": "child_protection", "mda": "mda"}
REPORTER_NAMES: dict[str, str] = {
    "professional": "beroepskracht",
    "police": "politie",
    "citizen": "burger",
    "anonymous": "anoniem",
}


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
    start: dict[str, Any] | None = Field(
        None,
        description="a referral (beschermtafel, mda): the start data of its path, as "
        "POST /v1/cases/{case_id}/{slug} takes it; the path then starts with the decision",
    )


class InvestigationCmd(Strict):
    conclusion: Literal["unsafe", "safe", "undetermined"]
    concluded_at: AwareDatetime | None = None


class MonitoringCheckCmd(Strict):
    safety_holds: bool
    checked_at: AwareDatetime | None = None


class CloseCmd(Strict):
    reason: Literal["advice_given", "handed_over_and_safe", "no_concerns", "merged", "other"]
    closed_at: AwareDatetime | None = None


# --- consent refused ---

ConsentPath = Literal[
    "help_with_consent_of_the_child",
    "veilig_thuis_melding",
    "beschermtafel",
    "raad_voor_de_kinderbescherming",
    "mda",
]
CONSENT_PATH_LABELS = {
    "help_with_consent_of_the_child": "hulp met toestemming van het kind zelf (16 jaar of ouder)",
    "veilig_thuis_melding": "Veilig Thuis gaat door zonder toestemming van de ouders (meldrecht)",
    "beschermtafel": "verwijzing naar de beschermtafel",
    "raad_voor_de_kinderbescherming": "verzoek tot onderzoek aan de Raad voor de Kinderbescherming",
    "mda": "verwijzing naar MDA++",
}
# Dutch words for the codes of the commands, in the texts people read
REPORTER_NAMES = {
    "professional": "een professional",
    "police": "de politie",
    "citizen": "een burger",
    "anonymous": "een anonieme melder",
}
PHASE_NAMES = {
    "triage": "triage en veiligheidsbeoordeling",
    "follow_up_decision": "besluit over het vervolg",
    "investigation": "onderzoek",
    "monitoring": "monitoring",
    "referred": "verwezen",
    "closed": "gesloten",
}
CONCLUSION_NAMES = {"unsafe": "onveilig", "safe": "veilig", "undetermined": "niet vast te stellen"}
CLOSE_REASON_NAMES = {
    "advice_given": "advies gegeven",
    "handed_over_and_safe": "overgedragen en veilig",
    "no_concerns": "geen zorgen",
    "merged": "samengevoegd met een andere casus",
    "other": "andere reden",
}
REFUSED_BY_NAMES = {
    "one_parent": "een van de ouders",
    "both_parents": "beide ouders",
    "guardian": "de voogd",
}
PERSON_ROLE_NAMES = {
    "victim": "slachtoffer",
    "pleger": "pleger",
    "child": "kind",
    "other": "andere betrokkene",
}
CHILD_CONSENT_AGE = 16  # WGBO, BW 7:447 lid 1; Jeugdwet art. 7.3.4 lid 1


class ConsentRefusedCmd(Strict):
    """Parents refused consent for help; the case records it and the path taken instead."""

    child_ref: Ref
    refused_by: Literal["one_parent", "both_parents", "guardian"]
    path: ConsentPath
    at: AwareDatetime | None = None


# The case's steps as the workflow takes them: each request body above (`…Cmd`, the API's)
# with its actor, which the service sets from the signed-in principal (`domain.commands`).
SafetyAssessmentByActor = commanded(SafetyAssessmentCmd)
FollowUpByActor = commanded(FollowUpCmd)
InvestigationByActor = commanded(InvestigationCmd)
MonitoringCheckByActor = commanded(MonitoringCheckCmd)
CloseByActor = commanded(CloseCmd)
ConsentRefusedByActor = commanded(ConsentRefusedCmd)


def check_child_consent(birth_date: date | None, on: date) -> None:
    """Help on the child's own consent needs a child of 16 or older (BW 7:447 lid 1)."""
    if birth_date is None:
        raise RuleViolation(
            "de geboortedatum van het kind is niet bekend: zijn eigen toestemming telt niet"
        )
    if age_on(birth_date, on) < CHILD_CONSENT_AGE:
        raise RuleViolation(
            f"het kind is {age_on(birth_date, on)} jaar: pas vanaf {CHILD_CONSENT_AGE} jaar stemt "
            "een kind zelf in met hulp (BW 7:447 lid 1, Jeugdwet art. 7.3.4)"
        )


@dataclass(frozen=True)
class CaseFilter:
    """What a search narrows to; None is any. `number` matches the start of the case number
    or id, or its last parts (`number_pattern`); `name` a part of a person's name in the file;
    `deadlines` is "overdue" (one passed unmet) or "open" (one still to meet); `by_deadline`
    puts the case whose next deadline comes first first (a worker's own caseload)."""

    region: str | None = None
    municipality: str | None = None
    phase: str | None = None
    number: str | None = None
    assigned_to: str | None = None
    deadlines: str | None = None
    name: str | None = None
    by_deadline: bool = False


def names_a_person(query: str) -> bool:
    """Whether what was typed as a case number is a name instead: a number always holds a
    digit, and its start ("VT-HGL-…") is the only digitless part of one people type."""
    q = query.strip()
    return bool(q) and not any(c.isdigit() for c in q) and not q.lower().startswith("vt-")


def number_pattern(query: str) -> str | None:
    """A (case-insensitive) regular expression for the case numbers a partial number names,
    as people say it: its last parts, a number with or without its leading zeros. "000002",
    "2" and "vt-hgl-2026-2" all name VT-HGL-2026-000002 (and "2026-2" that number of every
    region); None when the query is not made of parts of a number."""
    parts = query.strip().split("-")
    if not all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in parts):
        return None
    body = "-".join(f"0*{int(p)}" if p.isdigit() else re.escape(p) for p in parts)
    return f"(^|-){body}$"


# The deadlines of the case, each with its source (Handelingsprotocol Veilig Thuis 2019)
DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="safety_assessment",
            label="veiligheidsbeoordeling",
            source="Handelingsprotocol Veilig Thuis 2019: binnen 5 werkdagen",
        ),
        Rule(
            key="acute_safety_assessment",
            label="acute onveiligheid: direct een veiligheidsbeoordeling",
            source="Handelingsprotocol Veilig Thuis 2019: acuut = direct (4 uur)",
        ),
        Rule(
            key="investigation",
            label="onderzoek afgerond",
            source="Handelingsprotocol Veilig Thuis 2019: onderzoek binnen 10 weken",
        ),
        Rule(
            key="monitoring_check",
            label="monitoring: is de veiligheid er nog?",
            source="Handelingsprotocol Veilig Thuis 2019: monitoring na overdracht",
        ),
    )
}

# What the case tells partners, and whom
NOTICES = (
    NoticeSpec(
        kind="event",
        subject="police_callout",
        audiences=("handle_with_care",),
        label="De politie is bij een gezin ingezet",
        event_type="politie.ingezet-bij-gezin",
    ),
    NoticeSpec(
        kind="alert",
        subject="acute_unsafety",
        audiences=("police",),
        label="Acute onveiligheid gemeld bij Veilig Thuis",
        event_type="veiligheid.acuut-onveilig",
    ),
    # the radar: repeated violence; MDA++ is proposed, the coordinator decides
    NoticeSpec(
        kind="alert",
        subject="repeat_violence",
        audiences=("regional_coordinator",),
        label="Herhaald geweld: overweeg MDA++",
        event_type="casus.herhaald-geweld",
    ),
    NoticeSpec(
        kind="referral",
        subject="beschermtafel",
        audiences=("raad",),
        label="Verwijzing naar de beschermtafel",
        event_type="verwijzing.beschermtafel",
    ),
    # the reporter hears what was done with the melding (Wmo 2015 art. 4.1.1 lid 2 sub g)
    NoticeSpec(
        kind="event",
        subject="melding_followed_up",
        audiences=(PARTNER,),
        label="Wat Veilig Thuis met uw melding heeft gedaan",
        event_type="melding.opgevolgd",
    ),
    # a notice that reached not every recipient (`domain.notifications.undelivered`)
    NoticeSpec(
        kind="escalation",
        subject="notification_failed",
        audiences=("regional_coordinator",),
        label="Een bericht kon niet worden bezorgd",
        event_type="bericht.niet-bezorgd",
    ),
)


def _veilig_thuis(key: str, article: str) -> CalculatorRule:
    def dates(start: datetime, p: Policy) -> list[DueDate]:
        return [DueDate(key=key, due_at=p.veilig_thuis.due(start, key)[0], article=article)]

    return CalculatorRule(
        key=key, name=CALCULATOR_NAMES[key], dates=dates, date_names={key: DEADLINES[key].label}
    )


CALCULATOR_NAMES = {
    "safety_assessment": "Veiligheidsbeoordeling (vanaf de melding)",
    "investigation": "Onderzoek Veilig Thuis (vanaf de start)",
}
TABLES = Tables(
    kind="case",
    rules=tuple(DEADLINES.values()),
    notices=NOTICES,
    calculator=(
        _veilig_thuis(
            "safety_assessment",
            "Handelingsprotocol Veilig Thuis 2019: 5 werkdagen (kalender van de Atw)",
        ),
        _veilig_thuis(
            "investigation", "Handelingsprotocol Veilig Thuis 2019: onderzoek binnen 10 weken"
        ),
    ),
)
