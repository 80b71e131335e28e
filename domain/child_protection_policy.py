"""The periods of child protection: the beschermtafel, the Raad voor de Kinderbescherming
and the kinderrechter's measures, and majority.

Child protection (Burgerlijk Wetboek boek 1, titel 14, afdeling 4 and 6), as in force:
- art. 1:255 lid 1: the kinderrechter may place a minor under supervision (ondertoezicht-
  stelling, OTS) when the development is seriously threatened and the parents do not (or
  not enough) accept the care needed.
- art. 1:257 lid 1: a voorlopige OTS when an acute and serious threat must be taken away
  at once; lid 2: it lasts at most three months.
- art. 1:258 lid 1: the OTS is pronounced for at most one year.
- art. 1:260 lid 1: the kinderrechter may extend it, each time by at most one year.
- art. 1:265b lid 1: a machtiging tot uithuisplaatsing is given to the institution that
  carries out the OTS, so it never runs past that OTS; art. 1:265c lid 1: at most one
  year; art. 1:265c lid 3: it lapses when it was not used within three months.
- art. 1:265j lid 1, as the audit reads it: renewal is asked at the latest two months
  before the term ends (the text could not be checked here; see the README). A term counted
  back is not extended (Atw art. 1 lid 2): one that falls on a day off is moved to the end
  of the working day before, a choice of ketenregie.
- Rv art. 800 lid 2, as read here: in haste the kinderrechter gives a machtiging before the
  parents are heard (a spoedmachtiging, at most four weeks) and hears them within two weeks;
  his decision after that hearing replaces it.
- art. 1:266: beëindiging van het gezag (gezagsbeëindiging): no term; with the others it
  ends when the child comes of age (art. 1:233: eighteen).
The beschermtafel meeting, the Raad's answer to a verzoek tot onderzoek and the length of
its investigation have no statutory term: ketenregie's defaults below (10 working days,
5 working days, 12 weeks) are settings of the region, shown as such.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import Field

from domain.policy import RuleViolation, ScaledPolicy, is_adult
from domain.workdays import (
    AMSTERDAM,
    add_local,
    after_hours,
    before_day_off,
    between,
    dutch_date,
    dutch_time,
    local_date,
    on_the_clock,
    statutory_end,
)

MeasureKind = Literal[
    "ondertoezichtstelling",
    "voorlopige_ondertoezichtstelling",
    "machtiging_uithuisplaatsing",
    "gezagsbeeindiging",
]


class ChildProtectionPolicy(ScaledPolicy):
    """Beschermtafel, Raad voor de Kinderbescherming and the kinderrechter's measures."""

    beschermtafel_working_days: int = Field(10, ge=1)
    raad_answer_working_days: int = Field(5, ge=1)
    raad_investigation_weeks: int = Field(12, ge=1)
    renewal_reminder_weeks: int = Field(8, ge=1)
    # maximum terms of a measure (months, on the calendar); None: no term (until majority)
    measure_months: dict[str, int | None] = {  # noqa: RUF012 - a pydantic field
        "ondertoezichtstelling": 12,  # BW 1:258 lid 1
        "voorlopige_ondertoezichtstelling": 3,  # BW 1:257 lid 2
        "machtiging_uithuisplaatsing": 12,  # BW 1:265c lid 1
        "gezagsbeeindiging": None,  # BW 1:266; ends at majority (1:233)
    }
    renewal_months: dict[str, int] = {  # noqa: RUF012 - a pydantic field
        "ondertoezichtstelling": 12,  # BW 1:260 lid 1: each time at most a year
        "machtiging_uithuisplaatsing": 12,  # BW 1:265c lid 1: within the OTS, at most a year
    }
    placement_use_months: int = 3  # BW 1:265c lid 3
    urgent_machtiging_weeks: int = Field(4, ge=1)  # Rv art. 800 lid 2, as read here
    urgent_hearing_days: int = Field(14, ge=1)  # Rv art. 800 lid 2: "binnen twee weken"
    renewal_request_months: int = Field(2, ge=1)  # BW 1:265j lid 1, as the audit reads it
    renewal_request_reminder_weeks: int = Field(2, ge=1)

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        if key == "beschermtafel_meeting":
            real = self._working_days(start, self.beschermtafel_working_days)
        elif key == "raad_answer":
            real = self._working_days(start, self.raad_answer_working_days)
        elif key == "raad_investigation":
            real = add_local(start, weeks=self.raad_investigation_weeks)
        elif key == "placement_used":
            real = _add_months(start, self.placement_use_months)
        elif key == "urgent_hearing":  # a statutory term: Atw art. 1 applies
            day = local_date(start)
            real = statutory_end(day, day + timedelta(days=self.urgent_hearing_days))
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(start, real)

    def max_end(self, kind: str, start: datetime, urgent: bool = False) -> datetime | None:
        """The latest end the court may give a measure of `kind` starting at `start`; a
        machtiging given in haste, before the parents were heard, runs for weeks only."""
        if urgent:
            return self._after(start, add_local(start, weeks=self.urgent_machtiging_weeks))
        months = self.measure_months[kind]
        return None if months is None else self._after(start, _add_months(start, months))

    def check_measure(
        self, kind: str, start: datetime, end: datetime | None, urgent: bool = False
    ) -> None:
        """Raise `RuleViolation` unless a measure of `kind` may run from `start` to `end`."""
        if urgent and kind != "machtiging_uithuisplaatsing":
            raise RuleViolation(
                "alleen een machtiging tot uithuisplaatsing kan als spoedmachtiging worden "
                "gegeven (Rv art. 800 lid 2)"
            )
        cap = self.max_end(kind, start, urgent)
        if urgent and end is not None and end > cap:
            raise RuleViolation(
                f"{dutch_time(end, precise=True)} ligt na het maximum "
                f"{dutch_time(cap, precise=True)}: een spoedmachtiging geldt ten hoogste "
                f"{self.urgent_machtiging_weeks} weken (Rv art. 800 lid 2)"
            )
        if cap is None:
            if end is not None:
                raise RuleViolation(
                    "een gezagsbeëindiging heeft geen einddatum: zij duurt tot het kind "
                    "meerderjarig is (BW 1:266, 1:233)"
                )
            return
        if end is None:
            raise RuleViolation(f"een {MEASURE_NAMES[kind]} heeft een einddatum nodig")
        if end <= start:
            raise RuleViolation("de maatregel moet eindigen na het begin")
        if end > cap:
            raise RuleViolation(
                f"{dutch_time(end, precise=True)} ligt na het wettelijke maximum "
                f"{dutch_time(cap, precise=True)}: "
                f"{self.measure_months[kind]} maanden ({MEASURE_SOURCES[kind]})"
            )

    def check_renewal(self, kind: str, current_end: datetime, until: datetime) -> None:
        """Raise `RuleViolation` unless a running measure may be renewed to `until`."""
        months = self.renewal_months.get(kind)
        if months is None:
            raise RuleViolation(
                f"een {MEASURE_NAMES[kind]} kan niet worden verlengd; de rechter beslist over een "
                "nieuwe maatregel"
            )
        cap = self._after(current_end, _add_months(current_end, months))
        if until <= current_end:
            raise RuleViolation(
                f"de verlenging moet eindigen na het huidige einde, {dutch_time(current_end)}"
            )
        if until > cap:
            raise RuleViolation(
                f"{dutch_time(until, precise=True)} ligt na {dutch_time(cap, precise=True)}: "
                "een verlenging duurt ten hoogste "
                f"{months} maanden ({RENEWAL_SOURCES[kind]})"
            )

    def renewal_request(
        self, start: datetime, end: datetime, *, off_days_first: bool = True
    ) -> tuple[datetime, datetime | None] | None:
        """(due, remind_at) of the moment the jeugdbescherming asks for renewal of an OTS
        ending at `end`, or lets it end: two calendar months before the end (BW 1:265j lid 1),
        reminded weeks before so that the request can be written. A term counted back is not
        extended (Atw art. 1 lid 2): on a day off it moves to the last working day before
        (`before_day_off`), unless `off_days_first` is False (a case that computed it before
        that rule keeps its date). None when that moment has passed at `start`."""
        real_end = after_hours(start, self._real(between(start, end)))
        real = _add_months(real_end, -self.renewal_request_months)
        if off_days_first:
            real = before_day_off(real)
        if real <= start:
            return None
        remind = add_local(real, weeks=-self.renewal_request_reminder_weeks)
        return self._after(start, real), (self._after(start, remind) if start < remind else None)

    def renewal_reminder(self, start: datetime, end: datetime) -> datetime | None:
        """When the jeugdbescherming is reminded to ask for renewal (or to let the measure end)."""
        real_end = after_hours(start, self._real(between(start, end)))
        remind = self._after(start, add_local(real_end, weeks=-self.renewal_reminder_weeks))
        return remind if start < remind < end else None


MEASURE_NAMES = {
    "ondertoezichtstelling": "ondertoezichtstelling",
    "voorlopige_ondertoezichtstelling": "voorlopige ondertoezichtstelling",
    "machtiging_uithuisplaatsing": "machtiging tot uithuisplaatsing",
    "gezagsbeeindiging": "gezagsbeëindiging",
}
MEASURE_SOURCES = {
    "ondertoezichtstelling": "BW 1:258 lid 1",
    "voorlopige_ondertoezichtstelling": "BW 1:257 lid 2",
    "machtiging_uithuisplaatsing": "BW 1:265c lid 1",
    "gezagsbeeindiging": "BW 1:266",
}
RENEWAL_SOURCES = {
    "ondertoezichtstelling": "BW 1:260 lid 1",
    "machtiging_uithuisplaatsing": "BW 1:265c lid 1",
}


def majority_date(birth_date: date) -> date:
    """The first day on which someone born on `birth_date` is an adult (BW 1:233): the
    eighteenth birthday; for a birthday on 29 February in a common year, 1 March, the same
    rule as `is_adult`."""
    eighteen = birth_date + relativedelta(years=18)
    return eighteen if is_adult(birth_date, eighteen) else eighteen + timedelta(days=1)


def check_majority(birth_date: date, end: datetime | None) -> None:
    """A child protection measure ends when the child comes of age (BW 1:233): at the
    latest at 00:00 Amsterdam time of the eighteenth birthday, when the day begins on which
    the child is an adult (an end at 10:00 that day runs ten hours over)."""
    majority = majority_date(birth_date)
    if end is not None and end > datetime.combine(majority, time(0), AMSTERDAM):
        raise RuleViolation(
            f"het kind wordt meerderjarig op {dutch_date(majority)} om 00:00; een maatregel "
            "kan niet langer duren (BW 1:233)"
        )


def _add_months(start: datetime, months: int) -> datetime:
    """`start` plus calendar months on the Amsterdam wall clock (31 Jan + 1 month = 28/29 Feb)."""
    local = start.astimezone(AMSTERDAM)
    return on_the_clock(local + relativedelta(months=months)).astimezone(start.tzinfo)
