"""What every procedure shares: the input types, timeline events, deadlines and notices.

Models that travel through Temporal (`*Input`, `*Snapshot`, commands) carry references
only: no names, birth dates, addresses or free-text case content. Those stay in the case
file in Postgres. Each procedure's own models live in its module (`domain.case`,
`domain.huisverbod`, `domain.mda`, ...).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from domain.policy import DeliveryPolicy
from domain.workdays import dutch_date, dutch_time


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            "moet een ISO-8601-tijdstip zijn met het verschil met UTC, bijvoorbeeld "
            "2026-11-23T09:00:00+01:00"
        )
    return value


# The years a date or moment the API takes lies in: far beyond any term of the law either
# way, and far enough from Python's 1..9999 that no term counted from it, no quarter and
# no UTC offset overflows (a 500 otherwise: issue 36, F12).
FIRST_YEAR, LAST_YEAR = 1900, 2200
D = TypeVar("D", bound=date)


def within_years(value: D) -> D:
    """`value` when it lies in the years the API takes; a ValueError in Dutch otherwise."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"moet een datum zijn in de jaren {FIRST_YEAR} tot en met {LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(within_years)]  # a calendar day the API takes
AwareDatetime = Annotated[datetime, AfterValidator(within_years), AfterValidator(_aware)]
CLOCK_SKEW = timedelta(minutes=5)  # how far a client's clock may run ahead of ours


def _past_date(value: date) -> date:
    if value > datetime.now(UTC).date() + timedelta(days=1):
        raise ValueError(f"{dutch_date(value)} ligt in de toekomst")
    return value


def _past_moment(value: datetime) -> datetime:
    if value > datetime.now(UTC) + CLOCK_SKEW:
        raise ValueError(f"{dutch_time(value)} ligt in de toekomst")
    return value


PastDate = Annotated[Day, AfterValidator(_past_date)]  # a birth date: not after today
PastMoment = Annotated[AwareDatetime, AfterValidator(_past_moment)]  # an event that happened


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$")]


DeadlineStatus = Literal["open", "met", "overdue", "missed", "closed"]
# Dutch, for people; "met_late" is a met deadline whose moment came after it was due
DEADLINE_STATUS_NAMES = {
    "open": "open",
    "met": "gehaald",
    "met_late": "te laat gehaald",
    "overdue": "verstreken",
    "missed": "verstreken; de procedure is beëindigd",
    "closed": "vervallen: de procedure is beëindigd",
}


DeliveryStatus = Literal["pending", "sending", "sent", "failed"]
DELIVERY_STATUS_NAMES = {
    "pending": "wacht",
    "sending": "bezig",
    "sent": "verzonden",
    "failed": "mislukt",
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


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
    case_id: str  # the case, or the advice question when `about` says so
    about: Literal["case", "advice"] = "case"
    region: str
    kind: Literal["reminder", "escalation", "alert", "referral", "event"]
    recipient: str  # a role: the responsible team, "regional_coordinator", "police", ...
    subject: str
    at: datetime | None = None  # when the event happened
    due_at: datetime | None = None
    detail: str = ""


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


class NoticeBatch(BaseModel):
    """Notices a procedure decided on in one step, for the outbox and its region's
    dispatcher."""

    notices: list[Notice]
    delivery: DeliveryPolicy = DeliveryPolicy()


class DispatchInput(BaseModel):
    """A region's dispatcher: it delivers the region's outbox with this policy."""

    region: str
    delivery: DeliveryPolicy = DeliveryPolicy()


class DispatchRound(BaseModel):
    """What one round of the dispatcher did, and when the next delivery is due."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    more: bool = Field(False, description="more deliveries were due than one round takes")
    next_at: datetime | None = None
