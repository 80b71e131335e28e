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
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict


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
        Rule(key="ban_end", source="Wth art. 2 lid 1 (10 days) and art. 9 lid 1 (extension)"),
        Rule(key="interim_relief_ruling", source="Wth art. 6 (interim relief within 3 days)"),
    )
}


class HuisverbodPolicy(BaseModel):
    """Durations of the huisverbod procedure. Real durations by default; `scaled` for demos."""

    model_config = ConfigDict(frozen=True)

    ban_duration: timedelta = timedelta(days=10)
    max_total_duration: timedelta = timedelta(weeks=4)
    decision_window: timedelta = timedelta(hours=4)
    contact_address_within: timedelta = timedelta(hours=24)
    help_start_within: timedelta = timedelta(days=10)
    interim_relief_within: timedelta = timedelta(days=3)

    def scaled(self, factor: float) -> HuisverbodPolicy:
        """The same policy with every duration multiplied by `factor` (e.g. 1/86400: a day a second)."""
        return HuisverbodPolicy(
            **{name: value * factor for name, value in self.model_dump().items()}
        )

    def ban_end(self, imposed_at: datetime) -> datetime:
        """When a ban imposed at `imposed_at` ends without extension (art. 2 lid 1)."""
        return imposed_at + self.ban_duration

    def max_end(self, imposed_at: datetime) -> datetime:
        """The latest end an extension may reach (art. 9 lid 1: four weeks after imposition)."""
        return imposed_at + self.max_total_duration

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
        cap = self.max_end(imposed_at)
        if until > cap:
            raise RuleViolation(
                f"{until.isoformat()} is past the legal maximum {cap.isoformat()}: "
                "four weeks after imposition (Wth art. 9 lid 1)"
            )


def is_adult(birth_date: date, on: date) -> bool:
    """Meerderjarig: 18 or older on `on` (BW 1:233)."""
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    return years >= 18


def check_huisverbod_subject(role: str, birth_date: date | None, on: date) -> None:
    """Only an adult pleger of the case can be the subject of a huisverbod (Wth art. 2 lid 2)."""
    if role != "pleger":
        raise RuleViolation(f"the person has role {role!r}; a huisverbod is imposed on a pleger")
    if birth_date is not None and not is_adult(birth_date, on):
        raise RuleViolation("a huisverbod can only be imposed on an adult (Wth art. 2 lid 2)")
