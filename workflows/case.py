"""The case (casus) at Veilig Thuis, as the Handelingsprotocol describes it.

melding (meldcode afwegingskader) -> triage: safety assessment within 5 working days (at
once when acute) -> follow-up decision: close with advice, hand over to local care and
monitor, investigate (10 weeks), or refer to the beschermtafel / MDA++ -> closed.

Procedures (the huisverbod and the paths of the catalogue) run as child workflows and report
back by signal, so the case timeline shows everything that happened. Every deadline reminds
before and escalates after; all of them come from the one policy the case was opened with.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.case import (
        CLOSE_REASON_NAMES,
        CONCLUSION_NAMES,
        CONSENT_PATH_LABELS,
        DEADLINES,
        FOLLOW_UP_NAMES,
        FOLLOW_UP_PATHS,
        PERSON_ROLE_NAMES,
        PHASE_NAMES,
        REFUSED_BY_NAMES,
        REPORTER_NAMES,
        CaseCarry,
        CaseInput,
        CaseSnapshot,
        CloseByActor,
        ConsentRefusedByActor,
        FollowUpByActor,
        FollowUpCmd,
        InvestigationByActor,
        MonitoringCheckByActor,
        SafetyAssessmentByActor,
        Subprocedure,
    )
    from domain.huisverbod import SPEC as HUISVERBOD
    from domain.huisverbod import HuisverbodChange, HuisverbodInput, HuisverbodRequestCmd
    from domain.ids import NOTIFICATION_FAILED
    from domain.models import TimelineEvent
    from domain.procedure import (
        PATH_CHANGED,
        PathChange,
        PathInput,
        ProcedureSpec,
        StartPathCmd,
    )
    from workflows.errors import check_time, conflict, invalid
    from workflows.given import procedures
    from workflows.options import COORDINATOR
    from workflows.patches import (
        ACUTE_SAFETY_PATH,
        FOLLOW_UP_STARTS_PATH,
        RADAR_REPEAT_VIOLENCE,
        WMO_POLICE_ALERT,
        WMO_REPORTER_INFORMED,
    )
    from workflows.procedure import ProcedureWorkflow, Projection, due

FOLLOW_UP_LABELS = {
    "close_with_advice": "gesloten met een advies",
    "handover": "overgedragen aan de lokale hulp; de monitoring begint",
    "investigation": "onderzoek gestart",
    "beschermtafel": "verwezen naar de beschermtafel",
    "mda": "verwezen naar MDA++",
}
REPEAT_VIOLENCE = (
    "herhaald geweld: eerdere meldingen over dezelfde personen; overweeg MDA++ "
    "(voorstel aan de coördinator, geen verwijzing)"
)


@workflow.defn
class CaseWorkflow(ProcedureWorkflow):
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        self._in = inp
        self._vt = inp.policy.veilig_thuis
        self._s = CaseSnapshot(
            case_id=inp.case_id,
            region=inp.region,
            municipality=inp.municipality,
            phase="triage",
            urgent=inp.unsafety.acute,
            acute=inp.unsafety.acute,
            structural=inp.unsafety.structural,
            opened_at=inp.received_at,
            version=0,
            timeline=[],
            deadlines=[],
        )
        self._children: dict[str, Subprocedure] = {}  # its procedures, by id
        self._investigated = False
        if inp.carried is not None:  # a run after continue-as-new: the state goes on
            c = inp.carried
            self._s = c.snapshot
            self._children, self._investigated = c.children, c.investigated
        self._begin(
            source="case", case_id=inp.case_id, region=inp.region, delivery=inp.policy.delivery
        )
        if inp.carried is not None:
            return
        # The intake is recorded here, before any handler can run, so a step that arrives
        # with the start of the workflow finds the deadline it meets.
        self._s.timeline.extend(inp.prior)
        u = inp.unsafety
        answers = (
            f"acuut onveilig: {_yn(u.acute)}, structureel onveilig: {_yn(u.structural)}, "
            f"melder kan helpen: {_yn(u.reporter_can_help)}"
        )
        self._event(
            inp.received_at,
            "melding_received",
            f"melding door {REPORTER_NAMES[inp.reporter_kind]}; {answers}",
        )
        key = "acute_safety_assessment" if u.acute else "safety_assessment"
        self._book.add(
            DEADLINES[key], due(self._vt, inp.received_at, key), responsible="veilig_thuis"
        )

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseSnapshot:
        if inp.carried is None:
            await self._open(inp)
        await self._run_until_done()
        return self._s

    async def _open(self, inp: CaseInput) -> None:
        """What happens once, when the melding comes in."""
        if inp.reporter_kind == "police":
            # Handle with Care: school and kinderopvang hear of a police call-out at once
            await self._notify(
                "event", "partners", "police_callout", workflow.now(), "inzet van de politie"
            )
        if inp.unsafety.acute and workflow.patched(ACUTE_SAFETY_PATH):
            # the acute safety path alerts the police and wants a safe place within hours
            await self._start_path(
                StartPathCmd(kind="acute_safety", path_id=workflow.uuid4().hex, at=inp.received_at)
            )
        elif inp.unsafety.acute:
            self._event(
                inp.received_at,
                "partners_alerted",
                "acute onveiligheid: politie gealarmeerd (mogelijk is een huisverbod nodig)",
            )
            await self._notify(
                "alert",
                "police",
                "acute_unsafety",
                workflow.now(),
                "acute onveiligheid gemeld bij Veilig Thuis",
            )
        if inp.repeat_violence and workflow.patched(RADAR_REPEAT_VIOLENCE):
            # a proposal to the coordinator, who decides on the referral (follow-up "mda")
            self._event(inp.received_at, "repeat_violence", REPEAT_VIOLENCE)
            await self._notify(
                "alert", COORDINATOR, "repeat_violence", inp.received_at, REPEAT_VIOLENCE
            )
        await self._publish()

    def _pause(self) -> bool:
        """Time to continue as new: the server suggests it, or the policy's bound is reached."""
        info = workflow.info()
        return (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() > self._in.policy.case_events_per_run
        )

    def _carry(self) -> CaseInput:
        carried = CaseCarry(
            snapshot=self._s, children=self._children, investigated=self._investigated
        )
        return self._in.model_copy(update={"carried": carried})

    @workflow.query
    def state(self) -> CaseSnapshot:
        return self._s

    # --- triage ---

    @workflow.update
    async def record_safety_assessment(self, cmd: SafetyAssessmentByActor) -> CaseSnapshot:
        at = cmd.assessed_at
        if not self._book.meet("acute_safety_assessment", at):
            self._book.meet("safety_assessment", at)
        self._s.acute, self._s.structural = cmd.acute, cmd.structural
        self._s.urgent = self._s.urgent or cmd.acute
        self._event(
            at,
            "safety_assessed",
            f"veiligheid beoordeeld: acuut onveilig {_yn(cmd.acute)}, "
            f"structureel onveilig {_yn(cmd.structural)}",
        )
        if cmd.acute and workflow.patched(WMO_POLICE_ALERT):
            await self._alert_police(at)
        self._s.phase = "follow_up_decision"
        return await self._changed()

    async def _alert_police(self, at: datetime) -> None:
        """Veilig Thuis found acute unsafety: its decision to alert the police is recorded
        (Wmo 2015 art. 4.1.1 lid 2 sub e); the police hear of it unless the melding did."""
        if self._in.unsafety.acute:
            self._event(
                at,
                "police_alert_decided",
                "Veilig Thuis bevestigt de acute onveiligheid; de politie is bij de melding al "
                "gealarmeerd (Wmo 2015 art. 4.1.1 lid 2 sub e)",
            )
            return
        self._event(
            at,
            "police_alert_decided",
            "Veilig Thuis stelde acute onveiligheid vast en alarmeerde de politie "
            "(Wmo 2015 art. 4.1.1 lid 2 sub e)",
        )
        await self._notify(
            "alert",
            "police",
            "acute_unsafety",
            at,
            "acute onveiligheid vastgesteld door Veilig Thuis",
        )

    @record_safety_assessment.validator
    def _validate_assessment(self, cmd: SafetyAssessmentByActor) -> None:
        self._permitted(cmd)
        self._require_phase("triage", "de veiligheidsbeoordeling vastleggen")
        self._check_time(cmd.assessed_at)

    # --- the follow-up decision ---

    @workflow.update
    async def decide_follow_up(self, cmd: FollowUpByActor) -> CaseSnapshot:
        at = cmd.decided_at
        path = _path_of(cmd)
        if path is None or not workflow.patched(FOLLOW_UP_STARTS_PATH):
            path = None
            self._event(at, f"follow_up_{cmd.decision}", FOLLOW_UP_LABELS[cmd.decision])
        if cmd.decision == "close_with_advice":
            self._close()
        elif cmd.decision == "investigation":
            self._investigated = True
            self._s.phase = "investigation"
            self._book.add(
                DEADLINES["investigation"], due(self._vt, at, "investigation"), "veilig_thuis"
            )
        elif cmd.decision == "handover":
            self._s.phase, self._s.partner = "monitoring", cmd.partner
            self._schedule_monitoring(at)
        else:
            self._s.phase = "referred"
            if path is not None:  # the path records the referral on the timeline itself
                await self._start_path(path)
            if path is None or not _sends_referral(path.kind, cmd.decision):
                await self._notify(
                    "referral",
                    cmd.decision,
                    cmd.decision,
                    workflow.now(),
                    FOLLOW_UP_LABELS[cmd.decision],
                )
        reporter = self._in.reporter_partner
        if reporter and workflow.patched(WMO_REPORTER_INFORMED):
            self._event(
                at,
                "reporter_informed",
                f"de melder ({reporter}) hoort wat er met de melding is gedaan: "
                f"{FOLLOW_UP_LABELS[cmd.decision]} (Wmo 2015 art. 4.1.1 lid 2 sub g)",
            )
            await self._notify(
                "event",
                f"partner:{reporter}",
                "melding_followed_up",
                at,
                FOLLOW_UP_LABELS[cmd.decision],
            )
        return await self._changed()

    @decide_follow_up.validator
    def _validate_follow_up(self, cmd: FollowUpByActor) -> None:
        self._permitted(cmd)
        self._require_phase("follow_up_decision", "over het vervolg beslissen")
        self._check_time(cmd.decided_at)
        if cmd.decision == "handover" and not cmd.partner:
            raise invalid(
                "bij een overdracht hoort de partner die de casus overneemt (veld partner)"
            )
        if cmd.decision == "investigation" and self._investigated:
            raise conflict("deze casus is al onderzocht; beslis over het vervolg van dat onderzoek")
        if cmd.decision == "close_with_advice":
            self._nothing_running()
        path = _path_of(cmd)
        if path is not None:
            if FOLLOW_UP_PATHS.get(cmd.decision) != path.kind:
                raise invalid(f"bij {FOLLOW_UP_NAMES[cmd.decision]} hoort geen traject")
            self._check_start_path(path)  # the path's start is the decision's act

    # --- investigation ---

    @workflow.update
    async def record_investigation(self, cmd: InvestigationByActor) -> CaseSnapshot:
        self._book.meet("investigation", cmd.concluded_at)
        self._event(
            cmd.concluded_at,
            "investigation_concluded",
            f"onderzoek afgerond: {CONCLUSION_NAMES[cmd.conclusion]}",
        )
        self._s.phase = "follow_up_decision"
        return await self._changed()

    @record_investigation.validator
    def _validate_investigation(self, cmd: InvestigationByActor) -> None:
        self._permitted(cmd)
        self._require_phase("investigation", "een onderzoek afronden")
        self._check_time(cmd.concluded_at)

    # --- monitoring after handover ---

    @workflow.update
    async def record_monitoring_check(self, cmd: MonitoringCheckByActor) -> CaseSnapshot:
        at = cmd.checked_at
        self._book.meet("monitoring_check", at)
        if cmd.safety_holds:
            self._event(at, "monitoring_check", "monitoring: de veiligheid is er nog")
            self._schedule_monitoring(at)
        else:
            self._event(
                at,
                "monitoring_check",
                "monitoring: de veiligheid is er niet meer; opnieuw besluiten over het vervolg",
            )
            self._book.close_open()
            self._s.phase = "follow_up_decision"
        return await self._changed()

    @record_monitoring_check.validator
    def _validate_monitoring(self, cmd: MonitoringCheckByActor) -> None:
        self._permitted(cmd)
        self._require_phase("monitoring", "een monitoringscontrole vastleggen")
        self._check_time(cmd.checked_at)

    @workflow.update
    async def close(self, cmd: CloseByActor) -> CaseSnapshot:
        self._event(
            cmd.closed_at, "case_closed", f"casus gesloten: {CLOSE_REASON_NAMES[cmd.reason]}"
        )
        self._close()
        return await self._changed()

    @close.validator
    def _validate_close(self, cmd: CloseByActor) -> None:
        self._permitted(cmd)
        if self._s.phase not in ("follow_up_decision", "monitoring", "referred"):
            raise conflict(
                f"een casus in de fase {PHASE_NAMES[self._s.phase]} kan niet worden gesloten; "
                "rond eerst de huidige stap af"
            )
        self._check_time(cmd.closed_at)
        self._nothing_running()

    # --- huisverbod (child workflow): the catalogue's procedure with a start of its own ---

    @workflow.update
    async def request_huisverbod(self, cmd: HuisverbodRequestCmd) -> str:
        if cmd.huisverbod_id in self._children:  # the same request again: already done
            return cmd.huisverbod_id
        self._s.huisverbod_ids.append(cmd.huisverbod_id)
        await self._start_child(
            HUISVERBOD,
            cmd.huisverbod_id,
            cmd,
            HuisverbodInput(
                huisverbod_id=cmd.huisverbod_id,
                case_id=self._s.case_id,
                region=self._s.region,
                municipality=self._s.municipality,
                pleger_ref=cmd.pleger_ref,
                requested_at=cmd.requested_at,
                incident_at=cmd.incident_at,
                children_involved=any(p.role == "child" for p in self._in.persons),
                policy=self._in.policy.huisverbod,
                delivery=self._in.policy.delivery,
            ),
            status="requested",
        )
        return cmd.huisverbod_id

    @request_huisverbod.validator
    def _validate_request(self, cmd: HuisverbodRequestCmd) -> None:
        self._permitted(cmd, "huisverbod.request")
        if cmd.huisverbod_id in self._children:
            return  # a retried request (its id derives from the idempotency key): done already
        if self._s.phase == "closed":
            raise conflict("de casus is gesloten")
        self._check_one_at_a_time(HUISVERBOD, cmd)

    @workflow.signal(name=HUISVERBOD.signal)
    async def huisverbod_changed(self, change: HuisverbodChange) -> None:
        await self._child_changed(change.as_path_change())

    # --- escalation paths (child workflows) and consent ---

    @workflow.update
    async def start_path(self, cmd: StartPathCmd) -> str:
        if cmd.path_id not in self._children:  # a retried start (same id) starts nothing
            await self._start_path(cmd)
        return cmd.path_id

    @start_path.validator
    def _validate_start_path(self, cmd: StartPathCmd) -> None:
        self._permitted(cmd)
        self._check_start_path(cmd)

    def _check_start_path(self, cmd: StartPathCmd) -> None:
        if cmd.path_id in self._children:
            return  # a retried start: answered as before
        if self._s.phase == "closed":
            raise conflict("de casus is gesloten")
        self._check_time(cmd.at)
        spec = procedures().catalogue.procedures.get(cmd.kind)
        if spec is None or not spec.is_path:
            raise invalid(f"er is geen traject {cmd.kind!r}")
        self._check_one_at_a_time(spec, cmd)

    def _check_one_at_a_time(self, spec: ProcedureSpec, cmd) -> None:
        """The person the start names has the procedure's role, and no run of it for that
        person (or of it at all, when it names none) is running."""
        subject = spec.one_at_a_time(cmd)
        if spec.subject_role is not None:
            self._require_person(subject, spec.subject_role)
        for c in self._children.values():
            if c.active and c.kind == spec.kind and c.subject == subject:
                whom = f" voor {subject}" if subject else ""
                raise conflict(f"{spec.label}{whom} loopt al")

    @workflow.signal(name=PATH_CHANGED)
    async def path_changed(self, change: PathChange) -> None:
        await self._child_changed(change)

    async def _child_changed(self, change: PathChange) -> None:
        known = self._children.get(change.path_id)
        child = known or Subprocedure(kind=change.kind, status=change.status, active=True)
        # a child's reminders change nothing of the case but its timeline: they wait for the
        # case's next write (at the latest `QUIET_LAG`), not a write each; an escalation (a
        # term passed) shows on the case's page at once
        quiet = (
            self._one_write
            and known is not None
            and (known.status, known.active) == (change.status, change.active)
            and all(e.kind == "reminder" for e in change.events)
        )
        child.status, child.active = change.status, change.active
        self._children[change.path_id] = child
        if quiet:
            self._add_to_timeline(change.events)
            self._absorbed_quietly()
            return
        await self._absorb(change.events)

    async def _absorb(self, events: list[TimelineEvent]) -> None:
        """A child's events join the case timeline, in time order."""
        self._add_to_timeline(events)
        await self._publish()

    def _add_to_timeline(self, events: list[TimelineEvent]) -> None:
        self._s.timeline.extend(events)
        self._s.timeline.sort(key=lambda e: e.at)

    @workflow.update
    async def record_consent_refused(self, cmd: ConsentRefusedByActor) -> CaseSnapshot:
        self._event(
            cmd.at,  # type: ignore[arg-type]
            "consent_refused",
            f"{REFUSED_BY_NAMES[cmd.refused_by]}: geen toestemming voor hulp aan {cmd.child_ref}; "
            f"in plaats daarvan: {CONSENT_PATH_LABELS[cmd.path]}",
        )
        return await self._changed()

    @record_consent_refused.validator
    def _validate_consent(self, cmd: ConsentRefusedByActor) -> None:
        self._permitted(cmd)
        if self._s.phase == "closed":
            raise conflict("de casus is gesloten")
        self._require_person(cmd.child_ref, "child")
        self._check_time(cmd.at)

    async def _start_path(self, cmd: StartPathCmd) -> None:
        spec = procedures().catalogue.procedures[cmd.kind]
        path = PathInput(
            path_id=cmd.path_id,
            case_id=self._s.case_id,
            region=self._s.region,
            municipality=self._s.municipality,
            started_at=cmd.at,
            policy=self._in.policy,
        )
        await self._start_child(spec, cmd.path_id, cmd, spec.start_input(path, cmd))

    async def _start_child(
        self, spec: ProcedureSpec, child_id: str, cmd, inp, status: str = "started"
    ) -> None:
        """Start a run of procedure `spec` as a child, recorded as running for the person
        its start names."""
        self._children[child_id] = Subprocedure(
            kind=spec.kind, subject=spec.one_at_a_time(cmd), status=status, active=True
        )
        await workflow.start_child_workflow(
            procedures().workflows[spec.kind].run,
            inp,
            id=spec.workflow_id(self._s.case_id, child_id),
            # a legal act (a ban, a court's measure, a placement) runs its course whatever
            # happens to the case
            parent_close_policy=ParentClosePolicy.ABANDON,
        )

    def _require_person(self, ref: str | None, role: str) -> None:
        person = next((p for p in self._in.persons if p.ref == ref), None)
        if person is None or person.role != role:
            raise invalid(f"{ref!r} is geen {PERSON_ROLE_NAMES[role]} in deze casus")

    @workflow.signal(name=NOTIFICATION_FAILED)
    async def notification_failed(self, detail: str) -> None:
        self._event(workflow.now(), "notification_failed", detail)
        await self._publish()

    # --- internals ---

    def _require_phase(self, phase: str, action: str) -> None:
        if self._s.phase != phase:
            raise conflict(
                f"kan niet {action}: de casus is in de fase {PHASE_NAMES[self._s.phase]}, "
                f"niet {PHASE_NAMES[phase]}"
            )

    def _check_time(self, at: datetime | None) -> None:
        check_time(at, self._s.opened_at, "de melding binnenkwam")

    def _nothing_running(self) -> None:
        """A case stays open while one of its procedures runs."""
        active = {c.kind for c in self._children.values() if c.active}
        known = procedures().catalogue.procedures if active else {}
        if running := sorted(known[k].label if k in known else k for k in active):
            raise conflict(
                f"{', '.join(running)} loopt nog; de casus blijft open tot dat is afgerond"
            )

    def _schedule_monitoring(self, start: datetime) -> None:
        self._book.add(
            DEADLINES["monitoring_check"], due(self._vt, start, "monitoring_check"), "veilig_thuis"
        )

    def _close(self) -> None:
        self._book.close_open()
        self._s.phase = "closed"

    def _done(self) -> bool:
        return self._s.phase == "closed"

    def _notice_key(self, kind: str, subject: str, at: datetime) -> str:
        return f"case:{self._s.case_id}:{kind}:{subject}:{at.isoformat()}"

    def _projection(self) -> Projection:
        return ReadModelActivities.upsert_case, self._s.model_copy(deep=True)


def _path_of(cmd: FollowUpCmd) -> StartPathCmd | None:
    """The path a referral starts with it (the service filled in its kind and id)."""
    return StartPathCmd.model_validate(cmd.start) if cmd.start is not None else None


def _sends_referral(kind: str, subject: str) -> bool:
    """Whether the path sends the referral itself (MDA++ tells the Zorg- en Veiligheidshuis):
    then the case does not send it twice."""
    notices = procedures().catalogue.procedures[kind].notices
    return any(n.kind == "referral" and n.subject == subject for n in notices)


def _yn(value: bool | None) -> str:
    return "onbekend" if value is None else ("ja" if value else "nee")
