"""Tijdelijk huisverbod: request, the mayor's decision, the 10-day ban, extension, appeal, end.

Reads like the procedure of the Wet tijdelijk huisverbod; the durations, the deadlines and
their articles come from `domain.huisverbod_policy`. Each state change is published to the
read model and to the parent case.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.access import CAPACITY_NAMES
    from domain.huisverbod import (
        IN_FORCE,
        LABELS,
        MILESTONE_ACTIONS,
        MILESTONES,
        SPEC,
        STATUS_NAMES,
        AppealCmd,
        DecisionCmd,
        ExtensionCmd,
        HearingCmd,
        HuisverbodChange,
        HuisverbodInput,
        HuisverbodSnapshot,
        MilestoneCmd,
        RulingCmd,
        ViolationCmd,
        WithdrawalCmd,
    )
    from domain.huisverbod_policy import DEADLINES, check_veilig_thuis_consulted
    from domain.models import TimelineEvent
    from domain.policy import RuleViolation
    from domain.workdays import add_local, dutch_time, end_of_day, local_date, working_day_from
    from workflows.deadlines import Firing
    from workflows.errors import check_time, conflict, invalid
    from workflows.patches import (
        APPEAL_AFTER_END,
        INTERIM_RELIEF_ATW,
        INTERIM_RELIEF_ATW_ART2,
        INTERIM_RELIEF_RULING,
        MANDATE_INFORMS_MAYOR,
        WTH_CALENDAR_DAYS,
    )
    from workflows.procedure import ProcedureWorkflow, Projection, due, on_calendar


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
        self._expired = False  # set when time ended the ban, until the partners are told
        # decided when the run starts, like the loop's patches (`patches.AT_START`)
        self._hearing_atw_art2 = workflow.patched(INTERIM_RELIEF_ATW_ART2)

    @workflow.run
    async def run(self, inp: HuisverbodInput) -> HuisverbodSnapshot:
        self._event(
            inp.requested_at,
            "huisverbod_requested",
            "de politie vraagt een tijdelijk huisverbod aan",
        )
        self._book.add(
            DEADLINES["mayor_decision"],
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
        if self._repeats(cmd):  # the same decision sent again (a client's retry): as before
            return await self._settled()
        self._book.meet("mayor_decision", cmd.decided_at)
        who = cmd.decided_by.capacity
        self._s.decision = cmd
        if cmd.decision == "refuse":
            self._finish("refused", cmd.decided_at, f"verzoek afgewezen door {CAPACITY_NAMES[who]}")
            await self._announce("huisverbod_refused", cmd.decided_at)
            return await self._changed()
        s = self._s
        s.status, s.imposed_at = "imposed", cmd.decided_at
        if workflow.patched(WTH_CALENDAR_DAYS):
            s.ends_at = self._policy.ban_end(cmd.decided_at)
            s.max_end = self._policy.max_end(cmd.decided_at)
        else:  # imposed under a release that counted days of 24 hours: it keeps its dates
            scale = self._policy.time_scale
            s.ends_at = cmd.decided_at + timedelta(days=10) * scale
            s.max_end = cmd.decided_at + timedelta(weeks=4) * scale
        self._event(
            cmd.decided_at,
            "huisverbod_imposed",
            f"opgelegd door {CAPACITY_NAMES[who]} voor {self._policy.ban_days} dagen",
        )
        if cmd.veilig_thuis_consulted:
            self._event(
                cmd.decided_at,
                "veilig_thuis_consulted",
                "Veilig Thuis is voor het opleggen geraadpleegd",
            )
        if cmd.ordered_orally:
            self._event(
                cmd.decided_at,
                "oral_order",
                "mondeling opgelegd; de schriftelijke beschikking volgt",
            )
        self._book.add(
            DEADLINES["contact_address"],
            due(self._policy, cmd.decided_at, "contact_address"),
            responsible="police",
        )
        self._book.add(
            DEADLINES["help_started"],
            due(self._policy, cmd.decided_at, "help_started"),
            responsible="veilig_thuis",
        )
        await self._announce("huisverbod_imposed", cmd.decided_at)
        if who == "hulpofficier" and workflow.patched(MANDATE_INFORMS_MAYOR):
            await self._notify(
                "alert",
                "mayor_office",
                "imposed_under_mandate",
                cmd.decided_at,
                "een hulpofficier van justitie legde een huisverbod op in mandaat van de burgemeester "
                "(Wth art. 3 lid 2)",
            )
        return await self._changed()

    @decide.validator
    def _validate_decide(self, cmd: DecisionCmd) -> None:
        self._permitted(cmd, "huisverbod.decide")
        if self._repeats(cmd):
            return
        if self._s.status != "requested":
            raise conflict(
                f"over het verzoek is al beslist: het huisverbod is {STATUS_NAMES[self._s.status]}"
            )
        self._not_in_future(cmd.decided_at)
        if cmd.decided_at < self._s.requested_at:
            raise invalid("het moment van de beslissing (veld decided_at) ligt vóór het verzoek")
        if cmd.decision == "impose":
            try:
                check_veilig_thuis_consulted(
                    self._in.children_involved, bool(cmd.veilig_thuis_consulted)
                )
            except RuleViolation as e:
                raise invalid(str(e)) from None

    # --- extension by the mayor ---

    @workflow.update
    async def extend(self, cmd: ExtensionCmd) -> HuisverbodSnapshot:
        if self._repeats_extension(cmd):  # sent again: answered as before
            return await self._settled()
        self._s.status, self._s.ends_at = "extended", cmd.until
        self._s.extensions.append(cmd)
        self._event(cmd.decided_at, "huisverbod_extended", f"verlengd tot {dutch_time(cmd.until)}")
        await self._announce("huisverbod_extended", cmd.decided_at)
        return await self._changed()

    @extend.validator
    def _validate_extend(self, cmd: ExtensionCmd) -> None:
        self._permitted(cmd, "huisverbod.extend")
        s = self._s
        if self._repeats_extension(cmd):
            return
        if s.max_end is not None:  # past the legal maximum is never possible: say so first
            try:
                self._policy.check_cap(s.max_end, cmd.until)
            except RuleViolation as e:
                raise invalid(str(e)) from None
        if s.status not in IN_FORCE or s.max_end is None or s.ends_at is None:
            raise conflict(
                f"alleen een lopend huisverbod kan worden verlengd; dit is {STATUS_NAMES[s.status]}"
            )
        self._not_in_future(cmd.decided_at)
        try:
            self._policy.check_extension(
                cap=s.max_end,
                current_end=s.ends_at,
                until=cmd.until,
                decided_at=cmd.decided_at,
                capacity=cmd.decided_by.capacity,
                imposed_at=s.imposed_at,
            )
        except RuleViolation as e:
            raise invalid(str(e)) from None

    # --- appeal, the hearing on interim relief and the court's ruling (Wth art. 6) ---

    @workflow.update
    async def appeal(self, cmd: AppealCmd) -> HuisverbodSnapshot:
        s = self._s
        s.appeals.append(cmd)
        s.appeal = s.appeal or cmd
        what = "de verlenging" if cmd.against == "extension" else "het huisverbod"
        self._event(cmd.lodged_at, "appeal_lodged", f"de pleger gaat in beroep tegen {what}")
        if cmd.interim_relief_requested and s.status in IN_FORCE:
            days = self._policy.interim_relief_days
            if not workflow.patched(INTERIM_RELIEF_ATW):  # requested under a release that
                real = add_local(cmd.lodged_at, days=days)  # counted 72 hours: it keeps them
                hearing = on_calendar(self._policy.scaled, cmd.lodged_at, real)
            elif self._hearing_atw_art2:  # Wth art. 6 lid 1 sub a with Atw art. 1 and 2
                hearing = due(self._policy, cmd.lodged_at, "interim_relief_hearing")
            else:  # a ban from before Atw art. 2 was applied: it keeps art. 1's date
                last = local_date(cmd.lodged_at) + timedelta(days=days)
                real = end_of_day(on_calendar(working_day_from, last))
                hearing = on_calendar(self._policy.scaled, cmd.lodged_at, real)
            self._book.add(DEADLINES["interim_relief_hearing"], hearing, responsible="court")
        return await self._changed()

    @appeal.validator
    def _validate_appeal(self, cmd: AppealCmd) -> None:
        self._permitted(cmd, "huisverbod.appeal")
        s = self._s
        if s.imposed_at is None:
            raise conflict(
                "alleen tegen een opgelegd huisverbod staat beroep open; "
                f"dit is {STATUS_NAMES[s.status]}"
            )
        if cmd.against == "extension" and not s.extensions:
            raise conflict("het huisverbod is niet verlengd")
        if any(a.against == cmd.against for a in s.appeals):
            raise conflict(
                "er is al beroep ingesteld tegen "
                + ("de verlenging" if cmd.against == "extension" else "het opleggen")
            )
        self._not_in_future(cmd.lodged_at)
        if cmd.lodged_at < s.imposed_at:
            raise invalid("het beroep kan niet liggen vóór het opleggen van het huisverbod")

    @workflow.update
    async def record_hearing(self, cmd: HearingCmd) -> HuisverbodSnapshot:
        self._s.hearings.append(cmd.at)
        self._book.meet("interim_relief_hearing", cmd.at)
        self._event(
            cmd.at,
            "interim_relief_heard",
            "de rechter heeft het verzoek om een voorlopige voorziening behandeld",
        )
        if self._s.status in IN_FORCE and workflow.patched(INTERIM_RELIEF_RULING):  # art. 6 b
            self._book.add(
                DEADLINES["interim_relief_ruling"],
                due(self._policy, cmd.at, "interim_relief_ruling"),
                responsible="court",
            )
        return await self._changed()

    @record_hearing.validator
    def _validate_hearing(self, cmd: HearingCmd) -> None:
        self._permitted(cmd, "huisverbod.hearing")
        if not any(
            d.key == "interim_relief_hearing" and d.met_at is None for d in self._s.deadlines
        ):
            raise conflict("er wacht geen verzoek om een voorlopige voorziening op behandeling")
        self._not_in_future(cmd.at)

    @workflow.update
    async def rule(self, cmd: RulingCmd) -> HuisverbodSnapshot:
        s = self._s
        s.ruling = cmd
        s.rulings.append(cmd)
        for key in ("interim_relief_hearing", "interim_relief_ruling"):  # a ruling was heard
            self._book.meet(key, cmd.ruled_at)
        if cmd.outcome == "lifted" and s.status in IN_FORCE:
            self._finish("lifted", cmd.ruled_at, "de rechter heeft het huisverbod opgeheven")
            await self._announce("huisverbod_lifted", cmd.ruled_at)
        elif cmd.outcome == "lifted":
            self._event(
                cmd.ruled_at,
                "appeal_ruling",
                "de rechter oordeelde dat het huisverbod onrechtmatig was",
            )
        else:
            self._event(
                cmd.ruled_at, "appeal_ruling", "de rechter heeft het huisverbod in stand gelaten"
            )
        return await self._changed()

    @rule.validator
    def _validate_rule(self, cmd: RulingCmd) -> None:
        self._permitted(cmd, "huisverbod.ruling")
        s = self._s
        if not s.appeals and s.appeal is None:
            raise conflict("er is geen beroep om over te beslissen")
        if len(s.rulings) >= max(len(s.appeals), 1) or (not s.appeals and s.ruling is not None):
            raise conflict("de rechter heeft al uitspraak gedaan")
        self._not_in_future(cmd.ruled_at)

    # --- withdrawal by the mayor, violation recorded by the police ---

    @workflow.update
    async def withdraw(self, cmd: WithdrawalCmd) -> HuisverbodSnapshot:
        self._s.withdrawal = cmd
        self._finish(
            "withdrawn",
            cmd.at,
            "de burgemeester heeft het huisverbod ingetrokken (Wth art. 2 lid 9)",
        )
        await self._announce("huisverbod_withdrawn", cmd.at)
        return await self._changed()

    @withdraw.validator
    def _validate_withdraw(self, cmd: WithdrawalCmd) -> None:
        self._permitted(cmd, "huisverbod.withdraw")
        if self._s.status not in IN_FORCE:
            raise conflict(
                "alleen een lopend huisverbod kan worden ingetrokken; "
                f"dit is {STATUS_NAMES[self._s.status]}"
            )
        if cmd.decided_by.capacity != "mayor":
            raise invalid(
                "alleen de burgemeester trekt een huisverbod in; het mandaat aan een hulpofficier "
                "van justitie geldt alleen voor het opleggen (Wth art. 3 lid 1)"
            )
        self._not_in_future(cmd.at)

    @workflow.update
    async def record_violation(self, cmd: ViolationCmd) -> HuisverbodSnapshot:
        self._s.violations.append(cmd.at)
        self._event(
            cmd.at,
            "huisverbod_violated",
            "de politie heeft een overtreding vastgesteld (Wth art. 11)",
        )
        await self._announce("huisverbod_violated", cmd.at)
        return await self._changed()

    @record_violation.validator
    def _validate_violation(self, cmd: ViolationCmd) -> None:
        self._permitted(cmd, "huisverbod.violation")
        s = self._s
        if s.status not in IN_FORCE or s.imposed_at is None:
            raise conflict(
                "alleen een lopend huisverbod kan worden overtreden; "
                f"dit is {STATUS_NAMES[s.status]}"
            )
        self._not_in_future(cmd.at)
        if cmd.at < s.imposed_at:
            raise invalid("de overtreding kan niet liggen vóór het opleggen van het huisverbod")

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
        self._permitted(cmd, MILESTONE_ACTIONS[cmd.milestone])
        if self._s.status not in IN_FORCE:
            raise conflict(f"het huisverbod is {STATUS_NAMES[self._s.status]}")
        if any(e.kind == cmd.milestone for e in self._s.timeline):
            raise conflict(f"al vastgelegd: {MILESTONES[cmd.milestone][1]}")
        self._not_in_future(cmd.at)

    def _repeats(self, cmd: DecisionCmd) -> bool:
        """The decision already taken, sent again."""
        return _same_but_moment(self._s.decision, cmd)

    def _repeats_extension(self, cmd: ExtensionCmd) -> bool:
        """The last extension, sent again."""
        return _same_but_moment(self._s.extensions[-1] if self._s.extensions else None, cmd)

    # --- the base's hooks ---

    def _done(self) -> bool:
        """Done once it ended, and the term for an appeal passed with every appeal ruled on."""
        s = self._s
        if s.status in ("requested", *IN_FORCE):
            return False
        if s.open_until is None:
            return True
        return len(s.rulings) >= len(s.appeals) and workflow.now() >= s.open_until

    def _due(self, now: datetime) -> tuple[list[Firing], bool]:
        """Deadlines passed unmet escalate first; then a ban whose end has come expires."""
        fired = self._book.fire(now)
        s = self._s
        if s.status in IN_FORCE and s.ends_at is not None and now >= s.ends_at:
            self._finish("expired", s.ends_at, "het huisverbod is afgelopen")
            self._expired = True
            return fired, True
        return fired, False

    async def _after_due(self) -> None:
        if self._expired:
            self._expired = False
            await self._announce("huisverbod_expired", self._s.ended_at)

    def _moments(self) -> list[datetime | None]:
        return [self._s.ends_at if self._s.status in IN_FORCE else self._s.open_until]

    def _projection(self) -> Projection:
        return ReadModelActivities.upsert_huisverbod, self._s.model_copy(deep=True)

    def _report(self, events: list[TimelineEvent]) -> tuple[str, HuisverbodChange]:
        s = self._s
        return SPEC.signal, HuisverbodChange(
            huisverbod_id=s.huisverbod_id, status=s.status, events=events
        )

    # --- internals ---

    def _not_in_future(self, at: datetime) -> None:
        check_time(at)

    def _finish(self, status: str, at: datetime, detail: str) -> None:
        s = self._s
        s.status, s.ended_at = status, at
        if status != "refused":
            s.ends_at = at
            if workflow.patched(APPEAL_AFTER_END):  # appeals are taken after the end too
                decided = max([s.imposed_at or at, *(e.decided_at for e in s.extensions)])
                s.open_until = on_calendar(self._policy.appeal_until, decided)
        self._event(at, f"huisverbod_{status}", detail)
        self._book.close_open()

    async def _announce(self, event: str, at: datetime) -> None:
        """Tell the partners of this event (who: `domain.notifications`)."""
        await self._notify("event", "partners", event, at, f"{LABELS[event]} ({dutch_time(at)})")


def _same_but_moment(taken, cmd) -> bool:
    """A command taken already, sent again by a client's retry: the same in all but the
    moment the API filled in."""
    same = {"decided_at", "actor"}  # a retry by a colleague of the same office is the same
    return taken is not None and taken.model_dump(exclude=same) == cmd.model_dump(exclude=same)
