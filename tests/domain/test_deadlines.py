"""The deadline calculator: each rule's dates with their articles, on the CLI too."""

import json
from datetime import datetime, timedelta, timezone

import pytest
from typer.testing import CliRunner

from domain.catalogue import CATALOGUE
from domain.chain_policy import Policy
from domain.deadlines import UnknownRule
from domain.workdays import AMSTERDAM
from ketenregie.cli import app

RULES = CATALOGUE.calculator
compute = CATALOGUE.calculate


def ams(*args) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)


def dates(rule: str, start: datetime) -> dict[str, datetime]:
    return {d.key: d.due_at for d in compute(rule, start)}


def test_huisverbod_across_the_autumn_switch():
    """Wth art. 2 lid 1, art. 2 lid 6, art. 9 lid 1; Awb art. 6:7."""
    got = dates("huisverbod", datetime.fromisoformat("2026-10-20T20:00:00+02:00"))
    assert got["end"] == ams(2026, 10, 30, 20, 0)
    assert got["cap"] == ams(2026, 11, 17, 20, 0)
    assert got["contact_address"] == ams(2026, 10, 21, 20, 0)
    assert got["help_started"] == ams(2026, 10, 30, 20, 0)
    assert got["appeal_term"] == ams(2026, 12, 2, 0, 0)  # end of Tuesday 1 December


def test_interim_relief_is_heard_within_three_days_to_the_end_of_the_last():
    """Wth art. 6 lid 1 sub a and b; Atw art. 1: the term runs in days."""
    assert dates("interim_relief", ams(2026, 3, 25, 16, 0)) == {
        "hearing": ams(2026, 3, 31, 0, 0),  # Wednesday: Thu, Fri, Sat 28, on to Monday 30
        "ruling_after_latest_hearing": ams(2026, 4, 1, 0, 0),  # 24 hours later
    }


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        ((2027, 1, 15), (2027, 1, 19)),  # Fri: Sat, Sun, Mon hold one working day → Tue
        ((2027, 3, 25), (2027, 3, 31)),  # Thu: Good Friday, Sat, Sun, Easter Monday, Tue → Wed
        ((2026, 12, 24), (2026, 12, 29)),  # Thu: both Christmas days, Sun, Mon → Tue
        ((2028, 4, 26), (2028, 5, 2)),  # Wed: Koningsdag, the decree's Friday, Sat, Sun → Tue
        ((2026, 3, 27), (2026, 3, 31)),  # Fri → Tue
        ((2027, 1, 14), (2027, 1, 18)),  # Thu: Friday and Monday are two → Mon (art. 1 only)
        ((2027, 1, 13), (2027, 1, 18)),  # Wed: Thursday and Friday → the Saturday, then Mon
    ],
)
def test_the_three_days_of_the_hearing_hold_two_working_days(received, last_day):
    """Atw art. 2: a statutory term of at least three days holds at least two days that are
    not a Saturday, Sunday or algemeen erkende feestdag; with art. 1 lid 1 it ends on one.
    The ruling's 24 hours run from that end (Wth art. 6 lid 1 sub b)."""
    end = ams(*last_day, 0, 0) + timedelta(days=1)
    assert dates("interim_relief", ams(*received, 10, 0)) == {
        "hearing": end,
        "ruling_after_latest_hearing": end + timedelta(hours=24),
    }


def test_an_interim_relief_hearing_due_on_christmas_moves_to_the_next_working_day():
    """Wth art. 13 leaves the Atw in force for art. 6: a third day on Saturday 26 December
    (second Christmas day) runs to the end of Monday 28 December."""
    got = dates("interim_relief", ams(2026, 12, 23, 16, 0))
    assert got["hearing"] == ams(2026, 12, 29, 0, 0)


@pytest.mark.parametrize(
    ("decided", "last_day"),
    [((2027, 2, 12), (2027, 3, 30)), ((2027, 3, 24), (2027, 5, 10))],
)
def test_the_appeal_term_is_the_same_on_every_calendar_setting(decided, last_day):
    """Awb art. 6:7, 6:8 and Atw art. 1 set the term, not the region's calendar: Good Friday
    26 March and Easter Monday 29 March 2027; 5 May and the decree's 7 May 2027."""
    for calendar in ("atw", "nl_public_holidays"):
        policy = Policy.build(working_days=calendar)
        got = {d.key: d.due_at for d in compute("huisverbod", ams(*decided, 20, 0), policy)}
        assert got["appeal_term"] == ams(*last_day, 0, 0) + timedelta(days=1), calendar


def test_safety_assessment_counts_atw_working_days():
    """Handelingsprotocol Veilig Thuis: 5 working days; Atw art. 3 (Good Friday, 2e Paasdag)."""
    got = dates("safety_assessment", ams(2026, 4, 1, 10, 0))  # Wednesday before Easter
    assert got == {"safety_assessment": ams(2026, 4, 11, 0, 0)}  # end of Friday 10 April


def test_investigation_is_ten_calendar_weeks():
    """Handelingsprotocol Veilig Thuis: onderzoek within 10 weeks."""
    assert dates("investigation", ams(2026, 3, 2, 10, 0)) == {
        "investigation": ams(2026, 5, 11, 10, 0)
    }


def test_child_protection_measures_in_calendar_months():
    """BW 1:257 lid 2 (3 months), 1:258 lid 1 (a year), 1:265c lid 1 and lid 3."""
    start = ams(2027, 1, 31, 10, 0)
    assert dates("voorlopige_ots", start) == {"end": ams(2027, 4, 30, 10, 0)}
    assert dates("ots", start) == {
        "end": ams(2028, 1, 31, 10, 0),
        "renewal_request": ams(2027, 11, 30, 10, 0),  # BW 1:265j lid 1, as read
    }
    assert dates("machtiging_uithuisplaatsing", start) == {
        "end": ams(2028, 1, 31, 10, 0),
        "lapses_unused": ams(2027, 4, 30, 10, 0),
    }


def test_a_spoedmachtiging_runs_four_weeks_and_the_parents_are_heard_within_two():
    """Rv art. 800 lid 2 (as read here); the two weeks end on a working day (Atw art. 1):
    given Friday 11 December 2026, heard by the end of Friday 25 December → Monday 28."""
    assert dates("spoedmachtiging_uithuisplaatsing", ams(2026, 12, 11, 15, 0)) == {
        "end": ams(2027, 1, 8, 15, 0),
        "parents_heard": ams(2026, 12, 29, 0, 0),
    }


def test_an_ots_renewal_request_on_a_sunday_is_due_the_friday_before():
    """Counted back from the end, so not extended (Atw art. 1 lid 2): an OTS to 31-12-2027
    is to be renewed by Sunday 31-10-2027, so by the end of Friday 29-10."""
    got = dates("ots", ams(2026, 12, 31, 10, 0))
    assert got == {"end": ams(2027, 12, 31, 10, 0), "renewal_request": ams(2027, 10, 30, 0, 0)}


@pytest.mark.parametrize("rule", sorted(RULES))
@pytest.mark.parametrize(
    "start",
    [
        ams(2027, 3, 26, 22, 0),
        ams(2027, 3, 27, 20, 0),
        ams(2027, 3, 28, 1, 30),
        ams(2027, 10, 30, 20, 0),
        ams(2027, 10, 31, 2, 30).replace(fold=1),  # the second 02:30 of the autumn night
    ],
)
def test_a_moment_gives_the_same_dates_whichever_zone_it_is_written_in(rule, start):
    """The API and the command line pass fixed offsets, a caller in Python may pass the
    Europe/Amsterdam zone: the dates are the same instants (24 hours are 24 hours across
    the night of a switch, also on the scaled clock)."""
    for policy in (Policy(), Policy.build(time_scale=0.5)):
        named = compute(rule, start, policy)
        fixed = compute(rule, start.astimezone(timezone(start.utcoffset())), policy)
        assert [(d.key, d.due_at) for d in named] == [(d.key, d.due_at) for d in fixed]


def test_every_date_names_its_article():
    for rule in RULES:
        for d in compute(rule, ams(2026, 6, 1, 12, 0)):
            assert any(src in d.article for src in ("Wth", "BW", "Awb", "Rv", "Handelingsprotocol"))


def test_an_unknown_rule_or_a_time_without_offset_is_refused():
    with pytest.raises(UnknownRule, match="bekend: huisverbod"):
        compute("tbs", ams(2026, 6, 1, 12, 0))
    with pytest.raises(ValueError, match="verschil met UTC"):
        compute("huisverbod", datetime(2026, 6, 1, 12, 0))


def test_the_cli_prints_json_and_exits_2_on_bad_input():
    runner = CliRunner()
    ok = runner.invoke(app, ["deadlines", "huisverbod", "--from", "2026-10-20T20:00:00+02:00"])
    assert ok.exit_code == 0, ok.output
    out = json.loads(ok.stdout)
    assert {
        "key": "end",
        "due_at": "2026-10-30T20:00:00+01:00",
        "article": "Wth art. 2 lid 1 (tien dagen)",
    } in out["dates"]
    assert {d["key"]: d["due_at"] for d in out["dates"]}["cap"] == "2026-11-17T20:00:00+01:00"
    friday = runner.invoke(
        app, ["deadlines", "interim_relief", "--from", "2027-01-15T10:00:00+01:00"]
    )
    hearing = {d["key"]: d for d in json.loads(friday.stdout)["dates"]}["hearing"]
    assert hearing["due_at"] == "2027-01-20T00:00:00+01:00"  # the end of Tuesday 19-01-2027
    assert "Atw art. 1 lid 1 en art. 2" in hearing["article"]
    listed = runner.invoke(app, ["deadlines", "--list"])
    assert set(json.loads(listed.stdout)) == set(RULES)
    assert (
        runner.invoke(app, ["deadlines", "huisverbod", "--from", "2026-10-20T20:00"]).exit_code == 2
    )
    assert (
        runner.invoke(app, ["deadlines", "tbs", "--from", "2026-10-20T20:00+02:00"]).exit_code == 2
    )


@pytest.mark.parametrize("rule", sorted(RULES))
def test_a_moment_at_the_end_of_the_calendar_is_refused_in_dutch(rule):
    with pytest.raises(ValueError, match="buiten de kalender"):
        compute(rule, ams(9999, 12, 31, 23, 0))


def test_every_rule_and_every_date_it_yields_has_a_dutch_name():
    for rule in RULES.values():
        assert rule.name
        keys = {d.key for d in compute(rule.key, ams(2026, 6, 1, 12, 0))}
        assert keys <= set(rule.date_names), rule.key
