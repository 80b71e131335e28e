"""The huisverbod's legal arithmetic as pure functions."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.chain_policy import Policy
from domain.huisverbod_policy import HuisverbodPolicy, check_huisverbod_subject
from domain.policy import RuleViolation, is_adult
from domain.veilig_thuis_policy import VeiligThuisPolicy
from domain.workdays import AMSTERDAM

POLICY = HuisverbodPolicy()
IMPOSED = datetime(2026, 3, 27, 22, 30, tzinfo=UTC)  # 23:30 in Amsterdam; summer time follows
CAP = POLICY.max_end(IMPOSED)


def extend(until, decided_at, capacity="mayor", current_end=None):
    POLICY.check_extension(
        cap=CAP,
        current_end=current_end or POLICY.ban_end(IMPOSED),
        until=until,
        decided_at=decided_at,
        capacity=capacity,
        imposed_at=IMPOSED,
    )


def test_ban_lasts_ten_calendar_days_and_may_reach_four_weeks_across_summer_time():
    """Wth art. 2 lid 1 and art. 9 lid 1: calendar days on the Amsterdam wall clock, so the
    ban ends at 23:30 again although the night of 29 March has only 23 hours."""
    assert POLICY.ban_end(IMPOSED) == datetime(2026, 4, 6, 23, 30, tzinfo=AMSTERDAM)
    assert POLICY.ban_end(IMPOSED) == IMPOSED + timedelta(days=10, hours=-1)
    assert CAP == datetime(2026, 4, 24, 23, 30, tzinfo=AMSTERDAM)


def test_middelburg_2010_ten_days_from_20_00_end_at_20_00():
    """Rb Middelburg ECLI:NL:RBMID:2011:BP2167: imposed 27 March 2010 20:00, ran until
    6 April 2010 20:00."""
    imposed = datetime(2010, 3, 27, 20, 0, tzinfo=AMSTERDAM)
    assert POLICY.ban_end(imposed) == datetime(2010, 4, 6, 20, 0, tzinfo=AMSTERDAM)


def test_in_autumn_an_extension_to_exactly_four_weeks_is_allowed():
    """20 October 2026 20:00 (summer time) + 4 weeks = 17 November 2026 20:00 (winter time)."""
    imposed = datetime(2026, 10, 20, 20, 0, tzinfo=AMSTERDAM)
    cap = POLICY.max_end(imposed)
    assert cap == datetime(2026, 11, 17, 20, 0, tzinfo=AMSTERDAM)
    assert POLICY.ban_end(imposed) == datetime(2026, 10, 30, 20, 0, tzinfo=AMSTERDAM)
    POLICY.check_extension(
        cap=cap,
        current_end=POLICY.ban_end(imposed),
        until=cap,
        decided_at=datetime(2026, 10, 29, 12, 0, tzinfo=AMSTERDAM),
        capacity="mayor",
        imposed_at=imposed,
    )


def test_extension_exactly_to_the_cap_is_allowed():
    extend(CAP, IMPOSED + timedelta(days=9, hours=22))


def test_extension_one_second_past_the_cap_is_refused():
    with pytest.raises(RuleViolation, match="ligt na het wettelijke maximum"):
        extend(CAP + timedelta(seconds=1), IMPOSED + timedelta(days=5))


def test_extension_decided_at_the_end_of_day_ten_is_refused():
    with pytest.raises(RuleViolation, match="zolang het nog geldt"):
        extend(IMPOSED + timedelta(days=20), POLICY.ban_end(IMPOSED))


@pytest.mark.parametrize("before", [timedelta(days=2), timedelta(seconds=1)])
def test_an_extension_decided_before_the_ban_was_imposed_is_refused(before):
    """Wth art. 9 lid 1: the mayor extends a ban in force; before its imposition there is
    none (its appeal term would start before the ban existed)."""
    with pytest.raises(RuleViolation, match="opgelegd op 27-03-2026 23:30.*Wth art. 9 lid 1"):
        extend(CAP, IMPOSED - before)


def test_an_extension_decided_at_the_moment_of_imposition_is_allowed():
    extend(CAP, IMPOSED)


def test_extension_one_second_before_the_end_is_allowed():
    extend(IMPOSED + timedelta(days=20), POLICY.ban_end(IMPOSED) - timedelta(seconds=1))


def test_a_second_extension_is_allowed_while_the_first_runs():
    extend(CAP, IMPOSED + timedelta(days=15), current_end=IMPOSED + timedelta(days=20))


def test_extension_must_lengthen_the_ban():
    with pytest.raises(RuleViolation, match="moet eindigen na"):
        extend(IMPOSED + timedelta(days=9), IMPOSED + timedelta(days=1))


def test_hulpofficier_cannot_extend():
    with pytest.raises(RuleViolation, match="Wth art. 3 lid 1"):
        extend(IMPOSED + timedelta(days=20), IMPOSED + timedelta(days=1), capacity="hulpofficier")


def test_scaled_policy_keeps_the_proportions():
    fast = Policy.build(time_scale=1 / 86400)
    real_ban = POLICY.ban_end(IMPOSED) - IMPOSED
    assert fast.huisverbod.ban_end(IMPOSED) == IMPOSED + real_ban / 86400
    assert fast.huisverbod.max_end(IMPOSED) == IMPOSED + (CAP - IMPOSED) / 86400
    due, remind = fast.huisverbod.due(IMPOSED, "mayor_decision")
    assert due == IMPOSED + timedelta(seconds=4 * 3600 / 86400)
    assert remind == IMPOSED + timedelta(seconds=3 * 3600 / 86400)


def test_a_demo_keeps_steps_of_hours_doable_by_hand_and_runs_the_days_fast():
    demo = Policy.build(time_scale=0.0001, first_day_scale=0.01)
    due, remind = demo.huisverbod.due(IMPOSED, "mayor_decision")
    assert due - IMPOSED == timedelta(minutes=2.4)  # four hours at 1:100
    assert remind - IMPOSED == timedelta(minutes=1.8)
    # a 10-day ban (here across the change to summer time): the first day at 1:100, the rest
    # at 1:10,000
    rest = POLICY.ban_end(IMPOSED) - IMPOSED - timedelta(days=1)
    assert demo.huisverbod.ban_end(IMPOSED) - IMPOSED == timedelta(seconds=864) + rest * 0.0001
    assert IMPOSED < demo.huisverbod.ban_end(IMPOSED) < demo.huisverbod.max_end(IMPOSED)


def test_a_demo_renewal_reminder_falls_where_its_real_one_does():
    demo = Policy.build(time_scale=0.0001, first_day_scale=0.01).protection
    end = demo._after(IMPOSED, IMPOSED + timedelta(days=365))
    remind = demo.renewal_reminder(IMPOSED, end)
    assert remind == demo._after(IMPOSED, IMPOSED + timedelta(days=365) - timedelta(weeks=8))


def test_decision_window_is_configurable():
    policy = Policy.build(decision_window_hours=2)
    assert policy.huisverbod.due(IMPOSED, "mayor_decision")[0] == IMPOSED + timedelta(hours=2)


def ams(*args):
    return datetime(*args, tzinfo=AMSTERDAM)


def test_safety_assessment_due_in_five_working_days_with_a_reminder_the_day_before():
    received = ams(2026, 4, 24, 14, 0)  # Friday before Koningsdag
    due, remind = VeiligThuisPolicy().due(received, "safety_assessment")
    assert due == ams(2026, 5, 5, 0, 0)  # end of Monday 4 May
    assert remind == ams(2026, 5, 1, 9, 0)  # Friday 1 May, 09:00


def test_acute_assessment_is_due_within_hours():
    received = ams(2026, 11, 23, 22, 0)
    due, remind = VeiligThuisPolicy().due(received, "acute_safety_assessment")
    assert due == received + timedelta(hours=4)
    assert remind == received + timedelta(hours=3)


def test_investigation_ends_ten_weeks_later_on_the_same_wall_clock():
    start = ams(2026, 3, 2, 10, 0)
    due, remind = VeiligThuisPolicy().due(start, "investigation")
    assert due == ams(2026, 5, 11, 10, 0)
    assert remind == ams(2026, 5, 8, 9, 0)  # the Friday before


def test_scaled_working_day_deadline_keeps_the_calendar_proportion():
    received = ams(2026, 4, 24, 14, 0)
    real_due, _ = VeiligThuisPolicy().due(received, "safety_assessment")
    fast_due, _ = VeiligThuisPolicy(time_scale=0.001).due(received, "safety_assessment")
    assert fast_due - received == (real_due - received) * 0.001


@pytest.mark.parametrize(
    "birth, on, adult",
    [
        (date(2008, 11, 23), date(2026, 11, 23), True),  # 18th birthday
        (date(2008, 11, 24), date(2026, 11, 23), False),  # one day short
        (date(2008, 2, 29), date(2026, 2, 28), False),  # leap-day birthday
        (date(2008, 2, 29), date(2026, 3, 1), True),
    ],
)
def test_adulthood(birth, on, adult):
    assert is_adult(birth, on) is adult


def test_only_an_adult_pleger_can_be_the_subject():
    check_huisverbod_subject("pleger", date(1980, 1, 1), date(2026, 11, 23))
    check_huisverbod_subject("pleger", None, date(2026, 11, 23))
    with pytest.raises(RuleViolation, match="art. 2 lid 2"):
        check_huisverbod_subject("pleger", date(2010, 1, 1), date(2026, 11, 23))
    with pytest.raises(RuleViolation, match="aan een pleger opgelegd"):
        check_huisverbod_subject("victim", date(1980, 1, 1), date(2026, 11, 23))


@pytest.mark.parametrize(
    ("key", "start", "hours"),
    [
        ("contact_address", datetime(2027, 3, 27, 20, 0, tzinfo=AMSTERDAM), 24),  # spring
        ("contact_address", datetime(2027, 10, 30, 20, 0, tzinfo=AMSTERDAM), 24),  # autumn
        ("mayor_decision", datetime(2027, 3, 28, 0, 30, tzinfo=AMSTERDAM), 4),
        ("interim_relief_ruling", datetime(2027, 10, 31, 0, 0, tzinfo=AMSTERDAM), 24),
    ],
)
def test_hours_are_absolute_whatever_zone_the_start_is_written_in(key, start, hours):
    """Wth art. 2 lid 6 (24 hours), art. 6 lid 1 sub b: hours run on the clock, not on the
    wall: 24 hours from Saturday 20:00 before the switch to summer time end on Sunday at
    21:00, before the switch back on Sunday at 19:00."""
    due, remind = POLICY.due(start, key)
    assert due - start.astimezone(UTC) == timedelta(hours=hours)
    assert (due, remind) == POLICY.due(start.astimezone(UTC), key)
    assert remind - start.astimezone(UTC) == timedelta(hours=hours) * 0.75
