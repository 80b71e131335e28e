"""The case page offers a step exactly in the phases in which the case workflow takes it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import get_args

import pytest
from temporalio import workflow
from temporalio.exceptions import ApplicationError

import workflows.case as case_workflow
from api.web import case_forms
from domain.case import (
    CaseInput,
    CaseSnapshot,
    CloseCmd,
    ConsentRefusedCmd,
    FollowUpCmd,
    InvestigationCmd,
    MonitoringCheckCmd,
    PersonRef,
    Phase,
    SafetyAssessmentCmd,
    Unsafety,
)
from domain.commands import command
from domain.refusals import CONFLICT
from services.case_steps import STEPS, taken_in
from testing.actors import VEILIG_THUIS
from workflows.case import CaseWorkflow

AT = datetime(2026, 3, 2, 10, tzinfo=UTC)
COMMANDS = {
    "safety_assessment": SafetyAssessmentCmd(acute=False, structural=True, assessed_at=AT),
    "follow_up": FollowUpCmd(decision="investigation", decided_at=AT),
    "investigation": InvestigationCmd(conclusion="safe", concluded_at=AT),
    "monitoring_check": MonitoringCheckCmd(safety_holds=True, checked_at=AT),
    "close": CloseCmd(reason="no_concerns", closed_at=AT),
    "consent_refused": ConsentRefusedCmd(
        child_ref="k1", refused_by="both_parents", path="beschermtafel", at=AT
    ),
}
VALIDATORS = workflow._Definition.from_class(CaseWorkflow).updates  # type: ignore[union-attr]


def _case_in(phase: str) -> CaseWorkflow:
    """The workflow's state in `phase`, without running it: its validators read only that."""
    case = object.__new__(CaseWorkflow)
    case._in = CaseInput(
        case_id="c1",
        region="amsterdam",
        municipality="0363",
        reporter_kind="police",
        persons=[PersonRef(ref="k1", role="child")],
        unsafety=Unsafety(acute=False, structural=True),
        received_at=AT,
    )
    case._s = CaseSnapshot(
        case_id="c1",
        region="amsterdam",
        municipality="0363",
        phase=phase,
        acute=False,
        structural=True,
        opened_at=AT,
        version=1,
        timeline=[],
        deadlines=[],
    )
    case._children, case._investigated = {}, False
    return case


def _takes(phase: str, name: str) -> bool:
    validator = VALIDATORS[STEPS[name].update].validator
    try:
        validator(_case_in(phase), command(COMMANDS[name], VEILIG_THUIS))
    except ApplicationError as e:
        if e.type != CONFLICT:
            raise
        return False
    return True


@pytest.fixture(autouse=True)
def _any_time_will_do(monkeypatch):
    """The time checks need a running workflow's clock; the phase is what is asked here."""
    monkeypatch.setattr(case_workflow, "check_time", lambda *args: args[0])


@pytest.mark.parametrize("phase", get_args(Phase))
def test_the_step_table_names_the_phases_the_workflow_takes_each_step_in(phase):
    assert taken_in(phase) == {name for name in STEPS if _takes(phase, name)}


@pytest.mark.parametrize("phase", get_args(Phase))
def test_the_case_page_offers_exactly_the_steps_the_workflow_takes(phase):
    offered = {form.step for form in case_forms.offered(phase).values()}
    assert offered == {form.step for form in case_forms.FORMS.values() if _takes(phase, form.step)}


def test_closing_is_not_offered_before_the_follow_up_decision():
    assert "sluiten" not in case_forms.offered("triage")
    assert "sluiten" not in case_forms.offered("investigation")
    assert "sluiten" in case_forms.offered("monitoring")
