"""Tijdelijk huisverbod: request, the mayor's decision, the 10-day ban, extension, appeal, end.

Reads like the procedure of the Wet tijdelijk huisverbod; the durations and rules come from
`domain.policy`. Each state change is published to the read model and to the parent case.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.huisverbod import (
        AppealCmd,
        DecisionCmd,
        ExtensionCmd,
        HuisverbodChange,
        HuisverbodInput,
        HuisverbodSnapshot,
        MilestoneCmd,
        RulingCmd,
    )
    from domain.models import TimelineEvent
    from domain.policy import RuleViolation
    from workflows.deadlines import Firing
    from workflows.errors import check_time, conflict, invalid
    from workflows.options import DURABLE
    from workflows.procedure import ProcedureWorkflow, due

HUISVERBOD_CHANGED = "huisverbod_changed"  # signal on the parent CaseWorkflow
RUNNING = ("imposed", "extended")
MILESTONES = {
    "contact_address_given": ("contact_address", "the person removed gave an address or contact"),
    "help_started": ("help_started", "help for the family started"),
    "written_order_issued": (None, "the written order was issued"),
}


@workflow.defn
class HuisverbodWorkflow(ProcedureWorkflow):
    @workflow.init
    def __init__(self, inp: HuisverbodInput) -> None:
        self._in = inp
        self._policy = inp.policy
        self._s = HuisverbodSnapshot(
            huisverbod_id=inp.huisverbod_id,
            case_id=inp.case_id,
            municipality=inp.municipality,
            pleger_ref=inp.pleger_ref,
            status="requested",
            requested_at=inp.requested_at,
            version=0,
            timeline=[],
            deadlines=[],
        )
        self._begin(
            source=f"huisverbod:{inp.huisverbod_id}",
            case_id=inp.case_id,
            region=inp.region,
            delivery=inp.delivery,
        )

    @workflow.run
    async def run(self, inp: HuisverbodInput) -> HuisverbodSnapshot:
        self._event(
            inp.requested_at, "huisverbod_requested", "police requested a tijdelijk huisverbod"
        )
        self._book.add(
            "mayor_decision",
            "mayor's office decides on the request",
            due(self._policy, inp.requested_at, "mayor_decision"),
            responsible="mayor_office",
        )
        await self._publish()
        await self._announce("huisverbod_requested", inp.requested_at)
        await self._run_until_done()
        return self._s

    @workflow.query
    def state(self) -> HuisverbodSnapshot:
        return self._s

    # --- the mayor's decision ---

    @workflow.update
    async def decide(self, cmd: DecisionCmd) -> HuisverbodSnapshot:
        self._book.meet("mayor_decision", cmd.decided_at)
        who = cmd.decided_by.capacity
        self._s.decision = cmd
        if cmd.decision == "refuse":
            self._finish("refused", cmd.decided_at, f"request refused by the {who}")
            await self._announce("huisverbod_refused", cmd.decided_at)
            return await self._changed()
        s = self._s
        s.status, s.imposed_at = "imposed", cmd.decided_at
        s.ends_at = self._policy.ban_end(cmd.decided_at)
        s.max_end = self._policy.max_end(cmd.decided_at)
        self._event(cmd.decided_at, "huisverbod_imposed", f"imposed by the {who} for 10 days")
        if cmd.veilig_thuis_consulted:
            self._event(
                cmd.decided_at, "veilig_thuis_consulted", "Veilig Thuis consulted before imposing"
            )
        if cmd.ordered_orally:
            self._event(cmd.decided_at, "oral_order", "ordered orally; the written order follows")
        self._book.add(
            "contact_address",
            "person removed gives an address or contact",
            due(self._policy, cmd.decided_at, "contact_address"),
            responsible="police",
        )
        self._book.add(
            "help_started",
            "Veilig Thuis starts help for the family",
            due(self._policy, cmd.decided_at, "help_started"),
            responsible="veilig_thuis",
        )
        await self._announce("huisverbod_imposed", cmd.decided_at)
        return await self._changed()

    @decide.validator
    def _validate_decide(self, cmd: DecisionCmd) -> None:
        if self._s.status != "requested":
            raise conflict(f"the request was already decided: the huisverbod is {self._s.status}")
        self._not_in_future(cmd.decided_at)
        if cmd.decided_at < self._s.requested_at:
            raise invalid("decided_at lies before the request was made")
        if (
            cmd.decision == "impose"
            and self._in.children_involved
            and not cmd.veilig_thuis_consulted
        ):
            raise invalid(
                "children are involved: Veilig Thuis must be consulted before imposing "
                "(Wth art. 2 lid 3); set veilig_thuis_consulted to true once it was"
            )

    # --- extension by the mayor ---

    @workflow.update
    async def extend(self, cmd: ExtensionCmd) -> HuisverbodSnapshot:
        self._s.status, self._s.ends_at = "extended", cmd.until
        self._s.extensions.append(cmd)
        self._event(
            cmd.decided_at, "huisverbod_extended", f"extended until {cmd.until.isoformat()}"
        )
        await self._announce("huisverbod_extended", cmd.decided_at)
        return await self._changed()

    @extend.validator
    def _validate_extend(self, cmd: ExtensionCmd) -> None:
        s = self._s
        if s.imposed_at is not None:  # past the legal maximum is never possible: say so first
            try:
                self._policy.check_cap(s.imposed_at, cmd.until)
            except RuleViolation as e:
                raise invalid(str(e)) from None
        if s.status not in RUNNING or s.imposed_at is None or s.ends_at is None:
            raise conflict(f"only a running huisverbod can be extended; this one is {s.status}")
        self._not_in_future(cmd.decided_at)
        try:
            self._policy.check_extension(
                imposed_at=s.imposed_at,
                current_end=s.ends_at,
                until=cmd.until,
                decided_at=cmd.decided_at,
                capacity=cmd.decided_by.capacity,
            )
        except RuleViolation as e:
            raise invalid(str(e)) from None

    # --- appeal and the court's ruling ---

    @workflow.update
    async def appeal(self, cmd: AppealCmd) -> HuisverbodSnapshot:
        self._s.appeal = cmd
        self._event(cmd.lodged_at, "appeal_lodged", "the pleger lodged an appeal")
        if cmd.interim_relief_requested:
            self._book.add(
                "interim_relief_ruling",
                "court rules on the request for interim relief",
                due(self._policy, cmd.lodged_at, "interim_relief_ruling"),
                responsible="court",
            )
        return await self._changed()

    @appeal.validator
    def _validate_appeal(self, cmd: AppealCmd) -> None:
        if self._s.status not in RUNNING:
            raise conflict(
                f"only a running huisverbod can be appealed here; this one is {self._s.status}"
            )
        if self._s.appeal is not None:
            raise conflict("an appeal was already lodged")
        self._not_in_future(cmd.lodged_at)

    @workflow.update
    async def rule(self, cmd: RulingCmd) -> HuisverbodSnapshot:
        self._s.ruling = cmd
        self._book.meet("interim_relief_ruling", cmd.ruled_at)
        if cmd.outcome == "lifted":
            self._finish("lifted", cmd.ruled_at, "the court lifted the huisverbod")
            await self._announce("huisverbod_lifted", cmd.ruled_at)
        else:
            self._event(cmd.ruled_at, "appeal_ruling", "the court upheld the huisverbod")
        return await self._changed()

    @rule.validator
    def _validate_rule(self, cmd: RulingCmd) -> None:
        if self._s.appeal is None:
            raise conflict("there is no appeal to rule on")
        if self._s.ruling is not None:
            raise conflict("the court already ruled")
        if self._s.status not in RUNNING:
            raise conflict(f"the huisverbod is {self._s.status}")
        self._not_in_future(cmd.ruled_at)

    # --- milestones of the ten days ---

    @workflow.update
    async def record_milestone(self, cmd: MilestoneCmd) -> HuisverbodSnapshot:
        deadline, label = MILESTONES[cmd.milestone]
        self._event(cmd.at, cmd.milestone, label)
        if deadline:
            self._book.meet(deadline, cmd.at)
        return await self._changed()

    @record_milestone.validator
    def _validate_milestone(self, cmd: MilestoneCmd) -> None:
        if self._s.status not in RUNNING:
            raise conflict(f"the huisverbod is {self._s.status}")
        if any(e.kind == cmd.milestone for e in self._s.timeline):
            raise conflict(f"{cmd.milestone} was already recorded")
        self._not_in_future(cmd.at)

    # --- the base's hooks ---

    def _done(self) -> bool:
        return self._s.status not in ("requested", *RUNNING)

    def _due(self, now: datetime) -> tuple[list[Firing], bool]:
        """Deadlines passed unmet escalate first; then a ban whose end has come expires."""
        fired = self._book.fire(now)
        if self._s.ends_at is not None and now >= self._s.ends_at:
            self._finish("expired", self._s.ends_at, "the huisverbod expired")
            return fired, True
        return fired, False

    async def _after_due(self) -> None:
        if self._s.status == "expired":
            await self._announce("huisverbod_expired", self._s.ended_at)

    def _moments(self) -> list[datetime | None]:
        return [self._s.ends_at]

    async def _project(self) -> None:
        await workflow.execute_activity_method(
            ReadModelActivities.upsert_huisverbod, self._s.model_copy(deep=True), **DURABLE
        )

    def _report(self, events: list[TimelineEvent]) -> tuple[str, HuisverbodChange]:
        s = self._s
        return HUISVERBOD_CHANGED, HuisverbodChange(
            huisverbod_id=s.huisverbod_id, status=s.status, events=events
        )

    # --- internals ---

    def _not_in_future(self, at: datetime) -> None:
        check_time(at)

    def _finish(self, status: str, at: datetime, detail: str) -> None:
        self._s.status, self._s.ended_at = status, at
        if status != "refused":
            self._s.ends_at = at
        self._event(at, f"huisverbod_{status}", detail)
        self._book.close_open()

    async def _announce(self, event: str, at: datetime) -> None:
        """Tell the partners of this event (who: `domain.notifications`)."""
        await self._notify(
            "event", "partners", event, at, f"{event.replace('_', ' ')} ({at.isoformat()})"
        )
