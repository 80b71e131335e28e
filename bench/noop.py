"""Raw workflows of a case+huisverbod flow's shape with no-op activities: the bench's baselines.

`NoopFlow` is the shape before the lean notices (a workflow per notice, regular activities);
`LeanNoopFlow` is the lean one (local activities, a region's shared dispatcher woken by
signal-with-start, delivering in rounds). `StormSleeper` is a reminder's raw shape: sleep to
a moment, then one local activity."""

import time
from datetime import datetime, timedelta

from temporalio import activity, workflow

DISPATCHER_ID = "noop-dispatcher"
ROUNDS_BEFORE_NEW_RUN = 500


@activity.defn
async def noop() -> None:
    return None


@activity.defn
async def noop_enqueue(task_queue: str) -> None:
    """Like the lean `enqueue`: nothing to write, then wake the shared dispatcher."""
    await activity.client().start_workflow(
        NoopDispatcher.run,
        0,
        id=DISPATCHER_ID,
        task_queue=task_queue,
        start_signal="wake",
    )


@activity.defn
async def stamp() -> float:
    """The wall-clock time the activity ran (a reminder's outbox row has its own)."""
    return time.time()


@workflow.defn
class StormSleeper:
    """Sleeps until `due`, then runs one local activity; answers how late that ran (s)."""

    @workflow.run
    async def run(self, due: str) -> float:
        moment = datetime.fromisoformat(due)
        await workflow.sleep(max(moment - workflow.now(), timedelta(milliseconds=1)))
        ran = await workflow.execute_local_activity(
            stamp, start_to_close_timeout=timedelta(seconds=30)
        )
        return ran - moment.timestamp()


@workflow.defn
class NoopChild:
    @workflow.run
    async def run(self, activities: int) -> None:
        for _ in range(activities):
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))


async def start_children(count: int, activities: int) -> None:
    """`count` abandoned children of the running workflow, sharing `activities` activities."""
    for c in range(count):
        await workflow.start_child_workflow(
            NoopChild.run,
            activities // count + (c < activities % count),
            id=f"{workflow.info().workflow_id}-{c}",
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
        )


@workflow.defn
class NoopDispatcher:
    """One no-op activity per round; a round serves every wake since the last one."""

    def __init__(self) -> None:
        self._woken = False

    @workflow.signal
    def wake(self) -> None:
        self._woken = True

    @workflow.run
    async def run(self, rounds: int) -> None:
        while rounds < ROUNDS_BEFORE_NEW_RUN:
            await workflow.wait_condition(lambda: self._woken)
            self._woken = False
            await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))
            rounds += 1
        workflow.continue_as_new(0)


@workflow.defn
class NoopFlow:
    """`activities` activities and `timers` timers of `timer_seconds` each, interleaved, and
    `children` abandoned child workflows sharing `child_activities` activities."""

    @workflow.run
    async def run(self, shape: list) -> None:
        activities, timers, timer_seconds, children, child_activities = shape
        await start_children(children, child_activities)
        for i in range(max(activities, timers)):
            if i < activities:
                await workflow.execute_activity(noop, start_to_close_timeout=timedelta(seconds=30))
            if i < timers:
                await workflow.sleep(timer_seconds)


@workflow.defn
class LeanNoopFlow:
    """`local` local activities, `enqueues` of them waking the shared dispatcher, `timers`
    timers of `timer_seconds` each, interleaved, and `children` abandoned children without
    activities (the huisverbod, a path)."""

    @workflow.run
    async def run(self, shape: list) -> None:
        local, enqueues, timers, timer_seconds, children = shape
        await start_children(children, 0)
        every = timedelta(seconds=30)
        for i in range(max(local, timers)):
            if i < enqueues:
                await workflow.execute_local_activity(
                    noop_enqueue, workflow.info().task_queue, start_to_close_timeout=every
                )
            elif i < local:
                await workflow.execute_local_activity(noop, start_to_close_timeout=every)
            if i < timers:
                await workflow.sleep(timer_seconds)
