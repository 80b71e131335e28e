"""The periods of Veilig Thuis: the case (melding, safety assessment, investigation,
monitoring) and the advice question.

Veilig Thuis (Handelingsprotocol Veilig Thuis 2019, Landelijk Netwerk Veilig Thuis, versie
december 2018, with the Kwaliteitskader Veilig Thuis):
- the safety assessment (veiligheidsbeoordeling) is made within 5 working days of receipt
  of the melding; acute unsafety is acted on at once. The Inspectie (2023) measures Veilig
  Thuis against exactly this: "vijf werkdagen om een veiligheidsbeoordeling te maken".
- an investigation (onderzoek) is finished within 10 weeks of its start.
- after handover, Veilig Thuis keeps sight of safety through monitoring at set moments
  (the protocol names moments in months; ketenregie defaults to every 13 weeks and the
  region may set it).
"At once" for acute unsafety has no number in the protocol; ketenregie sets 4 hours.

An advice question (adviesvraag, Handelingsprotocol Veilig Thuis 2019, "advies") has no
statutory term at all: a follow-up is the moment agreed with the person who asked
(afspraak met de adviesvrager), and counts as unattended once that day has passed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from domain.policy import ScaledPolicy
from domain.workdays import (
    add_local,
    after_hours,
    end_of_day,
    local_date,
    morning_before,
)


class VeiligThuisPolicy(ScaledPolicy):
    """Deadlines of the Veilig Thuis process (Handelingsprotocol Veilig Thuis 2019)."""

    safety_assessment_working_days: int = Field(5, ge=1)
    acute_assessment_within: timedelta = timedelta(hours=4)
    investigation_weeks: int = Field(10, ge=1)
    monitoring_interval_weeks: int = Field(13, ge=1)
    reminder_working_days_before: int = Field(1, ge=1)

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        """(due, remind_at) of the Veilig Thuis deadline `key` counted from `start`."""
        if key == "safety_assessment":
            real = self._working_days(start, self.safety_assessment_working_days)
        elif key == "acute_safety_assessment":
            real = after_hours(start, self.acute_assessment_within)
        elif key == "investigation":
            real = add_local(start, weeks=self.investigation_weeks)
        elif key == "monitoring_check":
            real = add_local(start, weeks=self.monitoring_interval_weeks)
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(
            start, real, self.reminder_working_days_before
        )

    def follow_up_due(
        self, start: datetime, agreed_at: datetime
    ) -> tuple[datetime, datetime | None]:
        """(due, remind_at) of a follow-up agreed with the asker of an advice question for
        `agreed_at`: no statutory term exists, the agreement is the term. It is due at the end
        of the agreed day and reminded at 09:00 on the working day before (None when that
        morning has passed already: the workflow then reminds at once)."""
        real = end_of_day(local_date(agreed_at))
        remind = morning_before(real, self.reminder_working_days_before, calendar=self.working_days)
        return self._after(start, real), (
            self._after(start, remind) if start < remind < real else None
        )
