"""What a worker gives its workflows: its procedures (a catalogue and the workflow of each
procedure), as a value of the worker rather than a module's table. `ProceduresInterceptor`
hands them into the sandbox (an extern function), `procedures()` reads them there."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from temporalio import workflow
from temporalio.worker import Interceptor, WorkflowInboundInterceptor, WorkflowInterceptorClassInput

with workflow.unsafe.imports_passed_through():
    from domain.catalogue import Catalogue

_EXTERN = "ketenregie.procedures"


@dataclass(frozen=True)
class Procedures:
    """A catalogue and the workflow of each of its procedures (`registry.procedures_of`)."""

    catalogue: Catalogue
    workflows: Mapping[str, type]


class ProceduresInterceptor(Interceptor):
    """Gives the workflows of a worker its procedures."""

    def __init__(self, procedures: Procedures) -> None:
        self._procedures = procedures

    def workflow_interceptor_class(
        self, input: WorkflowInterceptorClassInput
    ) -> type[WorkflowInboundInterceptor] | None:
        input.unsafe_extern_functions[_EXTERN] = lambda: self._procedures
        return None


def procedures() -> Procedures:
    """In a workflow: the procedures of the worker that runs it; the release's where the
    worker was given none (a replayer, a test of one workflow) or outside a workflow (a
    validator called on its own)."""
    given = workflow.extern_functions().get(_EXTERN) if workflow.in_workflow() else None
    if given is not None:
        return given()
    with workflow.unsafe.imports_passed_through():
        from workflows.registry import RELEASE  # it imports the workflows that read this
    return RELEASE
