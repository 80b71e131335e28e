"""The ketenregie worker: case, huisverbod, path, notify and retention workflows plus their
activities."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
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
from domain.workdays import preload_calendar
from infra import telemetry
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
    questions, the regions' dispatchers (and the notify workflows of older cases) and
    retention."""
    return [
        CaseWorkflow,
        *procedures.workflows.values(),
        AdviceWorkflow,
        DispatchWorkflow,
        NotifyWorkflow,
        RetentionWorkflow,
        ReconcileWorkflow,
    ]


# The holiday calendar is deterministic data; load it once, outside the sandbox.
WORKFLOW_RUNNER = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("holidays", "dateutil")
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
    """Run the worker process (`ketenregie worker`) until SIGINT or SIGTERM."""
    telemetry.setup(settings, "worker")
    pool = await create_pool(settings.database_url)
    # the codec's keys come from a pool of their own, never held by an activity
    case_keys = PostgresKeyStore(
        await create_pool(settings.database_url, max_size=4), settings.keyring
    )
    runtime = None
    if settings.worker_metrics_address:
        runtime = metrics_runtime(settings.worker_metrics_address)
    client = await connect(settings, case_keys, runtime)
    await ensure_daily_schedules(client, settings.task_queue, settings.retention_days)
    w = build_worker(client, pool, settings, case_keys, interceptors)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(w.shutdown()))
    checks = asyncio.create_task(check_catalogues_now_and_then(pool, settings))
    try:
        await w.run()
    finally:
        checks.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await checks
    await pool.close()
