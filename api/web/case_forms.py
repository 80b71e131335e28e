"""The Veilig Thuis steps as forms on the case page: what each asks, in Dutch, and how its
form becomes the command the API takes too. Which step the workflow takes in which phase is
`services.case_steps`; a form is offered only then."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from api.web import path_forms
from domain.case import (
    CLOSE_REASON_NAMES,
    CONCLUSION_NAMES,
    FOLLOW_UP_NAMES,
    FOLLOW_UP_PATHS,
    CloseCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    SafetyAssessmentCmd,
)
from domain.catalogue import CATALOGUE, Catalogue
from domain.chain import Region
from services.case_steps import STEPS, CaseStep

YES_NO = {"ja": "ja", "nee": "nee"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    options: dict[str, str]  # value -> what a person reads


@dataclass(frozen=True)
class StepForm:
    step: str  # its name in `services.case_steps.STEPS`
    title: str
    fields: tuple[Field, ...]
    command: Callable[[dict[str, Any]], BaseModel]  # a missing answer is a ValidationError

    @property
    def taken(self) -> CaseStep:
        return STEPS[self.step]

    @property
    def source(self) -> str:
        return self.taken.source


def _yes(value: str | None) -> bool | None:
    return {"ja": True, "nee": False}.get(value or "")


def _start(form: dict[str, Any]) -> dict[str, Any] | None:
    """A referral's path start, from the inputs named `<kind>.<field>` (`referrals`)."""
    kind = FOLLOW_UP_PATHS.get(form.get("decision") or "")
    if kind is None:
        return None
    # a follow-up starts a path of the case's own (`FOLLOW_UP_PATHS`): in every catalogue
    inputs = path_forms.start_inputs(CATALOGUE.procedures[kind], [], None)
    return path_forms.values(inputs, form, prefix=f"{kind}.")


def referrals(
    catalogue: Catalogue, persons: list[dict], region: Region | None
) -> dict[str, tuple[str, list]]:
    """For each follow-up that starts a path: the path's kind and what starting it asks."""
    return {
        decision: (kind, path_forms.start_inputs(catalogue.procedures[kind], persons, region))
        for decision, kind in FOLLOW_UP_PATHS.items()
    }


# by the URL segment of the form: /casus/{case_id}/stap/{name}
FORMS: dict[str, StepForm] = {
    "veiligheidsbeoordeling": StepForm(
        "safety_assessment",
        "Veiligheidsbeoordeling",
        (
            Field("acute", "Is er acute onveiligheid?", YES_NO),
            Field("structural", "Is er structurele onveiligheid?", YES_NO),
        ),
        lambda f: SafetyAssessmentCmd(
            acute=_yes(f.get("acute")), structural=_yes(f.get("structural"))
        ),
    ),
    "vervolg": StepForm(
        "follow_up",
        "Besluit over het vervolg",
        (Field("decision", "Vervolg", FOLLOW_UP_NAMES),),
        lambda f: FollowUpCmd(
            decision=f.get("decision"), partner=f.get("partner") or None, start=_start(f)
        ),
    ),
    "onderzoek": StepForm(
        "investigation",
        "Conclusie van het onderzoek",
        (Field("conclusion", "Conclusie", CONCLUSION_NAMES),),
        lambda f: InvestigationCmd(conclusion=f.get("conclusion")),
    ),
    "monitoring": StepForm(
        "monitoring_check",
        "Monitoring: is het veilig?",
        (Field("safety_holds", "Blijft de veiligheid behouden?", YES_NO),),
        lambda f: MonitoringCheckCmd(safety_holds=_yes(f.get("safety_holds"))),
    ),
    "sluiten": StepForm(
        "close",
        "Casus sluiten",
        (Field("reason", "Reden", CLOSE_REASON_NAMES),),
        lambda f: CloseCmd(reason=f.get("reason")),
    ),
}


def offered(phase: str) -> dict[str, StepForm]:
    """The forms of the steps the workflow takes in the case's phase."""
    return {name: f for name, f in FORMS.items() if phase in f.taken.phases}
