"""What every procedure's periods share: the scaled clock (`ScaledPolicy`: real durations,
shrunk alike for demos and tests; reminders), a rule with its article, a refusal by the
law, how hard a notice is tried, and ages. Each procedure's own periods live beside it:
`domain.huisverbod_policy`, `domain.veilig_thuis_policy`, `domain.child_protection_policy`,
`domain.mda_policy`, `domain.safety_policy`; `domain.chain_policy.Policy` holds them all.

Reminders go out one working day before a deadline of days (09:00 Amsterdam time), or
at three quarters of a deadline counted in hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from domain.workdays import (
    CalendarName,
    after_hours,
    between,
    due_in_working_days,
    morning_before,
)


class RuleViolation(ValueError):
    """A command that the law does not allow; the message says which rule and why."""


class Rule(BaseModel):
    """A named legal rule with its source, shown next to every deadline it produces, and the
    Dutch name of that deadline."""

    model_config = ConfigDict(frozen=True)
    key: str
    label: str
    source: str


class ScaledPolicy(BaseModel):
    """Durations are the real ones; `time_scale` shrinks them all alike (demos and tests)."""

    model_config = ConfigDict(frozen=True)
    time_scale: float = Field(1.0, gt=0)
    first_day_scale: float | None = Field(
        None,
        gt=0,
        le=1,
        description="demo mode: the first day of every period runs at this scale and only the "
        "rest at time_scale, so that steps due within hours stay doable by hand",
    )
    working_days: CalendarName = Field(
        "atw", description="the calendar of working days: Algemene termijnenwet by default"
    )

    def _working_days(self, start: datetime, n: int) -> datetime:
        return due_in_working_days(start, n, self.working_days)

    def _after(self, start: datetime, real_due: datetime) -> datetime:
        """`real_due` on the scaled clock, its distance from `start` in real hours."""
        if self.time_scale == 1 and self.first_day_scale is None:
            return real_due
        return after_hours(start, self._scaled(between(start, real_due)))

    def _scaled(self, real: timedelta) -> timedelta:
        if self.first_day_scale is None:
            return real * self.time_scale
        first = min(real, timedelta(days=1))
        return first * self.first_day_scale + (real - first) * self.time_scale

    def _real(self, scaled: timedelta) -> timedelta:
        """The real length of a scaled period: `_scaled` undone."""
        if self.first_day_scale is None:
            return scaled / self.time_scale
        first = timedelta(days=1) * self.first_day_scale
        if scaled <= first:
            return scaled / self.first_day_scale
        return timedelta(days=1) + (scaled - first) / self.time_scale

    def scaled(self, start: datetime, real: datetime) -> tuple[datetime, datetime | None]:
        """(due, remind_at) of a date given rather than computed (a plan action, a review
        date, a date kept from an earlier release)."""
        return self._after(start, real), self.reminder_at(start, real)

    def reminder_at(
        self, start: datetime, real_due: datetime, working_days_before: int = 1
    ) -> datetime | None:
        """When to remind the responsible team of a deadline from `start` to `real_due`; None
        when that moment is not after `start` (the workflow then reminds at once)."""
        if between(start, real_due) >= timedelta(days=2):
            remind = morning_before(real_due, working_days_before, calendar=self.working_days)
        else:
            remind = after_hours(start, between(start, real_due) * 0.75)
        return self._after(start, remind) if start < remind < real_due else None


P = TypeVar("P", bound=ScaledPolicy)


class Terms(Protocol):
    """A procedure's policy as its workflow reads it: (due, remind_at) of a deadline."""

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]: ...


class DeliveryPolicy(BaseModel):
    """How hard a notification is tried before it is marked failed and escalated.
    Not a legal duration: never scaled. The defaults keep trying for about an hour."""

    model_config = ConfigDict(frozen=True)
    first_retry: timedelta = timedelta(seconds=5)
    max_retry: timedelta = timedelta(minutes=10)
    attempts: int = Field(12, ge=1)
    timeout: timedelta = timedelta(seconds=30)

    def backoff(self, failed: int) -> timedelta | None:
        """The wait after the `failed`-th failed attempt (doubling from the first retry up to
        the longest), or None when the attempts are used up."""
        if failed >= self.attempts:
            return None
        return min(self.first_retry * 2 ** (failed - 1), self.max_retry)


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_adult(birth_date: date, on: date) -> bool:
    """Meerderjarig: 18 or older on `on` (BW 1:233)."""
    return age_on(birth_date, on) >= 18
