"""Response models of the v1 API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from api.problems import Problem
from domain.advice import AdviceStatus, Asker
from domain.case import PersonIn, Phase, Reporter, Unsafety
from domain.huisverbod import HuisverbodSnapshot, HuisverbodStatus, RequestedBy, RiskAnswer
from domain.models import Deadline, DeadlineStatus, DeliveryStatus, TimelineEvent
from domain.radar import EarlierContact
from domain.rihg import Assessment, SignalRating, assess


class CaseCreated(BaseModel):
    case_id: str
    phase: str
    region: str
    municipality: str
    opened_at: datetime
    orchestration: str  # "started", or "pending" when Temporal was unreachable (it starts later)


class CaseSummary(BaseModel):
    case_id: str
    region: str
    municipality: str
    phase: Phase
    urgent: bool
    acute: bool
    structural: bool
    partner: str | None = None
    opened_at: datetime
    updated_at: datetime
    number: str | None = Field(None, description="the case number people use, VT-HGL-2026-000123")
    assigned_to: str | None = Field(None, description="the Veilig Thuis worker on the case")


class CaseList(BaseModel):
    items: list[CaseSummary]
    limit: int
    offset: int
    total: int = Field(description="how many cases match, over all pages")


class ZaaksysteemFiling(BaseModel):
    """How the ban stands in the municipality's zaaksysteem (ZGW)."""

    status: Literal["filed", "pending", "retrying", "failed"] = Field(
        description="filed: every event is in the zaaksysteem; pending: on its way; retrying: "
        "the last attempt failed and is tried again; failed: given up (the coordinator is told)"
    )
    zaak_url: str | None = Field(None, description="the zaak in the Zaken API, once created")
    error: str | None = Field(None, description="why the last attempt failed")


class HuisverbodView(HuisverbodSnapshot):
    """The huisverbod as the read model holds it, with its request's file for the mayor's
    office, a hulpofficier and Veilig Thuis (null for others, and for requests made before
    the file held it)."""

    pleger_name: str | None = Field(None, description="the person to leave, from the case file")
    address: str | None = None
    requested_by: RequestedBy | None = None
    grounds: str | None = None
    risk_assessment: list[RiskAnswer] | None = None
    rihg: list[SignalRating] | None = Field(
        None, description="the RiHG's signals as the police rated them"
    )
    rihg_assessment: Assessment | None = Field(
        None,
        description="what the RiHG concludes from those ratings (per part, and whether two "
        "'high' in one part point to a ban); the mayor decides on all facts and circumstances",
    )
    children_at_address: bool | None = None
    veilig_thuis_consulted: bool | None = Field(
        None, description="Veilig Thuis was consulted before the request"
    )
    incident_at: datetime | None = None
    zaaksysteem: ZaaksysteemFiling | None = Field(
        None,
        description="the filing in the municipality's zaaksysteem; null where its mayor's "
        "office has none configured",
    )

    @model_validator(mode="after")
    def _assessed(self) -> HuisverbodView:
        """The instrument's conclusion beside the ratings it rests on (never stored)."""
        if self.rihg and self.rihg_assessment is None:
            self.rihg_assessment = assess(self.rihg)
        return self


class HuisverbodList(BaseModel):
    items: list[HuisverbodView]
    limit: int
    offset: int


class DeadlineView(BaseModel):
    key: str
    label: str
    rule: str
    responsible: str
    source: str
    due_at: datetime
    remind_at: datetime | None
    status: DeadlineStatus
    met_at: datetime | None


class NoticeView(BaseModel):
    key: str
    kind: str
    recipient: str
    subject: str
    due_at: datetime | None
    detail: str
    status: str
    created_at: datetime


class DeliveryView(BaseModel):
    """One notification to one recipient: where it went, how often it was tried, and whether it
    arrived before it was due (Handle with Care: before lessons start)."""

    key: str
    notice_key: str
    audience: str
    partner_id: str | None
    channel: str
    address: str
    subject: str
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    due_at: datetime | None
    sent_at: datetime | None
    created_at: datetime
    on_time: bool | None


class NotificationList(BaseModel):
    items: list[DeliveryView]


class EarlierContacts(BaseModel):
    """The radar: earlier contacts in the region about the same people."""

    count: int
    repeat_violence: bool = Field(
        description="the repeat rule flagged this melding; MDA++ was proposed to the coordinator"
    )
    contacts: list[EarlierContact] = Field(description="oldest first: when, and how each ended")


class CaseDetail(CaseSummary):
    earlier_contacts: EarlierContacts | None = Field(
        None, description="Veilig Thuis of the region only (null for others)"
    )
    reporter: Reporter
    unsafety: Unsafety
    persons: list[PersonIn]
    summary: str
    timeline: list[TimelineEvent]
    deadlines: list[DeadlineView]
    open_deadlines: list[DeadlineView]
    huisverboden: list[HuisverbodView]
    notices: list[NoticeView]


class FailedDuty(BaseModel):
    """A notice to a partner that could not be delivered, after every attempt."""

    case_id: str
    audience: str
    partner_id: str | None
    title: str
    last_error: str | None
    created_at: datetime


class DueCase(BaseModel):
    """A deadline of a case, or the follow-up agreed on an advice question (`advice_id`)."""

    case_id: str | None = None
    advice_id: str | None = None
    number: str | None = None
    municipality: str | None = None
    phase: Phase | None = None
    urgent: bool
    deadline: str
    label: str
    due_at: datetime


class Dashboard(BaseModel):
    region: str
    generated_at: datetime
    horizon: datetime
    open_per_phase: dict[str, int]
    due_soon_count: int = Field(
        description="deadlines due soon, of which `due_soon` lists the first"
    )
    due_soon_cases: int = Field(description="cases and advice questions with a deadline due soon")
    due_soon: list[DueCase]
    overdue_count: int = Field(
        description="deadlines passed unmet, of which `overdue` lists the first"
    )
    overdue_cases: int = Field(
        description="cases and advice questions with a deadline passed unmet"
    )
    overdue: list[DueCase]
    oldest_open_case: CaseSummary | None
    failed_duties_count: int = Field(
        description="notices to partners that could not be delivered, of which "
        "`failed_duties` lists the newest"
    )
    failed_duties: list[FailedDuty]


class HuisverbodCreated(BaseModel):
    huisverbod_id: str
    case_id: str
    status: HuisverbodStatus


ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": Problem, "description": description}
    for status, description in [
        (401, "geen geldig bearer-token"),
        (403, "de aanroeper mag dit niet"),
        (404, "onbekend, of niet voor deze aanroeper"),
        (409, "de huidige toestand staat deze stap niet toe"),
        (413, "het verzoek is te groot"),
        (422, "de stap schendt een wettelijke regel (met het artikel)"),
        (503, "Temporal of Postgres is niet bereikbaar; probeer het opnieuw (Retry-After)"),
    ]
}


class QuarterFigures(BaseModel):
    quarter: str = Field(description="e.g. 2026-K3")
    start: date
    end: date = Field(description="the first day after the quarter")
    figures: dict[str, dict[str, int | None]] = Field(
        description="measure -> category -> count; null: suppressed (1 up to the threshold)"
    )


class Figures(BaseModel):
    """Counts per quarter in the manner of the Veilig Thuis monitor; never a case."""

    region: str = Field(description="the region, or 'landelijk' for the sum over all regions")
    from_: date = Field(alias="from", serialization_alias="from")
    to: date = Field(description="the first day after the last quarter")
    threshold: int = Field(description="counts from 1 up to this are suppressed")
    quarters: list[QuarterFigures]
    deadline_labels: dict[str, str] = Field(description="the name of each missed deadline's key")


# --- advice questions ---


class AdviceCreated(BaseModel):
    advice_id: str
    status: AdviceStatus
    region: str
    received_at: datetime
    orchestration: str  # "started", or "pending" when Temporal was unreachable (it starts later)


class AdviceSummary(BaseModel):
    advice_id: str
    region: str
    municipality: str | None = None
    asker: Asker
    received_at: datetime
    status: AdviceStatus
    case_id: str | None = Field(None, description="the melding the question became")
    case_number: str | None = None
    updated_at: datetime


class AdviceList(BaseModel):
    items: list[AdviceSummary]
    limit: int
    offset: int
    total: int


class AdviceNote(BaseModel):
    kind: str  # "advice" or "follow_up"
    text: str
    at: datetime


class AdviceDetail(AdviceSummary):
    question: str
    persons: list[PersonIn]
    notes: list[AdviceNote]
    timeline: list[TimelineEvent]
    deadlines: list[DeadlineView]
    earlier_contacts: list[EarlierContact] | None = Field(
        None,
        description="the radar: earlier meldingen and advice questions in the region about the "
        "same people, oldest first (Veilig Thuis with the right to know; null for others)",
    )


class AdviceStep(BaseModel):
    """What a step answers: the status, timeline and deadlines (references, no texts)."""

    advice_id: str
    status: AdviceStatus
    case_id: str | None = None
    version: int
    timeline: list[TimelineEvent]
    deadlines: list[Deadline]


class AdviceConverted(AdviceStep):
    orchestration: str  # of the case: "started", or "pending" when Temporal was unreachable


class FileToEnter(BaseModel):
    """A huisverbod whose request's file (address, officer, grounds) was lost in a restore."""

    huisverbod_id: str
    case_id: str
    number: str | None
    status: str
    requested_at: datetime


class LocationToEnter(BaseModel):
    """A placement its path holds whose location was lost in a restore."""

    placement_id: str
    case_id: str
    number: str | None
    path_id: str
    person_ref: str
    kind: str
    provider: str
    placed_at: datetime


class LostWorkflow(BaseModel):
    """A workflow of a case whose data key went with a restore: stopped, the melding is to be
    registered again."""

    workflow_id: str
    case_id: str
    kind: str
    started_at: datetime
    found_at: datetime


class ReEntry(BaseModel):
    region: str
    huisverboden: list[FileToEnter]
    placements: list[LocationToEnter]
    lost: list[LostWorkflow]
