"""Pure rules of the escalation paths: child protection terms (BW boek 1), which step a
path's state allows, the child's own consent, the MDA++ plan, and the CORV message."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.case import check_child_consent
from domain.child_protection import (
    CourtDecided,
    Measure,
    MeasureRenewed,
    MeetingHeld,
    PlacementCarriedOut,
    ProtectionStartIn,
    ProtectionState,
    check_start,
    check_step,
    protection_step_problem,
)
from domain.child_protection_policy import ChildProtectionPolicy, check_majority
from domain.corv import CorvFormatError, acknowledged_id, acknowledgement, read_header
from domain.corv import verzoek_tot_onderzoek as corv_message
from domain.mda import (
    MdaActionDone,
    MdaClose,
    MdaPlan,
    MdaReview,
    MdaState,
    PlanAction,
    mda_step_problem,
)
from domain.policy import RuleViolation
from domain.safety_plan import SafetyPlanIn
from domain.safety_policy import SafetyPolicy

AMS = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 23, 10, 0, tzinfo=AMS)
POLICY = ChildProtectionPolicy()


@pytest.mark.parametrize(
    "kind, months, source",
    [
        ("ondertoezichtstelling", 12, "BW 1:258 lid 1"),
        ("voorlopige_ondertoezichtstelling", 3, "BW 1:257 lid 2"),
        ("machtiging_uithuisplaatsing", 12, "BW 1:265c lid 1"),
    ],
)
def test_a_measure_may_run_to_its_legal_maximum_and_not_a_second_longer(kind, months, source):
    cap = POLICY.max_end(kind, START)
    year, month = divmod(START.month - 1 + months, 12)
    assert cap == START.replace(year=START.year + year, month=month + 1)
    POLICY.check_measure(kind, START, cap)
    with pytest.raises(RuleViolation, match=source):
        POLICY.check_measure(kind, START, cap + timedelta(seconds=1))


def test_months_are_calendar_months_on_the_wall_clock():
    jan31 = datetime(2027, 1, 31, 9, 0, tzinfo=AMS)
    assert POLICY.max_end("voorlopige_ondertoezichtstelling", jan31) == datetime(
        2027, 4, 30, 9, 0, tzinfo=AMS
    )  # no 31 April: the last day of the month; 09:00 across the switch to summer time


def test_gezagsbeeindiging_has_no_end_date_and_a_measure_needs_one():
    POLICY.check_measure("gezagsbeeindiging", START, None)
    with pytest.raises(RuleViolation, match="1:266"):
        POLICY.check_measure("gezagsbeeindiging", START, START + timedelta(days=30))
    with pytest.raises(RuleViolation, match="heeft een einddatum nodig"):
        POLICY.check_measure("ondertoezichtstelling", START, None)
    with pytest.raises(RuleViolation, match="na het begin"):
        POLICY.check_measure("ondertoezichtstelling", START, START)


def test_renewal_adds_at_most_a_year_and_only_to_an_ots_or_machtiging():
    end = START + timedelta(days=300)
    cap = POLICY._after(end, end.replace(year=end.year + 1))
    POLICY.check_renewal("ondertoezichtstelling", end, cap)
    with pytest.raises(RuleViolation, match="BW 1:260 lid 1"):
        POLICY.check_renewal("ondertoezichtstelling", end, cap + timedelta(seconds=1))
    with pytest.raises(RuleViolation, match="kan niet worden verlengd"):
        POLICY.check_renewal("voorlopige_ondertoezichtstelling", end, end + timedelta(days=1))
    with pytest.raises(RuleViolation, match="na het huidige einde"):
        POLICY.check_renewal("ondertoezichtstelling", end, end)


def test_the_renewal_reminder_comes_eight_weeks_before_the_end():
    end = datetime(2027, 11, 23, 10, 0, tzinfo=AMS)
    assert POLICY.renewal_reminder(START, end) == datetime(2027, 9, 28, 10, 0, tzinfo=AMS)
    short = START + timedelta(weeks=4)  # shorter than the lead time: no reminder
    assert POLICY.renewal_reminder(START, short) is None


def test_renewal_of_an_ots_is_asked_two_months_before_its_end_and_reminded_before_that():
    """BW 1:265j lid 1 (as the audit reads it): an OTS ending 30-11-2027 is to be renewed
    by 30-09-2027; the eight-week reminder of the end (05-10-2027) would come too late."""
    end = datetime(2027, 11, 30, 10, 0, tzinfo=AMS)
    due, remind = POLICY.renewal_request(START, end)
    assert due == datetime(2027, 9, 30, 10, 0, tzinfo=AMS)
    assert remind == datetime(2027, 9, 16, 10, 0, tzinfo=AMS)
    assert POLICY.renewal_request(START, START + timedelta(weeks=6)) is None  # passed already


@pytest.mark.parametrize(
    ("end", "due", "remind"),
    [  # the request two months before; on a day off the end of the last working day before
        ((2027, 12, 31, 10, 0), (2027, 10, 30, 0, 0), (2027, 10, 16, 0, 0)),  # Sun 31-10: Fri
        ((2028, 1, 1, 0, 0), (2027, 10, 30, 0, 0), (2027, 10, 16, 0, 0)),  # t/m Sun 31-10: Fri
        ((2028, 6, 27, 9, 0), (2028, 4, 27, 0, 0), (2028, 4, 13, 0, 0)),  # Koningsdag, decree
        ((2027, 12, 29, 10, 0), (2027, 10, 29, 10, 0), (2027, 10, 15, 10, 0)),  # Fri: as it is
        ((2027, 12, 30, 0, 0), (2027, 10, 30, 0, 0), (2027, 10, 16, 0, 0)),  # t/m Fri 29-10
    ],
)
def test_a_renewal_request_due_on_a_day_off_moves_to_the_working_day_before(end, due, remind):
    """A term counted back from a moment is not extended (Atw art. 1 lid 2): an OTS ending
    31-12-2027 is to be renewed two months before, Sunday 31-10-2027; the request is due by
    the end of Friday 29-10, reminded two weeks before that. Koningsdag (Thu 27-04-2028)
    and the decree's Friday 28-04-2028: by the end of Wednesday 26-04."""
    got = POLICY.renewal_request(START, datetime(*end, tzinfo=AMS))
    assert got == (datetime(*due, tzinfo=AMS), datetime(*remind, tzinfo=AMS))


def test_scaled_protection_terms_keep_their_proportion():
    scaled = ChildProtectionPolicy(time_scale=0.5 / 86400)  # a day lasts half a second
    cap = scaled.max_end("ondertoezichtstelling", START)
    assert timedelta(seconds=182) < cap - START < timedelta(seconds=183)


@pytest.mark.parametrize(
    "birth, end, ok",
    [
        (date(2009, 6, 1), datetime(2027, 6, 1, 0, 0, tzinfo=AMS), True),  # t/m 31-05-2027
        (date(2009, 6, 1), datetime(2027, 6, 1, 10, 0, tzinfo=AMS), False),  # an adult then
        (date(2009, 6, 1), datetime(2027, 5, 31, 22, 0, tzinfo=UTC), True),  # 00:00 Amsterdam
        (date(2009, 6, 1), datetime(2027, 5, 31, 22, 0, 1, tzinfo=UTC), False),
        (date(2009, 6, 1), datetime(2027, 6, 2, 0, 0, tzinfo=AMS), False),
        (date(2008, 2, 29), datetime(2026, 3, 1, 0, 0, tzinfo=AMS), True),
        (date(2008, 2, 29), datetime(2026, 3, 1, 9, 0, tzinfo=AMS), False),
        (date(2017, 5, 2), datetime(2027, 11, 23, 10, 0, tzinfo=AMS), True),
    ],
)
def test_no_measure_runs_past_majority(birth, end, ok):
    """BW 1:233: an adult from 00:00 Amsterdam time of the eighteenth birthday (1 March for
    one born on 29 February); a measure ending at 10:00 that day runs past it."""
    if ok:
        check_majority(birth, end)
    else:
        with pytest.raises(RuleViolation, match="meerderjarig op .* om 00:00.*BW 1:233"):
            check_majority(birth, end)


@pytest.mark.parametrize(
    "birth, ok", [(date(2010, 11, 23), True), (date(2010, 11, 24), False), (None, False)]
)
def test_a_child_consents_to_help_on_its_own_from_sixteen(birth, ok):
    if ok:
        check_child_consent(birth, date(2026, 11, 23))
    else:
        with pytest.raises(RuleViolation):
            check_child_consent(birth, date(2026, 11, 23))


def protection(status: str, *measures: Measure) -> ProtectionState:
    return ProtectionState(
        path_id="p",
        case_id="c",
        region="r",
        status=status,
        started_at=START,
        child_ref="k1",
        via="beschermtafel",
        measures=list(measures),
    )


def court(measure: str, granted: bool = True) -> CourtDecided:
    return CourtDecided(step="court_decided", measure=measure, granted=granted)


OTS = Measure(kind="ondertoezichtstelling", starts_at=START, ends_at=START + timedelta(days=90))


@pytest.mark.parametrize(
    "status, measures, step, problem",
    [
        ("referred", (), MeetingHeld(step="meeting_held", outcome="request_raad"), "verwezen"),
        (
            "referred",
            (),
            court("ondertoezichtstelling"),
            "kan de beslissing van de rechter niet vastleggen",
        ),
        ("raad_investigating", (), court("ondertoezichtstelling"), "voorlopige"),
        ("raad_investigating", (), court("voorlopige_ondertoezichtstelling"), None),
        ("court_petitioned", (), court("machtiging_uithuisplaatsing"), "BW 1:265b"),
        ("measure_running", (OTS,), court("machtiging_uithuisplaatsing"), None),
        ("measure_running", (OTS,), court("ondertoezichtstelling"), "er loopt al"),
        (
            "measure_running",
            (OTS,),
            MeasureRenewed(
                step="measure_renewed", measure="machtiging_uithuisplaatsing", until=START
            ),
            "er loopt geen machtiging",
        ),
        (
            "measure_running",
            (OTS,),
            PlacementCarriedOut(step="placement_carried_out"),
            "ongebruikte",
        ),
        ("closed", (), court("ondertoezichtstelling"), "afgesloten"),
    ],
)
def test_which_protection_step_the_state_allows(status, measures, step, problem):
    found = protection_step_problem(protection(status, *measures), step)
    if problem is None:
        assert found is None
    else:
        assert found is not None and problem in found


def mda(status: str = "plan", **kw) -> MdaState:
    return MdaState(
        path_id="m",
        case_id="c",
        region="r",
        status=status,
        started_at=START,
        partners=["wijkteam", "politie"],
        **kw,
    )


ACTION = PlanAction(action_id="a1", owner="wijkteam", what="coach", due_on=date(2026, 12, 1))


def test_mda_plan_actions_belong_to_partners_that_take_part():
    plan = MdaPlan(
        step="plan_agreed",
        goals=["veilig"],
        actions=[ACTION, ACTION.model_copy(update={"action_id": "a2", "owner": "school"})],
    )
    assert "school doet niet mee" in mda_step_problem(mda(), plan)
    with pytest.raises(ValueError, match="eigen nummer"):
        MdaPlan(step="plan_agreed", goals=["veilig"], actions=[ACTION, ACTION])


def test_mda_reviews_need_a_plan_and_closure_needs_goals_that_hold():
    review = MdaReview(step="review_held", goals_hold=True)
    assert mda_step_problem(mda(), review) == "er is nog geen plan afgesproken"
    assert mda_step_problem(mda(actions=[ACTION]), review) is None
    assert "doelen van het plan bereikt" in mda_step_problem(
        mda(actions=[ACTION]), MdaClose(step="closed")
    )
    assert mda_step_problem(mda(actions=[ACTION], goals_hold=True), MdaClose(step="closed")) is None
    assert mda_step_problem(mda("intake"), MdaClose(step="closed")) is None  # not accepted
    done = ACTION.model_copy(update={"done_at": START})
    assert "al uitgevoerd" in mda_step_problem(
        mda(actions=[done]), MdaActionDone(step="action_done", action_id="a1")
    )


def test_safety_plan_reviews_are_reminded_the_working_day_before_at_nine():
    due, remind = SafetyPolicy().review_due(START, date(2026, 12, 28))  # a Monday
    assert due == datetime(2026, 12, 29, 0, 0, tzinfo=AMS)
    assert remind == datetime(2026, 12, 24, 9, 0, tzinfo=AMS)  # Christmas and the weekend skipped
    with pytest.raises(ValueError, match="op volgorde"):
        SafetyPlanIn(responsible="x", worker="w", review_dates=[date(2027, 1, 2), date(2027, 1, 1)])


def test_the_corv_message_carries_the_child_and_round_trips():
    body = corv_message(
        message_id="VTO-1",
        sent_at=datetime(2026, 11, 23, 9, 0, tzinfo=UTC),
        sender="vt-haaglanden",
        receiver="raad-den-haag",
        case_id="c1",
        municipality="GM0518",
        child_name="Kind <Negen> & co",
        child_birth_date=date(2017, 5, 2),
        grounds="zorgen",
    )
    header = read_header(body)
    assert header["BerichtId"] == "VTO-1" and header["Ontvanger"] == "raad-den-haag"
    assert b"Kind &lt;Negen&gt; &amp; co" in body  # escaped, not injected
    ack = acknowledgement("VTO-1", datetime(2026, 11, 23, tzinfo=UTC), duplicate=True)
    assert acknowledged_id(ack) == "VTO-1"
    for broken in (b"<not-xml", b"<a/>", body.replace(b"VerzoekTotOnderzoek", b"Anders")):
        with pytest.raises(CorvFormatError):
            read_header(broken)
    without_child = body.replace(b"Kind &lt;Negen&gt; &amp; co", b"")
    with pytest.raises(CorvFormatError, match="Naam"):
        read_header(without_child)


CHILD_TURNS_18 = {"persons": [{"ref": "k1", "role": "child", "birth_date": "2008-12-05"}]}
LATE_ON_THE_4TH_UTC = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 00:30 on 5 December here


def test_a_child_is_of_age_from_its_birthday_on_the_amsterdam_date():
    """BW 1:233: 23:30 UTC on 4 December is 5 December in Amsterdam, the eighteenth
    birthday; whatever offset the input or the server's clock has."""
    body = ProtectionStartIn(child_ref="k1", at=LATE_ON_THE_4TH_UTC)
    with pytest.raises(RuleViolation, match="geen minderjarig kind"):
        check_start(CHILD_TURNS_18, body, None)


def test_a_measure_ending_after_majority_on_the_amsterdam_date_is_refused():
    """BW 1:233: an end at 23:30 UTC on 5 December is 6 December in Amsterdam."""
    step = CourtDecided(
        step="court_decided",
        measure="ondertoezichtstelling",
        granted=True,
        ends_at=LATE_ON_THE_4TH_UTC + timedelta(days=1),
    )
    with pytest.raises(RuleViolation, match="meerderjarig op 05-12-2026"):
        check_step(CHILD_TURNS_18, {"child_ref": "k1"}, step)


@pytest.mark.parametrize(
    ("ends_at", "refused"),
    [
        (datetime(2026, 12, 5, 10, 0, tzinfo=AMS), True),  # the birthday, ten hours an adult
        (LATE_ON_THE_4TH_UTC, True),  # 00:30 on the birthday
        (datetime(2026, 12, 5, 0, 0, tzinfo=AMS), False),  # t/m 04-12-2026: still a minor
    ],
)
def test_an_ots_ending_during_the_eighteenth_birthday_is_refused(ends_at, refused):
    """BW 1:233: the child is an adult from 00:00 of the eighteenth birthday; an OTS may
    run up to that moment, not into the day."""
    step = CourtDecided(
        step="court_decided", measure="ondertoezichtstelling", granted=True, ends_at=ends_at
    )
    if not refused:
        check_step(CHILD_TURNS_18, {"child_ref": "k1"}, step)
        return
    with pytest.raises(RuleViolation, match="meerderjarig op 05-12-2026 om 00:00"):
        check_step(CHILD_TURNS_18, {"child_ref": "k1"}, step)
