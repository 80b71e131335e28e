"""The one place where legal durations and the rules on them live.

Wet tijdelijk huisverbod (Wth, BWBR0024649), as in force:
- art. 2 lid 1: the ban holds for ten days, unless extended under art. 9.
- art. 2 lid 2: a huisverbod can only be imposed on an adult (meerderjarig persoon).
- art. 2 lid 3: before imposing for (suspected) child abuse the mayor consults Veilig Thuis.
- art. 2 lid 6: the person removed says where he can be reached, at the latest within
  24 hours after the ban was imposed.
- art. 2 lid 7: an urgent ban may be ordered orally; the written order follows promptly.
- art. 2 lid 9: the mayor may withdraw (intrekken) the ban.
- art. 3 lid 1: the mayor may mandate *imposing* to a hulpofficier van justitie; extending
  and withdrawing cannot be mandated; lid 2: the hulpofficier tells the mayor at once.
- art. 6 lid 1: on a request for interim relief (voorlopige voorziening) the court hears
  it "binnen drie dagen" (sub a) and rules "onmiddellijk, of uiterlijk binnen 24 uur" after
  the hearing (sub b). Art. 13 excludes the Algemene termijnenwet for art. 2 lid 1 and art.
  9 lid 1 only, so the three days run in days, hold at least two working days (Atw art. 2:
  a request on Friday is heard by Tuesday) and end on a working day (Atw art. 1 lid 1).
- art. 9 lid 1: the mayor may extend the ban to at most four weeks after it was imposed,
  while the threat continues; the extension is decided while the ban is in force.
- art. 11: violating the ban is a crime (misdrijf).
- art. 13: the Algemene termijnenwet does not apply to the ten days and the four weeks:
  they run in calendar days, hour to hour.
The law sets no term for help to start: the ten days are meant for it (Memorie van
toelichting, Kamerstukken II 2005/06, 30 657, nr. 3) and Veilig Thuis organises it (Wmo
2015 art. 4.1.1), so ketenregie puts a deadline of its own at the end of the ten days.

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

MDA++ (Kader MDA++, Landelijk Netwerk Zorg- en Veiligheidshuizen) and Signs of Safety set
no terms in law: the intake, analysis and review intervals are ketenregie defaults, the
dates of a safety plan's reviews are agreed with the family. A crisis placement of a child
(crisisdienst jeugd) is reviewed after four weeks: a regional agreement, not a statute.
An advice question (adviesvraag, Handelingsprotocol Veilig Thuis 2019, "advies") has no
statutory term at all: a follow-up is the moment agreed with the person who asked
(afspraak met de adviesvrager), and counts as unattended once that day has passed.
Reminders go out one working day before a deadline of days (09:00 Amsterdam time), or
at three quarters of a deadline counted in hours.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal, TypeVar

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field

from domain.workdays import (
    AMSTERDAM,
    CalendarName,
    add_local,
    after_hours,
    before_day_off,
    between,
    due_in_working_days,
    dutch_date,
    dutch_time,
    end_of_day,
    local_date,
    morning_before,
    on_the_clock,
    statutory_end,
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


MeasureKind = Literal[
    "ondertoezichtstelling",
    "voorlopige_ondertoezichtstelling",
    "machtiging_uithuisplaatsing",
    "gezagsbeeindiging",
]


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


class HuisverbodPolicy(ScaledPolicy):
    """Periods of the huisverbod procedure (Wet tijdelijk huisverbod). Days and weeks are
    calendar periods on the Amsterdam wall clock (a ban imposed at 20:00 ends at 20:00, also
    across a change to or from summer time: Rb Middelburg ECLI:NL:RBMID:2011:BP2167); hours
    are absolute."""

    ban_days: int = 10  # art. 2 lid 1
    max_weeks: int = 4  # art. 9 lid 1
    decision_window: timedelta = timedelta(hours=4)
    contact_address_within: timedelta = timedelta(hours=24)  # art. 2 lid 6
    help_start_days: int = 10  # art. 2 lid 1 with the MvT: help starts in the ten days
    interim_relief_days: int = 3  # art. 6 lid 1 sub a: within three days (Atw art. 1 and 2)
    interim_relief_ruling_within: timedelta = timedelta(hours=24)  # art. 6 lid 1 sub b
    appeal_weeks: int = 6  # Awb art. 6:7 (beroep), from the day after the decision (6:8)

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        """(due, remind_at) of the huisverbod deadline `key` counted from `start`."""
        if key == "mayor_decision":
            real = after_hours(start, self.decision_window)
        elif key == "contact_address":
            real = after_hours(start, self.contact_address_within)
        elif key == "help_started":
            real = add_local(start, days=self.help_start_days)
        elif key == "interim_relief_hearing":
            day = local_date(start)
            real = statutory_end(day, day + timedelta(days=self.interim_relief_days))
        elif key == "interim_relief_ruling":  # counted from the hearing
            real = after_hours(start, self.interim_relief_ruling_within)
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(start, real)

    def ban_end(self, imposed_at: datetime) -> datetime:
        """When a ban imposed at `imposed_at` ends without extension (art. 2 lid 1): ten
        calendar days later, at the same Amsterdam wall-clock time."""
        return self._after(imposed_at, add_local(imposed_at, days=self.ban_days))

    def max_end(self, imposed_at: datetime) -> datetime:
        """The latest end an extension may reach (art. 9 lid 1): four calendar weeks after
        imposition, at the same Amsterdam wall-clock time."""
        return self._after(imposed_at, add_local(imposed_at, weeks=self.max_weeks))

    def appeal_until(self, decided_at: datetime) -> datetime:
        """The end of the term for an appeal against a decision taken at `decided_at`: six
        weeks from the day after it (Awb art. 6:7 and 6:8), to the end of the next working
        day when that last day is none (Algemene termijnenwet art. 1 lid 1), on the Atw's
        calendar whatever the region's setting."""
        day = local_date(decided_at)
        last = day + timedelta(weeks=self.appeal_weeks)
        return self._after(decided_at, statutory_end(day, last))

    def check_extension(
        self,
        *,
        cap: datetime,
        current_end: datetime,
        until: datetime,
        decided_at: datetime,
        capacity: str,
        imposed_at: datetime,
    ) -> None:
        """Raise `RuleViolation` unless the mayor may extend the running ban to `until`: he
        decides while it is in force (Wth art. 9 lid 1), from its imposition to its end."""
        self.check_cap(cap, until)
        if capacity != "mayor":
            raise RuleViolation(
                "alleen de burgemeester beslist over een verlenging; het mandaat aan een "
                "hulpofficier van justitie geldt alleen voor het opleggen (Wth art. 3 lid 1)"
            )
        if decided_at < imposed_at:
            raise RuleViolation(
                f"het huisverbod is opgelegd op {dutch_time(imposed_at)}; over een verlenging "
                "wordt beslist terwijl het geldt, niet ervoor (Wth art. 9 lid 1)"
            )
        if decided_at >= current_end:
            raise RuleViolation(
                f"het huisverbod liep af op {dutch_time(current_end)}; over een verlenging moet "
                "worden beslist zolang het nog geldt (Wth art. 9 lid 1)"
            )
        if until <= current_end:
            raise RuleViolation(
                f"de verlenging moet eindigen na het huidige einde, {dutch_time(current_end)}"
            )

    @staticmethod
    def check_cap(cap: datetime, until: datetime) -> None:
        """Raise `RuleViolation` when `until` lies past `cap`, the legal maximum of the ban
        fixed when it was imposed."""
        if until > cap:
            raise RuleViolation(
                f"{dutch_time(until, precise=True)} ligt na het wettelijke maximum "
                f"{dutch_time(cap, precise=True)}: "
                "vier weken na het opleggen (Wth art. 9 lid 1)"
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


class ChildProtectionPolicy(ScaledPolicy):
    """Beschermtafel, Raad voor de Kinderbescherming and the kinderrechter's measures."""

    beschermtafel_working_days: int = Field(10, ge=1)
    raad_answer_working_days: int = Field(5, ge=1)
    raad_investigation_weeks: int = Field(12, ge=1)
    renewal_reminder_weeks: int = Field(8, ge=1)
    # maximum terms of a measure (months, on the calendar); None: no term (until majority)
    measure_months: dict[str, int | None] = {
        "ondertoezichtstelling": 12,  # BW 1:258 lid 1
        "voorlopige_ondertoezichtstelling": 3,  # BW 1:257 lid 2
        "machtiging_uithuisplaatsing": 12,  # BW 1:265c lid 1
        "gezagsbeeindiging": None,  # BW 1:266; ends at majority (1:233)
    }
    renewal_months: dict[str, int] = {
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


class MdaPolicy(ScaledPolicy):
    """MDA++: intake, joint analysis, one plan, periodic reviews (no statutory terms)."""

    intake_working_days: int = Field(10, ge=1)
    analysis_weeks: int = Field(4, ge=1)
    review_weeks: int = Field(6, ge=1)
    reviews_per_run: int = Field(
        4, ge=1, description="reviews before the workflow continues as new (bounded history)"
    )

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        if key == "mda_intake":
            real = self._working_days(start, self.intake_working_days)
        elif key == "mda_analysis":
            real = add_local(start, weeks=self.analysis_weeks)
        elif key == "mda_review":
            real = add_local(start, weeks=self.review_weeks)
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(start, real)


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


def _add_months(start: datetime, months: int) -> datetime:
    """`start` plus calendar months on the Amsterdam wall clock (31 Jan + 1 month = 28/29 Feb)."""
    local = start.astimezone(AMSTERDAM)
    return on_the_clock(local + relativedelta(months=months)).astimezone(start.tzinfo)


DeadlinePolicy = (
    HuisverbodPolicy | VeiligThuisPolicy | ChildProtectionPolicy | MdaPolicy | SafetyPolicy
)


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


class Policy(BaseModel):
    """Every duration of the chain, in one object that travels with each case."""

    model_config = ConfigDict(frozen=True)
    huisverbod: HuisverbodPolicy = HuisverbodPolicy()
    veilig_thuis: VeiligThuisPolicy = VeiligThuisPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()
    protection: ChildProtectionPolicy = ChildProtectionPolicy()
    mda: MdaPolicy = MdaPolicy()
    safety: SafetyPolicy = SafetyPolicy()
    case_events_per_run: int = Field(
        10_000,
        ge=50,
        description="history events after which a case continues as new (or when the server "
        "suggests it): years of monitoring keep a bounded history",
    )

    def own(self, policy: type[P]) -> P:
        """A procedure's own policy (a `ScaledPolicy` of its module), on this chain's scale
        and calendar of working days."""
        vt = self.veilig_thuis
        return policy(
            time_scale=vt.time_scale,
            first_day_scale=vt.first_day_scale,
            working_days=vt.working_days,
        )

    @classmethod
    def build(
        cls,
        *,
        time_scale: float = 1.0,
        first_day_scale: float | None = None,
        decision_window_hours: float = 4.0,
        delivery: DeliveryPolicy | None = None,
        mda_reviews_per_run: int = 4,
        working_days: CalendarName = "atw",
    ) -> Policy:
        common = {
            "time_scale": time_scale,
            "first_day_scale": first_day_scale,
            "working_days": working_days,
        }
        return cls(
            huisverbod=HuisverbodPolicy(
                **common, decision_window=timedelta(hours=decision_window_hours)
            ),
            veilig_thuis=VeiligThuisPolicy(**common),
            delivery=delivery or DeliveryPolicy(),
            protection=ChildProtectionPolicy(**common),
            mda=MdaPolicy(**common, reviews_per_run=mda_reviews_per_run),
            safety=SafetyPolicy(**common),
        )


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_adult(birth_date: date, on: date) -> bool:
    """Meerderjarig: 18 or older on `on` (BW 1:233)."""
    return age_on(birth_date, on) >= 18


def check_huisverbod_subject(role: str, birth_date: date | None, on: date) -> None:
    """Only an adult pleger of the case can be the subject of a huisverbod (Wth art. 2 lid 2)."""
    if role != "pleger":
        raise RuleViolation(
            "deze persoon is geen pleger; een huisverbod wordt alleen aan een pleger opgelegd"
        )
    if birth_date is not None and not is_adult(birth_date, on):
        raise RuleViolation(
            "een huisverbod kan alleen aan een meerderjarige worden opgelegd (Wth art. 2 lid 2)"
        )


def check_veilig_thuis_consulted(children: bool, consulted: bool) -> None:
    """Where children are involved the mayor consults Veilig Thuis before imposing (Wth
    art. 2 lid 3)."""
    if children and not consulted:
        raise RuleViolation(
            "er zijn kinderen betrokken: Veilig Thuis moet eerst geraadpleegd zijn voordat het "
            "huisverbod wordt opgelegd (Wth art. 2 lid 3)"
        )
