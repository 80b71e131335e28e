"""Huisverboden: the mayor's office decides and extends; appeal and the court's ruling.
Its commands share one shape (a ban's id, perhaps a body, the caller allowed one action, the
ban as it now is): they are made from the table `COMMANDS`, as the procedures' routes are."""

# no `from __future__ import annotations`: each command's body type is set on its route

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import HuisverbodList, HuisverbodView
from domain.access import Action, Principal
from domain.huisverbod import (
    AppealIn,
    DecisionIn,
    ExtensionIn,
    HearingIn,
    HuisverbodStatus,
    MilestoneIn,
    RulingIn,
    ViolationIn,
    WithdrawalIn,
)
from domain.huisverbod_order import OrderKind
from domain.order_pdf import render
from services import huisverbod
from services.context import Caller

router = APIRouter(prefix="/v1/huisverboden", tags=["huisverboden"])


Reader = Annotated[Principal, Depends(allowed("huisverbod.read"))]
OrderReader = Annotated[Principal, Depends(allowed("huisverbod.order"))]


@router.get("", response_model=HuisverbodList)
async def list_huisverboden(
    parts: PartsDep,
    audit: AuditDep,
    principal: Annotated[Principal, Depends(allowed("huisverbod.list"))],
    municipality: str | None = None,
    status: HuisverbodStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HuisverbodList:
    """Oldest request first: the order in which the mayor's office works its inbox."""
    rows = await huisverbod.inbox(
        parts,
        Caller(principal, audit),
        municipality=municipality,
        status=status,
        limit=limit,
        offset=offset,
    )
    return HuisverbodList(items=[HuisverbodView(**r) for r in rows], limit=limit, offset=offset)


@router.get("/{huisverbod_id}", response_model=HuisverbodView)
async def get_huisverbod(
    huisverbod_id: str, parts: PartsDep, audit: AuditDep, principal: Reader
) -> HuisverbodView:
    return HuisverbodView(**await huisverbod.load(parts, Caller(principal, audit), huisverbod_id))


@router.get(
    "/{huisverbod_id}/beschikking.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the written order"}},
)
async def written_order(
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    principal: OrderReader,
    soort: OrderKind = "oplegging",
) -> Response:
    """The written order (beschikking) of the imposition, the refusal, the last extension or
    the withdrawal, as a tagged PDF (PDF/UA-1): for the mayor's office of the municipality,
    Veilig Thuis of the region and the police of the region, who hand it over; 404 while there
    is no such decision. Each download is in the access log."""
    order = await huisverbod.written_order(parts, Caller(principal, audit), huisverbod_id, soort)
    return Response(
        await run_in_threadpool(render, order),
        media_type="application/pdf",
        headers={
            "content-disposition": f'attachment; filename="beschikking-{soort}-{huisverbod_id}.pdf"',
            "cache-control": "no-store",
        },
    )


@dataclass(frozen=True)
class Command:
    """A command on a ban: `POST /v1/huisverboden/{huisverbod_id}/<segment>`, named `name`
    (its summary and operationId), for whoever may `action`; `body` is what it takes (none
    for a refiling) and `run` the service that does it."""

    segment: str
    name: str
    action: Action
    body: type | None
    run: Callable[..., Awaitable[dict[str, Any]]]
    doc: str


COMMANDS = (
    Command(
        "decision",
        "decide",
        "huisverbod.decide",
        DecisionIn,
        huisverbod.decide,
        "The mayor (or a hulpofficier under mandate, Wth art. 3) imposes or refuses.",
    ),
    Command(
        "extension",
        "extend",
        "huisverbod.extend",
        ExtensionIn,
        huisverbod.extend,
        "The mayor extends a running ban, at most to four weeks after imposition (Wth art. 9).",
    ),
    # the court's acts (Wth art. 6): recorded by the mayor's office's jurist, who receives them
    Command(
        "appeal",
        "appeal",
        "huisverbod.appeal",
        AppealIn,
        huisverbod.appeal,
        """The appeal (or request for interim relief) lodged against the mayor's decision, as the
        court notified the mayor (Wth art. 6); the mayor's office's jurist records it.""",
    ),
    Command(
        "ruling",
        "rule",
        "huisverbod.ruling",
        RulingIn,
        huisverbod.rule,
        """The court's ruling on the appeal or the interim relief (Wth art. 6); "lifted" ends a
        running ban at once. The mayor's office's jurist records it.""",
    ),
    Command(
        "hearing",
        "hearing",
        "huisverbod.hearing",
        HearingIn,
        huisverbod.hearing,
        """The court heard the request for interim relief (Wth art. 6: within three days of
        receiving it; the ruling follows).""",
    ),
    Command(
        "withdrawal",
        "withdraw",
        "huisverbod.withdraw",
        WithdrawalIn,
        huisverbod.withdraw,
        "The mayor withdraws the ban (intrekking); it ends at once.",
    ),
    Command(
        "refiling",
        "refile",
        "huisverbod.refile",
        None,
        huisverbod.refile,
        """File the ban's failed events in the municipality's zaaksysteem again, once its
        configuration is fixed (the mayor's office); 409 when nothing failed.""",
    ),
    Command(
        "violations",
        "violation",
        "huisverbod.violation",
        ViolationIn,
        huisverbod.violation,
        "The police record a violation (Wth art. 11).",
    ),
    Command(
        "milestones",
        "milestone",
        "huisverbod.read",
        MilestoneIn,
        huisverbod.milestone,
        """Contact address given (Wth art. 2 lid 6), help started, written order issued: each by
        the organisation that does it (403 for others).""",
    ),
)


def _add(command: Command) -> None:
    """The command's route; it has a body parameter only where the command takes a body."""
    Actor = Annotated[Principal, Depends(allowed(command.action))]

    async def endpoint(
        *, huisverbod_id: str, parts: PartsDep, audit: AuditDep, principal: Actor, body=None
    ) -> HuisverbodView:
        given = () if command.body is None else (body,)
        state = await command.run(parts, Caller(principal, audit), huisverbod_id, *given)
        return HuisverbodView(**state)

    signature = inspect.signature(endpoint)
    taken = [p for p in signature.parameters.values() if p.name != "body"]
    if command.body is not None:
        keyword = inspect.Parameter.KEYWORD_ONLY
        taken.append(inspect.Parameter("body", keyword, annotation=command.body))
    endpoint.__signature__ = signature.replace(parameters=taken)  # type: ignore[attr-defined]
    router.add_api_route(
        f"/{{huisverbod_id}}/{command.segment}",
        endpoint,
        methods=["POST"],
        response_model=HuisverbodView,
        name=command.name,
        description=inspect.cleandoc(command.doc),
    )


for _command in COMMANDS:
    _add(_command)
