"""The registry of procedures a case can start, read by the case workflow (which child to
start), the worker (which workflows to run), the API (which routes to serve) and the pages.
A new procedure is its own modules (its spec carries its deadline rules, notices, labels and
page) plus one `register` line here."""

from __future__ import annotations

from dataclasses import dataclass

from domain import acute_safety, child_protection, mda, safety_plan
from domain.procedure import ProcedureSpec, adopt
from workflows.acute_safety import AcuteSafetyWorkflow
from workflows.child_protection import ChildProtectionWorkflow
from workflows.mda import MdaWorkflow
from workflows.procedure import PathWorkflow, unchecked_updates
from workflows.safety_plan import SafetyPlanWorkflow


@dataclass(frozen=True)
class Procedure:
    spec: ProcedureSpec
    workflow: type[PathWorkflow]


PROCEDURES: dict[str, Procedure] = {}


def register(spec: ProcedureSpec, workflow: type[PathWorkflow]) -> Procedure:
    """Add a procedure: its kind and URL segment must be new, its rules and notices must fit
    the shared tables (`domain.procedure.adopt`), and each of its updates must check who
    gives the command (a validator, a command with an actor: `domain.commands`); a misfit
    stops the process here."""
    if spec.kind in PROCEDURES or any(p.spec.slug == spec.slug for p in PROCEDURES.values()):
        raise ValueError(f"a procedure {spec.kind!r} ({spec.slug}) is already registered")
    if unchecked := unchecked_updates(workflow):
        raise ValueError(
            f"procedure {spec.kind!r}: updates {unchecked} do not check the command's actor "
            "(a validator that calls _permitted, a command from domain.commands)"
        )
    adopt(spec)
    PROCEDURES[spec.kind] = Procedure(spec, workflow)
    return PROCEDURES[spec.kind]


register(child_protection.SPEC, ChildProtectionWorkflow)
register(mda.SPEC, MdaWorkflow)
register(acute_safety.SPEC, AcuteSafetyWorkflow)
register(safety_plan.SPEC, SafetyPlanWorkflow)
