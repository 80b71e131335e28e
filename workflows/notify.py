"""Telling partners about one notice: plan its deliveries, deliver each, escalate failures.

A child workflow per notice, for the cases that started before the region's dispatcher
(`workflows.dispatch`) took over; kept until none of them runs. A partner that is down for an
hour delays nobody's case.
Each delivery is retried with backoff (the delivery policy); when the tries run out it is
marked failed, the regional coordinator is told, and the case timeline shows it.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.notifications import NotificationActivities
    from domain.ids import NOTIFICATION_FAILED, case_workflow_id
    from domain.models import FailedDelivery, Notice, NotifyInput, PlannedDelivery
    from domain.notifications import undelivered
    from workflows.given import procedures
    from workflows.options import DURABLE


@workflow.defn
class NotifyWorkflow:
    @workflow.run
    async def run(self, inp: NotifyInput) -> list[PlannedDelivery]:
        outcomes = await self._notify(inp, inp.notice)
        failed = [o for o in outcomes if o.status == "failed"]
        if failed and inp.notice.kind != "escalation":
            missed = [(o.partner_id, o.audience) for o in failed]
            catalogue = procedures().catalogue
            escalation = undelivered(catalogue, inp.notice, missed, workflow.now())
            outcomes += await self._notify(inp, escalation)
            await self._tell_case(inp.notice.case_id, escalation.detail)
        return outcomes

    async def _notify(self, inp: NotifyInput, notice: Notice) -> list[PlannedDelivery]:
        planned = await workflow.execute_activity_method(
            NotificationActivities.plan_notice, notice, **DURABLE
        )
        return list(await asyncio.gather(*(self._deliver(inp, p) for p in planned)))

    async def _deliver(self, inp: NotifyInput, p: PlannedDelivery) -> PlannedDelivery:
        if p.status in ("sent", "failed"):
            return p
        policy = inp.delivery
        try:
            await workflow.execute_activity_method(
                NotificationActivities.deliver,
                p.key,
                start_to_close_timeout=policy.timeout,
                retry_policy=RetryPolicy(
                    initial_interval=policy.first_retry,
                    maximum_interval=policy.max_retry,
                    maximum_attempts=policy.attempts,
                    non_retryable_error_types=["PermanentDeliveryError"],
                ),
            )
        except ActivityError as e:
            error = str(e.cause) if e.cause else str(e)
            await workflow.execute_activity_method(
                NotificationActivities.fail_delivery,
                FailedDelivery(key=p.key, error=error),
                **DURABLE,
            )
            return p.model_copy(update={"status": "failed", "error": error})
        return p.model_copy(update={"status": "sent"})

    async def _tell_case(self, case_id: str, detail: str) -> None:
        """Put the failure on the case timeline; a case closed meanwhile has the outbox row."""
        case = workflow.get_external_workflow_handle(case_workflow_id(case_id))
        try:
            await case.signal(NOTIFICATION_FAILED, detail)
        except Exception:  # noqa: BLE001 - the case may have ended; the outbox still shows it
            workflow.logger.info("case workflow not running; failure recorded in the outbox only")
