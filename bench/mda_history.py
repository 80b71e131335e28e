"""How large an MDA++ workflow's history grows over years of reviews, with and without
continue-as-new, and its case's (which hears of every event). Runs under the time-skipping test server (six-weekly reviews of several
years pass in seconds) with in-memory activities, and prints figures; nothing is asserted.

    python -m bench.mda_history --reviews 40
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import timedelta

from temporalio.client import Client

from domain.chain_policy import Policy
from domain.ids import path_workflow_id
from domain.mda import MdaAnalysis, MdaIntake, MdaPlan, MdaReview, PlanAction
from domain.mda_policy import MdaPolicy
from domain.procedure import StartPathCmd
from domain.workdays import local_date
from testing import FakeReadModel, fake_worker, open_case, recording_converter, time_skipping
from testing.actors import VEILIG_THUIS, by
from workflows.case import CaseWorkflow
from workflows.mda import MdaWorkflow

# each command as the service sends it for a Veilig Thuis worker (the workflow checks it)
MdaAnalysis = by(VEILIG_THUIS, MdaAnalysis)
MdaIntake = by(VEILIG_THUIS, MdaIntake)
MdaPlan = by(VEILIG_THUIS, MdaPlan)
MdaReview = by(VEILIG_THUIS, MdaReview)
StartPathCmd = by(VEILIG_THUIS, StartPathCmd)


async def run_mda(env, tq: str, reviews: int, per_run: int) -> dict[str, float]:
    """An MDA++ path of a case (started by the case, as in production) with `reviews`."""
    case, case_id = await open_case(
        env,
        tq,
        policy=Policy(mda=MdaPolicy(reviews_per_run=per_run)),
        children=False,
        reporter_can_help=None,
    )
    path_id = uuid.uuid4().hex
    now = await env.get_current_time()
    await case.execute_update(
        CaseWorkflow.start_path,
        StartPathCmd(kind="mda", path_id=path_id, at=now, partners=["wijkteam", "politie"]),
    )
    wid = path_workflow_id(case_id, path_id)
    handle = env.client.get_workflow_handle(wid)
    plan = MdaPlan(
        step="plan_agreed",
        goals=["geen geweld", "kinderen naar school"],
        actions=[
            PlanAction(action_id=f"a{i}", owner="wijkteam", what="actie", due_on=local_date(now))
            for i in range(5)
        ],
        at=now,
    )
    for step in (
        MdaIntake(step="intake_held", accepted=True, at=now),
        MdaAnalysis(step="analysis_done", at=now),
        plan,
    ):
        await handle.execute_update(MdaWorkflow.step, step)
    started = time.perf_counter()
    for _ in range(reviews):
        await env.sleep(timedelta(weeks=6) - timedelta(days=1))
        at = await env.get_current_time()
        await env.client.get_workflow_handle(wid).execute_update(
            MdaWorkflow.step, MdaReview(step="review_held", goals_hold=False, at=at)
        )
    elapsed = time.perf_counter() - started
    history = await case.fetch_history()
    return {
        "elapsed": elapsed,
        "case_events": len(history.events),
        "case_kib": len(history.to_json()) / 1024,
        **await _histories(env.client, wid),
    }


async def _histories(client: Client, wid: str) -> dict[str, float]:
    """Events and bytes of every run of `wid`, newest first, following the chain back."""
    sizes, run_id = [], None
    while True:
        handle = client.get_workflow_handle(wid, run_id=run_id)
        history = await handle.fetch_history()
        sizes.append((len(history.events), len(history.to_json())))
        first = history.events[0].workflow_execution_started_event_attributes
        if not first.continued_execution_run_id:
            break
        run_id = first.continued_execution_run_id
    return {
        "runs": len(sizes),
        "max_events": max(e for e, _ in sizes),
        "total_events": sum(e for e, _ in sizes),
        "max_kib": max(b for _, b in sizes) / 1024,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reviews", type=int, default=40)
    args = parser.parse_args()
    fake = FakeReadModel()
    print(f"MDA++ with a five-action plan, {args.reviews} six-weekly reviews")
    print(
        f"{'reviews per run':>16} {'runs':>5} {'max events/run':>15} {'max KiB/run':>12} "
        f"{'total events':>13} {'case events':>12} {'case KiB':>9} {'seconds':>8}"
    )
    for per_run in (args.reviews + 1, 4):
        async with time_skipping(recording_converter()) as env:
            tq = f"bench-{uuid.uuid4().hex[:6]}"
            async with fake_worker(env.client, tq, fake):
                r = await run_mda(env, tq, args.reviews, per_run)
        label = "never" if per_run > args.reviews else str(per_run)
        print(
            f"{label:>16} {r['runs']:>5} {r['max_events']:>15} {r['max_kib']:>12.1f} "
            f"{r['total_events']:>13} {r['case_events']:>12} {r['case_kib']:>9.1f} "
            f"{r['elapsed']:>8.1f}"
        )


if __name__ == "__main__":
    asyncio.run(main())
