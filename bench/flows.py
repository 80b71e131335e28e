"""Throughput and latency of full case+huisverbod flows against raw no-op workflows of two shapes.

Starts its own embedded Postgres and Temporal dev server, a worker and the API in this
process, runs N flows through the HTTP API (melding -> request -> impose -> expiry with
scaled durations), counts what one flow cost in Temporal, then runs N raw no-op workflows of
the shape before the lean notices (a workflow per notice) and N of the lean shape (local
activities, a shared dispatcher) on the same server, and prints all three.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Worker

from api.app import create_app
from api.auth import mint_token
from bench.noop import LeanNoopFlow, NoopChild, NoopDispatcher, NoopFlow, noop, noop_enqueue
from bench.stack import cache_bytecode
from domain.huisverbod import huisverbod_workflow_id
from domain.ids import case_workflow_id, dispatch_workflow_id
from infra.case_keys import PostgresKeyStore
from infra.client import connect
from infra.settings import Settings
from ketenregie.stack import TemporalDevServer, embedded_postgres, free_port
from store.db import create_pool
from testing.partners import MailSink, WebhookReceiver, partner_chain
from workers.main import build_dispatch_worker, build_worker

DAY_SECONDS = 0.02
POLL = 0.1  # seconds between reads of a flow's ban: every read is access-logged in Postgres
MELDING = {
    "region": "haaglanden",
    "municipality": "GM0518",
    "reporter": {"kind": "police"},
    "persons": [
        {"ref": "v", "role": "victim", "name": "V"},
        {"ref": "p", "role": "pleger", "name": "P"},
    ],
    "unsafety": {"acute": True, "structural": False},
    "summary": "bench",
}


def bearer(settings: Settings, org: str, role: str) -> dict[str, str]:
    return {"authorization": f"Bearer {mint_token(settings, org=org, role=role)}"}


MAYOR: dict[str, str] = {}  # filled in main(): the mayor's office of GM0518 decides


def ok(response: httpx.Response) -> dict:
    if response.status_code >= 300:
        raise RuntimeError(f"{response.request.url.path}: {response.status_code} {response.text}")
    return response.json()


async def one_flow(api: httpx.AsyncClient) -> tuple[float, str, str]:
    start = time.perf_counter()
    case_id = ok(await api.post("/v1/meldingen", json=MELDING))["case_id"]
    hv = ok(
        await api.post(
            f"/v1/cases/{case_id}/huisverbod-requests",
            json={
                "pleger_ref": "p",
                "address": "a",
                "requested_by": {"organisation": "o", "officer": "x"},
                "grounds": "Feiten en omstandigheden.",
                "children_at_address": False,
            },
        )
    )["huisverbod_id"]
    ok(
        await api.post(
            f"/v1/huisverboden/{hv}/decision",
            headers=MAYOR,
            json={
                "decision": "impose",
                "reason": "r",
                "decided_by": {"name": "m", "capacity": "mayor"},
            },
        )
    )
    async with asyncio.timeout(600):
        while ok(await api.get(f"/v1/huisverboden/{hv}"))["status"] != "expired":
            await asyncio.sleep(POLL)
    return time.perf_counter() - start, case_id, hv


@dataclass
class Shape:
    """What one flow cost in its case's and huisverbod's histories."""

    activities: int = 0
    local: int = 0
    enqueues: int = 0
    timers: int = 0
    children: int = 0  # the case's: its huisverbod and, for an acute melding, its path
    notify: list[str] = field(default_factory=list)
    notify_activities: int = 0


# The shape this bench counted before the lean notices: 9 workflows (the case, its huisverbod
# and 7 notify workflows), 25 activity tasks (8 in the case and the huisverbod).
OLD = Shape(activities=8, children=8, notify_activities=17)


async def count_shape(client, case_id: str, hv: str) -> Shape:
    shape = Shape()
    for wf_id in (case_workflow_id(case_id), huisverbod_workflow_id(case_id, hv)):
        async for event in client.get_workflow_handle(wf_id).fetch_history_events():
            shape.activities += event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            shape.timers += event.event_type == EventType.EVENT_TYPE_TIMER_STARTED
            if event.event_type == EventType.EVENT_TYPE_MARKER_RECORDED:
                marker = event.marker_recorded_event_attributes
                if marker.marker_name == "core_local_activity":
                    shape.local += 1
                    detail = json.loads(marker.details["data"].payloads[0].data)
                    shape.enqueues += detail["activity_type"] == "enqueue"
            if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
                child = event.start_child_workflow_execution_initiated_event_attributes
                if child.workflow_id.startswith("notice-"):
                    shape.notify.append(child.workflow_id)
                else:
                    shape.children += 1
    for wf_id in shape.notify:
        async for event in client.get_workflow_handle(wf_id).fetch_history_events():
            shape.notify_activities += (
                event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            )
    return shape


async def dispatch_rounds(client, workflow_id: str) -> int:
    """Delivery rounds of the region's dispatcher over all its runs."""
    rounds = 0
    async for run in client.list_workflows(f"WorkflowId = '{workflow_id}'"):
        history = client.get_workflow_handle(workflow_id, run_id=run.run_id)
        async for event in history.fetch_history_events():
            rounds += event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    return rounds


async def run_batch(n: int, concurrency: int, job) -> tuple[float, list[float]]:
    gate = asyncio.Semaphore(concurrency)

    async def guarded():
        async with gate:
            return await job()

    start = time.perf_counter()
    latencies = await asyncio.gather(*(guarded() for _ in range(n)))
    return time.perf_counter() - start, list(latencies)


def describe(name: str, n: int, elapsed: float, latencies: list[float]) -> float:
    q = statistics.quantiles(latencies, n=100)
    rate = n / elapsed
    print(
        f"{name:<22} {n:>5} flows  {rate:8.2f} flows/s  p50 {q[49] * 1000:8.1f} ms  p99 {q[98] * 1000:8.1f} ms"
    )
    return rate


async def main(n: int, concurrency: int) -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # this bench's own requests
    work = Path(tempfile.mkdtemp(prefix="ketenregie-bench-"))
    work.chmod(0o755)
    cache_bytecode(work)
    dsn, pg = embedded_postgres(work / "pg")
    temporal = TemporalDevServer(work / "temporal.sqlite", free_port(), None, work / "temporal.log")
    temporal.start()
    sink_port = free_port()
    settings = Settings(
        data_dir=work,
        database_url=dsn,
        temporal_address=temporal.address,
        task_queue="bench",
        time_scale=DAY_SECONDS / 86400,
        decision_window_hours=24 * 30,
        chain_file=partner_chain(work / "chain.yaml", sink_port),
        smtp_port=free_port(),
        sink_port=sink_port,
    )
    mail = MailSink(settings.smtp_host, settings.smtp_port)
    mail.start()
    hooks = WebhookReceiver(settings.smtp_host, sink_port, settings.webhook_secret)
    await hooks.start()
    try:
        pool = await create_pool(dsn, max_size=20)
        keys_pool = await create_pool(dsn, max_size=4)
        case_keys = PostgresKeyStore(keys_pool, settings.keyring)
        client = await connect(settings, case_keys)
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            build_worker(client, pool, settings, case_keys),
            build_dispatch_worker(client, pool, settings),
            Worker(
                client,
                task_queue="bench-noop",
                workflows=[NoopFlow, LeanNoopFlow, NoopChild, NoopDispatcher],
                activities=[noop, noop_enqueue],
            ),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://bench",
                timeout=60,
                headers=bearer(settings, "vt-haaglanden", "coordinator"),
            ) as api,
        ):
            MAYOR.update(bearer(settings, "burgemeester-gm0518", "staff"))
            _, case_id, hv = await one_flow(api)  # warm-up, and the shape of one flow
            await asyncio.sleep(2)  # let the warm-up's notices go out
            shape = await count_shape(client, case_id, hv)
            ban = 10 * DAY_SECONDS
            tick = ban / max(shape.timers, 1)
            dispatcher = dispatch_workflow_id(settings.task_queue, MELDING["region"])
            print(f"N={n}, concurrency={concurrency}, 2 cores, ban of {ban:.2f} s")
            print(
                f"one flow now:  {1 + shape.children + len(shape.notify)} workflows "
                f"(the case, {shape.children} children, {len(shape.notify)} notify), "
                f"{shape.activities + shape.notify_activities} activity tasks, "
                f"{shape.local} local activities ({shape.enqueues} to the outbox), "
                f"{shape.timers} timers, plus the region's shared delivery rounds"
            )
            print(
                f"old raw shape: {1 + OLD.children} workflows, "
                f"{OLD.activities + OLD.notify_activities} activity tasks, {shape.timers} timers"
            )

            async def flow():
                return (await one_flow(api))[0]

            async def execute(run, arg) -> float:
                start = time.perf_counter()
                await client.execute_workflow(
                    run, arg, id=f"noop-{uuid.uuid4().hex}", task_queue="bench-noop"
                )
                return time.perf_counter() - start

            async def old_raw():
                old = [OLD.activities, shape.timers, tick, OLD.children, OLD.notify_activities]
                return await execute(NoopFlow.run, old)

            async def lean_raw():
                lean = [shape.local, shape.enqueues, shape.timers, tick, shape.children]
                return await execute(LeanNoopFlow.run, lean)

            before = await dispatch_rounds(client, dispatcher)
            ours = describe("case+huisverbod (API)", n, *await run_batch(n, concurrency, flow))
            await asyncio.sleep(2)
            rounds = await dispatch_rounds(client, dispatcher) - before
            print(f"{'':<22} the dispatcher delivered them in {rounds} rounds")
            old = describe("old raw shape", n, *await run_batch(n, concurrency, old_raw))
            lean = describe("lean raw shape", n, *await run_batch(n, concurrency, lean_raw))
            print(f"ratio to the old raw shape: {ours / old:.2f} (target >= 1.0)")
            print(f"ratio to the lean raw shape: {ours / lean:.2f} (target >= 0.8)")
        await pool.close()
        await keys_pool.close()
    finally:
        await hooks.stop()
        mail.stop()
        temporal.stop()
        pg.cleanup()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="flows per batch")
    parser.add_argument("-c", "--concurrency", type=int, default=20)
    args = parser.parse_args()
    asyncio.run(main(args.n, args.concurrency))
