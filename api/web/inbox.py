"""The mayor's office: the requests to decide, the running and ended bans, the decision and
extension forms, and the written order."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.routes import huisverbod as huisverbod_routes
from api.schemas import HuisverbodView
from api.web.render import local, new_view, page, submit
from domain.access import DECIDING_CAPACITY, Principal
from domain.huisverbod import Decider, DecisionIn, ExtensionIn
from domain.huisverbod_order import OrderKind
from domain.workdays import AMSTERDAM
from services import huisverbod, zgw_checks
from services.context import Caller

router = APIRouter(include_in_schema=False)
InboxReader = Annotated[Principal, Depends(allowed("huisverbod.list"))]
Deciding = Annotated[Principal, Depends(allowed("huisverbod.decide"))]
Extending = Annotated[Principal, Depends(allowed("huisverbod.extend"))]
OrderReader = Annotated[Principal, Depends(allowed("huisverbod.order"))]
Refiling = Annotated[Principal, Depends(allowed("huisverbod.refile"))]
# refused, or imposed once: their written orders stay at hand
ENDED = ["refused", "lifted", "expired", "withdrawn"]
# the decision and extension forms' fields, by their path in the command's model
FIELD_NAMES = {"decision": "besluit", "reason": "reden", "until": "verlengen tot"}
ENDED_PAGE = 20


async def _inbox(parts, caller: Caller, page_no: int = 1):
    """What the mayor's office works on: every request still to decide and every running
    ban (each a short list), and the ended bans a page at a time, the latest first."""

    async def of(status, limit=500, offset=0, newest_first=False):
        rows = await huisverbod.inbox(
            parts, caller, status=status, limit=limit, offset=offset, newest_first=newest_first
        )
        return [HuisverbodView(**r) for r in rows]

    running = await of(["imposed", "extended"])
    running.sort(key=lambda h: h.ends_at or datetime.max.replace(tzinfo=UTC))
    ended = await of(ENDED, ENDED_PAGE + 1, (page_no - 1) * ENDED_PAGE, newest_first=True)
    requested = await of("requested")
    keys = [{"case_id": h.case_id, "huisverbod_id": h.huisverbod_id} for h in requested]
    return {
        "requested": requested,
        # whom the ban protects: the victim and the children, with their age (need-to-know)
        "involved": await huisverbod.involved(parts, caller, keys),
        "today": datetime.now(AMSTERDAM).date(),
        "running": running,
        "ended": ended[:ENDED_PAGE],
        "ended_page": page_no,
        "ended_more": len(ended) > ENDED_PAGE,
        "now": datetime.now(UTC),
        "catalogue_warnings": await zgw_checks.warnings(parts, [caller.principal.org]),
    }


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    p: InboxReader,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    context = await _inbox(parts, Caller(p, audit), pagina)
    return page(request, "inbox.html", view_id=new_view(audit), **context)


@router.get("/inbox/deel", response_class=HTMLResponse)
async def inbox_part(
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    p: InboxReader,
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    return page(request, "inbox_part.html", **await _inbox(parts, Caller(p, audit), pagina))


def _again(request: Request, parts, caller: Caller):
    """The inbox again, with the outcome of its form."""

    async def again(status: int, outcome: dict, asked: dict | None) -> HTMLResponse:
        context = await _inbox(parts, caller)
        view_id = new_view(caller.audit)
        if outcome["ok"]:
            message = outcome["message"]
            return page(request, "inbox.html", message=message, view_id=view_id, **context)
        fields = {FIELD_NAMES.get(k, k): v for k, v in outcome["fields"].items()}
        if fields:  # what is wrong, by the name the form gives the field
            told = "; ".join(f"{name[0].upper()}{name[1:]}: {v}" for name, v in fields.items())
            outcome = {**outcome, "message": f"Niet gelukt. {told}."}
        refused = {**outcome, "fields": fields}
        return page(
            request, "inbox.html", status, outcome=refused, asked=asked, view_id=view_id, **context
        )

    return again


def _deciding(p: Principal) -> Decider:
    """Who decides, by the name they signed in with (never a login id): the order bears it."""
    return Decider(name=p.display_name, capacity=DECIDING_CAPACITY[p.org_kind])


@router.post("/inbox/{huisverbod_id}/besluit", response_class=HTMLResponse)
async def decide_form(
    request: Request,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Deciding,
    decision: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
    veilig_thuis_consulted: Annotated[bool, Form()] = False,
    ordered_orally: Annotated[bool, Form()] = False,
) -> Response:
    caller = Caller(p, audit)

    async def send(_: dict) -> str:
        body = DecisionIn(
            decision=decision,
            reason=reason,
            decided_by=_deciding(p),
            veilig_thuis_consulted=veilig_thuis_consulted,
            ordered_orally=ordered_orally,
        )
        await huisverbod.decide(parts, caller, huisverbod_id, body)
        return f"Huisverbod {'opgelegd' if decision == 'impose' else 'afgewezen'}."

    return await submit(
        request, send, _again(request, parts, caller), step=f"besluit-{huisverbod_id}"
    )


@router.post("/inbox/{huisverbod_id}/verlenging", response_class=HTMLResponse)
async def extend_form(
    request: Request,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Extending,
    until: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> Response:
    caller = Caller(p, audit)

    async def send(_: dict) -> str:
        moment = datetime.fromisoformat(until)
        if moment.tzinfo is None:  # the form's datetime-local is Amsterdam wall-clock time
            moment = moment.replace(tzinfo=AMSTERDAM)
        body = ExtensionIn(until=moment, reason=reason, decided_by=_deciding(p))
        await huisverbod.extend(parts, caller, huisverbod_id, body)
        return f"Verlengd tot {local(moment)}."

    again = _again(request, parts, caller)
    return await submit(request, send, again, step=f"verlenging-{huisverbod_id}")


@router.post("/inbox/{huisverbod_id}/zaaksysteem", response_class=HTMLResponse)
async def refile_form(
    request: Request, huisverbod_id: str, parts: PartsDep, audit: AuditDep, p: Refiling
) -> Response:
    """Filing again in the zaaksysteem, once its configuration is fixed."""
    caller = Caller(p, audit)

    async def send(_: dict) -> str:
        await huisverbod.refile(parts, caller, huisverbod_id)
        return "Wordt opnieuw in het zaaksysteem vastgelegd."

    again = _again(request, parts, caller)
    return await submit(request, send, again, step=f"zaaksysteem-{huisverbod_id}")


@router.get("/inbox/{huisverbod_id}/beschikking.pdf")
async def written_order(
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: OrderReader,
    soort: OrderKind = "oplegging",
) -> Response:
    """The written order from the inbox: the API's, with the page's session."""
    return await huisverbod_routes.written_order(huisverbod_id, parts, audit, p, soort)
