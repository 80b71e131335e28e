"""The huisverbod lifecycle with the real legal durations, under time skipping."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError
from temporalio.worker import (
    Interceptor,
    SignalExternalWorkflowInput,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)

from domain.case import CaseInput, PersonRef, Unsafety
from domain.huisverbod import (
    AppealCmd,
    Decider,
    DecisionCmd,
    ExtensionCmd,
    HearingCmd,
    HuisverbodRequestCmd,
    MilestoneCmd,
    RulingCmd,
    ViolationCmd,
    WithdrawalCmd,
    huisverbod_workflow_id,
)
from domain.ids import case_workflow_id
from domain.workdays import AMSTERDAM, end_of_day, is_working_day, local_date, statutory_end
from testing.actors import JURIST, MAYOR_OFFICE, POLICE, VEILIG_THUIS
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow

MAYOR = Decider(name="A. Burgemeester", capacity="mayor")
HULPOFFICIER = Decider(name="H. Officier", capacity="hulpofficier")
DAY = timedelta(days=1)


async def open_case(env, task_queue, *, children=False):
    case_id = uuid.uuid4().hex
    persons = [PersonRef(ref="p1", role="victim"), PersonRef(ref="p2", role="pleger")]
    if children:
        persons.append(PersonRef(ref="k1", role="child"))
    now = await env.get_current_time()
    case = await env.client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind="police",
            persons=persons,
            unsafety=Unsafety(acute=True, structural=False),
            received_at=now,
        ),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    hv_id = uuid.uuid4().hex
    await case.execute_update(
        CaseWorkflow.request_huisverbod,
        HuisverbodRequestCmd(actor=POLICE, huisverbod_id=hv_id, pleger_ref="p2", requested_at=now),
    )
    return case, env.client.get_workflow_handle_for(
        HuisverbodWorkflow.run, huisverbod_workflow_id(case_id, hv_id)
    )


def calendar_days(moment: datetime, days: int) -> datetime:
    """`days` later on the Amsterdam wall clock (Wth art. 2): a day may have 23 or 25 hours."""
    return moment.astimezone(AMSTERDAM) + days * DAY


async def result_after(env, hv, moment: datetime):
    """Skip time to just past `moment`, then read the huisverbod's state. (An ended ban's
    workflow stays open for appeals: `state` is its outcome.)"""
    await env.sleep(max(moment - await env.get_current_time(), timedelta(0)) + timedelta(seconds=1))
    return await hv.query(HuisverbodWorkflow.state)


async def impose(env, hv, decider=MAYOR):
    now = await env.get_current_time()
    return await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="impose",
            reason="RiHG: ernstig gevaar",
            decided_by=decider,
            decided_at=now,
        ),
    )


async def test_imposed_extended_then_expires_exactly_at_the_extended_end(env, worker, read_model):
    case, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    assert imposed.ends_at == calendar_days(imposed.imposed_at, 10)
    assert imposed.max_end == calendar_days(imposed.imposed_at, 28)

    await env.sleep(9 * DAY)
    until = imposed.max_end
    extended = await hv.execute_update(
        HuisverbodWorkflow.extend,
        ExtensionCmd(
            actor=MAYOR_OFFICE,
            until=until,
            reason="dreiging duurt voort",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    assert extended.status == "extended"

    await env.sleep(until - await env.get_current_time() - timedelta(minutes=1))
    assert (await hv.query(HuisverbodWorkflow.state)).status == "extended"

    final = await result_after(env, hv, until)
    assert final.status == "expired"
    assert final.ended_at == until
    kinds = [e.kind for e in (await case.query(CaseWorkflow.state)).timeline]
    assert kinds[-1] == "huisverbod_expired"
    assert "huisverbod_extended" in kinds
    assert read_model.huisverboden[final.huisverbod_id].status == "expired"


async def test_unextended_ban_expires_after_ten_days(env, worker, read_model):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv, HULPOFFICIER)
    final = await result_after(env, hv, imposed.ends_at)
    assert final.ended_at == calendar_days(imposed.imposed_at, 10)
    # missed, and with the ban over no longer to be met: they leave the overdue lists and
    # stay counted as missed
    assert not [d for d in final.deadlines if d.status == "overdue"]
    missed = {d.key for d in final.deadlines if d.status == "missed" and d.met_at is None}
    assert missed == {"contact_address", "help_started"}


async def test_refused_request_ends_without_a_ban(env, worker, read_model):
    _, hv = await open_case(env, worker)
    now = await env.get_current_time()
    refused = await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="refuse",
            reason="geen ernstig gevaar",
            decided_by=MAYOR,
            decided_at=now,
        ),
    )
    assert refused.status == "refused" and refused.imposed_at is None
    assert (await result_after(env, hv, refused.requested_at)).status == "refused"
    assert {d.key: d.status for d in refused.deadlines} == {"mayor_decision": "met"}


async def test_ban_lifted_on_appeal_ends_at_once(env, worker, read_model):
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    await env.sleep(2 * DAY)
    appealed = await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=await env.get_current_time())
    )
    hearing = next(d for d in appealed.deadlines if d.key == "interim_relief_hearing")
    day = local_date(appealed.appeal.lodged_at)
    assert hearing.due_at == statutory_end(day, day + 3 * DAY)
    await env.sleep(DAY)
    ruled_at = await env.get_current_time()
    lifted = await hv.execute_update(
        HuisverbodWorkflow.rule, RulingCmd(actor=JURIST, outcome="lifted", ruled_at=ruled_at)
    )
    assert lifted.status == "lifted" and lifted.ended_at == ruled_at
    assert (await result_after(env, hv, ruled_at)).status == "lifted"


async def test_a_court_act_sent_straight_to_the_workflow_by_veilig_thuis_is_refused(
    env, worker, read_model
):
    """F1: a Veilig Thuis worker (or a command naming nobody) cannot lodge an appeal nor have
    the ban lifted, even past the API: the workflow's validator checks the actor itself, and
    the ban runs on to its end."""
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    now = await env.get_current_time()
    for actor, message in [
        (VEILIG_THUIS, "een medewerker van Veilig Thuis mag geen beroep tegen een huisverbod"),
        (POLICE, "een agent van de politie mag geen beroep"),
        (MAYOR_OFFICE, "een medewerker van het bureau van de burgemeester mag geen beroep"),
        (None, "de opdracht noemt niet wie haar geeft"),
    ]:
        appeal = AppealCmd(actor=actor, lodged_at=now)
        refused = await _refusal(hv, HuisverbodWorkflow.appeal, appeal)
        assert refused.cause.type == "Forbidden" and message in refused.cause.message
    await hv.execute_update(HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=now))
    for actor, message in [
        (VEILIG_THUIS, "een medewerker van Veilig Thuis mag geen uitspraak van de rechter"),
        (None, "de opdracht noemt niet wie haar geeft"),
    ]:
        lifted = RulingCmd(actor=actor, outcome="lifted", ruled_at=now)
        assert message in (await _refusal(hv, HuisverbodWorkflow.rule, lifted)).cause.message
    state = await hv.query(HuisverbodWorkflow.state)
    assert state.status == "imposed" and state.rulings == []
    assert (await result_after(env, hv, imposed.ends_at)).status == "expired"


async def _refusal(hv, update, cmd) -> WorkflowUpdateFailedError:
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await hv.execute_update(update, cmd)
    return refused.value


@pytest.mark.parametrize(
    "milestone, wrong, right",
    [
        ("contact_address_given", VEILIG_THUIS, POLICE),
        ("help_started", POLICE, VEILIG_THUIS),
        ("written_order_issued", JURIST, MAYOR_OFFICE),
    ],
)
async def test_a_milestone_is_recorded_only_by_who_does_it(
    env, worker, read_model, milestone, wrong, right
):
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    now = await env.get_current_time()
    refused = await _refusal(
        hv,
        HuisverbodWorkflow.record_milestone,
        MilestoneCmd(actor=wrong, milestone=milestone, at=now),
    )
    assert refused.cause.type == "Forbidden"
    state = await hv.execute_update(
        HuisverbodWorkflow.record_milestone, MilestoneCmd(actor=right, milestone=milestone, at=now)
    )
    assert [e.kind for e in state.timeline].count(milestone) == 1


async def test_upheld_ruling_keeps_the_ban_running(env, worker, read_model):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=await env.get_current_time())
    )
    upheld = await hv.execute_update(
        HuisverbodWorkflow.rule,
        RulingCmd(actor=JURIST, outcome="upheld", ruled_at=await env.get_current_time()),
    )
    assert upheld.status == "imposed"
    assert (await result_after(env, hv, imposed.ends_at)).ended_at == imposed.ends_at


@pytest.mark.parametrize(
    "until_days, wait_days, decider, message",
    [
        (29, 5, MAYOR, "ligt na het wettelijke maximum"),
        (20, 5, HULPOFFICIER, "alleen de burgemeester beslist"),
    ],
)
async def test_extension_outside_the_law_is_refused(
    env, worker, read_model, until_days, wait_days, decider, message
):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    await env.sleep(wait_days * DAY)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await hv.execute_update(
            HuisverbodWorkflow.extend,
            ExtensionCmd(
                actor=MAYOR_OFFICE,
                until=imposed.imposed_at + until_days * DAY,
                reason="x",
                decided_by=decider,
                decided_at=await env.get_current_time(),
            ),
        )
    assert message in str(err.value.cause)
    assert (await hv.query(HuisverbodWorkflow.state)).ends_at == imposed.ends_at


async def test_an_extension_decided_before_the_imposition_is_refused(env, worker, read_model):
    """Wth art. 9 lid 1: the mayor extends a ban while it is in force; a decision dated two
    days before the imposition (its appeal term would start before the ban existed) is not
    one."""
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    await env.sleep(5 * DAY)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await hv.execute_update(
            HuisverbodWorkflow.extend,
            ExtensionCmd(
                actor=MAYOR_OFFICE,
                until=imposed.imposed_at + 20 * DAY,
                reason="dreiging",
                decided_by=MAYOR,
                decided_at=imposed.imposed_at - 2 * DAY,
            ),
        )
    assert "Wth art. 9 lid 1" in str(err.value.cause) and "opgelegd op" in str(err.value.cause)
    state = await hv.query(HuisverbodWorkflow.state)
    assert (state.ends_at, state.extensions) == (imposed.ends_at, [])


async def test_extension_after_day_ten_is_refused(env, worker, read_model):
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    assert (await result_after(env, hv, imposed.ends_at)).status == "expired"
    with pytest.raises(WorkflowUpdateFailedError, match="update failed"):
        await hv.execute_update(
            HuisverbodWorkflow.extend,
            ExtensionCmd(
                actor=MAYOR_OFFICE,
                until=imposed.imposed_at + 20 * DAY,
                reason="te laat",
                decided_by=MAYOR,
                decided_at=await env.get_current_time(),
            ),
        )


async def test_no_decision_within_the_window_is_escalated(env, worker, read_model):
    case, hv = await open_case(env, worker)
    await env.sleep(timedelta(hours=4, minutes=1))
    state = await hv.query(HuisverbodWorkflow.state)
    assert state.status == "requested"
    assert [d.status for d in state.deadlines if d.key == "mayor_decision"] == ["overdue"]
    assert "escalated" in [e.kind for e in (await case.query(CaseWorkflow.state)).timeline]
    decided = await impose(env, hv)
    assert decided.status == "imposed"


async def test_children_involved_require_veilig_thuis_consultation(env, worker, read_model):
    _, hv = await open_case(env, worker, children=True)
    with pytest.raises(WorkflowUpdateFailedError) as err:
        await impose(env, hv)
    assert "Wth art. 2 lid 3" in str(err.value.cause)
    now = await env.get_current_time()
    ok = await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="impose",
            reason="r",
            decided_by=MAYOR,
            decided_at=now,
            veilig_thuis_consulted=True,
        ),
    )
    assert "veilig_thuis_consulted" in [e.kind for e in ok.timeline]


async def test_contact_address_given_in_time_meets_its_deadline(env, worker, read_model):
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    await env.sleep(timedelta(hours=5))
    state = await hv.execute_update(
        HuisverbodWorkflow.record_milestone,
        MilestoneCmd(
            actor=POLICE, milestone="contact_address_given", at=await env.get_current_time()
        ),
    )
    assert {d.key: d.status for d in state.deadlines}["contact_address"] == "met"


@pytest.mark.parametrize("env", ["own clock"], indirect=True)  # a date in 2027
async def test_autumn_extension_to_exactly_four_calendar_weeks_is_accepted(env, worker, read_model):
    """Wth art. 2 lid 1 and 9 lid 1, on the Amsterdam calendar. The test server cannot go
    back in time, so this is the issue's 20 October 2026 a year on: imposed 20 October 2027
    20:00 (summer time), the ten days end 30 October 20:00, the four weeks 17 November 20:00
    (winter time): 28 x 24 hours + 1. An extension to exactly that end, decided on
    29 October, is accepted; the ban then expires at that very moment."""
    imposed_at = datetime(2027, 10, 20, 20, 0, tzinfo=AMSTERDAM)
    await env.sleep(imposed_at - await env.get_current_time() - timedelta(minutes=1))
    _, hv = await open_case(env, worker)
    imposed = await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="impose",
            reason="RiHG",
            decided_by=MAYOR,
            decided_at=imposed_at,
        ),
    )
    assert imposed.ends_at == datetime(2027, 10, 30, 20, 0, tzinfo=AMSTERDAM)
    cap = datetime(2027, 11, 17, 20, 0, tzinfo=AMSTERDAM)
    assert imposed.max_end == cap
    assert cap.astimezone(UTC) - imposed_at.astimezone(UTC) == 28 * DAY + timedelta(hours=1)

    await env.sleep(datetime(2027, 10, 29, 12, 0, tzinfo=AMSTERDAM) - imposed_at)
    extended = await hv.execute_update(
        HuisverbodWorkflow.extend,
        ExtensionCmd(
            actor=MAYOR_OFFICE,
            until=cap,
            reason="dreiging duurt voort",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    assert extended.status == "extended" and extended.ends_at == cap
    final = await result_after(env, hv, cap)
    assert final.status == "expired" and final.ended_at == cap


async def test_the_court_hears_interim_relief_within_three_days_and_rules_within_a_day(
    env, worker, read_model
):
    """Wth art. 6 lid 1 sub a (three days, to the end of the last, Atw art. 1) and sub b (the
    ruling at the latest 24 hours after the hearing)."""
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    received = await env.get_current_time()
    appealed = await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=received)
    )
    hearing = next(d for d in appealed.deadlines if d.key == "interim_relief_hearing")
    assert hearing.due_at == statutory_end(local_date(received), local_date(received) + 3 * DAY)
    assert "Wth art. 6 lid 1 sub a" in hearing.rule
    await env.sleep(2 * DAY)
    heard_at = await env.get_current_time()
    heard = await hv.execute_update(
        HuisverbodWorkflow.record_hearing, HearingCmd(actor=JURIST, at=heard_at)
    )
    assert [d.status for d in heard.deadlines if d.key == "interim_relief_hearing"] == ["met"]
    ruling = next(d for d in heard.deadlines if d.key == "interim_relief_ruling")
    assert (ruling.due_at, ruling.responsible) == (heard_at + DAY, "court")
    assert "Wth art. 6 lid 1 sub b" in ruling.rule
    ruled = await hv.execute_update(
        HuisverbodWorkflow.rule,
        RulingCmd(actor=JURIST, outcome="upheld", ruled_at=await env.get_current_time()),
    )
    assert [d.status for d in ruled.deadlines if d.key == "interim_relief_ruling"] == ["met"]


async def test_interim_relief_asked_on_a_friday_is_heard_by_the_end_of_the_second_working_day(
    env, worker, read_model
):
    """Atw art. 2: the three days after a Friday (Saturday, Sunday, Monday) hold one working
    day, so the term runs on until it holds two: the court is late only after Tuesday (or,
    with a holiday, the next working day), not after Monday."""
    today = local_date(await env.get_current_time())
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    await env.sleep(datetime.combine(friday, time(10), AMSTERDAM) - await env.get_current_time())
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    appealed = await hv.execute_update(
        HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=await env.get_current_time())
    )
    due = next(d for d in appealed.deadlines if d.key == "interim_relief_hearing").due_at
    last = local_date(due - timedelta(microseconds=1))
    term = [friday + n * DAY for n in range(1, (last - friday).days + 1)]
    assert is_working_day(last) and sum(map(is_working_day, term)) == 2
    assert last > friday + 3 * DAY  # Monday's end is not the end of the term

    def hearing(state):
        """The hearing's deadline, and the moments it was escalated to the coordinator."""
        deadline = next(d for d in state.deadlines if d.key == "interim_relief_hearing")
        escalated = [
            e.at for e in state.timeline if e.kind == "escalated" and deadline.label in e.detail
        ]
        return deadline.status, escalated

    assert hearing(await result_after(env, hv, end_of_day(friday + 3 * DAY))) == ("open", [])
    status, escalated = hearing(await result_after(env, hv, due))
    assert status == "overdue" and len(escalated) == 1
    assert timedelta(0) <= escalated[0] - due < timedelta(seconds=1)  # its timer, at its end


async def test_appeal_against_the_extension_and_after_the_ban_ended(env, worker, read_model):
    """Wth art. 6 with Awb art. 6:7: an appeal may be lodged within six weeks of the
    decision, also once the ban ended; then the workflow closes."""
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    await env.sleep(5 * DAY)
    extended = await hv.execute_update(
        HuisverbodWorkflow.extend,
        ExtensionCmd(
            actor=MAYOR_OFFICE,
            until=imposed.imposed_at + 20 * DAY,
            reason="dreiging",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    ended = await result_after(env, hv, extended.ends_at)
    assert ended.status == "expired" and ended.open_until is not None
    late = await hv.execute_update(
        HuisverbodWorkflow.appeal,
        AppealCmd(actor=JURIST, lodged_at=await env.get_current_time(), against="extension"),
    )
    assert late.appeals[-1].against == "extension"
    assert not [d for d in late.deadlines if d.key == "interim_relief_hearing"]  # moot now
    with pytest.raises(WorkflowUpdateFailedError):  # one appeal against each decision
        await hv.execute_update(
            HuisverbodWorkflow.appeal,
            AppealCmd(actor=JURIST, lodged_at=await env.get_current_time(), against="extension"),
        )
    await hv.execute_update(
        HuisverbodWorkflow.rule,
        RulingCmd(actor=JURIST, outcome="lifted", ruled_at=await env.get_current_time()),
    )
    await env.sleep(ended.open_until - await env.get_current_time() + DAY)
    assert (await hv.result()).status == "expired"


async def test_withdrawal_by_the_mayor_ends_the_ban_at_once(env, worker, read_model):
    _, hv = await open_case(env, worker)
    await impose(env, hv)
    now = await env.get_current_time()
    with pytest.raises(WorkflowUpdateFailedError):  # not under mandate (Wth art. 3 lid 1)
        await hv.execute_update(
            HuisverbodWorkflow.withdraw,
            WithdrawalCmd(
                actor=MAYOR_OFFICE, reason="gevaar geweken", decided_by=HULPOFFICIER, at=now
            ),
        )
    withdrawn = await hv.execute_update(
        HuisverbodWorkflow.withdraw,
        WithdrawalCmd(actor=MAYOR_OFFICE, reason="gevaar geweken", decided_by=MAYOR, at=now),
    )
    assert withdrawn.status == "withdrawn" and withdrawn.ended_at == now == withdrawn.ends_at


async def test_a_violation_is_on_the_timeline_and_told_to_the_mayor_vt_and_om(
    env, worker, read_model
):
    case, hv = await open_case(env, worker)
    await impose(env, hv, HULPOFFICIER)
    violated = await hv.execute_update(
        HuisverbodWorkflow.record_violation,
        ViolationCmd(actor=POLICE, at=await env.get_current_time()),
    )
    assert violated.violations and violated.status == "imposed"
    timeline = [e.kind for e in (await case.query(CaseWorkflow.state)).timeline]
    assert "huisverbod_violated" in timeline
    # requested, imposed, the mayor told of the mandate, the violation (+ the police call-out)
    sent = await read_model.sent(5)
    assert ("alert", "mayor_office") in sent  # Wth art. 3: the mayor hears at once
    subjects = {n.subject for n in read_model.notices.values()}
    assert {"huisverbod_violated", "imposed_under_mandate"} <= subjects


class _LoseTheExpiryTask(Interceptor):
    """Fails the workflow task that ends the ban once, after its projection is written and
    before the task completes, as a worker does that loses Postgres (or dies) mid-task: the
    write stays, the history never records it, and the task runs again."""

    def __init__(self) -> None:
        self.failed: set[str] = set()  # workflows whose task failed once

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        failed = self.failed

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                class Outbound(WorkflowOutboundInterceptor):
                    async def signal_external_workflow(self, input: SignalExternalWorkflowInput):
                        me = workflow.info().workflow_id
                        if me not in failed and input.args[0].status == "expired":
                            failed.add(me)
                            raise RuntimeError("the worker lost Postgres mid-task")
                        return await super().signal_external_workflow(input)

                super().init(Outbound(outbound))

        return Inbound


@pytest.mark.parametrize("worker", [[_LoseTheExpiryTask()]], indirect=True)
async def test_the_read_model_takes_the_retry_of_a_task_that_failed_after_writing(
    env, worker, read_model
):
    """A failed attempt's write must not outrank the retry's: with a counter both carried
    the same version and the read model kept the lost attempt's state (a chaos run's ban
    stayed 'extended' after it had expired)."""
    _, hv = await open_case(env, worker)
    imposed = await impose(env, hv)
    final = await result_after(env, hv, imposed.ends_at)
    for _ in range(200):  # the retried task runs at once, in real time
        if sum(status == "expired" for status, _ in read_model.huisverbod_writes) >= 2:
            break
        await asyncio.sleep(0.05)
    history = await hv.fetch_history()
    assert final.status == "expired"
    lost, retried = [w for w in read_model.huisverbod_writes if w[0] == "expired"][:2]
    assert lost == ("expired", True)
    assert retried == ("expired", True), "the retried task's write was ignored"
    assert any(e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED for e in history.events)
