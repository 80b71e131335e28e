"""Throughput and latency of full case+huisverbod flows against raw no-op workflows of the same shape.

Starts its own embedded Postgres and Temporal dev server, a worker and the API in this
process, runs N flows through the HTTP API (melding -> request -> impose -> expiry with
scaled durations), counts the activities and timers one flow used, then runs N no-op
workflows with that many activities and timers on the same server, and prints both.
Figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.worker import Worker

from api.app import create_app
from api.auth import mint_token
from bench.noop import NoopChild, NoopFlow, noop
from domain.ids import case_workflow_id, huisverbod_workflow_id
from ketenregie.settings import Settings
from ketenregie.sink import MailSink, WebhookReceiver, partner_chain
from ketenregie.stack import TemporalDevServer, embedded_postgres, free_port
from store.db import create_pool
from workers.case_keys import PostgresKeyStore
from workers.client import connect
from workers.main import build_worker

DAY_SECONDS = 0.02
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
    async with asyncio.timeout(60):
        while ok(await api.get(f"/v1/huisverboden/{hv}"))["status"] != "expired":
            await asyncio.sleep(0.02)
    return time.perf_counter() - start, case_id, hv


async def count_shape(client, case_id: str, hv: str) -> list[int]:
    """[activities, timers] of the case and its huisverbod, [children, their activities] of
    the notify workflows they started."""
    shape = [0, 0, 0, 0]
    notify: list[str] = []
    for wf_id in (case_workflow_id(case_id), huisverbod_workflow_id(case_id, hv)):
        async for event in client.get_workflow_handle(wf_id).fetch_history_events():
            shape[0] += event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
            shape[1] += event.event_type == EventType.EVENT_TYPE_TIMER_STARTED
            if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
                child = event.start_child_workflow_execution_initiated_event_attributes
                if child.workflow_id.startswith("notice-"):
                    notify.append(child.workflow_id)
    shape[2] = len(notify)
    for wf_id in notify:
        async for event in client.get_workflow_handle(wf_id).fetch_history_events():
            shape[3] += event.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    return shape


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
    work = Path(tempfile.mkdtemp(prefix="ketenregie-bench-"))
    work.chmod(0o755)
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
            Worker(
                client,
                task_queue="bench-noop",
                workflows=[NoopFlow, NoopChild],
                activities=[noop],
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
            await asyncio.sleep(2)  # let the warm-up's notifications finish
            activities, timers, children, child_activities = await count_shape(client, case_id, hv)
            ban = 10 * DAY_SECONDS
            print(
                f"one flow: {activities} activities, {timers} timers, {children} notify workflows"
                f" with {child_activities} activities, ban of {ban:.2f} s; "
                f"N={n}, concurrency={concurrency}, 2 cores"
            )

            async def flow():
                return (await one_flow(api))[0]

            async def raw():
                start = time.perf_counter()
                await client.execute_workflow(
                    NoopFlow.run,
                    [activities, timers, ban / max(timers, 1), children, child_activities],
                    id=f"noop-{uuid.uuid4().hex}",
                    task_queue="bench-noop",
                )
                return time.perf_counter() - start

            ours = describe("case+huisverbod (API)", n, *await run_batch(n, concurrency, flow))
            base = describe("raw no-op workflows", n, *await run_batch(n, concurrency, raw))
            print(f"ratio (ours / raw throughput): {ours / base:.2f}")
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
