"""Acute safety: the police are alerted and a safe place is due within hours, either a
placement (crisisdienst jeugd for a child, vrouwenopvang or mannenopvang for an adult) or an
arrangement without one (a huisverbod, the pleger left, the network). Where a placed person
stays is never in the workflow: only a reference to a row in Postgres.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.acute_safety import (
        ARRANGEMENT_LABELS,
        DEADLINES,
        PLACEMENT_LABELS,
        AcuteState,
        AcuteStepCmd,
        PlacementCmd,
        PlacementEnded,
        SafeWithoutPlacement,
    )
    from domain.procedure import PathInput
    from workflows.errors import conflict
    from workflows.patches import PLACEMENT_ONCE
    from workflows.procedure import PathWorkflow, due

# patch: a placement sent again (a retry with the same idempotency key, whose first answer was
# lost) is answered with the state that holds it, not recorded twice


@workflow.defn
class AcuteSafetyWorkflow(PathWorkflow):
    @workflow.init
    def __init__(self, inp: PathInput) -> None:
        self._in = inp
        self._policy = inp.policy.safety
        self._s = AcuteState(
            **inp.base(),
            status="arranging",
        )
        self._begin_path()

    @workflow.run
    async def run(self, inp: PathInput) -> AcuteState:
        at = inp.started_at
        self._event(
            at,
            "partners_alerted",
            "acute onveiligheid: politie gealarmeerd; direct is een veilige plek nodig",
        )
        self._book.add(DEADLINES["safe_place"], due(self._policy, at, "safe_place"), "veilig_thuis")
        await self._notify(
            "alert", "police", "acute_unsafety", at, "acute onveiligheid gemeld bij Veilig Thuis"
        )
        await self._publish()
        await self._run_until_done()
        return self._s

    @workflow.query
    def state(self) -> AcuteState:
        return self._s

    @workflow.update
    async def record_placement(self, placement: PlacementCmd) -> AcuteState:
        if self._known(placement) and workflow.patched(PLACEMENT_ONCE):
            return self._s
        at = placement.placed_at
        self._s.placements.append(placement)
        self._s.status = "safe"
        self._book.meet("safe_place", at)
        self._event(
            at,
            "placement",
            f"{placement.person_ref}: {PLACEMENT_LABELS[placement.kind]}; welke aanbieder en "
            "waar weten alleen Veilig Thuis en de aanbieder",
        )
        if placement.kind == "crisis_placement" and placement.parents_consent is False:
            self._event(
                at,
                "placement_without_consent",
                "de ouders stemmen niet in met de crisisplaatsing: daarvoor is een "
                "kinderbeschermingsmaatregel nodig (spoedmachtiging tot uithuisplaatsing, "
                "BW 1:265b)",
            )
        if placement.kind == "crisis_placement":
            self._book.add(
                DEADLINES["crisis_placement_review"],
                due(self._policy, at, "crisis_placement_review"),
                "veilig_thuis",
                ref=placement.placement_id,
                label=f"evaluatie van de crisisplaatsing van {placement.person_ref}",
            )
        return await self._changed()

    @record_placement.validator
    def _validate_placement(self, placement: PlacementCmd) -> None:
        self._permitted(placement)
        if self._known(placement):
            return  # the placement's id is derived from its idempotency key: a retry, never refused
        if self._s.status == "closed":
            raise conflict("het traject acute veiligheid is afgesloten")
        if any(
            p.person_ref == placement.person_ref and p.ended_at is None for p in self._s.placements
        ):
            raise conflict(f"{placement.person_ref} is al geplaatst; beëindig eerst die plaatsing")
        self._check_path_time(placement.placed_at)

    def _known(self, placement: PlacementCmd) -> bool:
        return any(p.placement_id == placement.placement_id for p in self._s.placements)

    @workflow.update
    async def step(self, step: AcuteStepCmd) -> AcuteState:
        at: datetime = step.at  # type: ignore[assignment]
        if isinstance(step, SafeWithoutPlacement):
            self._s.arrangement, self._s.status = step.arrangement, "safe"
            self._book.meet("safe_place", at)
            self._event(
                at,
                "safe_without_placement",
                f"veilig zonder plaatsing: {ARRANGEMENT_LABELS[step.arrangement]}",
            )
        elif isinstance(step, PlacementEnded):
            placement = next(p for p in self._s.placements if p.placement_id == step.placement_id)
            placement.ended_at = at
            self._book.meet("crisis_placement_review", at, ref=placement.placement_id)
            self._event(at, "placement_ended", f"{placement.person_ref}: plaatsing beëindigd")
        if self._s.status == "safe" and all(p.ended_at for p in self._s.placements):
            self._close(at, "acute veiligheid: veilig, geen lopende plaatsing")
        return await self._changed()

    @step.validator
    def _validate_step(self, step: AcuteStepCmd) -> None:
        self._permitted(step)
        if self._s.status == "closed":
            raise conflict("het traject acute veiligheid is afgesloten")
        if isinstance(step, PlacementEnded):
            placement = next(
                (p for p in self._s.placements if p.placement_id == step.placement_id), None
            )
            if placement is None:
                raise conflict(f"er is geen plaatsing {step.placement_id!r}")
            if placement.ended_at is not None:
                raise conflict("die plaatsing is al beëindigd")
        self._check_path_time(step.at)
