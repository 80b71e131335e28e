"""The deadlines of one workflow: reminders before, escalation after, met ones fall silent.

Plain deterministic bookkeeping over the workflow's list of `Deadline`s; the workflow
sleeps until `next_wake` and acts on what `fire` returns.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from temporalio import workflow

from domain.models import Deadline
from domain.policy import Rule
from workflows.patches import REMIND_LATE

Firing = tuple[Literal["reminder", "escalation"], Deadline]


class DeadlineBook:
    def __init__(self, deadlines: list[Deadline], source: str, current: bool) -> None:
        self._deadlines = deadlines
        self._source = source
        self._current = current  # the run started after `patches.AT_START`

    def add(
        self,
        rule: Rule,
        due: tuple[datetime, datetime | None],
        responsible: str,
        ref: str | None = None,
        label: str | None = None,
    ) -> Deadline:
        """A deadline of `rule` (its own `label` where the rule's name says too little)."""
        due_at, remind_at = due
        if (
            remind_at is None
            and due_at > (now := workflow.now())
            and (self._current or workflow.patched(REMIND_LATE))
        ):
            remind_at = now
        deadline = Deadline(
            key=rule.key,
            label=label or rule.label,
            due_at=due_at,
            remind_at=remind_at,
            rule=rule.source,
            source=self._source,
            responsible=responsible,
            ref=ref,
        )
        self._deadlines.append(deadline)
        return deadline

    def meet(self, key: str, at: datetime, ref: str | None = None) -> bool:
        """Record that the open (or overdue) deadline `key` (for `ref`, when given) was met;
        False if there is none."""
        for d in self._deadlines:
            if (
                d.key == key
                and (ref is None or d.ref == ref)
                and d.met_at is None
                and d.status in ("open", "overdue")
            ):
                d.met_at = at
                if d.status == "open":
                    d.status = "met"
                    workflow.metric_meter().create_counter("ketenregie_deadlines_met").add(
                        1, {"deadline": key}
                    )
                return True
        return False

    def close_open(self, key: str | None = None) -> None:
        """The procedure (or the step of `key`) ended: deadlines not met can no longer be met
        and leave the lists of what is due. One that had passed stays counted as missed."""
        for d in self._deadlines:
            if d.status in ("open", "overdue") and d.met_at is None and key in (None, d.key):
                d.status = "missed" if d.status == "overdue" else "closed"

    def fire(self, now: datetime) -> list[Firing]:
        """Reminders whose time has come and deadlines that passed unmet, marked as done."""
        fired: list[Firing] = []
        for d in self._deadlines:
            if d.status != "open":
                continue
            if d.due_at <= now:
                d.status = "overdue"
                fired.append(("escalation", d))
            elif d.remind_at is not None and not d.reminded and d.remind_at <= now:
                d.reminded = True
                fired.append(("reminder", d))
        return fired

    def next_wake(self, now: datetime, *extra: datetime | None) -> timedelta | None:
        moments = [m for m in extra if m is not None]
        for d in self._deadlines:
            if d.status == "open":
                moments.append(d.due_at)
                if d.remind_at is not None and not d.reminded:
                    moments.append(d.remind_at)
        future = [m for m in moments if m > now]
        return min(future) - now if future else None
