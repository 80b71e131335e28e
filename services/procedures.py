"""Commands and reads of the paths a case starts (child protection, MDA++, acute safety, the
safety plan, and whatever the catalogue adds). One function each, for routes and pages."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from domain.commands import command
from domain.ids import case_workflow_id, path_workflow_id
from domain.procedure import PathState, ProcedureSpec, StartPathCmd
from services.context import Caller, Parts, at_or_now
from services.errors import check, not_found, run_command
from store import cases, paths

CASE_NOT_RUNNING = "de orkestratie van de casus loopt niet (gesloten, of nog niet gestart)"
PATH_CLOSED = "dit traject is afgesloten; er kunnen geen stappen meer bij"


async def case_file(parts: Parts, caller: Caller, case_id: str) -> dict[str, Any]:
    """The case file as the caller may see it (404 outside their scope); the read is logged."""
    async with parts.pool.acquire() as conn:
        case = await cases.get_case(conn, case_id, caller.scope)
    if case is None:
        raise not_found("casus")
    caller.audit.touches(case_id, [p["ref"] for p in case["persons"]])
    return case


def procedure(parts: Parts, kind: str) -> ProcedureSpec:
    """The path `kind` of the catalogue (404 for anything else)."""
    found = parts.catalogue.procedures.get(kind)
    if found is None or not found.is_path:
        raise not_found("traject")
    return found


def view(parts: Parts, state: dict[str, Any], caller: Caller | None = None) -> PathState:
    """A procedure's state as the caller may see it."""
    spec = procedure(parts, state["kind"])
    parsed = spec.state.model_validate(state)
    return spec.redact(parsed, caller.principal.org_kind) if caller else parsed


async def _load(parts: Parts, case_id: str, path_id: str, kind: str | None = None) -> dict:
    async with parts.pool.acquire() as conn:
        state = await paths.get(conn, case_id, path_id)
    if state is None or (kind is not None and state["kind"] != kind):
        raise not_found("traject")
    return state


async def list_paths(parts: Parts, caller: Caller, case_id: str) -> list[PathState]:
    """Every procedure of the case, oldest first."""
    await case_file(parts, caller, case_id)
    async with parts.pool.acquire() as conn:
        states = await paths.for_case(conn, case_id)
    return [view(parts, s, caller) for s in states]


async def get_path(parts: Parts, caller: Caller, case_id: str, path_id: str) -> PathState:
    await case_file(parts, caller, case_id)
    return view(parts, await _load(parts, case_id, path_id), caller)


async def start(
    parts: Parts, caller: Caller, case_id: str, kind: str, body: BaseModel
) -> PathState:
    """Start a procedure of the case; answers once the procedure is in the read model."""
    case = await case_file(parts, caller, case_id)
    cmd = start_cmd(parts, caller, case, kind, body)
    handle = parts.client.get_workflow_handle(case_workflow_id(case_id))
    await run_command(handle, "start_path", cmd, closed_reason=CASE_NOT_RUNNING)
    await projected(parts, case_id, cmd.path_id)
    return view(parts, await _load(parts, case_id, cmd.path_id), caller)


def start_cmd(
    parts: Parts, caller: Caller, case: dict[str, Any], kind: str, body: BaseModel
) -> StartPathCmd:
    """The case's command that starts procedure `kind` with `body` (its start model), after
    the rules that need the case file."""
    spec = procedure(parts, kind)
    body = body.model_copy(update={"at": at_or_now(body.at)})  # type: ignore[attr-defined]
    check(spec.check_start, case, body, parts.chain)
    return StartPathCmd(
        kind=kind,
        path_id=caller.new_id("path"),
        **body.model_dump(mode="json", exclude={"at"}),
        at=body.at,  # type: ignore[attr-defined]
        actor=caller.principal.actor(),
    )


async def projected(parts: Parts, case_id: str, path_id: str) -> None:
    """Wait until a procedure just started is in the read model."""
    path = parts.client.get_workflow_handle(path_workflow_id(case_id, path_id))
    await run_command(path, "projected", closed_reason=PATH_CLOSED)


async def step(
    parts: Parts, caller: Caller, case_id: str, kind: str, path_id: str, body: BaseModel
) -> PathState:
    """A step of a running procedure; a step its state does not allow is a 409, one against
    a rule a 422."""
    spec = procedure(parts, kind)
    case = await case_file(parts, caller, case_id)
    state = await _load(parts, case_id, path_id, kind)
    body = body.model_copy(update={"at": at_or_now(body.at)})  # type: ignore[attr-defined]
    check(spec.check_step, case, state, body)
    return await update(parts, caller, case_id, path_id, "step", body)


async def update(
    parts: Parts, caller: Caller, case_id: str, path_id: str, name: str, arg: BaseModel
) -> PathState:
    """Send update `name` to the procedure's workflow, given by the caller; answer with its
    state as published."""
    await run_command(
        parts.client.get_workflow_handle(path_workflow_id(case_id, path_id)),
        name,
        command(arg, caller.principal.actor()),
        closed_reason=PATH_CLOSED,
        update_id=caller.new_id("update"),
    )
    return view(parts, await _load(parts, case_id, path_id), caller)
