"""The periods of acute safety (a safe place at once, a crisis placement's review) and of
the Signs of Safety plan (its review dates, agreed with the family)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import Field

from domain.policy import ScaledPolicy
from domain.workdays import add_local, after_hours, end_of_day


class SafetyPolicy(ScaledPolicy):
    """Acute safety (a safe place at once) and the Signs of Safety plan's review dates."""

    safe_place_within: timedelta = timedelta(hours=4)
    crisis_placement_review_weeks: int = Field(4, ge=1)

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        if key == "safe_place":
            real = after_hours(start, self.safe_place_within)
        elif key == "crisis_placement_review":
            real = add_local(start, weeks=self.crisis_placement_review_weeks)
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(start, real)

    def review_due(self, start: datetime, review_on: date) -> tuple[datetime, datetime | None]:
        """A review agreed for the day `review_on`: due at its end, reminded the working day
        before at 09:00."""
        real = end_of_day(review_on)
        return self._after(start, real), self.reminder_at(start, real)
