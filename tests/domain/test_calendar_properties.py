"""Properties of every period over 1990-2100 (Hypothesis): calendar periods keep the
Amsterdam wall clock, working-day deadlines never fall on a day off, months clamp."""

from datetime import UTC, date, datetime, time, timedelta

from dateutil.easter import easter
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.child_protection_policy import ChildProtectionPolicy
from domain.huisverbod_policy import HuisverbodPolicy
from domain.veilig_thuis_policy import VeiligThuisPolicy
from domain.workdays import AMSTERDAM, is_working_day, local_date

HUISVERBOD = HuisverbodPolicy()
moments = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 12, 31), timezones=st.just(AMSTERDAM)
)


def exists(local: datetime) -> bool:
    """The wall-clock time exists on its day (not in the hour skipped in spring)."""
    round_trip = local.astimezone(UTC).astimezone(AMSTERDAM).replace(tzinfo=None)
    return round_trip == local.replace(tzinfo=None)


@settings(max_examples=400)
@given(moments)
def test_a_ban_ends_ten_local_calendar_days_later_at_the_same_wall_clock(imposed):
    """Wth art. 2 lid 1; Rb Middelburg ECLI:NL:RBMID:2011:BP2167."""
    end = HUISVERBOD.ban_end(imposed).astimezone(AMSTERDAM)
    assert end.date() == imposed.date() + timedelta(days=10)
    if exists(datetime.combine(end.date(), imposed.time(), AMSTERDAM)):
        assert end.time() == imposed.time()
    assert timedelta(days=10, hours=-1) <= end - imposed <= timedelta(days=10, hours=1)


@settings(max_examples=400)
@given(moments)
def test_the_cap_is_four_calendar_weeks_and_never_before_the_end(imposed):
    """Wth art. 9 lid 1."""
    cap = HUISVERBOD.max_end(imposed).astimezone(AMSTERDAM)
    assert cap.date() == imposed.date() + timedelta(weeks=4)
    assert cap > HUISVERBOD.ban_end(imposed)
    assert timedelta(weeks=4, hours=-1) <= cap - imposed <= timedelta(weeks=4, hours=1)


@settings(max_examples=300)
@given(moments, st.sampled_from(["atw", "nl_public_holidays"]))
def test_a_working_day_deadline_never_falls_on_a_day_off(received, calendar):
    """Handelingsprotocol Veilig Thuis: 5 working days; the day ends at 24:00."""
    due, remind = VeiligThuisPolicy(working_days=calendar).due(received, "safety_assessment")
    last_day = local_date(due - timedelta(microseconds=1))
    assert due.astimezone(AMSTERDAM).time() == time(0)
    assert is_working_day(last_day, calendar)
    assert last_day > received.date()
    days = [
        received.date() + timedelta(days=i) for i in range(1, (last_day - received.date()).days + 1)
    ]
    assert sum(is_working_day(d, calendar) for d in days) == 5
    assert remind is not None and is_working_day(remind.astimezone(AMSTERDAM).date(), calendar)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
@settings(max_examples=50)
def test_good_friday_and_five_may_are_never_working_days_under_the_atw(day):
    """Atw art. 3 lid 1 (5 May) and lid 2 (Goede Vrijdag)."""
    assert not is_working_day(day.replace(month=5, day=5))
    assert not is_working_day(easter(day.year) - timedelta(days=2))


@settings(max_examples=300)
@given(moments, st.integers(min_value=1, max_value=12))
def test_months_clamp_to_the_end_of_the_month(start, months):
    """BW 1:257 / 1:258 / 1:265c: terms in months on the calendar (31 Jan + 3 = 30 Apr)."""
    policy = ChildProtectionPolicy(measure_months={"ondertoezichtstelling": months})
    end = policy.max_end("ondertoezichtstelling", start).astimezone(AMSTERDAM)
    month_index = start.month - 1 + months
    assert (end.year, end.month) == (start.year + month_index // 12, month_index % 12 + 1)
    assert end.day == start.day or (end.day < start.day and (end + timedelta(days=1)).day == 1)


def test_thirty_one_january_plus_three_months_is_thirty_april():
    start = datetime(2027, 1, 31, 10, 0, tzinfo=AMSTERDAM)
    end = ChildProtectionPolicy().max_end("voorlopige_ondertoezichtstelling", start)
    assert end == datetime(2027, 4, 30, 10, 0, tzinfo=AMSTERDAM)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def test_every_hearing_term_2023_2035_is_the_shortest_that_the_atw_allows():
    """Wth art. 6 lid 1 sub a with Atw art. 1 lid 1 and art. 2, for a request on every day of
    2023-2035: the term ends on the first day from the third on that is a working day and
    closes a term holding two working days (found here by search, not by the code's rule)."""
    for received in _days(date(2023, 1, 1), date(2035, 12, 31)):
        due, _ = HUISVERBOD.due(
            datetime.combine(received, time(10), AMSTERDAM), "interim_relief_hearing"
        )
        last = received + timedelta(days=3)
        while not (
            is_working_day(last)
            and sum(map(is_working_day, _days(received + timedelta(days=1), last))) >= 2
        ):
            last += timedelta(days=1)
        assert due == datetime.combine(last + timedelta(days=1), time(0), AMSTERDAM), received


def test_six_weeks_and_two_weeks_always_hold_two_working_days():
    """Atw art. 2 applies to every statutory term of three days or more counted forward, but
    only the three days of the interim-relief hearing can fall short: the appeal's six weeks
    (Awb art. 6:7) and the parents' hearing within two weeks (Rv art. 800 lid 2) always hold
    two working days, so art. 1 alone sets their end (2023-2035)."""
    for day in _days(date(2023, 1, 1), date(2035, 12, 31)):
        for length in (timedelta(weeks=6), timedelta(days=14)):
            term = _days(day + timedelta(days=1), day + length)
            assert sum(map(is_working_day, term)) >= 2, (day, length)
