"""The Signs of Safety safety plan, made with the family: each agreed review date reminds
the responsible worker the working day before, and passes to the coordinator when missed.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.safety_plan import (
        DEADLINES,
        SafetyPlanStart,
        SafetyPlanState,
        SafetyPlanStepCmd,
        SafetyReview,
    )
    from domain.workdays import dutch_date
    from workflows.errors import conflict, invalid
    from workflows.procedure import PathWorkflow, on_calendar


@workflow.defn
class SafetyPlanWorkflow(PathWorkflow):
    @workflow.init
    def __init__(self, start: SafetyPlanStart) -> None:
        self._in = start.path
        self._policy = start.path.policy.safety
        self._s = SafetyPlanState(
            **start.path.base(),
            status="active",
            responsible=start.responsible,
            worker=start.worker,
            review_dates=start.review_dates,
        )
        self._begin_path()

    @workflow.run
    async def run(self, start: SafetyPlanStart) -> SafetyPlanState:
        at = start.path.started_at
        self._event(
            at,
            "safety_plan",
            f"veiligheidsplan gemaakt met het gezin; {len(start.review_dates)} evaluaties afgesproken",
        )
        for day in start.review_dates:
            self._review_on(at, day)
        await self._publish()
        await self._run_until_done()
        return self._s

    @workflow.query
    def state(self) -> SafetyPlanState:
        return self._s

    @workflow.update
    async def step(self, step: SafetyPlanStepCmd) -> SafetyPlanState:
        at: datetime = step.at  # type: ignore[assignment]
        if isinstance(step, SafetyReview):
            self._book.meet("safety_plan_review", at)
            self._s.reviews.append((at, step.plan_holds))
            holds = "werkt" if step.plan_holds else "werkt niet: het plan wordt aangepast"
            self._event(
                at, "safety_plan_review", f"evaluatie van het veiligheidsplan: het plan {holds}"
            )
            if step.next_review_on is not None:
                self._s.review_dates.append(step.next_review_on)
                self._review_on(at, step.next_review_on)
        else:
            self._close(at, "veiligheidsplan afgesloten")
        return await self._changed()

    @step.validator
    def _validate_step(self, step: SafetyPlanStepCmd) -> None:
        self._permitted(step)
        if self._s.status == "closed":
            raise conflict("het veiligheidsplan is afgesloten")
        at = self._check_path_time(step.at)
        if (
            isinstance(step, SafetyReview)
            and step.next_review_on
            and step.next_review_on < at.date()
        ):
            raise invalid("de volgende evaluatiedatum ligt in het verleden (veld next_review_on)")

    def _review_on(self, start: datetime, day) -> None:
        self._book.add(
            DEADLINES["safety_plan_review"],
            on_calendar(self._policy.review_due, start, day),
            f"partner:{self._s.responsible}",
            label=f"evaluatie van het veiligheidsplan op {dutch_date(day)} "
            f"(medewerker {self._s.worker})",
        )
