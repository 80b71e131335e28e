"""The case (casus): opened by a melding at Veilig Thuis; holds its phase and timeline.

Legal procedures of the case run as child workflows (the huisverbod) and report back by
signal, so the case timeline shows everything that happened.
"""

from __future__ import annotations

from temporalio import workflow
from temporalio.workflow import ParentClosePolicy

with workflow.unsafe.imports_passed_through():
    from activities.read_model import ReadModelActivities
    from domain.models import (
        CaseInput,
        CaseSnapshot,
        HuisverbodChange,
        HuisverbodInput,
        HuisverbodRequestCmd,
        TimelineEvent,
    )
    from workflows.common import READ_MODEL
    from workflows.errors import conflict, invalid
    from workflows.huisverbod import HUISVERBOD_CHANGED, HuisverbodWorkflow

ACTIVE_HUISVERBOD = ("requested", "imposed", "extended")


def case_workflow_id(case_id: str) -> str:
    return f"case-{case_id}"


def huisverbod_workflow_id(huisverbod_id: str) -> str:
    return f"huisverbod-{huisverbod_id}"


@workflow.defn
class CaseWorkflow:
    @workflow.init
    def __init__(self, inp: CaseInput) -> None:
        self._in = inp
        self._s = CaseSnapshot(
            case_id=inp.case_id,
            region=inp.region,
            municipality=inp.municipality,
            phase="intake",
            acute=inp.unsafety.acute,
            structural=inp.unsafety.structural,
            opened_at=inp.received_at,
            version=0,
            timeline=[],
            deadlines=[],
        )
        self._huisverboden: dict[str, tuple[str, str]] = {}  # id -> (pleger_ref, status)
        self._closed = False

    @workflow.run
    async def run(self, inp: CaseInput) -> CaseSnapshot:
        flags = [
            name
            for name, on in (("acute", inp.unsafety.acute), ("structural", inp.unsafety.structural))
            if on
        ]
        self._event(
            inp.received_at,
            "melding_received",
            f"melding by a {inp.reporter_kind} reporter; unsafety: {', '.join(flags) or 'not judged acute or structural'}",
        )
        await self._publish()
        await workflow.wait_condition(lambda: self._closed)
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._s

    @workflow.query
    def state(self) -> CaseSnapshot:
        return self._s

    @workflow.update
    async def request_huisverbod(self, cmd: HuisverbodRequestCmd) -> str:
        self._huisverboden[cmd.huisverbod_id] = (cmd.pleger_ref, "requested")
        self._s.huisverbod_ids.append(cmd.huisverbod_id)
        await workflow.start_child_workflow(
            HuisverbodWorkflow.run,
            HuisverbodInput(
                huisverbod_id=cmd.huisverbod_id,
                case_id=self._s.case_id,
                municipality=self._s.municipality,
                pleger_ref=cmd.pleger_ref,
                requested_at=cmd.requested_at,
                incident_at=cmd.incident_at,
                children_involved=any(p.role == "child" for p in self._in.persons),
                policy=self._in.huisverbod_policy,
            ),
            id=huisverbod_workflow_id(cmd.huisverbod_id),
            # A ban is a legal act of the mayor: it runs its course even if the case closes.
            parent_close_policy=ParentClosePolicy.ABANDON,
        )
        return cmd.huisverbod_id

    @request_huisverbod.validator
    def _validate_request(self, cmd: HuisverbodRequestCmd) -> None:
        person = next((p for p in self._in.persons if p.ref == cmd.pleger_ref), None)
        if person is None:
            raise invalid(f"person {cmd.pleger_ref!r} is not part of this case")
        if person.role != "pleger":
            raise invalid(
                f"person {cmd.pleger_ref!r} has role {person.role!r}; a huisverbod is imposed on a pleger"
            )
        if cmd.huisverbod_id in self._huisverboden:
            raise conflict("this huisverbod request was already made")
        for ref, status in self._huisverboden.values():
            if ref == cmd.pleger_ref and status in ACTIVE_HUISVERBOD:
                raise conflict(f"a huisverbod for {cmd.pleger_ref!r} is already {status}")

    @workflow.signal(name=HUISVERBOD_CHANGED)
    async def huisverbod_changed(self, change: HuisverbodChange) -> None:
        pleger_ref, _ = self._huisverboden.get(change.huisverbod_id, ("", ""))
        self._huisverboden[change.huisverbod_id] = (pleger_ref, change.status)
        self._s.timeline.extend(change.events)
        self._s.timeline.sort(key=lambda e: e.at)
        await self._publish()

    def _event(self, at, kind: str, detail: str) -> None:
        self._s.timeline.append(TimelineEvent(at=at, kind=kind, detail=detail))

    async def _publish(self) -> None:
        self._s.version += 1
        await workflow.execute_activity_method(
            ReadModelActivities.upsert_case, self._s.model_copy(deep=True), **READ_MODEL
        )
