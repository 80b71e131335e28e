"""Daily: destroy the files whose retention period has passed (started by a Temporal schedule)."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.destruction import RetentionActivities
    from workflows.options import DURABLE

RETENTION_SCHEDULE_ID = "ketenregie-retention"


@workflow.defn
class RetentionWorkflow:
    @workflow.run
    async def run(self, retention_days: int) -> int:
        cutoff = workflow.now() - timedelta(days=retention_days)
        return await workflow.execute_activity_method(
            RetentionActivities.destroy_expired, cutoff, **DURABLE
        )
