"""What every escalation path of a case shares: its timeline and deadlines, the read model,
and the report to its case. A path is a child workflow; `PathWorkflow` is its base class."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.models import Notice, TimelineEvent
    from domain.paths import PathChange, PathInput, PathRecord, PathState
    from workflows.common import deadline_notice, firing_event, send
    from workflows.deadlines import DeadlineBook
    from workflows.errors import check_time, conflict
    from workflows.options import DURABLE

PATH_CHANGED = "path_changed"  # signal on the parent CaseWorkflow


class PathWorkflow:
    """Base of the path workflows. A subclass sets `_s` (its state) and `_in`, then calls
    `_begin`; its run method awaits `_run_until_closed`."""

    _s: PathState
    _in: PathInput

    def _begin(self) -> None:
        self._book = DeadlineBook(self._s.deadlines, source=f"{self._s.kind}:{self._s.path_id}")
        self._unsent: list[TimelineEvent] = []
        self._woken = False

    async def _run_until_closed(self) -> None:
        """Fire reminders and escalations until the path closes (or `_pause` says stop)."""
        while self._s.status != "closed" and not self._pause():
            now = workflow.now()
            changed = self._tick(now)
            fired = self._book.fire(now)
            for firing in fired:
                self._event(now, *firing_event(firing, now))
            if fired:
                await send(
                    [deadline_notice(f, self._s.case_id, self._s.region) for f in fired],
                    self._in.policy.delivery,
                )
            if fired or changed:
                await self._publish()
            if self._s.status == "closed":
                break
            self._woken = False
            try:
                await workflow.wait_condition(
                    lambda: self._woken, timeout=self._book.next_wake(now, *self._moments())
                )
            except TimeoutError:
                pass
        await workflow.wait_condition(workflow.all_handlers_finished)

    # --- hooks ---

    def _tick(self, now: datetime) -> bool:
        """Time-driven changes of the subclass (a measure running out); True if any."""
        return False

    def _moments(self) -> list[datetime]:
        """Further moments to wake at, besides the deadlines."""
        return []

    def _pause(self) -> bool:
        """True when the run should end without closing (continue-as-new)."""
        return False

    # --- helpers for handlers ---

    def _check_time(self, at: datetime | None) -> datetime:
        return check_time(at, self._s.started_at, "this path started")

    def _check_step(self, problem: str | None, at: datetime | None) -> None:
        if problem:
            raise conflict(problem)
        self._check_time(at)

    def _event(self, at: datetime, kind: str, detail: str) -> None:
        event = TimelineEvent(
            at=at, kind=kind, detail=detail, source=f"{self._s.kind}:{self._s.path_id}"
        )
        self._s.timeline.append(event)
        self._unsent.append(event)

    def _close(self, at: datetime, detail: str) -> None:
        self._s.status, self._s.ended_at = "closed", at
        self._book.close_open()
        self._event(at, f"{self._s.kind}_closed", detail)

    async def _notify(self, kind: str, recipient: str, subject: str, at: datetime, detail: str):
        notice = Notice(
            key=f"{self._s.kind}:{self._s.path_id}:{subject}:{at.isoformat()}",
            case_id=self._s.case_id,
            region=self._s.region,
            kind=kind,
            recipient=recipient,
            subject=subject,
            at=at,
            detail=detail,
        )
        await send([notice], self._in.policy.delivery)

    async def _changed(self):
        self._woken = True
        await self._publish()
        return self._s

    async def _publish(self) -> None:
        """Project the state to the read model and tell the case what happened."""
        self._s.version += 1
        s = self._s
        record = PathRecord(
            path_id=s.path_id,
            case_id=s.case_id,
            kind=s.kind,
            status=s.status,
            version=s.version,
            state=s.model_dump(mode="json"),
        )
        await workflow.execute_activity_method(ReadModelActivities.upsert_path, record, **DURABLE)
        events, self._unsent = self._unsent, []
        parent = workflow.info().parent
        if parent is not None and events:
            change = PathChange(
                path_id=s.path_id,
                kind=s.kind,
                status=s.status,
                active=s.status != "closed",
                events=events,
            )
            await workflow.get_external_workflow_handle(parent.workflow_id).signal(
                PATH_CHANGED, change
            )
