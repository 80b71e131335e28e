"""Which workflow runs each procedure of the catalogue (`domain.catalogue`): read by the
worker (which workflows to run) and the case workflow (which child to start); the API and
the services read the catalogue alone. A new procedure is its own modules plus one line in
the catalogue's parts and one here.

The worker gives its workflows its procedures (a catalogue and its workflows) as a value
(`workflows.given`); a test builds its own and gives them to its worker: no module's table
is ever changed."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from domain.catalogue import CATALOGUE, Catalogue
from workflows.acute_safety import AcuteSafetyWorkflow
from workflows.child_protection import ChildProtectionWorkflow
from workflows.given import Procedures
from workflows.huisverbod import HuisverbodWorkflow
from workflows.mda import MdaWorkflow
from workflows.procedure import ProcedureWorkflow, unchecked_updates
from workflows.safety_plan import SafetyPlanWorkflow

WORKFLOWS: Mapping[str, type[ProcedureWorkflow]] = MappingProxyType(
    {
        "huisverbod": HuisverbodWorkflow,
        "child_protection": ChildProtectionWorkflow,
        "mda": MdaWorkflow,
        "acute_safety": AcuteSafetyWorkflow,
        "safety_plan": SafetyPlanWorkflow,
    }
)


def procedures_of(
    catalogue: Catalogue, workflows: Mapping[str, type[ProcedureWorkflow]]
) -> Procedures:
    """`catalogue` with `workflows`: each procedure has one, and each of its updates checks
    who gives the command (a validator, a command with an actor: `domain.commands`); a
    misfit stops the process here."""
    if missing := sorted(catalogue.procedures.keys() ^ workflows.keys()):
        raise ValueError(f"procedures without a workflow, or workflows without one: {missing}")
    for kind, cls in workflows.items():
        if unchecked := unchecked_updates(cls):
            raise ValueError(
                f"procedure {kind!r}: updates {unchecked} do not check the command's actor "
                "(a validator that calls _permitted, a command from domain.commands)"
            )
    return Procedures(catalogue, MappingProxyType(dict(workflows)))


RELEASE = procedures_of(CATALOGUE, WORKFLOWS)
