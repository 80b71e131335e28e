"""MDA++: the multidisciplinary approach of complex or repeating violence.

referral -> intake (accepted, or closed) -> joint analysis -> one shared plan with each
partner's actions (owner, due date) -> periodic reviews on a timer -> closed when a review
finds that the plan's goals hold. Monitoring can last years: after a number of reviews the
workflow continues as new with its plan, so its history stays bounded.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.mda import (
        DEADLINES,
        MdaActionDone,
        MdaAnalysis,
        MdaClose,
        MdaIntake,
        MdaPlan,
        MdaReview,
        MdaStart,
        MdaState,
        MdaStepCmd,
        mda_step_problem,
    )
    from domain.workdays import dutch_date, end_of_day
    from workflows.procedure import PathWorkflow, due, on_calendar

KEEP_EVENTS = 20  # timeline events carried into the next run (the case keeps them all)


@workflow.defn
class MdaWorkflow(PathWorkflow):
    @workflow.init
    def __init__(self, start: MdaStart) -> None:
        self._start, self._in = start, start.path
        self._policy = start.path.policy.mda
        self._s = start.carried or MdaState(
            **start.path.base(),
            status="intake",
            partners=start.partners,
        )
        self._begin_path()

    @workflow.run
    async def run(self, start: MdaStart) -> MdaState:
        if start.carried is None:
            at = start.path.started_at
            self._event(at, "mda_referred", "verwezen naar MDA++ voor complex of herhaald geweld")
            self._add("mda_intake", at)
            await self._notify(
                "referral", "zorg_en_veiligheidshuis", "mda", at, "verwijzing naar MDA++"
            )
            await self._publish()
        await self._run_until_done()
        return self._s

    @workflow.query
    def state(self) -> MdaState:
        return self._s

    @workflow.update
    async def step(self, step: MdaStepCmd) -> MdaState:
        at: datetime = step.at  # type: ignore[assignment]
        s = self._s
        if isinstance(step, MdaIntake):
            self._book.meet("mda_intake", at)
            if not step.accepted:
                self._close(at, "intake MDA++: niet aangenomen")
            else:
                s.status = "analysis"
                self._event(at, "mda_intake", "intake MDA++ gehouden: aangenomen")
                self._add("mda_analysis", at)
        elif isinstance(step, MdaAnalysis):
            self._book.meet("mda_analysis", at)
            s.status = "plan"
            self._event(at, "mda_analysis", "gezamenlijke analyse gedaan; nu volgt het plan")
        elif isinstance(step, MdaPlan):
            replaced = bool(s.actions)
            self._book.close_open()
            s.goals, s.actions = list(step.goals), list(step.actions)
            for action in s.actions:
                self._book.add(
                    DEADLINES["mda_action"],
                    on_calendar(self._policy.scaled, at, end_of_day(action.due_on)),
                    f"partner:{action.owner}",
                    ref=action.action_id,
                    label=f"actie {action.action_id} uit het plan ({action.owner}), uiterlijk "
                    f"{dutch_date(action.due_on)}",
                )
            self._add("mda_review", at)
            self._event(
                at,
                "mda_plan",
                f"{'plan herzien' if replaced else 'plan afgesproken'}: {len(s.goals)} doelen, "
                f"{len(s.actions)} acties door {', '.join(sorted({a.owner for a in s.actions}))}",
            )
        elif isinstance(step, MdaActionDone):
            action = next(a for a in s.actions if a.action_id == step.action_id)
            action.done_at = at
            self._book.meet("mda_action", at, ref=action.action_id)
            self._event(
                at,
                "mda_action_done",
                f"actie {action.action_id} uit het plan uitgevoerd door {action.owner}",
            )
        elif isinstance(step, MdaReview):
            self._book.meet("mda_review", at)
            s.reviews += 1
            s.reviews_this_run += 1
            s.goals_hold = step.goals_hold
            self._event(
                at,
                "mda_review",
                f"evaluatie {s.reviews}: doelen "
                f"{'bereikt' if step.goals_hold else 'nog niet bereikt'}",
            )
            self._add("mda_review", at)
        elif isinstance(step, MdaClose):
            self._close(
                at,
                "MDA++ afgesloten: de doelen van het plan zijn bereikt"
                if s.goals_hold
                else "MDA++ afgesloten",
            )
        return await self._changed()

    @step.validator
    def _validate_step(self, step: MdaStepCmd) -> None:
        self._permitted(step)
        self._check_step(mda_step_problem(self._s, step), step.at)

    def _pause(self) -> bool:
        """Continue as new after enough reviews, or when the server suggests it."""
        return (
            self._s.reviews_this_run >= self._policy.reviews_per_run
            or workflow.info().is_continue_as_new_suggested()
        )

    def _carry(self) -> MdaStart:
        """The plan goes on with its recent events and every open deadline."""
        carried = self._s.model_copy(deep=True)
        carried.timeline = carried.timeline[-KEEP_EVENTS:]
        done = [d for d in carried.deadlines if d.status not in ("open", "overdue")]
        carried.deadlines = done[-KEEP_EVENTS:] + [d for d in carried.deadlines if d not in done]
        carried.reviews_this_run = 0
        carried.runs += 1
        return self._start.model_copy(update={"carried": carried})

    def _add(self, key: str, start: datetime) -> None:
        self._book.add(DEADLINES[key], due(self._policy, start, key), "zorg_en_veiligheidshuis")
