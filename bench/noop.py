"""A raw workflow with a given number of no-op activities and timers: the bench's baseline."""

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn
async def noop() -> None:
    return None


@workflow.defn
class NoopFlow:
    """`activities` activities and `timers` timers of `timer_seconds` each, interleaved."""

    @workflow.run
    async def run(self, shape: list) -> None:
        activities, timers, timer_seconds = shape
        for i in range(max(activities, timers)):
            if i < activities:
                await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))
            if i < timers:
                await workflow.sleep(timer_seconds)
