"""The Veilig Thuis worker's steps on a case, once for the API's routes and the case page:
the workflow update each sends, its command, the field that holds its moment, the phases in
which the workflow takes it and the deadline rule it meets. A page offers a step only in
those phases, so it never offers one the workflow refuses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import get_args

from pydantic import BaseModel

from domain.case import (
    DEADLINES,
    CloseCmd,
    ConsentRefusedCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    Phase,
    SafetyAssessmentCmd,
)

OPEN: tuple[str, ...] = tuple(p for p in get_args(Phase) if p != "closed")


@dataclass(frozen=True)
class CaseStep:
    update: str  # the name of the case workflow's update
    command: type[BaseModel]
    moment: str  # the command's time field, filled with now when left out
    phases: tuple[str, ...]  # the phases in which the workflow takes it
    rule: str = ""  # the deadline rule it meets, when there is one

    @property
    def source(self) -> str:
        """The article of its rule, for the form."""
        return DEADLINES[self.rule].source if self.rule in DEADLINES else ""


STEPS: dict[str, CaseStep] = {
    "safety_assessment": CaseStep(
        "record_safety_assessment",
        SafetyAssessmentCmd,
        "assessed_at",
        ("triage",),
        "safety_assessment",
    ),
    "follow_up": CaseStep("decide_follow_up", FollowUpCmd, "decided_at", ("follow_up_decision",)),
    "investigation": CaseStep(
        "record_investigation",
        InvestigationCmd,
        "concluded_at",
        ("investigation",),
        "investigation",
    ),
    "monitoring_check": CaseStep(
        "record_monitoring_check",
        MonitoringCheckCmd,
        "checked_at",
        ("monitoring",),
        "monitoring_check",
    ),
    "close": CaseStep(
        "close", CloseCmd, "closed_at", ("follow_up_decision", "monitoring", "referred")
    ),
    "consent_refused": CaseStep("record_consent_refused", ConsentRefusedCmd, "at", OPEN),
}


def taken_in(phase: str) -> set[str]:
    """The names of the steps the workflow takes in `phase`."""
    return {name for name, s in STEPS.items() if phase in s.phases}
