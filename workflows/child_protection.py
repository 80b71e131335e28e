"""Child protection: beschermtafel, the Raad voor de Kinderbescherming, the kinderrechter.

referred -> beschermtafel meeting scheduled -> held: voluntary help agreed (closed) or a
verzoek tot onderzoek to the Raad, sent through CORV -> the Raad starts an investigation
(or not: closed) -> it concludes: no measure (closed) or a petition to the court -> the
court grants or refuses -> measures run to their end date, the jeugdbescherming is reminded
before each ends, renewals within the legal maximum (BW boek 1; see
`domain.child_protection_policy`).
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from datetime import datetime, timedelta

    from activities.corv import CORV_REJECTED, CorvActivities
    from domain.child_protection import (
        DEADLINES,
        MACHTIGING,
        SUPERVISION,
        CorvRequest,
        CourtDecided,
        Measure,
        MeasureEnded,
        MeasureRenewed,
        MeetingHeld,
        MeetingScheduled,
        PlacementCarriedOut,
        ProtectionStart,
        ProtectionState,
        ProtectionStepCmd,
        RaadAnswered,
        RaadConcluded,
        RenewalDecided,
        machtiging_problem,
        protection_step_problem,
        urgent_machtiging,
    )
    from domain.child_protection_policy import MEASURE_NAMES
    from domain.models import Deadline
    from domain.policy import RuleViolation
    from domain.workdays import dutch_date, dutch_time, end_of_day
    from workflows.deadlines import Firing
    from workflows.errors import invalid
    from workflows.options import COORDINATOR
    from workflows.patches import (
        MACHTIGING_ENDS_WITH_OTS,
        MACHTIGING_LAPSES,
        RENEWAL_REQUEST,
        RENEWAL_REQUEST_WORKING_DAY,
        WMO_COLLEGE_INFORMED,
    )
    from workflows.procedure import PathWorkflow, due, on_calendar

CORV_OPTIONS = {
    "start_to_close_timeout": timedelta(seconds=30),
    "retry_policy": RetryPolicy(
        initial_interval=timedelta(seconds=1),
        maximum_interval=timedelta(minutes=5),
        non_retryable_error_types=[CORV_REJECTED],
    ),
}


@workflow.defn
class ChildProtectionWorkflow(PathWorkflow):
    @workflow.init
    def __init__(self, start: ProtectionStart) -> None:
        self._in = start.path
        self._policy = start.path.policy.protection
        self._s = ProtectionState(
            **start.path.base(),
            status="referred",
            child_ref=start.child_ref,
            via=start.via,
        )
        self._begin_path()
        self._renewals: dict[str, Deadline] = {}
        # decided when the run starts, like the loop's patches (`patches.AT_START`)
        self._request_on_working_day = workflow.patched(RENEWAL_REQUEST_WORKING_DAY)

    @workflow.run
    async def run(self, start: ProtectionStart) -> ProtectionState:
        at = start.path.started_at
        if start.via == "raad":
            self._event(at, "protection_referred", "Veilig Thuis vraagt de Raad om onderzoek")
            await self._request_raad(at)
        else:
            self._event(at, "protection_referred", "verwezen naar de beschermtafel")
            self._add("beschermtafel_meeting", at)
            await self._publish()
        await self._run_until_done()
        return self._s

    @workflow.query
    def state(self) -> ProtectionState:
        return self._s

    @workflow.update
    async def step(self, step: ProtectionStepCmd) -> ProtectionState:
        at: datetime = step.at  # type: ignore[assignment]
        if isinstance(step, MeetingScheduled):
            self._s.meeting_on, self._s.status = step.meeting_on, "meeting_scheduled"
            self._event(
                at, "beschermtafel_scheduled", f"beschermtafel op {dutch_date(step.meeting_on)}"
            )
        elif isinstance(step, MeetingHeld):
            self._book.meet("beschermtafel_meeting", at)
            if step.outcome == "voluntary_help_agreed":
                self._close(at, "beschermtafel: de ouders aanvaarden vrijwillige hulp")
            else:
                self._event(
                    at, "beschermtafel_held", "beschermtafel: de Raad wordt om onderzoek gevraagd"
                )
                await self._request_raad(at)
        elif isinstance(step, RaadAnswered):
            self._book.meet("raad_answer", at)
            if step.investigation_started:
                self._s.status = "raad_investigating"
                self._event(at, "raad_investigating", "de Raad is een onderzoek gestart")
                self._add("raad_investigation", at, "raad")
            else:
                self._close(at, "de Raad start geen onderzoek")
        elif isinstance(step, RaadConcluded):
            self._book.meet("raad_investigation", at)
            if step.petition is None:
                self._close(at, "conclusie van de Raad: geen maatregel nodig")
            else:
                self._s.status, self._s.petition = "court_petitioned", step.petition
                self._event(
                    at,
                    "court_petitioned",
                    f"de Raad verzoekt de rechter om een {MEASURE_NAMES[step.petition]}",
                )
        elif isinstance(step, CourtDecided):
            await self._court_decided(step, at)
        elif isinstance(step, MeasureRenewed):
            measure = self._running(step.measure)
            measure.ends_at = step.until
            renewal = self._renewals.pop(step.measure)
            renewal.met_at, renewal.status = at, "met"
            self._book.meet("renewal_request", at)  # renewed: asked for, even if unrecorded
            self._event(
                at,
                "measure_renewed",
                f"{MEASURE_NAMES[step.measure]} verlengd tot {dutch_time(step.until)}",
            )
            self._track_end(measure, at)
        elif isinstance(step, RenewalDecided):
            self._book.meet("renewal_request", at)
            self._event(
                at,
                "renewal_decided",
                f"verlenging van de {MEASURE_NAMES[step.measure]} gevraagd aan de kinderrechter"
                if step.requested
                else f"de {MEASURE_NAMES[step.measure]} wordt niet verlengd: zij loopt af",
            )
        elif isinstance(step, PlacementCarriedOut):
            self._book.meet("placement_used", at)
            next(
                m
                for m in self._s.measures
                if m.kind == "machtiging_uithuisplaatsing" and not m.placed
            ).placed = True
            self._event(at, "placement_carried_out", "het kind is uit huis geplaatst")
        elif isinstance(step, MeasureEnded):
            self._end(self._running(step.measure), at, "beëindigd door de rechter")
        return await self._changed()

    @step.validator
    def _validate_step(self, step: ProtectionStepCmd) -> None:
        self._permitted(step)
        if problem := machtiging_problem(self._s.measures, step):
            raise invalid(problem)
        self._check_step(protection_step_problem(self._s, step), step.at)
        try:
            if isinstance(step, CourtDecided) and step.granted:
                start = step.starts_at or step.at
                on_calendar(
                    self._policy.check_measure, step.measure, start, step.ends_at, step.urgent
                )
            if isinstance(step, MeasureRenewed):
                current = self._running(step.measure).ends_at
                on_calendar(self._policy.check_renewal, step.measure, current, step.until)
        except RuleViolation as e:
            raise invalid(str(e)) from None
        if isinstance(step, MeetingScheduled) and end_of_day(step.meeting_on) < self._s.started_at:
            raise invalid("de beschermtafel kan niet vóór de verwijzing liggen")

    # --- the steps with more to them ---

    async def _request_raad(self, at: datetime) -> None:
        """Send the verzoek tot onderzoek through CORV; the Raad's answer is then due."""
        self._s.status = "raad_requested"
        try:
            self._s.corv_message_id = await workflow.execute_activity_method(
                CorvActivities.send_verzoek_tot_onderzoek,
                CorvRequest(
                    path_id=self._s.path_id,
                    case_id=self._s.case_id,
                    region=self._s.region,
                    child_ref=self._s.child_ref,
                ),
                **CORV_OPTIONS,
            )
            self._event(
                at,
                "raad_requested",
                f"verzoek tot onderzoek verstuurd via CORV ({self._s.corv_message_id})",
            )
            if workflow.patched(WMO_COLLEGE_INFORMED):  # Wmo 2015 art. 4.1.1 lid 2 sub f
                await self._notify(
                    "event",
                    "college",
                    "raad_requested",
                    at,
                    "Veilig Thuis vraagt de Raad voor de Kinderbescherming om onderzoek",
                )
        except ActivityError as e:
            cause = e.cause.message if isinstance(e.cause, ApplicationError) else str(e)
            self._event(
                at,
                "corv_rejected",
                f"CORV heeft het verzoek tot onderzoek niet aangenomen: {cause}",
            )
            await self._notify(
                "escalation",
                COORDINATOR,
                "corv_rejected",
                at,
                "CORV heeft het verzoek tot onderzoek niet aangenomen",
            )
        self._add("raad_answer", at, "raad")
        await self._publish()

    async def _court_decided(self, step: CourtDecided, at: datetime) -> None:
        investigating = self._s.status == "raad_investigating"  # a voorlopige OTS meanwhile
        urgent = urgent_machtiging(self._s) if step.measure == MACHTIGING else None
        if urgent is not None and not step.urgent:  # the decision after the hearing replaces it
            self._book.meet("urgent_hearing", at)
            self._end(urgent, at, "vervangen door de beslissing na het verhoor (Rv art. 800)")
        if not step.granted:
            self._event(
                at, "court_refused", f"de rechter wees een {MEASURE_NAMES[step.measure]} af"
            )
            if investigating:
                return
            if any(m.running for m in self._s.measures):
                self._s.status = "measure_running"
            else:
                self._close(at, "geen maatregel: de rechter wees het verzoek af")
            return
        starts_at = step.starts_at or at
        measure = Measure(
            kind=step.measure, starts_at=starts_at, ends_at=step.ends_at, urgent=step.urgent
        )
        self._s.measures.append(measure)
        if not investigating:
            self._s.status = "measure_running"
        until = (
            f"tot {dutch_time(step.ends_at)}" if step.ends_at else "tot het kind meerderjarig is"
        )
        self._event(
            at,
            "measure_granted",
            f"de rechter sprak een {MEASURE_NAMES[step.measure]} uit, {until}",
        )
        await self._notify(
            "event", "partners", "measure_granted", at, f"{MEASURE_NAMES[step.measure]} {until}"
        )
        if step.urgent:
            self._add("urgent_hearing", at, "court")
        if urgent is not None and urgent.placed:  # the child stays where it was placed
            measure.placed = True
        elif step.measure == MACHTIGING:
            used = self._add("placement_used", starts_at, "jeugdbescherming")
            measure.lapses_at = used.due_at
        self._track_end(measure, at)

    def _track_end(self, measure: Measure, at: datetime) -> None:
        """A deadline at the measure's end that reminds the jeugdbescherming beforehand; for
        an OTS also the moment to ask for its renewal (BW 1:265j lid 1), with its own
        reminder. A spoedmachtiging is not renewed: the court decides after the hearing."""
        if measure.ends_at is None or measure.urgent:
            return
        if measure.kind == "ondertoezichtstelling" and workflow.patched(RENEWAL_REQUEST):
            request = on_calendar(
                lambda end: self._policy.renewal_request(
                    at, end, off_days_first=self._request_on_working_day
                ),
                measure.ends_at,
            )
            if request is not None:
                self._book.add(DEADLINES["renewal_request"], request, "jeugdbescherming")
        remind = on_calendar(self._policy.renewal_reminder, at, measure.ends_at)
        self._renewals[measure.kind] = self._book.add(
            DEADLINES["measure_renewal"],
            (measure.ends_at, remind),
            "jeugdbescherming",
            label=f"{MEASURE_NAMES[measure.kind]} loopt af: vraag de rechter om verlenging, of "
            "laat haar aflopen",
        )

    def _running(self, kind: str) -> Measure:
        return next(m for m in self._s.measures if m.kind == kind and m.running)

    def _end(self, measure: Measure, at: datetime, how: str) -> None:
        measure.running = False
        measure.ends_at = min(measure.ends_at or at, at)
        if (renewal := self._renewals.pop(measure.kind, None)) is not None:
            renewal.status = "closed"
        if measure.kind == "ondertoezichtstelling":
            self._book.close_open("renewal_request")
        if measure.urgent:
            self._book.close_open("urgent_hearing")
        if measure.kind == MACHTIGING:
            self._book.close_open("placement_used")  # an ended machtiging can no longer be used
        self._event(at, "measure_ended", f"{MEASURE_NAMES[measure.kind]} {how}")
        supervised = any(m.running and m.kind in SUPERVISION for m in self._s.measures)
        machtiging = next((m for m in self._s.measures if m.running and m.kind == MACHTIGING), None)
        if (
            measure.kind in SUPERVISION
            and not supervised
            and machtiging is not None
            and workflow.patched(MACHTIGING_ENDS_WITH_OTS)
        ):
            self._end(machtiging, at, "beëindigd met de ondertoezichtstelling (BW 1:265b lid 1)")
        if self._s.status == "measure_running" and not any(m.running for m in self._s.measures):
            self._close(at, "de laatste maatregel is beëindigd")

    def _due(self, now: datetime) -> tuple[list[Firing], bool]:
        """A measure that ran to its end date ends first: its renewal deadline then falls
        silent instead of escalating."""
        expired = [m for m in self._s.measures if m.running and m.ends_at and m.ends_at <= now]
        for m in expired:
            if m.running:  # ending an OTS may have ended its machtiging already
                self._end(m, m.ends_at, "afgelopen op de einddatum")  # type: ignore[arg-type]
        fired = self._book.fire(now)  # an unused machtiging escalates, then lapses
        lapsing = [
            m
            for m in self._s.measures
            if m.running and not m.placed and m.lapses_at and m.lapses_at <= now
        ]
        if lapsing and workflow.patched(MACHTIGING_LAPSES):
            for m in lapsing:
                m.lapsed = True
                self._end(
                    m, m.lapses_at, "vervallen: niet binnen drie maanden gebruikt (BW 1:265c lid 3)"
                )  # type: ignore[arg-type]
            return fired, True
        return fired, bool(expired)

    def _moments(self) -> list[datetime | None]:
        return [m.ends_at for m in self._s.measures if m.running and m.ends_at]

    def _add(self, key: str, start: datetime, responsible: str = "veilig_thuis") -> Deadline:
        return self._book.add(DEADLINES[key], due(self._policy, start, key), responsible)
