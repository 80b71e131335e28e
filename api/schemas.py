"""Response models of the v1 API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from domain.models import (
    AppealCmd,
    Deadline,
    DecisionCmd,
    ExtensionCmd,
    HuisverbodStatus,
    PersonIn,
    Reporter,
    RequestedBy,
    RulingCmd,
    TimelineEvent,
)


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
    phase: str
    acute: bool
    structural: bool
    opened_at: datetime
    updated_at: datetime


class CaseList(BaseModel):
    items: list[CaseSummary]
    limit: int
    offset: int


class HuisverbodView(BaseModel):
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
    deadlines: list[Deadline] = []
    timeline: list[TimelineEvent] = []
    address: str | None = None
    requested_by: RequestedBy | None = None


class HuisverbodList(BaseModel):
    items: list[HuisverbodView]
    limit: int
    offset: int


class CaseDetail(CaseSummary):
    reporter: Reporter
    persons: list[PersonIn]
    summary: str
    timeline: list[TimelineEvent]
    deadlines: list[Deadline]
    open_deadlines: list[Deadline]
    huisverboden: list[HuisverbodView]


class HuisverbodCreated(BaseModel):
    huisverbod_id: str
    case_id: str
    status: HuisverbodStatus
