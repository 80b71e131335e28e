"""Routes of the procedures a case starts, made from the catalogue: for each path
`POST /v1/cases/{case_id}/{slug}` starts it and `POST …/{slug}/{path_id}/steps` takes its
steps; `GET …/paths` lists them all. A step the state does not allow is a 409, a step
against a rule a 422."""

# no `from __future__ import annotations`: the routes' body types are set per procedure

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from api.auth import AuditDep, allowed
from api.deps import IDEMPOTENT, PartsDep
from domain.access import Principal
from domain.catalogue import Catalogue
from domain.procedure import ProcedureSpec
from services import procedures
from services.context import Caller

Stepper = Annotated[Principal, Depends(allowed("case.step"))]
Reader = Annotated[Principal, Depends(allowed("case.read"))]


class PathList(BaseModel):
    items: list[dict[str, Any]]


def _add(router: APIRouter, spec: ProcedureSpec) -> None:
    async def start(case_id: str, body, parts: PartsDep, audit: AuditDep, principal: Stepper):
        state = await procedures.start(parts, Caller(principal, audit), case_id, spec.kind, body)
        return state.model_dump(mode="json")

    async def step(
        case_id: str, path_id: str, body, parts: PartsDep, audit: AuditDep, principal: Stepper
    ):
        caller = Caller(principal, audit)
        state = await procedures.step(parts, caller, case_id, spec.kind, path_id, body)
        return state.model_dump(mode="json")

    start.__annotations__["body"] = spec.start_in
    router.add_api_route(
        f"/{spec.slug}",
        start,
        methods=["POST"],
        status_code=201,
        response_model=spec.state,
        name=f"start_{spec.kind}",
        dependencies=IDEMPOTENT,
        summary=f"Start: {spec.label}",
    )
    if spec.step is not None:
        step.__annotations__["body"] = spec.step
        router.add_api_route(
            f"/{spec.slug}/{{path_id}}/steps",
            step,
            methods=["POST"],
            response_model=spec.state,
            name=f"{spec.kind}_step",
            summary=f"Step: {spec.label}",
        )


def build_router(catalogue: Catalogue) -> APIRouter:
    """The routes of every path of the catalogue the app is made with (the huisverbod has
    routes of its own)."""
    router = APIRouter(prefix="/v1/cases/{case_id}", tags=["procedures"])

    @router.get("/paths", response_model=PathList)
    async def list_paths(case_id: str, parts: PartsDep, audit: AuditDep, principal: Reader):
        """Every procedure of the case, oldest first (placements without their location)."""
        states = await procedures.list_paths(parts, Caller(principal, audit), case_id)
        return PathList(items=[s.model_dump(mode="json") for s in states])

    @router.get("/paths/{path_id}")
    async def get_path(
        case_id: str, path_id: str, parts: PartsDep, audit: AuditDep, principal: Reader
    ) -> dict[str, Any]:
        state = await procedures.get_path(parts, Caller(principal, audit), case_id, path_id)
        return state.model_dump(mode="json")

    for spec in catalogue.paths:
        _add(router, spec)
    return router
