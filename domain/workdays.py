"""Working days, computed in Europe/Amsterdam and stored in UTC.

The calendar is a setting of the policy. By default it is the one of the **Algemene
termijnenwet** (Atw): a working day is Monday to Friday except
- the algemeen erkende feestdagen of art. 3 lid 1: Nieuwjaarsdag, tweede Paasdag, tweede
  Pinksterdag, both Christmas days, Hemelvaartsdag, the day the King's birthday is
  celebrated (Koningsdag) and **5 May, every year**;
- **Goede Vrijdag**, equated with them by art. 3 lid 2;
- the days a decree under art. 3 lid 3 equates with them: a dated data file
  (`atw_decrees.yaml`, each entry naming its publication), so an update needs no code. A
  year no known decree covers counts lid 1 and 2 only, and says so once in the log.
The alternative `nl_public_holidays` counts the public holidays of the `holidays` package
(Bevrijdingsdag in lustrum years only, Good Friday as a working day), as ketenregie did
before; a region may choose it.

Deadlines "within N working days" end at the end (24:00 Amsterdam time) of the N-th working
day after the day of the event. Arithmetic happens on local calendar dates and wall-clock
times, so a DST switch never moves a deadline by an hour.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

import yaml
from dateutil.relativedelta import relativedelta
from holidays.countries.netherlands import Netherlands
from pydantic import BaseModel, TypeAdapter

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CalendarName = Literal["atw", "nl_public_holidays"]
DECREES_FILE = Path(__file__).with_name("atw_decrees.yaml")
log = logging.getLogger("ketenregie.calendar")


class Decree(BaseModel):
    """A decree under Atw art. 3 lid 3: the days it equates with algemeen erkende feestdagen
    in the years it covers."""

    publication: str
    years: list[int]
    days: list[date]


@lru_cache(maxsize=1)
def decrees() -> tuple[Decree, ...]:
    data = yaml.safe_load(DECREES_FILE.read_text(encoding="utf-8")) or []
    return tuple(TypeAdapter(list[Decree]).validate_python(data))


@lru_cache(maxsize=256)
def days_off(calendar: CalendarName, year: int) -> frozenset[date]:
    """The days of `year` other than Saturdays and Sundays that are no working days."""
    public = Netherlands(years=year, language="en_US")
    if calendar == "nl_public_holidays":
        return frozenset(d for d, name in public.items() if name != "Good Friday")
    days = set(public) | {date(year, 5, 5)}  # art. 3 lid 1 (5 May every year) and lid 2
    covering = [d for d in decrees() if year in d.years]
    if not covering:
        log.warning(
            "no decree under Algemene termijnenwet art. 3 lid 3 is known for %d: counting the "
            "days of lid 1 and 2 only; add the decree to %s",
            year,
            DECREES_FILE.name,
        )
    days.update(day for d in covering for day in d.days if day.year == year)
    return frozenset(days)


DECREES_PUBLISHED = "de Staatscourant (officielebekendmakingen.nl)"
WARN_BEFORE_END = relativedelta(months=6)


def calendar_reach() -> date:
    """The last day for which a decree under Atw art. 3 lid 3 is known; after it only lid 1
    and 2 count."""
    return date(max(y for d in decrees() for y in d.years), 12, 31)


def calendar_notice(today: date) -> str | None:
    """From six months before the decrees' data runs out, what a maintainer is to do, in
    Dutch; None before then."""
    reach = calendar_reach()
    if today < reach + timedelta(days=1) - WARN_BEFORE_END:  # from 1 July of the last year
        return None
    return (
        f"De kalender van de Algemene termijnenwet kent de dagen die een besluit (art. 3 lid 3) "
        f"met een feestdag gelijkstelt tot en met {dutch_date(reach)}. Voeg het volgende "
        f"besluit toe aan domain/{DECREES_FILE.name}; het wordt bekendgemaakt in "
        f"{DECREES_PUBLISHED}."
    )


def preload_calendar() -> None:
    """Import the holiday calendar's lazily loaded modules now (workers call this before
    they run workflows, whose sandbox should find them already loaded)."""
    days_off("atw", date.today().year)
    days_off("nl_public_holidays", date.today().year)


def is_working_day(day: date, calendar: CalendarName = "atw") -> bool:
    return day.weekday() < 5 and day not in days_off(calendar, day.year)


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def dutch_time(moment: datetime, *, precise: bool = False) -> str:
    """A moment as a Dutch reader expects it, on the Amsterdam clock: 30-11-2026 20:00 (and
    its seconds, if any, when `precise`: where a second decides)."""
    seconds = precise and moment.second
    return on_the_clock(moment).strftime("%d-%m-%Y %H:%M:%S" if seconds else "%d-%m-%Y %H:%M")


def dutch_end(moment: datetime) -> str:
    """The end of a term as a reader takes it: one that ends at 00:00 on the Amsterdam clock
    ends with the day before, "t/m 15-01-2027" (not "16-01-2027 00:00", read as the 16th);
    any other end is "tot" its moment."""
    local = on_the_clock(moment)
    if local.time() == time(0):
        return f"t/m {dutch_date(local.date() - timedelta(days=1))}"
    return f"tot {dutch_time(moment)}"


def dutch_date(day: date) -> str:
    """A day as a Dutch reader expects it: 30-11-2026."""
    return day.strftime("%d-%m-%Y")


def nth_working_day_after(day: date, n: int, calendar: CalendarName = "atw") -> date:
    """The n-th working day after `day` (n >= 1); `day` itself never counts."""
    if n < 1:
        raise ValueError("n must be at least 1")
    while n:
        day += timedelta(days=1)
        n -= is_working_day(day, calendar)
    return day


def nth_working_day_before(day: date, n: int, calendar: CalendarName = "atw") -> date:
    """The n-th working day before `day` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    while n:
        day -= timedelta(days=1)
        n -= is_working_day(day, calendar)
    return day


def statutory_end(event_day: date, last: date) -> datetime:
    """The end of a term set by law that runs from the day after `event_day` (the day of the
    event never counts) up to and including `last`: 24:00 of `last`, extended by the
    Algemene termijnenwet, always on its calendar (a region's setting never moves a
    statutory term):
    - art. 1 lid 1: a term ending on a Saturday, Sunday or algemeen erkende feestdag runs on
      to the end of the next working day;
    - art. 2: a term of at least three days runs on until it holds at least two working days
      (a request on Friday to be heard "binnen drie dagen" is heard by Tuesday, not Monday).
    Terms counted back from a moment are not extended (art. 1 lid 2): `before_day_off`."""
    end = working_day_from(last)
    if (last - event_day).days >= 3:
        end = max(end, nth_working_day_after(event_day, 2, "atw"))
    return end_of_day(end)


def working_day_from(day: date) -> date:
    """`day` when it is a working day on the Atw calendar, else the next one (Atw art. 1
    lid 1)."""
    return day if is_working_day(day, "atw") else nth_working_day_after(day, 1, "atw")


def before_day_off(moment: datetime) -> datetime:
    """A moment that ends a term counted back from a later one ("uiterlijk twee maanden vóór
    het einde"). The Atw does not extend it (art. 1 lid 2): when it falls on a Saturday,
    Sunday or algemeen erkende feestdag, ketenregie moves it to the end (24:00) of the last
    working day before, on the Atw calendar, so that the act is not left to a day off. A
    moment at 24:00 belongs to the day that ends then."""
    day = local_date(moment - timedelta(microseconds=1))
    if is_working_day(day, "atw"):
        return moment
    return end_of_day(nth_working_day_before(day, 1, "atw"))


def after_hours(start: datetime, duration: timedelta) -> datetime:
    """`start` plus a duration in absolute hours, whatever zone `start` is written in:
    Python adds to a time of a named zone on its wall clock (24 hours across a switch to
    summer time would be 23), so the sum is taken in UTC and given back in `start`'s zone."""
    return (start.astimezone(UTC) + duration).astimezone(start.tzinfo)


def between(start: datetime, end: datetime) -> timedelta:
    """The real time from `start` to `end`: Python subtracts two times of the same named zone
    on the wall clock, which would lose or gain the hour of a switch."""
    return end.astimezone(UTC) - start.astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """24:00 Amsterdam time of `day` (= 00:00 of the next day), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), AMSTERDAM)


def due_in_working_days(start: datetime, n: int, calendar: CalendarName = "atw") -> datetime:
    """End of the n-th working day after the (Amsterdam) day of `start`."""
    return end_of_day(nth_working_day_after(local_date(start), n, calendar))


def add_local(start: datetime, *, days: int = 0, weeks: int = 0) -> datetime:
    """`start` plus calendar days or weeks on the Amsterdam wall clock (DST-safe). A wall-clock
    time that does not exist (02:30 on the night clocks go forward) comes back as the real
    time of that instant, 03:30, so that it is shown as it will be read."""
    return on_the_clock(start.astimezone(AMSTERDAM) + timedelta(days=days, weeks=weeks))


def on_the_clock(local: datetime) -> datetime:
    """An Amsterdam wall-clock time as the instant it names, with its real local time: a time
    in the spring gap moves an hour on, one in the autumn's repeated hour stays the first."""
    return local.astimezone(UTC).astimezone(AMSTERDAM)


def morning_before(
    due: datetime, working_days: int, at: time = time(9), calendar: CalendarName = "atw"
) -> datetime:
    """09:00 Amsterdam time on the n-th working day before the day on which `due` falls.

    A deadline at 24:00 belongs to the day that ends then.
    """
    due_day = local_date(due - timedelta(microseconds=1))
    return datetime.combine(nth_working_day_before(due_day, working_days, calendar), at, AMSTERDAM)


def working_day_horizon(now: datetime, n: int, calendar: CalendarName = "atw") -> datetime:
    """The end of the n-th working day after today: "due in the next n working days"."""
    return due_in_working_days(now, n, calendar)
