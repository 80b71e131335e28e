"""The ketenregie worker: case, huisverbod, path, notify and retention workflows plus their
activities; the regions' dispatchers in a process of their own beside it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleSpec,
)
from temporalio.worker import Interceptor, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.channels import Sender
from activities.corv import CorvActivities
from activities.destruction import RetentionActivities
from activities.notifications import NotificationActivities
from activities.read_model import ReadModelActivities
from activities.reconcile import ReconcileActivities
from activities.zaaksysteem import ZaaksysteemFiler, check_catalogues
from domain import documents
from domain.catalogue import CATALOGUE, Catalogue
from domain.ids import dispatch_queue
from domain.workdays import preload_calendar
from infra import heap, telemetry
from infra.case_keys import PostgresKeyStore
from infra.client import connect, metrics_runtime
from infra.settings import Settings
from store.db import create_pool
from workflows.advice import AdviceWorkflow
from workflows.case import CaseWorkflow
from workflows.dispatch import DispatchWorkflow
from workflows.given import Procedures, ProceduresInterceptor
from workflows.notify import NotifyWorkflow
from workflows.registry import RELEASE
from workflows.retention import (
    RECONCILE_SCHEDULE_ID,
    RETENTION_SCHEDULE_ID,
    ReconcileWorkflow,
    RetentionWorkflow,
)


def workflows(procedures: Procedures = RELEASE) -> list[type]:
    """The case, every procedure of the catalogue (the huisverbod among them), advice
    questions, the regions' dispatchers that an older release started on this queue (and the
    notify workflows of older cases) and retention."""
    return [
        CaseWorkflow,
        *procedures.workflows.values(),
        AdviceWorkflow,
        DispatchWorkflow,
        NotifyWorkflow,
        RetentionWorkflow,
        ReconcileWorkflow,
    ]


# Every module is loaded once, outside the sandbox, and shared by the workflows: re-importing
# the workflow modules (and the registry's procedures) for each workflow brought into memory
# cost about 80 ms of CPU per workflow, most of a reminder in the 09:00 storm, where most
# firings replay a workflow that left the cache. No workflow module keeps state of its own
# (constants and the import-time registries only), and the sandbox still refuses what is not
# deterministic (the clock, randomness, I/O) at run time.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_all_modules()
)


def sender(
    settings: Settings, pool: asyncpg.Pool | None = None, catalogue: Catalogue = CATALOGUE
) -> Sender:
    """The channels; with a pool, also the municipalities' zaaksystemen (ZGW)."""
    filer = None
    if pool is not None:
        filer = ZaaksysteemFiler(
            pool, settings.chain, settings.zgw_secret, settings.policy.huisverbod
        ).file
    return Sender(
        smtp_host=settings.smtp_host,
        smtp_port=settings.smtp_port,
        mail_from=settings.mail_from,
        webhook_secret=settings.webhook_secret,
        event_source=settings.event_source,
        public_url=settings.api_url,
        catalogue=catalogue,
        zaaksysteem=filer,
    )


def build_worker(
    client: Client,
    pool: asyncpg.Pool,
    settings: Settings,
    case_keys: PostgresKeyStore,
    interceptors: Sequence[Interceptor] = (),
    procedures: Procedures = RELEASE,
) -> Worker:
    """The worker of `settings`' task queue for `procedures` (the release's unless a test
    gives its own): its workflows are given them, never a module's table."""
    preload_calendar()
    documents.preload()  # the written orders the zaaksysteem files
    telemetry.setup(settings, "worker")  # the tracing plugin needs its replay-safe provider
    read_model = ReadModelActivities(pool)
    catalogue = procedures.catalogue
    notifications = NotificationActivities(
        pool, settings.chain, sender(settings, pool, catalogue), catalogue
    )
    retention = RetentionActivities(pool, client, case_keys)
    corv = CorvActivities(pool, settings.chain, settings.corv_endpoint)
    reconcile = ReconcileActivities(pool, client, catalogue)
    return Worker(
        client,
        task_queue=settings.task_queue,
        workflows=workflows(procedures),
        workflow_runner=WORKFLOW_RUNNER,
        activities=[
            read_model.upsert_case,
            read_model.upsert_huisverbod,
            read_model.upsert_path,
            read_model.upsert_advice,
            corv.send_verzoek_tot_onderzoek,
            notifications.enqueue,
            notifications.enqueue_projected,
            notifications.deliver_due,
            notifications.plan_notice,
            notifications.deliver,
            notifications.fail_delivery,
            retention.destroy_expired,
            reconcile.reconcile,
        ],
        interceptors=[*interceptors, ProceduresInterceptor(procedures)],
        max_cached_workflows=settings.worker_cached_workflows,
        max_concurrent_workflow_tasks=settings.worker_workflow_tasks,
        max_concurrent_workflow_task_polls=settings.worker_workflow_pollers,
    )


def build_dispatch_worker(
    client: Client,
    pool: asyncpg.Pool,
    settings: Settings,
    interceptors: Sequence[Interceptor] = (),
    catalogue: Catalogue = CATALOGUE,
) -> Worker:
    """The regions' dispatchers on their own task queue: their workflow tasks and delivery
    rounds never wait behind the procedures' firings (in the 09:00 storm they waited inside a
    saturated worker past their timeout, and delivery lagged the outbox by a minute)."""
    documents.preload()  # the written orders the zaaksysteem files
    notifications = NotificationActivities(
        pool, settings.chain, sender(settings, pool, catalogue), catalogue
    )
    return Worker(
        client,
        task_queue=dispatch_queue(settings.task_queue),
        workflows=[DispatchWorkflow],
        workflow_runner=WORKFLOW_RUNNER,
        activities=[notifications.deliver_due],
        interceptors=interceptors,
        max_concurrent_workflow_task_polls=2,
    )


async def ensure_daily_schedules(client: Client, task_queue: str, retention_days: int) -> None:
    """Daily runs of retention and reconciliation; created once, left as they are."""
    for schedule_id, action in (
        (
            RETENTION_SCHEDULE_ID,
            ScheduleActionStartWorkflow(
                RetentionWorkflow.run,
                retention_days,
                id=RETENTION_SCHEDULE_ID,
                task_queue=task_queue,
            ),
        ),
        (
            RECONCILE_SCHEDULE_ID,
            ScheduleActionStartWorkflow(
                ReconcileWorkflow.run, id=RECONCILE_SCHEDULE_ID, task_queue=task_queue
            ),
        ),
    ):
        daily = ScheduleSpec(intervals=[ScheduleIntervalSpec(every=timedelta(days=1))])
        with contextlib.suppress(ScheduleAlreadyRunningError):
            await client.create_schedule(schedule_id, Schedule(action=action, spec=daily))


# how often the worker reads the mayor's offices' zaaksysteem catalogues again
CATALOGUE_CHECK_EVERY = timedelta(hours=6)
log = logging.getLogger(__name__)


async def check_catalogues_now_and_then(pool: asyncpg.Pool, settings: Settings) -> None:
    """The catalogue check of `ketenregie zgw check`, at start-up and every six hours, kept
    for /healthz and the inbox. Not a workflow: it only reads and replaces its last result,
    so a run lost with the process costs nothing, and every worker may run it."""
    while True:
        try:
            await check_catalogues(pool, settings.chain, settings.zgw_secret)
        except Exception:  # the worker's work goes on; the next round tries again
            log.exception("catalogue check failed")
        await asyncio.sleep(CATALOGUE_CHECK_EVERY.total_seconds())


async def serve(settings: Settings, interceptors: Sequence[Interceptor] = ()) -> None:
    """Run the worker process (`ketenregie worker`) until SIGINT or SIGTERM, with the
    dispatchers' worker as a process of its own beside it: one process's event loop, busy
    with a storm of firings, would starve them as before."""
    dispatchers = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ketenregie.cli", "dispatcher", "--parent", str(os.getpid())
    )
    try:
        await _serve(settings, interceptors)
    finally:
        dispatchers.terminate()
        await dispatchers.wait()


async def serve_dispatchers(settings: Settings, parent: int | None = None) -> None:
    """Run the dispatchers' worker (`ketenregie dispatcher`) until SIGINT or SIGTERM, or
    until `parent` (the worker that started it) is gone, even killed."""
    await _serve(settings, (), dispatch_beside=parent or 0)


async def _serve(
    settings: Settings, interceptors: Sequence[Interceptor], dispatch_beside: int | None = None
) -> None:
    """A worker process; with `dispatch_beside`, the dispatchers' (beside that worker's pid)."""
    dispatch = dispatch_beside is not None
    telemetry.setup(settings, "worker")
    pool = await create_pool(settings.database_url)
    # the codec's keys come from a pool of their own, never held by an activity
    case_keys = PostgresKeyStore(
        await create_pool(settings.database_url, max_size=4), settings.keyring
    )
    runtime = None
    metrics = settings.dispatcher_metrics_address if dispatch else settings.worker_metrics_address
    if metrics:
        runtime = metrics_runtime(metrics)
    client = await connect(settings, case_keys, runtime)
    if dispatch:
        w = build_dispatch_worker(client, pool, settings)
    else:
        await ensure_daily_schedules(client, settings.task_queue, settings.retention_days)
        w = build_worker(client, pool, settings, case_keys, interceptors)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(w.shutdown()))
    if dispatch:
        checks = asyncio.create_task(_until_gone(dispatch_beside, w))
    else:
        checks = asyncio.create_task(check_catalogues_now_and_then(pool, settings))
    heap.settle()
    try:
        await w.run()
    finally:
        checks.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checks
    await pool.close()


async def _until_gone(parent: int, w: Worker) -> None:
    """Shut `w` down once process `parent` is gone (0: never)."""
    while not parent or os.getppid() == parent:
        await asyncio.sleep(2)
    await w.shutdown()
