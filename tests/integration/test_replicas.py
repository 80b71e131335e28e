"""Two workers on one task queue and two API processes on one port (`ketenregie up --workers 2
--apis 2`), one of them killed (SIGKILL) in the middle of the work: the other carries on,
nothing is lost and nothing is done twice."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest

from api.app import create_app
from api.auth import mint_token
from domain.events import event_id
from domain.ids import case_workflow_id
from domain.notifications import MAIL_KEY_HEADER
from ketenregie.stack import free_port, shared_listener, spawn, stop_process
from tests.integration.conftest import TIME_SCALE, eventually
from tests.integration.flows import melding
from tests.integration.test_notifications import worker_env

STORM = 50  # acute meldingen, two terms each (its assessment and its safe place)
ACUTE_TERM = timedelta(hours=4)  # both terms of an acute melding


async def wait_for_log(log: Path, line: str, timeout: float = 90.0) -> None:
    async def there():
        return log.exists() and line in log.read_text(errors="replace")

    await eventually(there, timeout=timeout, interval=0.3)


async def both_poll(client, task_queue: str, processes: list[subprocess.Popen]) -> bool:
    found = await client.workflow_service.describe_task_queue(
        DescribeTaskQueueRequest(
            namespace=client.namespace,
            task_queue=TaskQueue(name=task_queue),
            task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        )
    )
    polling = {p.identity.partition("@")[0] for p in found.pollers}
    return {str(p.pid) for p in processes} <= polling


def decided(case: dict) -> dict:
    """What a safety assessment decides about a case."""
    return {k: case[k] for k in ("case_id", "phase", "acute", "structural")}


def kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(10) == -signal.SIGKILL


async def test_a_worker_killed_just_before_a_storm_of_deadlines_loses_none(
    settings, workdir, mail, hooks
):
    """50 cases whose 100 terms pass at the same moment, on two worker processes; one is killed
    half a second before. Every term escalates once (its case's timeline) and every
    escalation notice reaches the chain once.

    How late the survivor fires the dead worker's share is printed, not asserted. Its bound
    is about 10 s + 10 s + 30 s: a workflow whose sticky queue was the dead worker's has its
    task moved to the normal queue after the sticky schedule-to-start timeout (the SDK's 10
    s), where the survivor replays its history; a workflow task the dead worker had started
    is retried after the workflow task timeout (10 s); an activity it had started (the
    outbox's enqueue, a read-model write) after its start-to-close timeout (30 s)."""
    isolated = settings.model_copy(update={"task_queue": f"{settings.task_queue}-replicas"})
    logs = [workdir / f"replica-worker-{i}.log" for i in (1, 2)]
    workers = [spawn("worker", worker_env(isolated), log) for log in logs]
    app = create_app(isolated)
    token = mint_token(isolated, org="vt-haaglanden", role="coordinator")
    case_ids: list[str] = []
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://ketenregie.test",
                headers={"authorization": f"Bearer {token}"},
                timeout=60,
            ) as api,
        ):
            # both poll before the storm's cases start, so both hold some in their caches
            await eventually(lambda: both_poll(app.state.temporal, isolated.task_queue, workers))
            moment = datetime.now(UTC) + timedelta(seconds=20)
            # received "in a moment" (within the clock skew a melding may have): every case's
            # terms then pass at `moment`
            received = (moment - ACUTE_TERM * TIME_SCALE).isoformat()

            async def open_one(i: int) -> str:
                body = melding(summary=f"storm {i}", received_at=received)
                r = await api.post("/v1/meldingen", json=body)
                assert r.status_code == 201, r.text
                return r.json()["case_id"]

            case_ids += await asyncio.gather(*(open_one(i) for i in range(STORM)))
            left = (moment - datetime.now(UTC)).total_seconds()
            assert left > 1, f"the storm's cases took too long to open ({left:.1f} s left)"
            await asyncio.sleep(left - 0.5)
            kill(workers[0])

            conn = await asyncpg.connect(isolated.database_url)
            try:

                async def all_fired():
                    """Each term's escalation on its own procedure's timeline (a path's
                    reaches its case's page with the case's next write, within minutes), and
                    the escalation notices delivered."""
                    fired = await conn.fetch(
                        """SELECT c.case_id, (e->>'at')::timestamptz AS at
                           FROM cases c, jsonb_array_elements(c.timeline) e
                           WHERE c.case_id = ANY($1) AND e->>'kind' = 'escalated'
                             AND e->>'source' = 'case'
                           UNION ALL
                           SELECT p.case_id, (e->>'at')::timestamptz
                           FROM case_paths p, jsonb_array_elements(p.state->'timeline') e
                           WHERE p.case_id = ANY($1) AND e->>'kind' = 'escalated'""",
                        case_ids,
                    )
                    sent = await conn.fetch(
                        """SELECT n.case_id, n.subject, n.key, dl.status, dl.key AS delivery,
                                  dl.channel
                           FROM notices n JOIN deliveries dl ON dl.notice_key = n.key
                           WHERE n.kind = 'escalation' AND n.case_id = ANY($1)""",
                        case_ids,
                    )
                    cases = {r["case_id"] for r in sent}
                    done = len(fired) >= 2 * STORM and len(cases) == STORM
                    return done and all(r["status"] == "sent" for r in sent) and (fired, sent)

                fired, escalations = await eventually(all_fired, timeout=180, interval=1)
            finally:
                await conn.close()
            print(
                f"the last of {len(fired)} terms escalated "
                f"{(max(r['at'] for r in fired) - moment).total_seconds():.1f} s after they passed"
            )
    finally:
        for process in workers:
            stop_process(process)
        with contextlib.suppress(Exception):  # no worker polls this queue after the test
            for case_id in case_ids:
                await app.state.temporal.get_workflow_handle(case_workflow_id(case_id)).terminate(
                    "the test's own task queue has no worker any more"
                )
    # fired once: the escalation of each term on each case's timeline
    per_case = {case_id: 0 for case_id in case_ids}
    for r in fired:
        per_case[r["case_id"]] += 1
    assert set(per_case.values()) == {2}, per_case
    # and delivered: each partner's receiver took every one in, none under two ids
    taken = [str(m[MAIL_KEY_HEADER]).strip() for m in mail.accepted.values()]
    taken += list(hooks.accepted)
    for r in escalations:
        known_by = event_id(r["delivery"]) if r["channel"] == "webhook" else r["delivery"]
        assert taken.count(known_by) == 1, r["delivery"]


async def test_an_api_process_killed_mid_commands_loses_none_and_does_none_twice(
    settings, worker, workdir, mail, hooks
):
    """Two API processes accepting on one socket; one is killed while clients' meldingen and
    steps are in flight. A client that lost its answer (connection reset, 503) sends the
    request again with the same Idempotency-Key and gets the first answer."""
    port = free_port()
    listener = shared_listener("127.0.0.1", port)
    env = worker_env(settings.model_copy(update={"api_port": port}))
    logs = [workdir / f"replica-api-{i}.log" for i in (1, 2)]
    apis = [spawn("api", env, log, listener) for log in logs]
    run = uuid.uuid4().hex[:6]
    token = mint_token(settings, org="vt-haaglanden", role="coordinator")
    retried = 0

    async def send(http: httpx.AsyncClient, url: str, body: dict, key: str) -> httpx.Response:
        """As a careful client: the same key on every try, again on no answer, a 503 or a
        409 that says the first try still runs."""
        nonlocal retried
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                r = await http.post(url, json=body, headers={"Idempotency-Key": key})
                if r.status_code != 503 and not (
                    r.status_code == 409 and "Retry-After" in r.headers
                ):
                    return r
            except httpx.TransportError:
                pass
            retried += 1
            await asyncio.sleep(0.3)
        raise AssertionError(f"no answer to {url} within 120 s")

    answers: dict[int, tuple[httpx.Response, httpx.Response]] = {}

    async def serving() -> int:
        """The process that has taken clients' work first: the one to kill (which process
        the kernel hands a connection to is its choice)."""
        while True:
            for i, log in enumerate(logs):
                if "uvicorn.access" in log.read_text(errors="replace"):
                    return i
            await asyncio.sleep(0.05)

    async def client(i: int, http: httpx.AsyncClient) -> None:
        body = melding(summary=f"replica {run} {i}")
        opened = await send(http, "/v1/meldingen", body, f"{run}-melding-{i}")
        assert opened.status_code == 201, opened.text
        case_id = opened.json()["case_id"]
        url = f"/v1/cases/{case_id}/safety-assessment"
        assessed = await send(
            http, url, {"acute": False, "structural": True}, f"{run}-assessment-{i}"
        )
        assert assessed.status_code == 200, assessed.text
        answers[i] = (opened, assessed)

    try:
        await asyncio.gather(*(wait_for_log(log, "Application startup complete") for log in logs))
        # a connection of its own per client, so the kernel spreads them over both processes
        async with contextlib.AsyncExitStack() as stack:
            https = [
                await stack.enter_async_context(
                    httpx.AsyncClient(
                        base_url=f"http://127.0.0.1:{port}",
                        headers={"authorization": f"Bearer {token}"},
                        timeout=60,
                    )
                )
                for _ in range(16)
            ]
            clients = asyncio.gather(*(client(i, http) for i, http in enumerate(https)))
            victim = await asyncio.wait_for(serving(), 60)
            kill(apis[victim])
            await clients

        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            headers={"authorization": f"Bearer {token}"},
            timeout=60,
        ) as http:
            for i, (opened, assessed) in answers.items():  # asked again: the first answer
                case_id = opened.json()["case_id"]
                again = await send(
                    http,
                    "/v1/meldingen",
                    melding(summary=f"replica {run} {i}"),
                    f"{run}-melding-{i}",
                )
                assert again.json() == opened.json()
                url = f"/v1/cases/{case_id}/safety-assessment"
                body = {"acute": False, "structural": True}
                again = await send(http, url, body, f"{run}-assessment-{i}")
                # the step's outcome as first answered; the case around it moved on (its
                # deadlines, updated_at), so the whole view is not repeated
                assert again.status_code == 200
                assert decided(again.json()) == decided(assessed.json())
                kinds = [
                    e["kind"] for e in (await http.get(f"/v1/cases/{case_id}")).json()["timeline"]
                ]
                assert kinds.count("safety_assessed") == 1, kinds
    finally:
        for process in apis:
            stop_process(process)
        listener.close()
    assert len(answers) == 16
    conn = await asyncpg.connect(settings.database_url)
    try:  # one case per melding, however often it was sent
        counts = await conn.fetch(
            "SELECT summary, count(*) AS n FROM case_files WHERE summary LIKE $1 GROUP BY summary",
            f"replica {run} %",
        )
    finally:
        await conn.close()
    assert sorted(r["n"] for r in counts) == [1] * 16
    assert retried > 0, "no request was cut off by the kill: the test proves nothing"
