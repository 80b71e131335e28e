"""The Veilig Thuis worker's steps on a case, once for the API's routes and the case page:
the workflow update each sends, its command, the field that holds its moment, the phases in
which the workflow takes it and the deadline rule it meets. A page offers a step only in
those phases, so it never offers one the workflow refuses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from domain.case import (
    CloseCmd,
    ConsentRefusedCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    Phase,
    SafetyAssessmentCmd,
)
from domain.policy import RULES
from workflows.case import CaseWorkflow

OPEN: tuple[str, ...] = tuple(p for p in get_args(Phase) if p != "closed")


@dataclass(frozen=True)
class CaseStep:
    update: Callable[..., Any]  # the case workflow's update
    command: type[BaseModel]
    moment: str  # the command's time field, filled with now when left out
    phases: tuple[str, ...]  # the phases in which the workflow takes it
    rule: str = ""  # the deadline rule it meets, when there is one

    @property
    def source(self) -> str:
        """The article of its rule, for the form."""
        return RULES[self.rule].source if self.rule in RULES else ""


STEPS: dict[str, CaseStep] = {
    "safety_assessment": CaseStep(
        CaseWorkflow.record_safety_assessment,
        SafetyAssessmentCmd,
        "assessed_at",
        ("triage",),
        "safety_assessment",
    ),
    "follow_up": CaseStep(
        CaseWorkflow.decide_follow_up, FollowUpCmd, "decided_at", ("follow_up_decision",)
    ),
    "investigation": CaseStep(
        CaseWorkflow.record_investigation,
        InvestigationCmd,
        "concluded_at",
        ("investigation",),
        "investigation",
    ),
    "monitoring_check": CaseStep(
        CaseWorkflow.record_monitoring_check,
        MonitoringCheckCmd,
        "checked_at",
        ("monitoring",),
        "monitoring_check",
    ),
    "close": CaseStep(
        CaseWorkflow.close, CloseCmd, "closed_at", ("follow_up_decision", "monitoring", "referred")
    ),
    "consent_refused": CaseStep(CaseWorkflow.record_consent_refused, ConsentRefusedCmd, "at", OPEN),
}


def taken_in(phase: str) -> set[str]:
    """The names of the steps the workflow takes in `phase`."""
    return {name for name, s in STEPS.items() if phase in s.phases}
