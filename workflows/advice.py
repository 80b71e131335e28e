"""An advice question (adviesvraag): registered, advised, followed up when a moment was agreed
with the asker, then closed or turned into a melding.

The follow-up is the one deadline: a reminder at 09:00 the working day before the agreed day,
escalation when the day passed without it, both also sent by e-mail. The workflow holds references and moments only;
the question, the advice and the names stay in Postgres.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.advice import (
        ASKERS,
        CLOSE_REASONS,
        FINAL,
        FOLLOW_UP_DEADLINE,
        AdviceCmd,
        AdviceInput,
        AdviceState,
        CloseAdviceCmd,
        ConvertCmd,
        FollowUpDoneCmd,
        GiveAdviceCmd,
        check_follow_up,
        follow_up_label,
        refusal,
    )
    from domain.models import Notice
    from domain.policy import RuleViolation
    from workflows.deadlines import Firing
    from workflows.errors import check_time, conflict, invalid
    from workflows.patches import ADVICE_MAILED
    from workflows.procedure import ProcedureWorkflow, Projection, on_calendar

FOLLOW_UP = FOLLOW_UP_DEADLINE.key


@workflow.defn
class AdviceWorkflow(ProcedureWorkflow):
    _act = "advice.step"

    @workflow.init
    def __init__(self, inp: AdviceInput) -> None:
        self._in = inp
        self._s = AdviceState(
            advice_id=inp.advice_id,
            region=inp.region,
            status="registered",
            received_at=inp.received_at,
        )
        self._begin(
            source=f"advice:{inp.advice_id}",
            case_id=inp.advice_id,
            region=inp.region,
            delivery=inp.delivery,
        )
        family = "het gezin genoemd" if inp.family_named else "het gezin niet genoemd"
        self._event(
            inp.received_at,
            "advice_registered",
            f"adviesvraag van een {ASKERS[inp.asker_kind]} geregistreerd ({family})",
        )

    @workflow.run
    async def run(self, inp: AdviceInput) -> AdviceState:
        await self._publish()
        await self._run_until_done()
        return self._s

    @workflow.query
    def state(self) -> AdviceState:
        return self._s

    @workflow.update
    async def give_advice(self, cmd: GiveAdviceCmd) -> AdviceState:
        if not self._first(cmd.ref):
            return await self._settled()
        agreed = (
            cmd.follow_up_at and f"; opvolging afgesproken ({follow_up_label(cmd.follow_up_at)})"
        )
        self._event(cmd.at, "advice_given", f"advies gegeven{agreed or ''}")
        self._s.status = "advised"
        if cmd.follow_up_at is not None:
            self._follow_up(cmd.at, cmd.follow_up_at)
        return await self._changed()

    @give_advice.validator
    def _validate_advice(self, cmd: GiveAdviceCmd) -> None:
        self._check(cmd, "give_advice", cmd.follow_up_at)

    @workflow.update
    async def record_follow_up(self, cmd: FollowUpDoneCmd) -> AdviceState:
        if not self._first(cmd.ref):
            return await self._settled()
        self._book.meet(FOLLOW_UP, cmd.at)
        noted = "; aantekening vastgelegd" if cmd.noted else ""
        self._event(cmd.at, "advice_followed_up", f"opvolging met de adviesvrager gedaan{noted}")
        self._s.status = "advised"
        if cmd.next_follow_up_at is not None:
            self._follow_up(cmd.at, cmd.next_follow_up_at)
        return await self._changed()

    @record_follow_up.validator
    def _validate_follow_up(self, cmd: FollowUpDoneCmd) -> None:
        self._check(cmd, "record_follow_up", cmd.next_follow_up_at)

    @workflow.update
    async def close(self, cmd: CloseAdviceCmd) -> AdviceState:
        if not self._first(cmd.ref):
            return await self._settled()
        self._end(cmd.at, "closed")
        self._event(cmd.at, "advice_closed", f"adviesvraag afgesloten: {CLOSE_REASONS[cmd.reason]}")
        return await self._changed()

    @close.validator
    def _validate_close(self, cmd: CloseAdviceCmd) -> None:
        self._check(cmd, "close")

    @workflow.update
    async def convert(self, cmd: ConvertCmd) -> AdviceState:
        if not self._first(cmd.ref):
            return await self._settled()
        self._end(cmd.at, "converted")
        self._s.case_id = cmd.case_id
        self._event(cmd.at, "advice_converted", "adviesvraag omgezet in een melding")
        return await self._changed()

    @convert.validator
    def _validate_convert(self, cmd: ConvertCmd) -> None:
        self._check(cmd, "convert")

    # --- internals ---

    def _first(self, ref: str) -> bool:
        """Whether the command of `ref` is new (and now taken); a retry is answered as before."""
        if ref in self._s.refs:
            return False
        self._s.refs.append(ref)
        return True

    def _check(self, cmd: AdviceCmd, action: str, follow_up_at: datetime | None = None) -> None:
        """A validator's checks: the actor, then (unless it is a retry) the state and times."""
        self._permitted(cmd)
        ref, at = cmd.ref, cmd.at
        if ref in self._s.refs:
            return  # a retried command: answered as before
        if problem := refusal(self._s.status, action):
            raise conflict(problem)
        check_time(at, self._s.received_at, "de vraag binnenkwam")
        try:
            check_follow_up(at, follow_up_at)
        except RuleViolation as e:
            raise invalid(str(e)) from None

    def _follow_up(self, at: datetime, agreed_at: datetime) -> None:
        self._s.status = "follow_up_due"
        self._book.add(
            FOLLOW_UP_DEADLINE,
            on_calendar(self._in.policy.follow_up_due, at, agreed_at),
            responsible="veilig_thuis",
            label=follow_up_label(agreed_at),
        )

    def _end(self, at: datetime, status: str) -> None:
        self._book.close_open()
        self._s.status, self._s.ended_at = status, at  # type: ignore[assignment]

    def _done(self) -> bool:
        return self._s.status in FINAL

    def _deadline_notices(self, fired: list[Firing]) -> list[Notice]:
        """The reminder to the Veilig Thuis team and the escalation to the coordinator, by
        e-mail through the outbox. Questions from before the patch show them in their
        timeline and the coordinator's lists only."""
        if not fired or not workflow.patched(ADVICE_MAILED):
            return []
        return [n.model_copy(update={"about": "advice"}) for n in super()._deadline_notices(fired)]

    def _projection(self) -> Projection:
        return ReadModelActivities.upsert_advice, self._s.model_copy(deep=True)
