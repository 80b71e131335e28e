"""Workflows under Temporal's time-skipping test server, with in-memory activities.

One server for the session, a task queue and a read model per test. The server's clock is
shared and only moves forward, so a test reckons from `env.get_current_time()`; a test that
needs a fixed date takes a server of its own:
`@pytest.mark.parametrize("env", ["own clock"], indirect=True)`.
"""

from __future__ import annotations

import contextlib
import uuid

import pytest
import pytest_asyncio
from temporalio import workflow
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    ExecuteWorkflowInput,
    Interceptor,
    Replayer,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
)

from domain.ids import dispatch_workflow_id
from testing import FakeReadModel, converter_with_test_keys, eventually, fake_worker, time_skipping
from workers.main import WORKFLOW_RUNNER, workflows


class _Ran(Interceptor):
    """Notes the id of every workflow the test's worker runs, children included."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor]:
        ids = self.ids

        class Noting(WorkflowInboundInterceptor):
            async def execute_workflow(self, input: ExecuteWorkflowInput):
                ids.add(workflow.info().workflow_id)
                return await super().execute_workflow(input)

        return Noting


class _Shared:
    """The session's server; replaced after a failed test, whose workflows could have left
    its clock stuck for every test after it."""

    def __init__(self) -> None:
        self.stack = contextlib.AsyncExitStack()
        self.env: WorkflowEnvironment | None = None

    async def get(self) -> WorkflowEnvironment:
        if self.env is None:
            self.env = await self.stack.enter_async_context(
                time_skipping(converter_with_test_keys())
            )
        return self.env

    async def close(self) -> None:
        await self.stack.aclose()
        self.env = None


@pytest_asyncio.fixture(scope="session")
async def shared():
    servers = _Shared()
    yield servers
    await servers.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


FAILED = pytest.StashKey[bool]()


@pytest_asyncio.fixture
async def env(request, shared):
    if getattr(request, "param", None) == "own clock":
        async with time_skipping(converter_with_test_keys()) as own:
            yield own
        return
    yield await shared.get()
    if request.node.stash.get(FAILED, False):
        await shared.close()


@pytest.fixture
def read_model() -> FakeReadModel:
    return FakeReadModel()


@pytest_asyncio.fixture
async def worker(request, env, read_model):
    """Workers on a task queue of the test's own and its dispatchers' queue (with the
    interceptors a test passes as the fixture's param). Once they have stopped (so that no
    activity starts anything more), what still runs is terminated, the test's dispatchers too
    (one started as the workers stopped never ran, yet its first task would hold the shared
    clock). Terminating a workflow while its task is being worked on leaves the time-skipping
    server's clock locked. Then every history the test made is replayed: a worker that
    restarts (or evicts a workflow from its cache) replays it just so."""
    task_queue = f"tq-{uuid.uuid4()}"
    ran = _Ran()
    interceptors = [ran, *getattr(request, "param", ())]

    async def terminate_what_runs():
        regions = {n.region for n in read_model.notices.values()}
        for workflow_id in ran.ids | {dispatch_workflow_id(task_queue, r) for r in regions}:
            with contextlib.suppress(RPCError):  # it has ended, or never started
                await env.client.get_workflow_handle(workflow_id).terminate("the test is over")

    async with fake_worker(env.client, task_queue, read_model, interceptors=interceptors):
        yield task_queue
        # nothing in flight when the workers stop: a task or activity cut off by their stop
        # and then terminated would hold the time-skipping server's clock
        await eventually(lambda: _all_settled(env, set(ran.ids)))
    await terminate_what_runs()
    histories = [await env.client.get_workflow_handle(w).fetch_history() for w in ran.ids]
    replayer = Replayer(
        workflows=workflows(),
        workflow_runner=WORKFLOW_RUNNER,
        data_converter=env.client.data_converter,
    )
    failed = {}
    for history in histories:
        replayed = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        if replayed.replay_failure is not None:
            failed[history.workflow_id] = replayed.replay_failure
    assert failed == {}


_OPENED = {
    "workflow_task_scheduled_event_attributes": "wft",
    "activity_task_scheduled_event_attributes": "activity",
}
_CLOSED = {
    "workflow_task_completed_event_attributes",
    "workflow_task_failed_event_attributes",
    "workflow_task_timed_out_event_attributes",
    "activity_task_completed_event_attributes",
    "activity_task_failed_event_attributes",
    "activity_task_timed_out_event_attributes",
    "activity_task_canceled_event_attributes",
}


async def _all_settled(env, workflow_ids: set[str]) -> bool:
    """No workflow task or activity of these workflows is scheduled or running."""
    for workflow_id in workflow_ids:
        history = await env.client.get_workflow_handle(workflow_id).fetch_history()
        open_ = 0
        for e in history.events:
            kind = e.WhichOneof("attributes")
            open_ += (kind in _OPENED) - (kind in _CLOSED)
        if open_ > 0:
            return False
    return True
