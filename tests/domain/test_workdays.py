"""Working-day arithmetic across weekends, holidays, year ends, Easter and DST switches, on
the calendar of the Algemene termijnenwet (art. 3) and on the public-holiday alternative."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.huisverbod_policy import HuisverbodPolicy
from domain.workdays import (
    AMSTERDAM,
    add_local,
    calendar_notice,
    calendar_reach,
    due_in_working_days,
    dutch_end,
    dutch_time,
    is_working_day,
    morning_before,
    nth_working_day_after,
    nth_working_day_before,
)


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 11, 23), True),  # a Monday
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 11, 29), False),  # Sunday
        (date(2026, 1, 1), False),  # Nieuwjaarsdag
        (date(2026, 4, 3), False),  # Goede Vrijdag: Atw art. 3 lid 2
        (date(2026, 4, 6), False),  # Tweede Paasdag
        (date(2026, 4, 27), False),  # Koningsdag
        (date(2025, 4, 26), False),  # Koningsdag on a Saturday anyway
        (date(2026, 5, 5), False),  # 5 May: Atw art. 3 lid 1, every year
        (date(2025, 5, 5), False),  # Bevrijdingsdag 2025: lustrum
        (date(2030, 5, 5), False),  # Sunday, lustrum
        (date(2026, 5, 14), False),  # Hemelvaartsdag
        (date(2026, 5, 15), False),  # the Friday after: equated by decree (art. 3 lid 3)
        (date(2026, 1, 2), False),  # equated by decree
        (date(2026, 5, 4), True),  # a Monday before 5 May: not equated
        (date(2026, 5, 25), False),  # Tweede Pinksterdag
        (date(2026, 12, 25), False),
        (date(2027, 12, 27), True),  # Monday after a Christmas weekend
        (date(2028, 4, 27), False),  # Koningsdag on a Thursday
    ],
)
def test_working_days_on_the_atw_calendar(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 4, 3), True),  # Good Friday: no public holiday of the `holidays` package
        (date(2026, 5, 5), True),  # Bevrijdingsdag outside a lustrum year
        (date(2025, 5, 5), False),  # lustrum
        (date(2026, 4, 6), False),
    ],
)
def test_a_region_may_count_on_the_public_holidays_instead(day, working):
    assert is_working_day(day, "nl_public_holidays") is working


@pytest.mark.parametrize(
    "start, n, expected",
    [
        (date(2026, 11, 23), 5, date(2026, 11, 30)),  # Mon -> next Mon
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Fri -> Mon
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Sat -> Mon
        (date(2026, 12, 23), 5, date(2026, 12, 31)),  # over Christmas
        (date(2026, 12, 30), 2, date(2027, 1, 4)),  # over New Year
        (date(2026, 4, 2), 2, date(2026, 4, 8)),  # Thu -> Good Friday, Easter Monday skipped
        (date(2026, 5, 4), 1, date(2026, 5, 6)),  # 5 May skipped in a non-lustrum year
        (date(2026, 4, 24), 5, date(2026, 5, 4)),  # Koningsdag Monday skipped
        (date(2025, 5, 2), 1, date(2025, 5, 6)),  # Bevrijdingsdag 2025 skipped
        (date(2026, 5, 13), 1, date(2026, 5, 18)),  # Hemelvaart and the equated Friday
        (date(2026, 5, 22), 1, date(2026, 5, 26)),  # Pinksteren skipped
    ],
)
def test_nth_working_day_after(start, n, expected):
    assert nth_working_day_after(start, n) == expected


def test_working_days_before_is_the_inverse_over_holidays():
    for offset in range(400):
        day = date(2026, 1, 1) + timedelta(days=offset)
        if is_working_day(day):
            for n in (1, 5):
                assert nth_working_day_before(nth_working_day_after(day, n), n) == day


def test_due_is_the_end_of_the_fifth_working_day_in_amsterdam():
    received = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # Mon 16:00 local
    due = due_in_working_days(received, 5)
    assert due == ams(2026, 12, 1, 0, 0)  # end of Mon 30 Nov
    assert due.utcoffset() == timedelta(hours=1)


def test_receipt_late_in_the_evening_utc_counts_from_the_local_day():
    # 23:30 UTC on Sunday 29 Mar 2026 is Monday 01:30 in Amsterdam (CEST)
    received = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)
    assert due_in_working_days(received, 1) == ams(2026, 4, 1, 0, 0)


@pytest.mark.parametrize(
    "start",
    [ams(2026, 3, 27, 10, 0), ams(2026, 10, 23, 10, 0)],  # Fridays before the DST switches
)
def test_dst_switch_does_not_shift_the_deadline_by_an_hour(start):
    due = due_in_working_days(start, 1)
    assert due.astimezone(AMSTERDAM).hour == 0 and due.astimezone(AMSTERDAM).minute == 0
    later = add_local(start, weeks=10)
    assert later.astimezone(AMSTERDAM).hour == 10


def test_ten_weeks_across_dst_keeps_the_wall_clock():
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)  # 10:00 CET
    end = add_local(start, weeks=10)
    assert end.astimezone(AMSTERDAM) == ams(2026, 5, 10, 10, 0)
    assert end - start == timedelta(weeks=10) - timedelta(hours=1)


def test_reminder_is_nine_in_the_morning_one_working_day_before():
    due = ams(2026, 12, 1, 0, 0)  # end of Monday 30 Nov
    assert morning_before(due, 1) == ams(2026, 11, 27, 9, 0)  # the Friday before
    due_after_easter = ams(2026, 4, 8, 0, 0)  # end of Tue 7 Apr
    assert morning_before(due_after_easter, 1) == ams(2026, 4, 2, 9, 0)  # not on Good Friday
    assert morning_before(due_after_easter, 1, calendar="nl_public_holidays") == ams(
        2026, 4, 3, 9, 0
    )


def test_a_ban_ending_in_the_spring_gap_is_shown_at_its_real_time():
    """Imposed 19 March 2026 02:30; ten days later 02:30 does not exist (29 March): the ban
    ends at 03:30 summer time, and says so."""
    end = HuisverbodPolicy().ban_end(datetime(2026, 3, 19, 2, 30, tzinfo=AMSTERDAM))
    assert end == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert dutch_time(end) == "29-03-2026 03:30"


def test_the_calendar_says_how_far_its_decrees_reach_and_warns_six_months_before():
    """Atw art. 3 lid 3: after the last known decree only lid 1 and 2 count; from six months
    before, the coordinator's dashboard says what to update and where the decree appears."""
    reach = calendar_reach()
    assert reach == date(2028, 12, 31)
    assert calendar_notice(date(2028, 6, 30)) is None
    notice = calendar_notice(date(2028, 7, 1))
    assert "31-12-2028" in notice and "atw_decrees.yaml" in notice and "Staatscourant" in notice


@pytest.mark.parametrize(
    "end, shown",
    [
        (ams(2027, 1, 16, 0, 0), "t/m 15-01-2027"),  # midnight after the last day
        (datetime(2027, 1, 15, 23, 0, tzinfo=UTC), "t/m 15-01-2027"),  # the same, in UTC
        (ams(2026, 3, 29, 0, 0), "t/m 28-03-2026"),  # the night the clocks go forward
        (ams(2027, 1, 1, 0, 0), "t/m 31-12-2026"),  # a year's end
        (ams(2027, 1, 16, 0, 1), "tot 16-01-2027 00:01"),
        (ams(2026, 12, 5, 17, 0), "tot 05-12-2026 17:00"),
        (datetime(2027, 1, 16, 0, 0, tzinfo=UTC), "tot 16-01-2027 01:00"),  # UTC midnight
    ],
)
def test_a_term_that_ends_at_midnight_ends_with_the_day_before(end, shown):
    assert dutch_end(end) == shown
