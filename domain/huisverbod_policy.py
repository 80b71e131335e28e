"""The huisverbod's periods, deadlines with their articles, rules of the deadline calculator
and the checks on a ban.

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
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from domain.deadlines import CalculatorRule, DueDate
from domain.policy import Rule, RuleViolation, ScaledPolicy, is_adult
from domain.workdays import (
    add_local,
    after_hours,
    dutch_time,
    local_date,
    statutory_end,
)

if TYPE_CHECKING:
    from domain.chain_policy import Policy


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


DEADLINES = {
    r.key: r
    for r in (
        Rule(
            key="mayor_decision",
            label="beslissing van de burgemeester over het verzoek",
            source="Wth art. 2 lid 1; escalatietermijn van ketenregie",
        ),
        Rule(
            key="contact_address",
            label="uithuisgeplaatste geeft een adres of contactgegevens op",
            source="Wth art. 2 lid 6 (binnen 24 uur na het opleggen)",
        ),
        Rule(
            key="help_started",
            label="Veilig Thuis start hulp voor het gezin",
            source="geen wettelijke termijn: de tien dagen van Wth art. 2 lid 1 zijn volgens de "
            "MvT (30 657, nr. 3) bedoeld om hulp te laten starten; Wmo 2015 art. 4.1.1",
        ),
        Rule(
            key="interim_relief_hearing",
            label="de rechter behandelt het verzoek om een voorlopige voorziening",
            source='Wth art. 6 lid 1 sub a: "binnen drie dagen"; Atw art. 1 lid 1 en art. 2 (Wth '
            "art. 13 sluit de Atw alleen uit voor art. 2 lid 1 en art. 9 lid 1): de termijn omvat "
            "ten minste twee dagen die geen zaterdag, zondag of feestdag zijn, en eindigt de "
            "laatste dag op zo'n dag, dan op de eerstvolgende werkdag",
        ),
        Rule(
            key="interim_relief_ruling",
            label="de rechter doet uitspraak op het verzoek om een voorlopige voorziening",
            source='Wth art. 6 lid 1 sub b: "onmiddellijk, of uiterlijk binnen 24 uur" na de '
            "behandeling",
        ),
    )
}


def _ban(start: datetime, p: Policy) -> list[DueDate]:
    hv = p.huisverbod
    return [
        DueDate(key="end", due_at=hv.ban_end(start), article="Wth art. 2 lid 1 (tien dagen)"),
        DueDate(key="cap", due_at=hv.max_end(start), article="Wth art. 9 lid 1 (vier weken)"),
        DueDate(
            key="contact_address",
            due_at=hv.due(start, "contact_address")[0],
            article="Wth art. 2 lid 6 (binnen 24 uur)",
        ),
        DueDate(
            key="help_started",
            due_at=hv.due(start, "help_started")[0],
            article=DEADLINES["help_started"].source,
        ),
        DueDate(
            key="appeal_term",
            due_at=hv.appeal_until(start),
            article="Awb art. 6:7 en 6:8 (zes weken); Atw art. 1",
        ),
    ]


def _interim_relief(start: datetime, p: Policy) -> list[DueDate]:
    """From the request's receipt: the hearing, and the ruling after a hearing at the last
    moment the hearing may take place."""
    hearing = p.huisverbod.due(start, "interim_relief_hearing")[0]
    return [
        DueDate(key="hearing", due_at=hearing, article=DEADLINES["interim_relief_hearing"].source),
        DueDate(
            key="ruling_after_latest_hearing",
            due_at=p.huisverbod.due(hearing, "interim_relief_ruling")[0],
            article=DEADLINES["interim_relief_ruling"].source,
        ),
    ]


CALCULATOR = (
    CalculatorRule(
        key="huisverbod",
        name="Tijdelijk huisverbod (vanaf het opleggen)",
        dates=_ban,
        date_names={
            "end": "einde",
            "cap": "uiterste einde na verlenging",
            "contact_address": "adres of contact opgegeven",
            "help_started": "hulp gestart",
            "appeal_term": "einde beroepstermijn",
        },
    ),
    CalculatorRule(
        key="interim_relief",
        name="Voorlopige voorziening (vanaf ontvangst door de rechter)",
        dates=_interim_relief,
        date_names={
            "hearing": "behandeling door de rechter",
            "ruling_after_latest_hearing": "uitspraak na een behandeling op het laatste moment",
        },
    ),
)
