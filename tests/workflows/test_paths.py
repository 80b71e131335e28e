"""The escalation paths with their real durations, under time skipping."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from temporalio.client import WorkflowUpdateFailedError

from domain.chain_policy import Policy
from domain.child_protection import (
    CourtDecided,
    MeasureEnded,
    MeasureRenewed,
    MeetingHeld,
    MeetingScheduled,
    PlacementCarriedOut,
    ProtectionStart,
    RaadAnswered,
    RaadConcluded,
    RenewalDecided,
)
from domain.child_protection_policy import ChildProtectionPolicy
from domain.mda import MdaAnalysis, MdaClose, MdaIntake, MdaPlan, MdaReview, MdaStart, PlanAction
from domain.mda_policy import MdaPolicy
from domain.procedure import PathInput
from domain.safety_plan import SafetyPlanStart
from domain.workdays import AMSTERDAM, is_working_day, local_date
from testing import eventually
from testing.actors import VEILIG_THUIS, by
from workflows.child_protection import ChildProtectionWorkflow
from workflows.mda import MdaWorkflow
from workflows.safety_plan import SafetyPlanWorkflow

# each command as the service sends it for a Veilig Thuis worker (the workflow checks it)
CourtDecided = by(VEILIG_THUIS, CourtDecided)
MeasureEnded = by(VEILIG_THUIS, MeasureEnded)
MeasureRenewed = by(VEILIG_THUIS, MeasureRenewed)
MeetingHeld = by(VEILIG_THUIS, MeetingHeld)
MeetingScheduled = by(VEILIG_THUIS, MeetingScheduled)
PlacementCarriedOut = by(VEILIG_THUIS, PlacementCarriedOut)
RaadAnswered = by(VEILIG_THUIS, RaadAnswered)
RaadConcluded = by(VEILIG_THUIS, RaadConcluded)
RenewalDecided = by(VEILIG_THUIS, RenewalDecided)
MdaAnalysis = by(VEILIG_THUIS, MdaAnalysis)
MdaClose = by(VEILIG_THUIS, MdaClose)
MdaIntake = by(VEILIG_THUIS, MdaIntake)
MdaPlan = by(VEILIG_THUIS, MdaPlan)
MdaReview = by(VEILIG_THUIS, MdaReview)

DAY = timedelta(days=1)


def wall(moment):
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


async def path_input(env, policy: Policy | None = None) -> PathInput:
    return PathInput(
        path_id=uuid.uuid4().hex,
        case_id=uuid.uuid4().hex,
        region="haaglanden",
        municipality="GM0518",
        started_at=await env.get_current_time(),
        policy=policy or Policy(),
    )


async def start_protection(env, worker, via: str = "raad"):
    """A child protection path for child c1, started on its own (no case): (handle, input)."""
    inp = await path_input(env)
    handle = await env.client.start_workflow(
        ChildProtectionWorkflow.run,
        ProtectionStart(path=inp, child_ref="c1", via=via),
        id=f"path-{inp.case_id}-{inp.path_id}",
        task_queue=worker,
    )
    if via == "raad":  # its first task asks the Raad; a step sent before that finds it 'referred'
        await eventually(lambda: left_referred(handle))
    return handle, inp


async def left_referred(handle) -> bool:
    return (await handle.query(ChildProtectionWorkflow.state)).status != "referred"


def to_court(now):
    """The Raad investigates and petitions for an ondertoezichtstelling."""
    return [
        RaadAnswered(step="raad_answered", investigation_started=True, at=now),
        RaadConcluded(step="raad_concluded", petition="ondertoezichtstelling", at=now),
    ]


def ots(now, days: int, measure: str = "ondertoezichtstelling") -> CourtDecided:
    return CourtDecided(
        step="court_decided",
        measure=measure,
        granted=True,
        at=now,
        ends_at=now + timedelta(days=days),
    )


def ots_to(now, ends_at) -> CourtDecided:
    return CourtDecided(
        step="court_decided", measure="ondertoezichtstelling", granted=True, at=now, ends_at=ends_at
    )


def working_day_on_or_after(day: date) -> date:
    while not is_working_day(day):
        day += DAY
    return day


async def skip_to(env, moment, step=timedelta(days=20)):
    """Skip in steps: the test server's clock copes better with many short skips."""
    while (now := await env.get_current_time()) < moment:
        await env.sleep(min(step, moment - now))


def kinds(state):
    return [e.kind for e in state.timeline]


async def rejected(handle, update, step) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as e:
        await handle.execute_update(update, step)
    return f"{e.value.cause.type}: {e.value.cause.message}"


async def test_beschermtafel_to_the_raad_through_corv_then_an_ots_that_runs_out(
    env, worker, read_model
):
    handle, inp = await start_protection(env, worker, via="beschermtafel")
    start = inp.started_at
    state = await handle.query(ChildProtectionWorkflow.state)
    assert [d.key for d in state.deadlines] == ["beschermtafel_meeting"]

    async def step(s):
        return await handle.execute_update(ChildProtectionWorkflow.step, s)

    now = await env.get_current_time()
    # a court decision is not possible before the Raad asked for one: 409
    early = CourtDecided(
        step="court_decided", measure="ondertoezichtstelling", granted=True, at=now
    )
    assert (await rejected(handle, ChildProtectionWorkflow.step, early)).startswith("Conflict")
    await step(MeetingScheduled(step="meeting_scheduled", meeting_on=local_date(now), at=now))
    state = await step(MeetingHeld(step="meeting_held", outcome="request_raad", at=now))
    assert state.status == "raad_requested"
    assert state.corv_message_id == f"VTO-{inp.path_id}"
    assert [r.child_ref for r in read_model.corv] == ["c1"]

    await step(RaadAnswered(step="raad_answered", investigation_started=True, at=now))
    state = await step(
        RaadConcluded(step="raad_concluded", petition="ondertoezichtstelling", at=now)
    )
    assert state.status == "court_petitioned"
    # BW 1:258 lid 1: at most a year (366 days when a 29 February lies in between); a day
    # more is refused with the rule
    ends = ChildProtectionPolicy().max_end("ondertoezichtstelling", now)
    assert ends.astimezone(AMSTERDAM).date() == date(
        now.astimezone(AMSTERDAM).year + 1, *now.astimezone(AMSTERDAM).timetuple()[1:3]
    )
    too_long = CourtDecided(
        step="court_decided",
        measure="ondertoezichtstelling",
        granted=True,
        at=now,
        ends_at=ends + DAY,
    )
    reason = await rejected(handle, ChildProtectionWorkflow.step, too_long)
    assert reason.startswith("Invalid") and "BW 1:258 lid 1" in reason
    state = await step(too_long.model_copy(update={"ends_at": ends}))
    assert state.status == "measure_running"
    renewal = next(d for d in state.deadlines if d.key == "measure_renewal")
    assert renewal.responsible == "jeugdbescherming" and renewal.due_at == ends
    # eight weeks before on the wall clock (a DST change may lie in between)
    assert wall(ends) - wall(renewal.remind_at) == timedelta(weeks=8)

    await skip_to(env, renewal.remind_at + DAY)
    assert "reminder" in kinds(await handle.query(ChildProtectionWorkflow.state))
    assert ("reminder", "jeugdbescherming") in await read_model.sent(2)

    # BW 1:260 lid 1: a renewal adds at most a year
    await skip_to(env, ends + DAY)
    state = await handle.query(ChildProtectionWorkflow.state)
    assert state.status == "closed" and not state.measures[0].running
    assert "measure_ended" in kinds(state)
    assert all(d.status != "overdue" for d in state.deadlines)  # an end is not a failure
    assert start < state.ended_at <= ends + DAY


async def test_an_ots_is_renewed_by_at_most_a_year(env, worker, read_model):
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    answered, concluded = to_court(now)
    # during the investigation only a voorlopige OTS (BW 1:257), at most three months
    steps = [answered, ots(now, 60, "voorlopige_ondertoezichtstelling"), concluded, ots(now, 300)]
    for s in steps:
        state = await handle.execute_update(ChildProtectionWorkflow.step, s)
    assert [m.kind for m in state.measures if m.running] == [
        "voorlopige_ondertoezichtstelling",
        "ondertoezichtstelling",
    ]
    current = now + timedelta(days=300)
    past = MeasureRenewed(
        step="measure_renewed",
        measure="ondertoezichtstelling",
        until=current + timedelta(days=367),  # a leap year lies in between
        at=now,
    )
    reason = await rejected(handle, ChildProtectionWorkflow.step, past)
    assert "BW 1:260 lid 1" in reason
    voorlopig = MeasureRenewed(
        step="measure_renewed",
        measure="voorlopige_ondertoezichtstelling",
        until=now + timedelta(days=80),
        at=now,
    )
    assert "kan niet worden verlengd" in await rejected(
        handle, ChildProtectionWorkflow.step, voorlopig
    )
    state = await handle.execute_update(
        ChildProtectionWorkflow.step,
        past.model_copy(update={"until": current + timedelta(days=365)}),
    )
    assert next(m for m in state.measures if m.running and m.kind == "ondertoezichtstelling")
    renewals = [d for d in state.deadlines if d.key == "measure_renewal"]
    assert [d.status for d in renewals][-2:] == ["met", "open"]


async def test_the_renewal_of_an_ots_is_asked_two_months_before_its_end(env, worker, read_model):
    """BW 1:265j lid 1: the jeugdbescherming is reminded before the moment to ask for a
    renewal, not after it; recording the request meets it."""
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    answered, concluded = to_court(now)
    for s in (answered, concluded):
        await handle.execute_update(ChildProtectionWorkflow.step, s)
    asked_on = working_day_on_or_after(local_date(now) + 240 * DAY)
    ends = datetime.combine(asked_on, time(10), AMSTERDAM) + relativedelta(months=2)
    state = await handle.execute_update(ChildProtectionWorkflow.step, ots_to(now, ends))
    request = next(d for d in state.deadlines if d.key == "renewal_request")
    assert request.responsible == "jeugdbescherming"
    assert wall(request.due_at) == wall(ends) - relativedelta(months=2)
    assert request.remind_at < request.due_at < ends
    await skip_to(env, request.remind_at + DAY)
    assert ("reminder", "jeugdbescherming") in await read_model.sent(2)
    state = await handle.execute_update(
        ChildProtectionWorkflow.step,
        RenewalDecided(
            step="renewal_decided",
            measure="ondertoezichtstelling",
            requested=True,
            at=await env.get_current_time(),
        ),
    )
    assert [d.status for d in state.deadlines if d.key == "renewal_request"] == ["met"]


async def test_a_renewal_request_falling_on_a_sunday_is_due_by_the_end_of_the_friday(
    env, worker, read_model
):
    """A term counted back from the OTS's end is not extended (Atw art. 1 lid 2): two months
    before an end at 10:00 is a Sunday, so the request is due by the end of the working day
    before it, reminded two weeks before that, and escalated when that Friday ends."""
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    for s in to_court(now):
        await handle.execute_update(ChildProtectionWorkflow.step, s)
    sunday = local_date(now) + timedelta(days=(6 - local_date(now).weekday()) % 7) + 4 * 7 * DAY
    while sunday.day > 28 or not is_working_day(sunday - 2 * DAY):  # a Friday that works
        sunday += 7 * DAY
    ends = datetime.combine(sunday, time(10), AMSTERDAM) + relativedelta(months=2)
    state = await handle.execute_update(ChildProtectionWorkflow.step, ots_to(now, ends))
    request = next(d for d in state.deadlines if d.key == "renewal_request")
    friday_ends = datetime.combine(sunday - DAY, time(0), AMSTERDAM)
    assert (request.due_at, request.remind_at) == (friday_ends, friday_ends - 2 * 7 * DAY)

    async def escalated():
        state = await handle.query(ChildProtectionWorkflow.state)
        return [e.at for e in state.timeline if e.kind == "escalated" and request.label in e.detail]

    await skip_to(env, friday_ends - timedelta(minutes=1))
    assert await escalated() == []
    await skip_to(env, friday_ends + timedelta(minutes=1))
    assert timedelta(0) <= (await eventually(escalated))[0] - friday_ends < timedelta(seconds=1)


async def test_corv_refusal_escalates_to_the_coordinator(env, worker, read_model):
    read_model.corv_refuses = True
    handle, _ = await start_protection(env, worker)
    record = await read_model.path("child_protection", "raad_requested")
    assert any(e["kind"] == "corv_rejected" for e in record.state["timeline"])
    assert await read_model.sent(1) == [("escalation", "regional_coordinator")]
    assert (await handle.query(ChildProtectionWorkflow.state)).corv_message_id is None


def plan(now, owners=("wijkteam-a", "politie")) -> MdaPlan:
    return MdaPlan(
        step="plan_agreed",
        goals=["no violence at home", "children go to school"],
        actions=[
            PlanAction(action_id=f"a{i}", owner=o, what="agreed action", due_on=local_date(now))
            for i, o in enumerate(owners, 1)
        ],
        at=now,
    )


async def test_mda_monitoring_continues_as_new_and_keeps_its_plan(env, worker, read_model):
    policy = Policy(mda=MdaPolicy(reviews_per_run=2))
    inp = await path_input(env, policy)
    wid = f"path-{inp.case_id}-{inp.path_id}"
    handle = await env.client.start_workflow(
        MdaWorkflow.run,
        MdaStart(path=inp, partners=["wijkteam-a", "politie"]),
        id=wid,
        task_queue=worker,
    )
    now = await env.get_current_time()
    for s in (
        MdaIntake(step="intake_held", accepted=True, at=now),
        MdaAnalysis(step="analysis_done", at=now),
    ):
        await handle.execute_update(MdaWorkflow.step, s)
    stranger = plan(now, owners=("wijkteam-a", "huisarts-x"))
    assert "huisarts-x doet niet mee" in await rejected(handle, MdaWorkflow.step, stranger)
    await handle.execute_update(MdaWorkflow.step, plan(now))
    closing = MdaClose(step="closed", at=now)
    assert "doelen van het plan bereikt" in await rejected(handle, MdaWorkflow.step, closing)

    runs = set()
    for review in range(5):
        await env.sleep(timedelta(weeks=6) - timedelta(days=1))
        handle = env.client.get_workflow_handle(wid)
        state = await handle.execute_update(
            MdaWorkflow.step,
            MdaReview(step="review_held", goals_hold=review == 4, at=await env.get_current_time()),
        )
        runs.add((await handle.describe()).run_id)
    state = await env.client.get_workflow_handle(wid).query(MdaWorkflow.state)
    assert state.runs >= 3 and len(runs) >= 3  # continued as new twice at least
    assert state.goals == ["no violence at home", "children go to school"]
    assert [a.owner for a in state.actions] == ["wijkteam-a", "politie"]
    assert state.reviews == 5
    state = await env.client.get_workflow_handle(wid).execute_update(
        MdaWorkflow.step, closing.model_copy(update={"at": await env.get_current_time()})
    )
    assert state.status == "closed"
    # reminders of the plan's actions went to their owners themselves
    assert ("reminder", "partner:wijkteam-a") in await read_model.sent(4)


async def test_safety_plan_review_reminds_the_responsible_worker(env, worker, read_model):
    inp = await path_input(env)
    today = local_date(inp.started_at)
    review_on = today + timedelta(days=14)
    handle = await env.client.start_workflow(
        SafetyPlanWorkflow.run,
        SafetyPlanStart(
            path=inp, responsible="wijkteam-a", worker="u-17", review_dates=[review_on]
        ),
        id=f"path-{inp.case_id}-{inp.path_id}",
        task_queue=worker,
    )
    state = await handle.query(SafetyPlanWorkflow.state)
    review = state.deadlines[0]
    assert review.remind_at.astimezone(AMSTERDAM).hour == 9
    assert review.remind_at.astimezone(AMSTERDAM).date() < review_on
    await skip_to(env, review.remind_at + timedelta(minutes=1))
    assert await read_model.sent(1) == [("reminder", "partner:wijkteam-a")]
    await skip_to(env, review.due_at + timedelta(minutes=1))
    assert ("escalation", "regional_coordinator") in await read_model.sent(2)


def next_wall_moment(now, weekday: int, hour: int):
    """The first moment after `now` on the Amsterdam wall clock that falls on `weekday`
    (Monday 0) at `hour`: a test's "today", whatever day the suite runs."""
    day = local_date(now) + timedelta(days=1)
    while day.weekday() != weekday:
        day += DAY
    return datetime.combine(day, time(hour), AMSTERDAM)


@pytest.mark.parametrize(
    ("weekday", "hour"), [(4, 18), (5, 10)], ids=["friday-evening", "saturday"]
)
async def test_a_review_planned_after_its_reminder_moment_is_reminded_at_once(
    env, worker, read_model, weekday, hour
):
    """A review on Monday planned on Friday evening or on Saturday: its reminder moment (09:00
    on Friday, the working day before) has passed, so the worker is reminded at once."""
    await skip_to(env, next_wall_moment(await env.get_current_time(), weekday, hour))
    inp = await path_input(env)
    monday = local_date(inp.started_at) + timedelta(days=7 - weekday)
    handle = await env.client.start_workflow(
        SafetyPlanWorkflow.run,
        SafetyPlanStart(path=inp, responsible="wijkteam-a", worker="u-17", review_dates=[monday]),
        id=f"path-{inp.case_id}-{inp.path_id}",
        task_queue=worker,
    )
    assert await read_model.sent(1) == [("reminder", "partner:wijkteam-a")]
    review = (await handle.query(SafetyPlanWorkflow.state)).deadlines[0]
    assert review.reminded and review.status == "open"
    assert review.remind_at - inp.started_at < timedelta(minutes=1)


async def test_an_unused_machtiging_reminds_and_an_ended_one_stops_asking(env, worker, read_model):
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    for s in (*to_court(now), ots(now, 360), ots(now, 180, "machtiging_uithuisplaatsing")):
        state = await handle.execute_update(ChildProtectionWorkflow.step, s)
    used = next(d for d in state.deadlines if d.key == "placement_used")
    assert used.responsible == "jeugdbescherming"  # BW 1:265c lid 3: lapses unused after 3 months
    await skip_to(env, now + timedelta(days=30))
    state = await handle.execute_update(
        ChildProtectionWorkflow.step,
        MeasureEnded(
            step="measure_ended",
            measure="machtiging_uithuisplaatsing",
            at=await env.get_current_time(),
        ),
    )
    await skip_to(env, used.due_at + DAY)
    state = await handle.query(ChildProtectionWorkflow.state)
    assert next(d for d in state.deadlines if d.key == "placement_used").status == "closed"
    assert state.status == "measure_running"  # the OTS runs on


def raad_investigating(now):
    return [RaadAnswered(step="raad_answered", investigation_started=True, at=now)]


async def test_an_unused_machtiging_lapses_after_three_months(env, worker, read_model):
    """BW 1:265c lid 3: the machtiging lapses when it was not carried out within three
    months; the measure shows it, and a placement under it is refused (422)."""
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    for s in (*to_court(now), ots(now, 360), ots(now, 180, "machtiging_uithuisplaatsing")):
        state = await handle.execute_update(ChildProtectionWorkflow.step, s)
    machtiging = next(m for m in state.measures if m.kind == "machtiging_uithuisplaatsing")
    assert local_date(machtiging.lapses_at) == local_date(now + relativedelta(months=3))
    await skip_to(env, machtiging.lapses_at + DAY)
    state = await handle.query(ChildProtectionWorkflow.state)
    machtiging = next(m for m in state.measures if m.kind == "machtiging_uithuisplaatsing")
    assert machtiging.lapsed and not machtiging.running
    assert machtiging.ends_at == machtiging.lapses_at
    assert state.status == "measure_running"  # the OTS runs on
    reason = await rejected(
        handle,
        ChildProtectionWorkflow.step,
        PlacementCarriedOut(step="placement_carried_out", at=await env.get_current_time()),
    )
    assert reason.startswith("Invalid") and "BW 1:265c lid 3" in reason


async def test_a_voorlopige_ots_with_a_spoedmachtiging_while_the_raad_investigates(
    env, worker, read_model
):
    """BW 1:257 and 1:265b lid 1: during the investigation a voorlopige OTS, and with it a
    machtiging that never runs past it; ending the OTS ends the machtiging."""
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    await handle.execute_update(ChildProtectionWorkflow.step, *raad_investigating(now))
    await handle.execute_update(
        ChildProtectionWorkflow.step, ots(now, 60, "voorlopige_ondertoezichtstelling")
    )
    too_long = await rejected(
        handle, ChildProtectionWorkflow.step, ots(now, 61, "machtiging_uithuisplaatsing")
    )
    assert too_long.startswith("Invalid") and "BW 1:265b lid 1" in too_long
    state = await handle.execute_update(
        ChildProtectionWorkflow.step, ots(now, 14, "machtiging_uithuisplaatsing")
    )
    assert {m.kind for m in state.measures if m.running} == {
        "voorlopige_ondertoezichtstelling",
        "machtiging_uithuisplaatsing",
    }
    assert state.status == "raad_investigating"
    ended = await handle.execute_update(
        ChildProtectionWorkflow.step,
        MeasureEnded(
            step="measure_ended",
            measure="voorlopige_ondertoezichtstelling",
            at=await env.get_current_time(),
        ),
    )
    assert not any(m.running for m in ended.measures)
    assert any("beëindigd met de ondertoezichtstelling" in e.detail for e in ended.timeline)


async def test_a_spoedmachtiging_runs_weeks_until_the_court_decides_after_hearing_the_parents(
    env, worker, read_model
):
    """Rv art. 800 lid 2 (as read here): a machtiging before the parents were heard, for
    at most four weeks; they are heard within two; the decision after the hearing replaces
    it, and a child placed under it stays placed."""
    handle, _ = await start_protection(env, worker)
    now = await env.get_current_time()
    await handle.execute_update(ChildProtectionWorkflow.step, *raad_investigating(now))
    await handle.execute_update(
        ChildProtectionWorkflow.step, ots(now, 80, "voorlopige_ondertoezichtstelling")
    )
    urgent = ots(now, 40, "machtiging_uithuisplaatsing").model_copy(update={"urgent": True})
    too_long = await rejected(handle, ChildProtectionWorkflow.step, urgent)
    assert too_long.startswith("Invalid") and "Rv art. 800 lid 2" in too_long
    state = await handle.execute_update(
        ChildProtectionWorkflow.step, urgent.model_copy(update={"ends_at": now + 14 * DAY})
    )
    hearing = next(d for d in state.deadlines if d.key == "urgent_hearing")
    assert hearing.responsible == "court" and now + 14 * DAY <= hearing.due_at
    await handle.execute_update(
        ChildProtectionWorkflow.step, PlacementCarriedOut(step="placement_carried_out", at=now)
    )
    await env.sleep(7 * DAY)
    after = await handle.execute_update(
        ChildProtectionWorkflow.step,
        ots(await env.get_current_time(), 60, "machtiging_uithuisplaatsing"),
    )
    machtigingen = [m for m in after.measures if m.kind == "machtiging_uithuisplaatsing"]
    assert [(m.urgent, m.running, m.placed) for m in machtigingen] == [
        (True, False, True),
        (False, True, True),
    ]
    assert [d.status for d in after.deadlines if d.key == "urgent_hearing"] == ["met"]
