"""The huisverbod's legal arithmetic as pure functions."""

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.policy import HuisverbodPolicy, RuleViolation, check_huisverbod_subject, is_adult

POLICY = HuisverbodPolicy()
IMPOSED = datetime(2026, 3, 27, 22, 30, tzinfo=UTC)  # DST switch night follows


def extend(until, decided_at, capacity="mayor", current_end=None):
    POLICY.check_extension(
        imposed_at=IMPOSED,
        current_end=current_end or POLICY.ban_end(IMPOSED),
        until=until,
        decided_at=decided_at,
        capacity=capacity,
    )


def test_ban_lasts_ten_days_and_may_reach_four_weeks():
    assert POLICY.ban_end(IMPOSED) == IMPOSED + timedelta(days=10)
    assert POLICY.max_end(IMPOSED) == IMPOSED + timedelta(days=28)


def test_extension_exactly_to_the_cap_is_allowed():
    extend(IMPOSED + timedelta(days=28), IMPOSED + timedelta(days=9, hours=23))


def test_extension_one_second_past_the_cap_is_refused():
    with pytest.raises(RuleViolation, match="past the legal maximum"):
        extend(IMPOSED + timedelta(days=28, seconds=1), IMPOSED + timedelta(days=5))


def test_extension_decided_at_the_end_of_day_ten_is_refused():
    with pytest.raises(RuleViolation, match="must be decided while it is in force"):
        extend(IMPOSED + timedelta(days=20), POLICY.ban_end(IMPOSED))


def test_extension_one_second_before_the_end_is_allowed():
    extend(IMPOSED + timedelta(days=20), POLICY.ban_end(IMPOSED) - timedelta(seconds=1))


def test_a_second_extension_is_allowed_while_the_first_runs():
    extend(
        IMPOSED + timedelta(days=28),
        IMPOSED + timedelta(days=15),
        current_end=IMPOSED + timedelta(days=20),
    )


def test_extension_must_lengthen_the_ban():
    with pytest.raises(RuleViolation, match="must end after"):
        extend(IMPOSED + timedelta(days=9), IMPOSED + timedelta(days=1))


def test_hulpofficier_cannot_extend():
    with pytest.raises(RuleViolation, match="Wth art. 3 lid 1"):
        extend(IMPOSED + timedelta(days=20), IMPOSED + timedelta(days=1), capacity="hulpofficier")


def test_scaled_policy_keeps_the_proportions():
    fast = POLICY.scaled(1 / 86400)
    assert fast.ban_duration == timedelta(seconds=10)
    assert fast.max_total_duration == timedelta(seconds=28)
    assert fast.decision_window == timedelta(seconds=4 * 3600 / 86400)


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
    with pytest.raises(RuleViolation, match="imposed on a pleger"):
        check_huisverbod_subject("victim", date(1980, 1, 1), date(2026, 11, 23))
