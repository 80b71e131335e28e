"""Record histories of representative cases for the replay test: `python -m tests.histories.record`.

Runs the real workflows (with in-memory activities) under the time-skipping test server and
writes each history to tests/histories/<name>.json: finished and still-running cases, a
huisverbod that was extended and expired, and a notification. Payloads are encrypted with the
fixed keys of `testing.recording_converter`, so the replay test can decode them.
Only missing files are written: the files are what older releases left in Temporal, so an
existing one is re-recorded only on purpose (`--force`).
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path

from dateutil.relativedelta import relativedelta
from temporalio.client import WorkflowHandle

from domain.acute_safety import Placement, PlacementEnded
from domain.advice import GiveAdviceCmd
from domain.case import (
    FollowUpCmd,
    MonitoringCheckCmd,
    SafetyAssessmentCmd,
)
from domain.chain_policy import Policy
from domain.child_protection import (
    CourtDecided,
    MeasureEnded,
    RaadAnswered,
    RaadConcluded,
    RenewalDecided,
)
from domain.huisverbod import (
    AppealCmd,
    Decider,
    DecisionCmd,
    ExtensionCmd,
    HearingCmd,
    HuisverbodRequestCmd,
    ViolationCmd,
    WithdrawalCmd,
    huisverbod_workflow_id,
)
from domain.ids import dispatch_workflow_id, path_workflow_id
from domain.mda import MdaAnalysis, MdaIntake, MdaPlan, MdaReview, PlanAction
from domain.mda_policy import MdaPolicy
from domain.procedure import StartPathCmd
from domain.workdays import AMSTERDAM, local_date
from testing import (
    FakeReadModel,
    fake_worker,
    open_case,
    recording_converter,
    start_advice,
    time_skipping,
)
from testing.actors import JURIST, MAYOR_OFFICE, POLICE, VEILIG_THUIS, by
from workflows.acute_safety import AcuteSafetyWorkflow
from workflows.advice import AdviceWorkflow
from workflows.case import CaseWorkflow
from workflows.child_protection import ChildProtectionWorkflow
from workflows.huisverbod import HuisverbodWorkflow
from workflows.mda import MdaWorkflow

# each command as the service sends it for a Veilig Thuis worker (the workflow checks it)
Placement = by(VEILIG_THUIS, Placement)
PlacementEnded = by(VEILIG_THUIS, PlacementEnded)
GiveAdviceCmd = by(VEILIG_THUIS, GiveAdviceCmd)
FollowUpCmd = by(VEILIG_THUIS, FollowUpCmd)
MonitoringCheckCmd = by(VEILIG_THUIS, MonitoringCheckCmd)
SafetyAssessmentCmd = by(VEILIG_THUIS, SafetyAssessmentCmd)
CourtDecided = by(VEILIG_THUIS, CourtDecided)
MeasureEnded = by(VEILIG_THUIS, MeasureEnded)
RaadAnswered = by(VEILIG_THUIS, RaadAnswered)
RaadConcluded = by(VEILIG_THUIS, RaadConcluded)
RenewalDecided = by(VEILIG_THUIS, RenewalDecided)
MdaAnalysis = by(VEILIG_THUIS, MdaAnalysis)
MdaIntake = by(VEILIG_THUIS, MdaIntake)
MdaPlan = by(VEILIG_THUIS, MdaPlan)
MdaReview = by(VEILIG_THUIS, MdaReview)
StartPathCmd = by(VEILIG_THUIS, StartPathCmd)

HERE = Path(__file__).parent
MAYOR = Decider(name="A. Burgemeester", capacity="mayor")
OLDER = (
    "case_closed_with_advice",
    "case_monitoring_running",
    "case_with_huisverbod_running",
    "huisverbod_extended_running",
    "huisverbod_refused",
    "notify_alert",
)


async def skip_days(env, days: int) -> None:
    """Skip time a day at a time (one long skip over many timers outlasts the RPC deadline)."""
    for _ in range(days):
        await env.sleep(timedelta(days=1))


async def requested_by_police(env, tq: str) -> tuple[WorkflowHandle, WorkflowHandle, datetime]:
    """A police case with a huisverbod requested now: (case, huisverbod, now)."""
    case, case_id = await open_case(env, tq, acute=True, reporter="police")
    now = await env.get_current_time()
    hv_id = uuid.uuid4().hex
    await case.execute_update(
        CaseWorkflow.request_huisverbod,
        HuisverbodRequestCmd(actor=POLICE, huisverbod_id=hv_id, pleger_ref="p2", requested_at=now),
    )
    hv = env.client.get_workflow_handle_for(
        HuisverbodWorkflow.run, huisverbod_workflow_id(case_id, hv_id)
    )
    return case, hv, now


async def extended_huisverbod(env, tq: str) -> tuple[WorkflowHandle, WorkflowHandle]:
    """A police call-out case whose huisverbod was imposed and, after 8 days, extended."""
    police_case, hv, now = await requested_by_police(env, tq)
    await hv.execute_update(
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
    await skip_days(env, 8)
    await hv.execute_update(
        HuisverbodWorkflow.extend,
        ExtensionCmd(
            actor=MAYOR_OFFICE,
            until=now + timedelta(days=20),
            reason="r",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    return police_case, hv


async def record_lean(env, tq: str) -> dict[str, WorkflowHandle]:
    """The same case under the lean-notices patch: notices through the region's dispatcher,
    projections as local activities; and the dispatcher's own history."""
    police_case, hv = await extended_huisverbod(env, tq)
    return {
        "lean_case_with_huisverbod_running": police_case,
        "lean_huisverbod_extended_running": hv,
        "lean_dispatcher": env.client.get_workflow_handle(dispatch_workflow_id(tq, "haaglanden")),
    }


async def record_wake_kept(env, tq: str) -> dict[str, WorkflowHandle]:
    """The same case under the wake-kept patch (a handler's wake during the loop's writes
    is kept)."""
    police_case, hv = await extended_huisverbod(env, tq)
    return {
        "wake_kept_case_with_huisverbod_running": police_case,
        "wake_kept_huisverbod_extended_running": hv,
    }


async def record_at_start(env, tq: str) -> dict[str, WorkflowHandle]:
    """A case with its paths, and an extended ban, whose patches are decided when each run
    starts (`patches.AT_START`)."""
    police_case, hv = await extended_huisverbod(env, tq)
    paths = await record_paths(env, tq)
    return {
        "at_start_case_with_huisverbod_running": police_case,
        "at_start_huisverbod_extended_running": hv,
        "at_start_case_with_paths_running": paths["case_with_paths_running"],
        "at_start_protection_measure_running": paths["protection_measure_running"],
        "at_start_safety_plan_running": paths["safety_plan_running"],
    }


async def record_advice(env, tq: str) -> dict[str, WorkflowHandle]:
    """An advice question whose agreed follow-up was reminded by e-mail (patch
    advice-reminders-mailed), still waiting for it."""
    advice, received = await start_advice(env, tq, family_named=True)
    await advice.execute_update(
        AdviceWorkflow.give_advice,
        GiveAdviceCmd(ref="a1", at=received, follow_up_at=received + timedelta(days=14)),
    )
    await skip_days(env, 13)
    await env.sleep(timedelta(hours=12))  # past 09:00 the working day before, not the day
    return {"advice_follow_up_mailed": advice}


async def record_remind_late(env, tq: str) -> dict[str, WorkflowHandle]:
    """A safety plan made on a Friday evening with a review on Monday: its reminder moment
    had passed, so the worker was reminded at once (patch remind-late-at-once)."""
    now = await env.get_current_time()
    friday = local_date(now) + timedelta(days=(4 - local_date(now).weekday()) % 7 or 7)
    while (now := await env.get_current_time()) < (
        evening := datetime.combine(friday, time(18), AMSTERDAM)
    ):
        await env.sleep(min(timedelta(days=1), evening - now))
    case, case_id = await open_case(env, tq, acute=False, reporter="professional")
    path_id = uuid.uuid4().hex
    await case.execute_update(
        CaseWorkflow.start_path,
        StartPathCmd(
            kind="safety_plan",
            path_id=path_id,
            at=await env.get_current_time(),
            responsible="vt-haaglanden",
            worker="u1",
            review_dates=[friday + timedelta(days=3)],
        ),
    )
    await env.sleep(timedelta(minutes=5))
    return {
        "remind_late_safety_plan": env.client.get_workflow_handle(
            path_workflow_id(case_id, path_id)
        )
    }


async def record(env, tq: str) -> dict[str, WorkflowHandle]:
    out: dict[str, WorkflowHandle] = {}
    closed, _ = await open_case(env, tq, acute=False, reporter="professional")
    now = await env.get_current_time()
    await closed.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    await closed.execute_update(
        CaseWorkflow.decide_follow_up, FollowUpCmd(decision="close_with_advice", decided_at=now)
    )
    out["case_closed_with_advice"] = closed

    monitored, _ = await open_case(env, tq, acute=False, reporter="professional")
    await skip_days(env, 2)
    now = await env.get_current_time()
    await monitored.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    await monitored.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="handover", partner="wijkteam-den-haag-centrum", decided_at=now),
    )
    out["case_monitoring_running"] = monitored

    police_case, hv = await extended_huisverbod(env, tq)
    out["huisverbod_extended_running"] = hv
    out["case_with_huisverbod_running"] = police_case
    _, refused, now = await requested_by_police(env, tq)
    await refused.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE, decision="refuse", reason="r", decided_by=MAYOR, decided_at=now
        ),
    )
    await refused.result()  # the refusal ends the procedure
    out["huisverbod_refused"] = refused
    notices = [
        e.start_child_workflow_execution_initiated_event_attributes.workflow_id
        async for e in police_case.fetch_history_events()
        if e.HasField("start_child_workflow_execution_initiated_event_attributes")
        and e.start_child_workflow_execution_initiated_event_attributes.workflow_id.startswith(
            "notice-"
        )
    ]
    out["notify_alert"] = env.client.get_workflow_handle(notices[0])
    return out


async def record_long_case(env, tq: str) -> dict[str, WorkflowHandle]:
    """A case in monitoring for years that continued as new: its first run."""
    case, _ = await open_case(
        env, tq, acute=False, reporter="professional", policy=Policy(case_events_per_run=60)
    )
    first_run = (await case.describe()).run_id
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    await case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="handover", partner="wijkteam-den-haag-centrum", decided_at=now),
    )
    for _ in range(8):
        await env.sleep(timedelta(weeks=12))
        await env.client.get_workflow_handle(case.id).execute_update(
            CaseWorkflow.record_monitoring_check,
            MonitoringCheckCmd(safety_holds=True, checked_at=await env.get_current_time()),
        )
    return {"case_continued_as_new": env.client.get_workflow_handle(case.id, run_id=first_run)}


async def record_repeat_violence(env, tq: str) -> dict[str, WorkflowHandle]:
    """A melding the radar flagged: the coordinator is told, MDA++ proposed; then assessed."""
    case, _ = await open_case(env, tq, acute=False, reporter="professional", repeat_violence=True)
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    return {"case_repeat_violence": case}


async def record_paths(env, tq: str) -> dict[str, WorkflowHandle]:
    """An acute case with its paths: acute safety with a placement, a child protection path
    with a measure running, an MDA++ path that continued as new, a safety plan."""
    policy = Policy(mda=MdaPolicy(reviews_per_run=1))
    case, case_id = await open_case(env, tq, acute=True, reporter="professional", policy=policy)
    now = await env.get_current_time()

    async def start(kind: str, **kw) -> WorkflowHandle:
        path_id = uuid.uuid4().hex
        cmd = StartPathCmd(kind=kind, path_id=path_id, at=now, **kw)
        await case.execute_update(CaseWorkflow.start_path, cmd)
        return env.client.get_workflow_handle(path_workflow_id(case_id, path_id))

    protection = await start("child_protection", child_ref="k1", via="raad")
    for step in (
        RaadAnswered(step="raad_answered", investigation_started=True, at=now),
        RaadConcluded(step="raad_concluded", petition="ondertoezichtstelling", at=now),
        CourtDecided(
            step="court_decided",
            measure="ondertoezichtstelling",
            granted=True,
            at=now,
            ends_at=now + timedelta(days=300),
        ),
    ):
        await protection.execute_update(ChildProtectionWorkflow.step, step)
    mda = await start("mda", partners=["wijkteam-den-haag-centrum", "politie-den-haag"])
    plan = MdaPlan(
        step="plan_agreed",
        goals=["g"],
        actions=[PlanAction(action_id="a1", owner="politie-den-haag", what="w", due_on=now.date())],
        at=now,
    )
    first_run = (await mda.describe()).run_id
    for step in (
        MdaIntake(step="intake_held", accepted=True, at=now),
        MdaAnalysis(step="analysis_done", at=now),
        plan,
        MdaReview(step="review_held", goals_hold=False, at=now),
    ):
        await mda.execute_update(MdaWorkflow.step, step)
    plan_ = await start(
        "safety_plan",
        responsible="vt-haaglanden",
        worker="u1",
        review_dates=[now.date() + timedelta(days=14)],
    )
    acute = await acute_path(env, case)
    await acute.execute_update(
        AcuteSafetyWorkflow.record_placement,
        Placement(
            placement_id="pl1",
            person_ref="p1",
            kind="vrouwenopvang",
            provider="opvang-haaglanden",
            placed_at=now,
        ),
    )
    return {
        "case_with_paths_running": case,
        "protection_measure_running": protection,
        "mda_first_run": env.client.get_workflow_handle(mda.id, run_id=first_run),
        "mda_continued_as_new": env.client.get_workflow_handle(mda.id),  # the newest run
        "acute_safety_placed": acute,
        "safety_plan_running": plan_,
    }


async def acute_path(env, case: WorkflowHandle) -> WorkflowHandle:
    """The acute safety path an acute case started as its first child."""
    started = "start_child_workflow_execution_initiated_event_attributes"
    for _ in range(100):
        async for e in case.fetch_history_events():
            if e.HasField(started) and getattr(e, started).workflow_id.startswith("path-"):
                return env.client.get_workflow_handle(getattr(e, started).workflow_id)
        await asyncio.sleep(0.1)
    raise AssertionError("the acute case started no path")


async def record_one_write(env, tq: str) -> dict[str, WorkflowHandle]:
    """An acute case and its path after both reminders fired (patch one-write-per-step: each
    reminder one write with its notice) and after the case's deferred write of its path's
    reminder, still running."""
    case, _ = await open_case(env, tq, acute=True)
    path = await acute_path(env, case)
    await env.sleep(timedelta(hours=3, minutes=10))
    return {"one_write_acute_case_reminded": case, "one_write_acute_path_reminded": path}


async def record_reminders_wait(env, tq: str) -> dict[str, WorkflowHandle]:
    """An acute case and its path after both reminders (the path's held back: patch
    reminders-wait-for-the-next-report) and after the safe place's term passed, which the path
    reported with its held reminder; still running."""
    case, _ = await open_case(env, tq, acute=True)
    path = await acute_path(env, case)
    await env.sleep(timedelta(days=1))
    return {"reminders_wait_acute_case_told": case, "reminders_wait_acute_path_escalated": path}


async def record_placement_once(env, tq: str) -> dict[str, WorkflowHandle]:
    """A placement sent twice (a retry after its answer was lost), then ended: the path
    closes."""
    case, _ = await open_case(env, tq, acute=True)
    acute = await acute_path(env, case)
    now = await env.get_current_time()
    placement = Placement(
        placement_id="pl1",
        person_ref="p1",
        kind="vrouwenopvang",
        provider="opvang-haaglanden",
        placed_at=now,
    )
    await acute.execute_update(AcuteSafetyWorkflow.record_placement, placement)
    retried = placement.model_copy(update={"placed_at": now + timedelta(minutes=1)})
    await acute.execute_update(AcuteSafetyWorkflow.record_placement, retried)
    ended = PlacementEnded(step="placement_ended", placement_id="pl1", at=now)
    await acute.execute_update(AcuteSafetyWorkflow.step, ended)
    await acute.result()
    return {"acute_safety_placement_once": acute}


async def record_legal_dates(env, tq: str) -> dict[str, WorkflowHandle]:
    """The steps the Wth and BW boek 1 name, with this release's patches: a ban imposed by a
    hulpofficier (the mayor told), violated, appealed and heard, withdrawn and kept open for
    appeals; a case whose assessment found acute unsafety (the police alert decided); a
    voorlopige OTS with a machtiging that ends with it."""
    out: dict[str, WorkflowHandle] = {}
    case, hv, now = await requested_by_police(env, tq)
    hulpofficier = Decider(name="H. Officier", capacity="hulpofficier")
    await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
            actor=MAYOR_OFFICE,
            decision="impose",
            reason="r",
            decided_by=hulpofficier,
            decided_at=now,
            veilig_thuis_consulted=True,
        ),
    )
    await skip_days(env, 1)
    at = await env.get_current_time()
    await hv.execute_update(HuisverbodWorkflow.record_violation, ViolationCmd(actor=POLICE, at=at))
    await hv.execute_update(HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=at))
    await hv.execute_update(HuisverbodWorkflow.record_hearing, HearingCmd(actor=JURIST, at=at))
    await hv.execute_update(
        HuisverbodWorkflow.withdraw,
        WithdrawalCmd(actor=MAYOR_OFFICE, reason="r", decided_by=MAYOR, at=at),
    )
    out["huisverbod_withdrawn_open_for_appeal"] = hv

    assessed, _ = await open_case(env, tq, acute=False, reporter="professional")
    await assessed.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=True, structural=True, assessed_at=await env.get_current_time()),
    )
    out["case_acute_found_by_veilig_thuis"] = assessed

    await case.execute_update(
        CaseWorkflow.start_path,
        StartPathCmd(
            kind="child_protection", path_id="protection-ots", at=at, child_ref="k1", via="raad"
        ),
    )
    protection = env.client.get_workflow_handle_for(
        ChildProtectionWorkflow.run,
        path_workflow_id(case.id.removeprefix("case-"), "protection-ots"),
    )
    await protection.execute_update(
        ChildProtectionWorkflow.step,
        RaadAnswered(step="raad_answered", investigation_started=True, at=at),
    )
    for measure, days in (
        ("voorlopige_ondertoezichtstelling", 60),
        ("machtiging_uithuisplaatsing", 14),
    ):
        await protection.execute_update(
            ChildProtectionWorkflow.step,
            CourtDecided(
                step="court_decided",
                measure=measure,
                granted=True,
                at=at,
                ends_at=at + timedelta(days=days),
            ),
        )
    await protection.execute_update(
        ChildProtectionWorkflow.step,
        MeasureEnded(step="measure_ended", measure="voorlopige_ondertoezichtstelling", at=at),
    )
    out["protection_machtiging_ended_with_its_ots"] = protection
    return out


async def record_court_terms(env, tq: str) -> dict[str, WorkflowHandle]:
    """Terms of the court and the jeugdbescherming, with this release's patches: a ban under
    appeal whose interim relief was heard and awaits the ruling (Wth art. 6 lid 1, with the
    Atw); an OTS whose renewal was asked for two months before its end (BW 1:265j lid 1); a
    spoedmachtiging replaced by the decision after the hearing (Rv art. 800 lid 2)."""
    case, hv, now = await requested_by_police(env, tq)
    await hv.execute_update(
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
    await hv.execute_update(HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=now))
    await skip_days(env, 1)
    at = await env.get_current_time()
    await hv.execute_update(HuisverbodWorkflow.record_hearing, HearingCmd(actor=JURIST, at=at))
    await case.execute_update(
        CaseWorkflow.start_path,
        StartPathCmd(
            kind="child_protection", path_id="protection-renewal", at=at, child_ref="k1", via="raad"
        ),
    )
    protection = env.client.get_workflow_handle_for(
        ChildProtectionWorkflow.run,
        path_workflow_id(case.id.removeprefix("case-"), "protection-renewal"),
    )
    for step in (
        RaadAnswered(step="raad_answered", investigation_started=True, at=at),
        RaadConcluded(step="raad_concluded", petition="ondertoezichtstelling", at=at),
        CourtDecided(
            step="court_decided",
            measure="ondertoezichtstelling",
            granted=True,
            at=at,
            ends_at=at + timedelta(days=100),
        ),
    ):
        await protection.execute_update(ChildProtectionWorkflow.step, step)
    await skip_days(env, 30)
    await protection.execute_update(
        ChildProtectionWorkflow.step,
        RenewalDecided(
            step="renewal_decided",
            measure="ondertoezichtstelling",
            requested=True,
            at=await env.get_current_time(),
        ),
    )
    case, _, at = await requested_by_police(env, tq)  # one protection path per child at a time
    await case.execute_update(
        CaseWorkflow.start_path,
        StartPathCmd(
            kind="child_protection", path_id="protection-urgent", at=at, child_ref="k1", via="raad"
        ),
    )
    urgent = env.client.get_workflow_handle_for(
        ChildProtectionWorkflow.run,
        path_workflow_id(case.id.removeprefix("case-"), "protection-urgent"),
    )
    for step in (
        RaadAnswered(step="raad_answered", investigation_started=True, at=at),
        *(
            CourtDecided(
                step="court_decided",
                measure=measure,
                granted=True,
                urgent=measure == "machtiging_uithuisplaatsing",
                at=at,
                ends_at=at + timedelta(days=days),
            )
            for measure, days in (
                ("voorlopige_ondertoezichtstelling", 80),
                ("machtiging_uithuisplaatsing", 14),
            )
        ),
        CourtDecided(
            step="court_decided",
            measure="machtiging_uithuisplaatsing",
            granted=True,
            at=at,
            ends_at=at + timedelta(days=60),
        ),
    ):
        await urgent.execute_update(ChildProtectionWorkflow.step, step)
    return {
        "huisverbod_heard_awaiting_ruling": hv,
        "protection_ots_renewal_requested": protection,
        "protection_spoedmachtiging_replaced": urgent,
    }


async def wall_clock(env, day, at: time) -> None:
    """Skip the test server's clock to `at` on `day` (Amsterdam), a day at a time."""
    while (now := await env.get_current_time()) < (moment := datetime.combine(day, at, AMSTERDAM)):
        await env.sleep(min(timedelta(days=1), moment - now))


async def record_atw_terms(env, tq: str, *, suffix: str) -> dict[str, WorkflowHandle]:
    """Terms the Atw extends or not (issue 40): interim relief asked on a Friday at 10:00,
    the case then left to Tuesday noon (Atw art. 2: heard by Tuesday's end; a ban from before
    counts to Monday's end and has escalated by then); an OTS whose renewal request, two
    months before its end, falls on a Sunday (counted back, not extended: Atw art. 1 lid 2;
    due the Friday before), left to the Monday after. Recorded at the commit before the patches
    with the suffix `before` (their old branches), and with this code with `after`."""
    today = local_date(await env.get_current_time())
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    await wall_clock(env, friday, time(10))
    case, hv, now = await requested_by_police(env, tq)
    await hv.execute_update(
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
    await hv.execute_update(HuisverbodWorkflow.appeal, AppealCmd(actor=JURIST, lodged_at=now))
    await wall_clock(env, friday + timedelta(days=4), time(12))
    at = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.start_path,
        StartPathCmd(
            kind="child_protection", path_id="protection-sunday", at=at, child_ref="k1", via="raad"
        ),
    )
    protection = env.client.get_workflow_handle_for(
        ChildProtectionWorkflow.run,
        path_workflow_id(case.id.removeprefix("case-"), "protection-sunday"),
    )
    sunday = friday + timedelta(days=23)  # the request's day; its reminder comes before
    ends_at = datetime.combine(sunday, time(10), AMSTERDAM) + relativedelta(months=2)
    for step in (
        RaadAnswered(step="raad_answered", investigation_started=True, at=at),
        RaadConcluded(step="raad_concluded", petition="ondertoezichtstelling", at=at),
        CourtDecided(
            step="court_decided",
            measure="ondertoezichtstelling",
            granted=True,
            at=at,
            ends_at=ends_at,
        ),
    ):
        await protection.execute_update(ChildProtectionWorkflow.step, step)
    await wall_clock(env, sunday + timedelta(days=1), time(12))
    return {
        f"huisverbod_relief_asked_on_a_friday_{suffix}": hv,
        f"protection_renewal_request_on_a_sunday_{suffix}": protection,
    }


async def record_referral(env, tq: str) -> dict[str, WorkflowHandle]:
    """A follow-up "naar de beschermtafel" that starts its path in the same step (patch
    follow-up-starts-path); one "naar MDA++", whose path sends the referral itself."""
    case, _ = await open_case(env, tq, acute=False, reporter="professional")
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    start = StartPathCmd(
        kind="child_protection", path_id="referred", at=now, child_ref="k1", via="beschermtafel"
    )
    await case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="beschermtafel", decided_at=now, start=start.model_dump(mode="json")),
    )
    mda_case, _ = await open_case(env, tq, acute=False, reporter="professional")
    now = await env.get_current_time()
    await mda_case.execute_update(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd(acute=False, structural=True, assessed_at=now),
    )
    start = StartPathCmd(kind="mda", path_id="referred-mda", at=now, partners=["politie-den-haag"])
    await mda_case.execute_update(
        CaseWorkflow.decide_follow_up,
        FollowUpCmd(decision="mda", decided_at=now, start=start.model_dump(mode="json")),
    )
    return {"case_referral_started_its_path": case, "case_referral_to_mda_sent_once": mda_case}


async def main() -> None:
    async with time_skipping(recording_converter()) as env:
        tq = "record"
        async with fake_worker(env.client, tq, FakeReadModel()):
            force = "--force" in sys.argv
            recorded = await record_paths(env, tq)
            recorded.update(await record_long_case(env, tq))
            recorded.update(await record_legal_dates(env, tq))
            recorded.update(await record_court_terms(env, tq))
            recorded.update(await record_repeat_violence(env, tq))
            recorded.update(await record_lean(env, tq))
            recorded.update(await record_wake_kept(env, tq))
            recorded.update(await record_advice(env, tq))
            recorded.update(await record_remind_late(env, tq))
            recorded.update(await record_placement_once(env, tq))
            recorded.update(await record_at_start(env, tq))
            recorded.update(await record_referral(env, tq))
            recorded.update(await record_one_write(env, tq))
            recorded.update(await record_reminders_wait(env, tq))
            recorded.update(await record_atw_terms(env, tq, suffix="after"))
            if force or not all((HERE / f"{n}.json").exists() for n in OLDER):
                recorded.update(await record(env, tq))
            for name, handle in recorded.items():
                target = HERE / f"{name}.json"
                if target.exists() and not force:
                    continue
                history = await handle.fetch_history()
                target.write_text(history.to_json(), encoding="utf-8")
                print(f"{name}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(main())
