"""The region's notification dispatcher: one long-running workflow per region delivers what
the procedures put in the outbox.

Each wake (a signal when notices are queued, or the moment the next retry is due) runs
rounds of `deliver_due` until nothing more is due; with nothing waiting it costs nothing.
Retries, backoff and escalation are the outbox's (`activities.notifications`), so a partner
that is down costs its own rows a later attempt and nobody else a wait. Continues as new after a number of rounds, so its history
stays short however long it runs, on the dispatchers' own task queue (`domain.ids.dispatch_queue`):
a dispatcher started on the procedures' queue by an older release moves there with it.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.notifications import HEARTBEAT, NotificationActivities
    from domain.ids import DISPATCH_WAKE, dispatch_queue
    from domain.models import DispatchInput
    from workflows.options import DURABLE

ROUNDS_PER_RUN = 500


@workflow.defn
class DispatchWorkflow:
    def __init__(self) -> None:
        self._woken = False

    @workflow.signal(name=DISPATCH_WAKE)
    def wake(self) -> None:
        self._woken = True

    @workflow.run
    async def run(self, job: DispatchInput) -> None:
        for _ in range(ROUNDS_PER_RUN):
            self._woken = False
            done = await workflow.execute_activity_method(
                NotificationActivities.deliver_due,
                job,
                # a round sends its batch side by side, each within the delivery timeout
                start_to_close_timeout=job.delivery.timeout * 3,
                heartbeat_timeout=HEARTBEAT,
                retry_policy=DURABLE["retry_policy"],
            )
            if done.more:
                continue
            wait = None  # nothing waits: sleep until notices are queued (no idle rounds)
            if done.next_at is not None:
                wait = max(done.next_at - workflow.now(), timedelta(seconds=1))
            try:
                await workflow.wait_condition(lambda: self._woken, timeout=wait)
            except TimeoutError:
                pass
        workflow.continue_as_new(job, task_queue=dispatch_queue(workflow.info().task_queue))
