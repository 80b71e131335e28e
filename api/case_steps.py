"""The Veilig Thuis steps as forms on the case page: what each asks, in Dutch, the rule it
answers to, and how its form becomes the command the API takes too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from domain.case import (
    FOLLOW_UP_NAMES,
    CloseCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    SafetyAssessmentCmd,
)
from domain.policy import RULES
from workflows.case import CaseWorkflow

YES_NO = {"ja": "ja", "nee": "nee"}


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    options: dict[str, str]  # value -> what a person reads


@dataclass(frozen=True)
class Step:
    title: str
    phases: tuple[str, ...]  # the phases of the case in which the step can be taken
    rule: str  # the deadline rule it meets, when there is one
    fields: tuple[Field, ...]
    build: Callable[[dict[str, Any]], BaseModel]
    update: Any
    moment: str

    def command(self, form: dict[str, Any]) -> BaseModel:
        """The command from the form; a missing or unknown answer is a ValidationError."""
        return self.build(form)

    @property
    def source(self) -> str:
        return RULES[self.rule].source if self.rule in RULES else ""


def _yes(value: str | None) -> bool | None:
    return {"ja": True, "nee": False}.get(value or "")


STEPS: dict[str, Step] = {
    "veiligheidsbeoordeling": Step(
        "Veiligheidsbeoordeling",
        ("triage",),
        "safety_assessment",
        (
            Field("acute", "Is er acute onveiligheid?", YES_NO),
            Field("structural", "Is er structurele onveiligheid?", YES_NO),
        ),
        lambda f: SafetyAssessmentCmd(
            acute=_yes(f.get("acute")), structural=_yes(f.get("structural"))
        ),
        CaseWorkflow.record_safety_assessment,
        "assessed_at",
    ),
    "vervolg": Step(
        "Besluit over het vervolg",
        ("follow_up_decision",),
        "",
        (
            Field(
                "decision",
                "Vervolg",
                FOLLOW_UP_NAMES,
            ),
        ),
        lambda f: FollowUpCmd(decision=f.get("decision"), partner=f.get("partner") or None),
        CaseWorkflow.decide_follow_up,
        "decided_at",
    ),
    "onderzoek": Step(
        "Conclusie van het onderzoek",
        ("investigation",),
        "investigation",
        (
            Field(
                "conclusion",
                "Conclusie",
                {"unsafe": "onveilig", "safe": "veilig", "undetermined": "niet vast te stellen"},
            ),
        ),
        lambda f: InvestigationCmd(conclusion=f.get("conclusion")),
        CaseWorkflow.record_investigation,
        "concluded_at",
    ),
    "monitoring": Step(
        "Monitoring: is het veilig?",
        ("monitoring",),
        "monitoring_check",
        (Field("safety_holds", "Blijft de veiligheid behouden?", YES_NO),),
        lambda f: MonitoringCheckCmd(safety_holds=_yes(f.get("safety_holds"))),
        CaseWorkflow.record_monitoring_check,
        "checked_at",
    ),
    "sluiten": Step(
        "Casus sluiten",
        ("triage", "follow_up_decision", "investigation", "monitoring", "referred"),
        "",
        (
            Field(
                "reason",
                "Reden",
                {
                    "advice_given": "advies gegeven",
                    "handed_over_and_safe": "overgedragen en veilig",
                    "no_concerns": "geen zorgen",
                    "merged": "samengevoegd met een andere casus",
                    "other": "anders",
                },
            ),
        ),
        lambda f: CloseCmd(reason=f.get("reason")),
        CaseWorkflow.close,
        "closed_at",
    ),
}


def available(phase: str) -> dict[str, Step]:
    """The steps the case's phase allows; the workflow still has the last word."""
    return {name: s for name, s in STEPS.items() if phase in s.phases}
