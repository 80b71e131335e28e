"""Working days in the Netherlands, computed in Europe/Amsterdam and stored in UTC.

A working day is Monday to Friday, except the Dutch public holidays as the `holidays`
package (country NL) lists them: Nieuwjaarsdag, Tweede Paasdag, Koningsdag, Bevrijdingsdag
in lustrum years, Hemelvaartsdag, Tweede Pinksterdag and both Christmas days. Good Friday
is in that list but is no general day off in the Netherlands (it is not among the days of
the Algemene termijnenwet art. 3), so it counts as a working day.

Deadlines "within N working days" end at the end (24:00 Amsterdam time) of the N-th working
day after the day of the event. Arithmetic happens on local calendar dates and wall-clock
times, so a DST switch never moves a deadline by an hour.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from holidays.countries.netherlands import Netherlands

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
WORKING_DAYS_OFF_NOT_OBSERVED = {"Good Friday"}


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    nl = Netherlands(years=year, language="en_US")
    return frozenset(d for d, name in nl.items() if name not in WORKING_DAYS_OFF_NOT_OBSERVED)


def preload_calendar() -> None:
    """Import the holiday calendar's lazily loaded modules now (workers call this before
    they run workflows, whose sandbox should find them already loaded)."""
    _holidays(date.today().year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year)


def local_date(moment: datetime) -> date:
    return moment.astimezone(AMSTERDAM).date()


def nth_working_day_after(day: date, n: int) -> date:
    """The n-th working day after `day` (n >= 1); `day` itself never counts."""
    if n < 1:
        raise ValueError("n must be at least 1")
    while n:
        day += timedelta(days=1)
        n -= is_working_day(day)
    return day


def nth_working_day_before(day: date, n: int) -> date:
    """The n-th working day before `day` (n >= 1)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    while n:
        day -= timedelta(days=1)
        n -= is_working_day(day)
    return day


def end_of_day(day: date) -> datetime:
    """24:00 Amsterdam time of `day` (= 00:00 of the next day), as an aware datetime."""
    return datetime.combine(day + timedelta(days=1), time(0), AMSTERDAM)


def due_in_working_days(start: datetime, n: int) -> datetime:
    """End of the n-th working day after the (Amsterdam) day of `start`."""
    return end_of_day(nth_working_day_after(local_date(start), n))


def add_local(start: datetime, *, days: int = 0, weeks: int = 0) -> datetime:
    """`start` plus calendar days or weeks on the Amsterdam wall clock (DST-safe)."""
    local = start.astimezone(AMSTERDAM).replace(tzinfo=None)
    return (local + timedelta(days=days, weeks=weeks)).replace(tzinfo=AMSTERDAM)


def morning_before(due: datetime, working_days: int, at: time = time(9)) -> datetime:
    """09:00 Amsterdam time on the n-th working day before the day on which `due` falls.

    A deadline at 24:00 belongs to the day that ends then.
    """
    due_day = local_date(due - timedelta(microseconds=1))
    return datetime.combine(nth_working_day_before(due_day, working_days), at, AMSTERDAM)


def working_day_horizon(now: datetime, n: int) -> datetime:
    """The end of the n-th working day after today: "due in the next n working days"."""
    return due_in_working_days(now, n)
