"""The home visit as a workflow on the shared base."""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from tests.integration.home_visit.domain import (
        HELD,
        PLANNED,
        SPEC,
        HomeVisitPolicy,
        HomeVisitStart,
        HomeVisitState,
        HomeVisitStepCmd,
        VisitHeld,
    )
    from workflows.errors import conflict
    from workflows.procedure import PathWorkflow, on_calendar


@workflow.defn
class HomeVisitWorkflow(PathWorkflow):
    @workflow.init
    def __init__(self, start: HomeVisitStart) -> None:
        self._in = start.path
        self._s = HomeVisitState(**start.path.base(), status="planned", visitor=start.visitor)
        self._begin_path()

    @workflow.run
    async def run(self, start: HomeVisitStart) -> HomeVisitState:
        at = start.path.started_at
        self._event(at, "home_visit_planned", f"huisbezoek door {start.visitor}")
        policy = start.path.policy.own(HomeVisitPolicy)
        self._book.add(HELD, on_calendar(policy.due, at), "veilig_thuis")
        await self._notify(
            PLANNED.kind, f"partner:{start.visitor}", PLANNED.subject, at, "huisbezoek gepland"
        )
        await self._publish()
        await self._run_until_done()
        return self._s

    @workflow.update
    async def step(self, step: HomeVisitStepCmd) -> HomeVisitState:
        at: datetime = step.at  # type: ignore[assignment]
        if isinstance(step, VisitHeld):
            self._s.status = "held"
            self._book.meet(HELD.key, at)
            self._event(
                at, "home_visit_held", f"gezin thuis: {'ja' if step.family_home else 'nee'}"
            )
        else:
            self._close(at, "huisbezoek afgesloten")
        return await self._changed()

    @step.validator
    def _validate_step(self, step: HomeVisitStepCmd) -> None:
        self._permitted(step)
        if isinstance(step, VisitHeld) and self._s.status != "planned":
            raise conflict(f"het huisbezoek is al {SPEC.statuses[self._s.status]}")
        self._check_step(None, step.at)
