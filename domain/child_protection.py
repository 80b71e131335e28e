"""Child protection: beschermtafel, the Raad voor de Kinderbescherming, the kinderrechter.

The commands (references, dates, decisions), the state, which step the state allows (409)
and the Dutch labels. Measure terms live in `domain.child_protection_policy` beside their articles.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from domain.chain import Chain
from domain.chain_policy import Policy
from domain.child_protection_policy import MEASURE_NAMES, MeasureKind, check_majority
from domain.commands import commanded_union
from domain.deadlines import CalculatorRule, DueDate
from domain.models import AwareDatetime, Day, Ref, Strict
from domain.policy import Rule, RuleViolation, is_adult
from domain.procedure import (
    CaseFile,
    NoticeSpec,
    PathInput,
    PathState,
    ProcedureSpec,
    StartPathCmd,
    birth_date,
    person,
)
from domain.workdays import dutch_date, dutch_time, local_date

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
    meeting_on: Day
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
    urgent: bool = Field(
        False,
        description="a spoedmachtiging: given before the parents were heard (Rv art. 800 lid 2)",
    )
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    at: AwareDatetime | None = None


class MeasureRenewed(Strict):
    step: Literal["measure_renewed"]
    measure: MeasureKind
    until: AwareDatetime
    at: AwareDatetime | None = None


class RenewalDecided(Strict):
    """The jeugdbescherming asked the court to renew a measure, or decided to let it end."""

    step: Literal["renewal_decided"]
    measure: MeasureKind
    requested: bool
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
    | RenewalDecided
    | PlacementCarriedOut
    | MeasureEnded,
    Field(discriminator="step"),
]
# the steps as the workflow takes them: each with its actor (`domain.commands`)
ProtectionStepCmd = commanded_union(ProtectionStep)

# step -> the statuses in which it may be taken
PROTECTION_STEPS: dict[str, tuple[str, ...]] = {
    "meeting_scheduled": ("referred",),
    "meeting_held": ("meeting_scheduled",),
    "raad_answered": ("raad_requested",),
    "raad_concluded": ("raad_investigating",),
    "court_decided": ("court_petitioned", "raad_investigating", "measure_running"),
    # measures may run from a voorlopige OTS during the investigation on
    "measure_renewed": ("raad_investigating", "court_petitioned", "measure_running"),
    "renewal_decided": ("raad_investigating", "court_petitioned", "measure_running"),
    "placement_carried_out": ("raad_investigating", "court_petitioned", "measure_running"),
    "measure_ended": ("raad_investigating", "court_petitioned", "measure_running"),
}


SUPERVISION = ("ondertoezichtstelling", "voorlopige_ondertoezichtstelling")
MACHTIGING = "machtiging_uithuisplaatsing"


class Measure(BaseModel):
    kind: MeasureKind
    starts_at: datetime
    ends_at: datetime | None
    running: bool = True
    placed: bool = False
    lapses_at: datetime | None = None  # a machtiging not used by then lapses (BW 1:265c lid 3)
    lapsed: bool = False
    urgent: bool = False  # a spoedmachtiging, until the court decides after hearing the parents


class ProtectionState(PathState):
    kind: Literal["child_protection"] = "child_protection"
    status: ProtectionStatus
    child_ref: str
    via: Literal["beschermtafel", "raad"]
    meeting_on: date | None = None
    corv_message_id: str | None = None
    petition: MeasureKind | None = None
    measures: list[Measure] = Field(default_factory=list)


STEP_NAMES = {
    "meeting_scheduled": "de datum van de beschermtafel",
    "meeting_held": "de uitkomst van de beschermtafel",
    "raad_answered": "het antwoord van de Raad",
    "raad_concluded": "de conclusie van de Raad",
    "court_decided": "de beslissing van de rechter",
    "measure_renewed": "de verlenging van een maatregel",
    "renewal_decided": "het verzoek om verlenging",
    "placement_carried_out": "de uithuisplaatsing",
    "measure_ended": "het einde van een maatregel",
}


def protection_step_problem(s: ProtectionState, step: BaseModel) -> str | None:
    """Why the current state does not allow `step` (a 409), or None."""
    name = step.step  # type: ignore[attr-defined]
    if s.status not in PROTECTION_STEPS[name]:
        return f"kan {STEP_NAMES[name]} niet vastleggen: het traject is in de stand '{STATUSES[s.status]}'"
    running = {m.kind for m in s.measures if m.running}
    if isinstance(step, CourtDecided):
        if s.status == "raad_investigating" and step.measure not in (
            "voorlopige_ondertoezichtstelling",
            MACHTIGING,
        ):
            return (
                "tijdens het onderzoek van de Raad kan de rechter alleen een voorlopige "
                "ondertoezichtstelling uitspreken (BW 1:257), met een (spoed)machtiging tot "
                "uithuisplaatsing (BW 1:265b lid 1; Rv art. 800 lid 2); de andere maatregelen volgen op het verzoek "
                "van de Raad"
            )
        supervised = running & {"ondertoezichtstelling", "voorlopige_ondertoezichtstelling"}
        if step.measure == "machtiging_uithuisplaatsing" and step.granted and not supervised:
            return (
                "een machtiging tot uithuisplaatsing wordt gegeven binnen een (voorlopige) "
                "ondertoezichtstelling (BW 1:265b lid 1); die loopt nu niet"
            )
        after_hearing = step.measure == MACHTIGING and not step.urgent and urgent_machtiging(s)
        if step.measure in running and not after_hearing:
            return f"er loopt al een {MEASURE_NAMES[step.measure]}; verleng die in plaats daarvan"
    if isinstance(step, MeasureRenewed) and step.measure == MACHTIGING and urgent_machtiging(s):
        return (
            "een spoedmachtiging wordt niet verlengd: de rechter beslist na het verhoor van de "
            "ouders over de machtiging tot uithuisplaatsing (Rv art. 800 lid 2)"
        )
    if isinstance(step, MeasureRenewed | MeasureEnded | RenewalDecided) and (
        step.measure not in running
    ):
        return f"er loopt geen {MEASURE_NAMES[step.measure]}"
    unused = any(m.kind == "machtiging_uithuisplaatsing" and not m.placed for m in s.measures)
    if isinstance(step, PlacementCarriedOut) and not unused:
        return "er is geen ongebruikte machtiging tot uithuisplaatsing"
    return None


def urgent_machtiging(s: ProtectionState) -> Measure | None:
    """The running spoedmachtiging, which the court's decision after the hearing replaces."""
    return next((m for m in s.measures if m.running and m.kind == MACHTIGING and m.urgent), None)


STATUSES = {
    "referred": "verwezen",
    "meeting_scheduled": "beschermtafel gepland",
    "raad_requested": "verzoek tot onderzoek verstuurd",
    "raad_investigating": "Raad onderzoekt",
    "court_petitioned": "verzoek bij de rechter",
    "measure_running": "maatregel loopt",
    "closed": "afgesloten",
}


def _start(path: PathInput, cmd: StartPathCmd) -> ProtectionStart:
    body = SPEC.start_cmd(cmd)
    return ProtectionStart(path=path, child_ref=body.child_ref, via=body.via)


def check_start(case: CaseFile, body: ProtectionStartIn, chain: Chain) -> None:
    """Child protection is for a minor child of the case (BW 1:233)."""
    child = person(case, body.child_ref)
    birth = birth_date(child)
    on = local_date(body.at or datetime.now(UTC))
    if child["role"] != "child" or (birth is not None and is_adult(birth, on)):
        raise RuleViolation(f"{body.child_ref!r} is geen minderjarig kind in deze casus (BW 1:233)")


MEETING_AHEAD = timedelta(days=365)  # a beschermtafel is held within weeks: a year is a typo


def check_meeting_date(referred_on: date, meeting_on: date, today: date) -> None:
    """The beschermtafel meets after the referral, and not years from now."""
    if meeting_on < referred_on:
        raise RuleViolation(
            f"de beschermtafel op {dutch_date(meeting_on)} ligt vóór de verwijzing "
            f"({dutch_date(referred_on)})"
        )
    if meeting_on > today + MEETING_AHEAD:
        raise RuleViolation(
            f"de beschermtafel op {dutch_date(meeting_on)} ligt meer dan een jaar vooruit; "
            "het overleg wordt binnen enkele weken na de verwijzing gehouden"
        )


def check_step(case: CaseFile, state: dict, step: BaseModel) -> None:
    """No measure runs past the child's majority (BW 1:233), 00:00 Amsterdam time; a
    beschermtafel meets between the referral and a year from now."""
    if isinstance(step, MeetingScheduled):
        started = ProtectionState.model_validate(state).started_at
        check_meeting_date(local_date(started), step.meeting_on, local_date(step.at or started))
    if isinstance(step, CourtDecided | MeasureRenewed):
        end = step.ends_at if isinstance(step, CourtDecided) else step.until
        birth = birth_date(person(case, state["child_ref"]))
        if birth is not None and end is not None:
            check_majority(birth, end)


# its deadlines, each with its source (gathered by the catalogue, `domain.catalogue`)
DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="beschermtafel_meeting",
            label="beschermtafel met het gezin gehouden",
            source="regionale afspraak: binnen 10 werkdagen",
        ),
        Rule(
            key="raad_answer",
            label="de Raad beantwoordt het verzoek tot onderzoek",
            source="regionale afspraak: de Raad antwoordt binnen 5 werkdagen",
        ),
        Rule(
            key="raad_investigation",
            label="de Raad rondt het onderzoek af",
            source="standaard van ketenregie: 12 weken (geen wettelijke termijn)",
        ),
        Rule(
            key="measure_renewal",
            label="maatregel loopt af: verlenging vragen of laten aflopen",
            source="BW 1:258 lid 1 / 1:260 lid 1 / 1:265c lid 1: een maatregel loopt af tenzij "
            "hij wordt verlengd",
        ),
        Rule(
            key="renewal_request",
            label="verlenging van de ondertoezichtstelling gevraagd, of besloten haar te laten "
            "aflopen",
            source="BW 1:265j lid 1 (zoals de audit het leest): uiterlijk twee maanden voor het "
            "verstrijken van de termijn; teruggerekend, dus niet verlengd (Atw art. 1 lid 2): "
            "valt het op een zaterdag, zondag of feestdag, dan uiterlijk aan het eind van de "
            "werkdag ervoor (keuze van ketenregie, zie de regeltabel)",
        ),
        Rule(
            key="urgent_hearing",
            label="de ouders gehoord over de spoedmachtiging tot uithuisplaatsing",
            source="Rv art. 800 lid 2 (zoals ketenregie het leest): een machtiging zonder "
            "voorafgaand verhoor; de ouders worden binnen twee weken na de beslissing alsnog "
            "gehoord (Atw art. 1)",
        ),
        Rule(
            key="placement_used",
            label="de machtiging tot uithuisplaatsing is gebruikt",
            source="BW 1:265c lid 3: niet binnen 3 maanden gebruikt, dan vervalt zij",
        ),
    )
}


def _measure(kind: str, article: str) -> Callable[[datetime, Policy], list[DueDate]]:
    def rule(start: datetime, p: Policy) -> list[DueDate]:
        end = p.protection.max_end(kind, start)
        dates = [DueDate(key="end", due_at=end, article=article)] if end else []
        if kind == MACHTIGING:
            lapses = p.protection.due(start, "placement_used")[0]
            dates.append(DueDate(key="lapses_unused", due_at=lapses, article="BW 1:265c lid 3"))
        return dates

    return rule


def _urgent_machtiging(start: datetime, p: Policy) -> list[DueDate]:
    """A spoedmachtiging given at `start`: its latest end and the hearing of the parents."""
    return [
        DueDate(
            key="end",
            due_at=p.protection.max_end(MACHTIGING, start, urgent=True),
            article="Rv art. 800 lid 2 (ten hoogste vier weken, zoals ketenregie het leest)",
        ),
        DueDate(
            key="parents_heard",
            due_at=p.protection.due(start, "urgent_hearing")[0],
            article=DEADLINES["urgent_hearing"].source,
        ),
    ]


def _ots(start: datetime, p: Policy) -> list[DueDate]:
    """An OTS from `start` for its full year, and the moment to ask for its renewal."""
    dates = _measure("ondertoezichtstelling", "BW 1:258 lid 1 (een jaar)")(start, p)
    request = p.protection.renewal_request(start, dates[0].due_at)
    if request is not None:
        dates.append(
            DueDate(
                key="renewal_request",
                due_at=request[0],
                article=DEADLINES["renewal_request"].source,
            )
        )
    return dates


_END = {"end": "einde"}
# its rules of the deadline calculator, each from the court's decision
CALCULATOR = (
    CalculatorRule(
        key="voorlopige_ots",
        name="Voorlopige ondertoezichtstelling (vanaf de uitspraak)",
        dates=_measure("voorlopige_ondertoezichtstelling", "BW 1:257 lid 2 (3 maanden)"),
        date_names=_END,
    ),
    CalculatorRule(
        key="ots",
        name="Ondertoezichtstelling (vanaf de uitspraak)",
        dates=_ots,
        date_names={**_END, "renewal_request": "verlenging vragen of laten aflopen"},
    ),
    CalculatorRule(
        key="machtiging_uithuisplaatsing",
        name="Machtiging uithuisplaatsing (vanaf de uitspraak)",
        dates=_measure(MACHTIGING, "BW 1:265c lid 1 (een jaar)"),
        date_names={**_END, "lapses_unused": "vervalt als niet gebruikt"},
    ),
    CalculatorRule(
        key="spoedmachtiging_uithuisplaatsing",
        name="Spoedmachtiging uithuisplaatsing (vanaf de uitspraak)",
        dates=_urgent_machtiging,
        date_names={**_END, "parents_heard": "ouders gehoord"},
    ),
)


# what it tells partners: the measure to those who carry it out, the Raad's investigation to
# the college (Wmo 2015 art. 4.1.1 lid 2 sub f), a request CORV refused to the coordinator
NOTICES = (
    NoticeSpec(
        kind="event",
        subject="measure_granted",
        audiences=("jeugdbescherming", "veilig_thuis"),
        label="Kinderbeschermingsmaatregel uitgesproken",
        event_type="kinderbescherming.maatregel-uitgesproken",
    ),
    NoticeSpec(
        kind="event",
        subject="raad_requested",
        audiences=("college",),
        label="Veilig Thuis vraagt de Raad voor de Kinderbescherming om onderzoek",
        event_type="kinderbescherming.onderzoek-gevraagd",
    ),
    NoticeSpec(
        kind="escalation",
        subject="corv_rejected",
        audiences=("regional_coordinator",),
        label="Verzoek tot onderzoek niet aangenomen door CORV",
        event_type="kinderbescherming.verzoek-niet-aangenomen",
    ),
)


SPEC = ProcedureSpec(
    kind="child_protection",
    slug="child-protection",
    label="Beschermtafel / Raad voor de Kinderbescherming",
    statuses=STATUSES,
    start_in=ProtectionStartIn,
    state=ProtectionState,
    step=ProtectionStep,
    start_input=_start,
    step_statuses=PROTECTION_STEPS,
    one_at_a_time=lambda cmd: getattr(cmd, "child_ref", None),
    subject_role="child",
    check_start=check_start,
    check_step=check_step,
    words={
        "child_ref": "Voor welk kind?",
        "via": "Eerst naar",
        "beschermtafel": "de beschermtafel",
        "raad": "meteen de Raad voor de Kinderbescherming (verzoek tot onderzoek)",
        "meeting_scheduled": "Beschermtafel gepland",
        "meeting_on": "Datum van het overleg",
        "meeting_held": "Beschermtafel gehouden",
        "outcome": "Uitkomst",
        "voluntary_help_agreed": "vrijwillige hulp afgesproken",
        "request_raad": "verzoek tot onderzoek aan de Raad",
        "raad_answered": "Antwoord van de Raad",
        "investigation_started": "Start de Raad een onderzoek?",
        "raad_concluded": "Onderzoek van de Raad afgerond",
        "petition": "Verzoek aan de kinderrechter",
        "court_decided": "Uitspraak van de kinderrechter",
        "measure": "Maatregel",
        "granted": "Toegewezen?",
        "urgent": "Spoedmachtiging (de ouders nog niet gehoord)?",
        "starts_at": "Ingang",
        "ends_at": "Einde",
        "measure_renewed": "Maatregel verlengd",
        "until": "Verlengd tot",
        "renewal_decided": "Verlenging gevraagd of laten aflopen",
        "requested": "Verlenging gevraagd aan de kinderrechter?",
        "placement_carried_out": "Uithuisplaatsing uitgevoerd",
        "measure_ended": "Maatregel beëindigd",
        "ondertoezichtstelling": "ondertoezichtstelling (OTS)",
        "voorlopige_ondertoezichtstelling": "voorlopige ondertoezichtstelling",
        "machtiging_uithuisplaatsing": "machtiging uithuisplaatsing",
        "gezagsbeeindiging": "gezagsbeëindiging",
    },
    rules=tuple(DEADLINES.values()),
    notices=NOTICES,
    calculator=CALCULATOR,
)


def machtiging_problem(measures: list[Measure], step: BaseModel) -> str | None:
    """A machtiging tot uithuisplaatsing belongs to a running (voorlopige) ondertoezicht-
    stelling and never runs past it (BW 1:265b lid 1); one that was not used within three
    months has lapsed (lid 3). The reason, with its article, or None."""
    supervision = next((m for m in measures if m.running and m.kind in SUPERVISION), None)
    end = None
    if isinstance(step, CourtDecided) and step.granted and step.measure == MACHTIGING:
        end = step.ends_at
    if isinstance(step, MeasureRenewed) and step.measure == MACHTIGING:
        end = step.until
    if supervision and supervision.ends_at and end and end > supervision.ends_at:
        return (
            "de machtiging tot uithuisplaatsing kan niet langer duren dan de "
            f"{MEASURE_NAMES[supervision.kind]} waar zij bij hoort, die eindigt op "
            f"{dutch_time(supervision.ends_at)} (BW 1:265b lid 1)"
        )
    unused = any(m.kind == MACHTIGING and m.running and not m.placed for m in measures)
    if isinstance(step, PlacementCarriedOut) and not unused and any(m.lapsed for m in measures):
        return (
            "de machtiging tot uithuisplaatsing is vervallen: zij is niet binnen drie maanden "
            "na het geven ervan gebruikt (BW 1:265c lid 3)"
        )
    return None
