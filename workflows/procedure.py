"""The one base of every long-running procedure: the case, the huisverbod and each path.

It runs the loop over the procedure's `DeadlineBook` (reminders before, escalation after),
records timeline events, puts notices in the outbox for the region's dispatcher, projects the
state to the read model and reports what happened to the parent case. A subclass sets its
state and calls `_begin`, then awaits `_run_until_done`; it overrides only the hooks. One that
runs for years bounds its history with `_pause` and `_carry` (continue-as-new).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar, get_args

from temporalio import workflow
from temporalio.common import WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel

    from activities.notifications import NotificationActivities, ProjectedNotices
    from activities.read_model import ReadModelActivities
    from domain.access import Action, org_name
    from domain.ids import notice_workflow_id
    from domain.models import Notice, NoticeBatch, NotifyInput, TimelineEvent
    from domain.policy import DeliveryPolicy, Terms
    from domain.procedure import PATH_CHANGED, PathChange, PathInput, PathRecord, PathState
    from workflows.deadlines import DeadlineBook, Firing
    from workflows.errors import check_time, conflict, permitted
    from workflows.notify import NotifyWorkflow
    from workflows.options import COORDINATOR, DURABLE, LOCAL
    from workflows.patches import AT_START, LEAN, ONE_WRITE, REMINDERS_WAIT, WAKE_KEPT

T = TypeVar("T")
Projection = tuple[Callable[[Any, Any], Any], BaseModel]  # (the read model's write, the state)
PUBLISHES_PER_TASK = 1000  # far above what one workflow task publishes
# how long changes that may wait (a path's reminders, on its case) wait for the next write at
# the latest: the 09:00 storm's firings are over by then, and a case page shows them after it
QUIET_LAG = timedelta(minutes=5)


class ProcedureWorkflow:
    """Base of the procedure workflows. `_s` is the state: it has `timeline`, `deadlines`
    and `version`. Every update that takes a command checks its actor first in its validator
    (`_permitted`): the act's permission, `_act` unless the update names another."""

    _s: Any
    _act: Action = "case.step"  # the permission of this procedure's commands

    def _begin(self, *, source: str, case_id: str, region: str, delivery: DeliveryPolicy) -> None:
        self._source = source  # names this procedure on events, deadlines and notices
        self._case_id, self._region, self._delivery = case_id, region, delivery
        # asked before any command of the run, so a replay asks it in the same task
        self._current = workflow.patched(AT_START)
        self._one_write = workflow.patched(ONE_WRITE)
        self._reminders_wait = workflow.info().parent is not None and workflow.patched(
            REMINDERS_WAIT
        )
        self._held: list[TimelineEvent] = []  # reminders the parent has not been told of
        self._reported: BaseModel | None = None  # the last report to the parent, its events out
        self._quiet_until: datetime | None = None  # the latest write of changes that may wait
        self._wake_at: datetime | None = None  # when the loop's wait ends at the latest
        self._book = DeadlineBook(self._s.deadlines, source=source, current=self._current)
        self._unsent: list[TimelineEvent] = []
        self._woken = False
        self._published = 0  # the version last written to the read model by this run
        self._run_base: int | None = None  # the state's version when this run first published

    async def _run_until_done(self) -> None:
        """Fire reminders and escalations until the procedure is done; then let running
        handlers finish. When `_pause` says so first, go on as a new run with what `_carry`
        hands on."""
        while not self._done() and not self._pause():
            # A handler that changes the state while this loop awaits a write wakes it: the
            # wake is cleared before the state is read, never after (runs from before the
            # patch cleared it late, and lost a moment that was already due by then).
            kept = self._current or workflow.patched(WAKE_KEPT)
            if kept:
                self._woken = False
            now = workflow.now()
            fired, changed = self._due(now)
            changed = changed or (self._quiet_until is not None and now >= self._quiet_until)
            for firing in fired:
                self._event(now, *firing_event(firing, now))
            notices = self._deadline_notices(fired)
            if notices and not self._one_write:
                await send(notices, self._delivery)
            if fired or changed:
                await self._publish(notices if self._one_write else [])
                await self._after_due()
            if self._done():
                break
            if not kept:
                self._woken = False
            wait = self._book.next_wake(now, *self._moments(), self._quiet_until)
            self._wake_at = None if wait is None else now + wait
            try:
                await workflow.wait_condition(lambda: self._woken or self._pause(), timeout=wait)
            except TimeoutError:
                pass
        await workflow.wait_condition(workflow.all_handlers_finished)
        if self._quiet_until is not None:  # the next run starts without a write
            await self._publish()
        if self._held:  # the parent hears of them before this run ends
            await self._tell_parent([], held_back=False)
        if not self._done():
            # the next run numbers on from above any write of a lost attempt of this task
            self._s.version = self._next_version()
            workflow.continue_as_new(self._carry())

    @workflow.update
    async def projected(self) -> int:
        """Answers once this run's state is in the read model: a command that starts a
        procedure returns when the procedure can be read."""
        await workflow.wait_condition(lambda: self._published > 0)
        return self._published

    @workflow.update
    async def republish(self) -> int:
        """Write the state to the read model again (reconciliation found its row missing)."""
        await self._publish()
        return self._published

    # --- hooks ---

    def _done(self) -> bool:
        return self._s.status == "closed"

    def _due(self, now: datetime) -> tuple[list[Firing], bool]:
        """What time brought: the deadlines that fire, and whether the state changed."""
        return self._book.fire(now), False

    async def _after_due(self) -> None:
        """What follows a change that time brought, once it is published."""

    def _deadline_notices(self, fired: list[Firing]) -> list[Notice]:
        """Whom the deadlines that fired are told of: a reminder to the team responsible, an
        escalation to the coordinator."""
        return [deadline_notice(f, self._case_id, self._region) for f in fired]

    def _moments(self) -> list[datetime | None]:
        """Further moments to wake at, besides the deadlines."""
        return []

    def _pause(self) -> bool:
        """True when the run should end without finishing (continue-as-new)."""
        return False

    def _carry(self) -> BaseModel:
        """The next run's input when `_pause` ended this one."""
        raise NotImplementedError

    def _projection(self) -> Projection:
        """(the read model's write, the state it writes): an idempotent, versioned upsert."""
        raise NotImplementedError

    def _report(self, events: list[TimelineEvent]) -> tuple[str, BaseModel]:
        """(signal name, payload) that tells the parent case of `events`."""
        raise NotImplementedError

    def _notice_key(self, kind: str, subject: str, at: datetime) -> str:
        return f"{self._source}:{subject}:{at.isoformat()}"

    # --- for validators and handlers ---

    def _permitted(self, cmd: Any, action: Action | None = None) -> None:
        """A validator's first check: the command's actor holds the act's permission. A
        command without an actor is refused (deny by default): the API sets it from the
        signed-in principal, so only a command that bypassed the API lacks it."""
        permitted(getattr(cmd, "actor", None), action or self._act)

    def _event(self, at: datetime, kind: str, detail: str) -> None:
        event = TimelineEvent(at=at, kind=kind, detail=detail, source=self._source)
        self._s.timeline.append(event)
        self._unsent.append(event)

    async def _notify(
        self, kind: str, recipient: str, subject: str, at: datetime, detail: str
    ) -> None:
        """Tell `recipient` (a role; who exactly: `domain.notifications`)."""
        notice = Notice(
            key=self._notice_key(kind, subject, at),
            case_id=self._case_id,
            region=self._region,
            kind=kind,
            recipient=recipient,
            subject=subject,
            at=at,
            detail=detail,
        )
        await send([notice], self._delivery)

    async def _settled(self):
        """The state once all of it is in the read model: a command sent again answers only
        after its first sending's change was published, so the caller reads it back."""
        await workflow.wait_condition(lambda: self._published == self._s.version)
        return self._s

    def _next_version(self) -> int:
        """A version above every one this workflow may have written, including the writes of
        a workflow task that then failed or timed out: those never reached the history, so a
        counter numbered the retry's different state (a ban that had expired meanwhile) like
        the lost one, and the versioned upsert kept the lost one. The history's length orders
        the tasks (a retry comes after its failed attempt), the run's first version the runs,
        and up to PUBLISHES_PER_TASK publishes of one task follow each other."""
        if self._run_base is None:
            self._run_base = self._s.version
        task = workflow.info().get_current_history_length()
        return max(self._s.version + 1, self._run_base + task * PUBLISHES_PER_TASK)

    async def _changed(self):
        """A handler changed the state: wake the loop, publish, answer with the state."""
        self._woken = True
        await self._publish()
        return self._s

    def _absorbed_quietly(self) -> None:
        """The state changed in a way that may wait for the next write, at the latest
        QUIET_LAG from the first such change. The loop is woken to set its wake to it only
        when it would wake later: a case's own reminder due in the same moment as its path's
        takes the path's along, and its timer is not cancelled as it fires."""
        if self._quiet_until is None:
            self._quiet_until = workflow.now() + QUIET_LAG
            if self._wake_at is None or self._wake_at > self._quiet_until:
                self._woken = True

    async def _publish(self, notices: list[Notice] | None = None) -> None:
        """Project the state to the read model, with the `notices` a step decided on in the
        same write, and tell the parent case what happened."""
        self._s.version = self._next_version()
        self._quiet_until = None
        write, state = self._projection()
        if notices:
            batch = NoticeBatch(notices=notices, delivery=self._delivery)
            await workflow.execute_local_activity_method(
                NotificationActivities.enqueue_projected, ProjectedNotices.of(state, batch), **LOCAL
            )
        else:
            await project(write, state)
        self._published = self._s.version
        events, self._unsent = self._unsent, []
        await self._tell_parent(events)

    async def _tell_parent(self, events: list[TimelineEvent], held_back: bool = True) -> None:
        """Tell the parent case of `events`. Reminders that change nothing else the case knows
        wait for the next report (`REMINDERS_WAIT`): at 09:00 a signal each cost the child a
        task for its completion and the case a task to take it in; the case's timeline shows
        them from the child's projection meanwhile."""
        parent = workflow.info().parent
        if parent is None:
            return
        events, self._held = self._held + events, []
        if not events:
            return
        signal, change = self._report(events)
        bare = change.model_copy(update={"events": []})
        if (
            self._reminders_wait
            and held_back
            and bare == self._reported
            and all(e.kind == "reminder" for e in events)
        ):
            self._held = events
            return
        self._reported = bare
        await workflow.get_external_workflow_handle(parent.workflow_id).signal(signal, change)


class PathWorkflow(ProcedureWorkflow):
    """A procedure that a case starts as its child (`domain.procedure.PathState`). A subclass
    sets `_s` and `_in`, calls `_begin_path`, and its run method awaits `_run_until_done`."""

    _s: PathState
    _in: PathInput

    def _begin_path(self) -> None:
        s = self._s
        self._begin(
            source=f"{s.kind}:{s.path_id}",
            case_id=s.case_id,
            region=s.region,
            delivery=self._in.policy.delivery,
        )

    def _check_path_time(self, at: datetime | None) -> datetime:
        return check_time(at, self._s.started_at, "dit traject begon")

    def _check_step(self, problem: str | None, at: datetime | None) -> None:
        if problem:
            raise conflict(problem)
        self._check_path_time(at)

    def _close(self, at: datetime, detail: str) -> None:
        self._s.status, self._s.ended_at = "closed", at
        self._book.close_open()
        self._event(at, f"{self._s.kind}_closed", detail)

    def _projection(self) -> Projection:
        s = self._s
        record = PathRecord(
            path_id=s.path_id,
            case_id=s.case_id,
            kind=s.kind,
            status=s.status,
            version=s.version,
            state=s.model_dump(mode="json"),
        )
        return ReadModelActivities.upsert_path, record

    def _report(self, events: list[TimelineEvent]) -> tuple[str, BaseModel]:
        s = self._s
        change = PathChange(
            path_id=s.path_id,
            kind=s.kind,
            status=s.status,
            active=s.status != "closed",
            events=events,
        )
        return PATH_CHANGED, change


def unchecked_updates(workflow_class: type) -> list[str]:
    """The updates of a workflow that take a command but cannot check its actor: without a
    validator, or with a command (or a member of its union) that has no `actor`. The
    registry refuses such a procedure at start-up; the tests hold every workflow to it."""
    found = []
    for name, update in workflow._Definition.must_from_class(workflow_class).updates.items():
        commands = [m for t in update.arg_types for m in (get_args(t) or (t,))]
        named = all("actor" in getattr(c, "model_fields", {}) for c in commands)
        if commands and (update.validator is None or not named):
            found.append(name)
    return found


def deadline_notice(firing: Firing, case_id: str, region: str) -> Notice:
    """A reminder goes to the team responsible; an escalation to the regional coordinator."""
    kind, d = firing
    return Notice(
        key=f"{d.source}:{d.key}:{d.due_at.isoformat()}:{kind}",
        case_id=case_id,
        region=region,
        kind=kind,
        recipient=d.responsible if kind == "reminder" else COORDINATOR,
        subject=d.key,
        due_at=d.due_at,
        detail=f"{'verloopt binnenkort' if kind == 'reminder' else 'verstreken'}: {d.label}",
    )


def firing_event(firing: Firing, now: datetime) -> tuple[str, str]:
    """(kind, detail) of the timeline event a firing deadline leaves; counted in the metrics
    (missed deadlines, how late a reminder went out)."""
    kind, d = firing
    meter = workflow.metric_meter()
    if kind == "reminder" and d.remind_at is not None:
        meter.create_histogram_timedelta(
            "ketenregie_reminder_lateness", "reminder sent after its moment", "ms"
        ).record(now - d.remind_at, {"deadline": d.key})
    else:
        meter.create_counter("ketenregie_deadlines_missed").add(1, {"deadline": d.key})
    if kind == "reminder":
        return "reminder", f"herinnering aan {org_name(d.responsible)}: {d.label}"
    return "escalated", f"termijn verstreken, geëscaleerd naar de coördinator: {d.label}"


async def project(write: Callable[[Any, Any], Any], state: BaseModel) -> None:
    """Write `state` to the read model: a versioned upsert, so a repeat is harmless and it
    runs as a local activity (no activity task of its own). Runs from before the patch keep
    the activity they recorded."""
    if workflow.patched(LEAN):
        await workflow.execute_local_activity_method(write, state, **LOCAL)
    else:
        await workflow.execute_activity_method(write, state, **DURABLE)


async def send(notices: list[Notice], delivery: DeliveryPolicy) -> None:
    """Put the notices in the outbox for the region's dispatcher (one local activity); runs
    from before the patch start a notify workflow per notice, once, ever."""
    if workflow.patched(LEAN):
        if notices:
            batch = NoticeBatch(notices=notices, delivery=delivery)
            await workflow.execute_local_activity_method(
                NotificationActivities.enqueue, batch, **LOCAL
            )
        return
    for n in notices:
        try:
            await workflow.start_child_workflow(
                NotifyWorkflow.run,
                NotifyInput(notice=n, delivery=delivery),
                id=notice_workflow_id(n.case_id, n.key),
                # a notice that was decided on goes out, whatever happens to its sender
                parent_close_policy=ParentClosePolicy.ABANDON,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            )
        except WorkflowAlreadyStartedError:
            pass


def on_calendar(compute: Callable[..., T], *args: Any) -> T:
    """Run a date computation of the policy. The holiday calendar reads locale data, which the
    sandbox forbids; the computation itself is deterministic."""
    with workflow.unsafe.sandbox_unrestricted():
        return compute(*args)


def due(policy: Terms, start: datetime, key: str) -> tuple[datetime, datetime | None]:
    """The policy's (due, remind_at) for `key`."""
    return on_calendar(policy.due, start, key)
