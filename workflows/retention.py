"""Daily, started by Temporal schedules: destroy the files whose retention period has passed;
reconcile the read model with the workflows."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.destruction import RetentionActivities
    from activities.reconcile import ReconcileActivities, ReconcileReport
    from workflows.options import DURABLE

RETENTION_SCHEDULE_ID = "ketenregie-retention"
RECONCILE_SCHEDULE_ID = "ketenregie-reconcile"


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, retention_days: int) -> int:
        cutoff = workflow.now() - timedelta(days=retention_days)
        return await workflow.execute_activity_method(
            RetentionActivities.destroy_expired, cutoff, **DURABLE
        )


@workflow.defn
class ReconcileWorkflow:
    @workflow.run
    async def run(self) -> ReconcileReport:
        return await workflow.execute_activity_method(
            ReconcileActivities.reconcile, True, **DURABLE
        )
