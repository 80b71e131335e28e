"""The one place where legal durations and the rules on them live.

Wet tijdelijk huisverbod (Wth, BWBR0024649), as in force:
- art. 2 lid 1: the ban holds for ten days, unless extended under art. 9.
- art. 2 lid 2: a huisverbod can only be imposed on an adult (meerderjarig persoon).
- art. 2 lid 3: before imposing for (suspected) child abuse the mayor consults Veilig Thuis.
- art. 2 lid 6: the person removed says where he can be reached, at the latest within
  24 hours after the ban was imposed.
- art. 2 lid 7: an urgent ban may be ordered orally; the written order follows promptly.
- art. 3 lid 1: the mayor may mandate *imposing* to a hulpofficier van justitie; extending
  and withdrawing cannot be mandated.
- art. 6: appeal and a request for interim relief (voorlopige voorziening) go to the
  administrative court, which hears the request within three days.
- art. 9 lid 1: the mayor may extend the ban to at most four weeks after it was imposed,
  while the threat continues; the extension is decided while the ban is in force.
The ten days are meant for help to start (Memorie van toelichting, Kamerstukken II
2005/06, 30 657, nr. 3); Veilig Thuis organises it (Wmo 2015 art. 4.1.1), so the start of
help is a deadline at the end of the first ten days.

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
Reminders go out one working day before a deadline of days (09:00 Amsterdam time), or
at three quarters of a deadline counted in hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from domain.workdays import add_local, due_in_working_days, morning_before


class RuleViolation(ValueError):
    """A command that the law does not allow; the message says which rule and why."""


class Rule(BaseModel):
    """A named legal rule with its source, shown next to every deadline it produces."""

    model_config = ConfigDict(frozen=True)
    key: str
    source: str


RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule(key="mayor_decision", source="Wth art. 2 lid 1; ketenregie escalation window"),
        Rule(key="contact_address", source="Wth art. 2 lid 6 (within 24 hours of imposition)"),
        Rule(
            key="help_started", source="Wth art. 2 lid 1 with MvT 30 657 nr. 3; Wmo 2015 art. 4.1.1"
        ),
        Rule(key="interim_relief_ruling", source="Wth art. 6 (interim relief within 3 days)"),
        Rule(
            key="safety_assessment",
            source="Handelingsprotocol Veilig Thuis 2019: within 5 working days",
        ),
        Rule(
            key="acute_safety_assessment",
            source="Handelingsprotocol Veilig Thuis 2019: acute = at once (4 h)",
        ),
        Rule(
            key="investigation",
            source="Handelingsprotocol Veilig Thuis 2019: onderzoek within 10 weeks",
        ),
        Rule(
            key="monitoring_check",
            source="Handelingsprotocol Veilig Thuis 2019: monitoring after handover",
        ),
    )
}


class _Scaled(BaseModel):
    """Durations are the real ones; `time_scale` shrinks them all alike (demos and tests)."""

    model_config = ConfigDict(frozen=True)
    time_scale: float = Field(1.0, gt=0)

    def _after(self, start: datetime, real_due: datetime) -> datetime:
        return start + (real_due - start) * self.time_scale

    def reminder_at(
        self, start: datetime, real_due: datetime, working_days_before: int = 1
    ) -> datetime | None:
        """When to remind the responsible team of a deadline from `start` to `real_due`."""
        if real_due - start >= timedelta(days=2):
            remind = morning_before(real_due, working_days_before)
        else:
            remind = start + (real_due - start) * 0.75
        return self._after(start, remind) if start < remind < real_due else None


class HuisverbodPolicy(_Scaled):
    """Durations of the huisverbod procedure (Wet tijdelijk huisverbod)."""

    ban_duration: timedelta = timedelta(days=10)
    max_total_duration: timedelta = timedelta(weeks=4)
    decision_window: timedelta = timedelta(hours=4)
    contact_address_within: timedelta = timedelta(hours=24)
    help_start_within: timedelta = timedelta(days=10)
    interim_relief_within: timedelta = timedelta(days=3)

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        """(due, remind_at) of the huisverbod deadline `key` counted from `start`."""
        real = (
            start
            + {
                "mayor_decision": self.decision_window,
                "contact_address": self.contact_address_within,
                "help_started": self.help_start_within,
                "interim_relief_ruling": self.interim_relief_within,
            }[key]
        )
        return self._after(start, real), self.reminder_at(start, real)

    def ban_end(self, imposed_at: datetime) -> datetime:
        """When a ban imposed at `imposed_at` ends without extension (art. 2 lid 1)."""
        return imposed_at + self.ban_duration * self.time_scale

    def max_end(self, imposed_at: datetime) -> datetime:
        """The latest end an extension may reach (art. 9 lid 1: four weeks after imposition)."""
        return imposed_at + self.max_total_duration * self.time_scale

    def check_extension(
        self,
        *,
        imposed_at: datetime,
        current_end: datetime,
        until: datetime,
        decided_at: datetime,
        capacity: str,
    ) -> None:
        """Raise `RuleViolation` unless the mayor may extend the running ban to `until`."""
        self.check_cap(imposed_at, until)
        if capacity != "mayor":
            raise RuleViolation(
                "an extension can only be decided by the mayor; the mandate to a hulpofficier "
                "covers imposing only (Wth art. 3 lid 1)"
            )
        if decided_at >= current_end:
            raise RuleViolation(
                f"the ban ended at {current_end.isoformat()}; an extension must be decided "
                "while it is in force (Wth art. 9 lid 1)"
            )
        if until <= current_end:
            raise RuleViolation(
                f"the extension must end after the current end {current_end.isoformat()}"
            )

    def check_cap(self, imposed_at: datetime, until: datetime) -> None:
        """Raise `RuleViolation` when `until` lies past the legal maximum of the ban."""
        cap = self.max_end(imposed_at)
        if until > cap:
            raise RuleViolation(
                f"{until.isoformat()} is past the legal maximum {cap.isoformat()}: "
                "four weeks after imposition (Wth art. 9 lid 1)"
            )


class VeiligThuisPolicy(_Scaled):
    """Deadlines of the Veilig Thuis process (Handelingsprotocol Veilig Thuis 2019)."""

    safety_assessment_working_days: int = Field(5, ge=1)
    acute_assessment_within: timedelta = timedelta(hours=4)
    investigation_weeks: int = Field(10, ge=1)
    monitoring_interval_weeks: int = Field(13, ge=1)
    reminder_working_days_before: int = Field(1, ge=1)

    def due(self, start: datetime, key: str) -> tuple[datetime, datetime | None]:
        """(due, remind_at) of the Veilig Thuis deadline `key` counted from `start`."""
        if key == "safety_assessment":
            real = due_in_working_days(start, self.safety_assessment_working_days)
        elif key == "acute_safety_assessment":
            real = start + self.acute_assessment_within
        elif key == "investigation":
            real = add_local(start, weeks=self.investigation_weeks)
        elif key == "monitoring_check":
            real = add_local(start, weeks=self.monitoring_interval_weeks)
        else:
            raise KeyError(key)
        return self._after(start, real), self.reminder_at(
            start, real, self.reminder_working_days_before
        )


class DeliveryPolicy(BaseModel):
    """How hard a notification is tried before it is marked failed and escalated.
    Not a legal duration: never scaled. The defaults keep trying for about an hour."""

    model_config = ConfigDict(frozen=True)
    first_retry: timedelta = timedelta(seconds=5)
    max_retry: timedelta = timedelta(minutes=10)
    attempts: int = Field(12, ge=1)
    timeout: timedelta = timedelta(seconds=30)


class Policy(BaseModel):
    """Every duration of the chain, in one object that travels with each case."""

    model_config = ConfigDict(frozen=True)
    huisverbod: HuisverbodPolicy = HuisverbodPolicy()
    veilig_thuis: VeiligThuisPolicy = VeiligThuisPolicy()
    delivery: DeliveryPolicy = DeliveryPolicy()

    @classmethod
    def build(
        cls,
        *,
        time_scale: float = 1.0,
        decision_window_hours: float = 4.0,
        delivery: DeliveryPolicy | None = None,
    ) -> Policy:
        return cls(
            huisverbod=HuisverbodPolicy(
                time_scale=time_scale, decision_window=timedelta(hours=decision_window_hours)
            ),
            veilig_thuis=VeiligThuisPolicy(time_scale=time_scale),
            delivery=delivery or DeliveryPolicy(),
        )


def age_on(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def is_adult(birth_date: date, on: date) -> bool:
    """Meerderjarig: 18 or older on `on` (BW 1:233)."""
    return age_on(birth_date, on) >= 18


def check_huisverbod_subject(role: str, birth_date: date | None, on: date) -> None:
    """Only an adult pleger of the case can be the subject of a huisverbod (Wth art. 2 lid 2)."""
    if role != "pleger":
        raise RuleViolation(f"the person has role {role!r}; a huisverbod is imposed on a pleger")
    if birth_date is not None and not is_adult(birth_date, on):
        raise RuleViolation("a huisverbod can only be imposed on an adult (Wth art. 2 lid 2)")
