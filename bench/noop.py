"""A raw workflow with a given number of no-op activities and timers: the bench's baseline."""

from datetime import timedelta

from temporalio import activity, workflow


@activity.defn
async def noop() -> None:
    return None


@workflow.defn
class NoopChild:
    @workflow.run
    async def run(self, activities: int) -> None:
        for _ in range(activities):
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))


@workflow.defn
class NoopFlow:
    """`activities` activities and `timers` timers of `timer_seconds` each, interleaved, and
    `children` abandoned child workflows sharing `child_activities` activities."""

    @workflow.run
    async def run(self, shape: list) -> None:
        activities, timers, timer_seconds, children, child_activities = shape
        for c in range(children):
            await workflow.start_child_workflow(
                NoopChild.run,
                child_activities // children + (c < child_activities % children),
                id=f"{workflow.info().workflow_id}-{c}",
                parent_close_policy=workflow.ParentClosePolicy.ABANDON,
            )
        for i in range(max(activities, timers)):
            if i < activities:
                await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))
            if i < timers:
                await workflow.sleep(timer_seconds)
