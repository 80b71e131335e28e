"""Record histories of representative cases for the replay test: `python -m tests.histories.record`.

Runs the real workflows (with in-memory activities) under the time-skipping test server and
writes each history to tests/histories/<name>.json: finished and still-running cases, a
huisverbod that was extended and expired, and a notification. Payloads are encrypted with a
fixed test keyring and keys derived from a fixed seed, so the replay test can decode them.
Re-record only on purpose: the files are what older releases left in Temporal.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.models import (
    CaseInput,
    Decider,
    DecisionCmd,
    ExtensionCmd,
    FollowUpCmd,
    HuisverbodRequestCmd,
    PersonRef,
    SafetyAssessmentCmd,
    Unsafety,
)
from domain.workdays import preload_calendar
from ketenregie.binaries import find_binary
from workers.case_keys import MemoryKeyStore
from workers.client import data_converter
from workers.codec import Keyring
from workers.main import WORKFLOW_RUNNER, WORKFLOWS
from workflows.case import CaseWorkflow
from workflows.huisverbod import HuisverbodWorkflow
from workflows.ids import case_workflow_id, huisverbod_workflow_id

HERE = Path(__file__).parent
KEYRING = Keyring({"history": bytes(range(32, 64))}, "history")
KEY_SEED = b"ketenregie recorded histories"
MAYOR = Decider(name="A. Burgemeester", capacity="mayor")


def converter():
    return data_converter(KEYRING, MemoryKeyStore(seed=KEY_SEED))


async def open_case(env, tq: str, *, acute: bool, reporter: str) -> tuple[WorkflowHandle, str]:
    case_id = uuid.uuid4().hex
    handle = await env.client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind=reporter,
            persons=[
                PersonRef(ref="p1", role="victim"),
                PersonRef(ref="p2", role="pleger"),
                PersonRef(ref="k1", role="child"),
            ],
            unsafety=Unsafety(acute=acute, structural=True, reporter_can_help=False),
            received_at=await env.get_current_time(),
        ),
        id=case_workflow_id(case_id),
        task_queue=tq,
    )
    return handle, case_id


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
        HuisverbodRequestCmd(huisverbod_id=hv_id, pleger_ref="p2", requested_at=now),
    )
    hv = env.client.get_workflow_handle_for(
        HuisverbodWorkflow.run, huisverbod_workflow_id(case_id, hv_id)
    )
    return case, hv, now


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

    police_case, hv, now = await requested_by_police(env, tq)
    await hv.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(
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
            until=now + timedelta(days=20),
            reason="r",
            decided_by=MAYOR,
            decided_at=await env.get_current_time(),
        ),
    )
    out["huisverbod_extended_running"] = hv
    out["case_with_huisverbod_running"] = police_case
    _, refused, now = await requested_by_police(env, tq)
    await refused.execute_update(
        HuisverbodWorkflow.decide,
        DecisionCmd(decision="refuse", reason="r", decided_by=MAYOR, decided_at=now),
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


async def main() -> None:
    from tests.workflows.conftest import FakeReadModel

    fake = FakeReadModel()
    preload_calendar()
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=converter(),
    ) as env:
        tq = "record"
        async with Worker(
            env.client,
            task_queue=tq,
            workflows=WORKFLOWS,
            workflow_runner=WORKFLOW_RUNNER,
            activities=[
                fake.upsert_case,
                fake.upsert_huisverbod,
                fake.plan_notice,
                fake.deliver,
                fake.fail_delivery,
            ],
        ):
            for name, handle in (await record(env, tq)).items():
                history = await handle.fetch_history()
                (HERE / f"{name}.json").write_text(history.to_json(), encoding="utf-8")
                print(f"{name}: {len(history.events)} events")


if __name__ == "__main__":
    asyncio.run(main())
