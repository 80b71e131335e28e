"""Web pages for the people who use the chain (Dutch, server-rendered, htmx for live parts).

The same authorisation and access log as the API: each page calls the API's own route
functions with the caller's principal, so a page can show nothing the API would not.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api import timeline
from api.auth import (
    SESSION_COOKIE,
    AuditDep,
    allowed,
    current_principal,
    decode,
    mint_token,
    principal_from,
)
from api.deps import PartsDep, SettingsDep
from api.routes import huisverbod as huisverbod_routes
from api.routes.deadlines import calculate
from api.schemas import CaseDetail, Dashboard, HuisverbodView
from domain.access import DECIDING_CAPACITY, Principal, roles_for
from domain.acute_safety import PLACEMENT_LABELS
from domain.huisverbod import RISK_ANSWER_LABELS, Decider, DecisionIn, ExtensionIn
from domain.huisverbod_order import OrderKind
from domain.workdays import AMSTERDAM
from services import case as case_service
from services import huisverbod, procedures
from services import region as region_service
from services.context import Caller
from services.errors import Refused
from workflows.registry import PROCEDURES

router = APIRouter(include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
Coordinator = Annotated[Principal, Depends(allowed("dashboard.read"))]
CaseReader = Annotated[Principal, Depends(allowed("case.read"))]
InboxReader = Annotated[Principal, Depends(allowed("huisverbod.list"))]
Deciding = Annotated[Principal, Depends(allowed("huisverbod.decide"))]
Extending = Annotated[Principal, Depends(allowed("huisverbod.extend"))]
OrderReader = Annotated[Principal, Depends(allowed("huisverbod.order"))]
PAGE_PREFIXES = ("/login", "/logout", "/regio", "/casus", "/inbox", "/termijnen")
PHASES = {
    "triage": "Triage en veiligheidsbeoordeling",
    "follow_up_decision": "Besluit over vervolg",
    "investigation": "Onderzoek",
    "monitoring": "Monitoring",
    "referred": "Verwezen",
    "closed": "Gesloten",
}
STATUSES = {
    "requested": "aangevraagd",
    "imposed": "opgelegd",
    "extended": "verlengd",
    "refused": "afgewezen",
    "lifted": "opgeheven",
    "expired": "afgelopen",
    "withdrawn": "ingetrokken",
}


def local(at: datetime | None) -> str:
    return at.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") if at else ""


def left(at: datetime | None) -> str:
    """Time left until `at`, in words; negative when passed."""
    if at is None:
        return ""
    minutes = int((at - datetime.now(UTC)).total_seconds() // 60)
    sign, minutes = ("nog ", minutes) if minutes >= 0 else ("", -minutes)
    text = (
        f"{minutes // 1440} d {minutes % 1440 // 60} u"
        if minutes >= 1440
        else (f"{minutes // 60} u {minutes % 60} min")
    )
    return f"{sign}{text}" if sign else f"{text} te laat"


def localinput(at: datetime | None) -> str:
    """The value of a datetime-local input, Amsterdam wall clock."""
    return at.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if at else ""


def yesno(value: bool | None) -> str:
    return "onbekend" if value is None else ("ja" if value else "nee")


TEMPLATES.env.filters.update(local=local, left=left, localinput=localinput)
TEMPLATES.env.globals.update(
    phases=PHASES,
    statuses=STATUSES,
    path_names={kind: p.spec.label for kind, p in PROCEDURES.items()},
    path_statuses={k: v for p in PROCEDURES.values() for k, v in p.spec.statuses.items()},
    placement_names=PLACEMENT_LABELS,
    risk_answers=RISK_ANSWER_LABELS,
    yesno=yesno,
)


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    return TEMPLATES.TemplateResponse(
        request, name, {"principal": principal, **context}, status_code=status
    )


def home_of(p: Principal) -> str:
    if p.org_kind == "veilig_thuis":
        return f"/regio/{p.region}"
    if p.org_kind == "mayor_office":
        return "/inbox"
    raise HTTPException(403, "voor uw organisatie zijn er (nog) geen pagina's")


@router.get("/", response_class=RedirectResponse)
async def root(request: Request, settings: SettingsDep) -> Response:
    try:
        principal = await current_principal(request, settings)
    except HTTPException:
        return RedirectResponse("/login", 303)
    return RedirectResponse(home_of(principal), 303)


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    orgs = [
        (p, roles_for(p.kind))
        for region in settings.chain.regions
        for p in region.partners
        if roles_for(p.kind)
    ]
    return page(request, "login.html", orgs=orgs, dev=settings.oidc_jwks_url is None)


@router.post("/login")
async def login(
    request: Request,
    settings: SettingsDep,
    org: Annotated[str, Form()],
    role: Annotated[str, Form()],
) -> Response:
    """Development sign-in: a locally signed session. With OIDC configured, sign in there."""
    if settings.oidc_jwks_url is not None:
        raise HTTPException(404, "aanmelden gaat via de identity provider van uw organisatie")
    found = settings.chain.partner(org)
    if found is None or role not in roles_for(found[1].kind):
        raise HTTPException(422, "onbekende organisatie of rol")
    token = mint_token(settings, org=org, role=role)
    principal = principal_from(settings, decode(settings, token))
    response = RedirectResponse(home_of(principal), 303)
    response.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=8 * 3600)
    return response


@router.get("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- the regional coordinator ---


async def _dashboard(region: str, parts, caller: Caller):
    board = Dashboard(**await region_service.dashboard(parts, caller, region, days=3, limit=50))
    newest = await case_service.find(parts, caller, region=region, limit=10)
    return {"board": board, "newest": newest, "region": parts.chain.region(region)}


@router.get("/regio/{region}", response_class=HTMLResponse)
async def dashboard_page(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    return page(request, "dashboard.html", **await _dashboard(region, parts, Caller(p, audit)))


@router.get("/regio/{region}/deel", response_class=HTMLResponse)
async def dashboard_part(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    context = await _dashboard(region, parts, Caller(p, audit))
    return page(request, "dashboard_part.html", **context)


async def _case(case_id: str, parts, caller: Caller):
    case = CaseDetail(**await case_service.detail(parts, caller, case_id))
    deliveries = await case_service.deliveries(parts, caller, case_id)
    now = datetime.now(UTC)
    events = [e.model_dump() for e in case.timeline]
    deadlines = [d.model_dump() for d in case.deadlines]
    picture = timeline.build(case.opened_at, now, events, deadlines)
    return {
        "case": case,
        "deliveries": deliveries,
        "picture": picture,
        "paths": [s.model_dump() for s in await procedures.list_paths(parts, caller, case_id)],
    }


@router.get("/casus/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: CaseReader
) -> HTMLResponse:
    return page(request, "case.html", **await _case(case_id, parts, Caller(p, audit)))


@router.get("/casus/{case_id}/deel", response_class=HTMLResponse)
async def case_part(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: CaseReader
) -> HTMLResponse:
    return page(request, "case_part.html", **await _case(case_id, parts, Caller(p, audit)))


# --- the mayor's office ---


async def _inbox(parts, caller: Caller):
    rows = [HuisverbodView(**r) for r in await huisverbod.inbox(parts, caller, limit=200)]
    requested = [h for h in rows if h.status == "requested"]
    running = [h for h in rows if h.status in ("imposed", "extended")]
    running.sort(key=lambda h: h.ends_at or datetime.max.replace(tzinfo=UTC))
    ended = [h for h in rows if h.imposed_at and h.ended_at]  # their orders stay at hand
    ended.sort(key=lambda h: h.ended_at, reverse=True)
    return {"requested": requested, "running": running, "ended": ended, "now": datetime.now(UTC)}


def _decision_due(h) -> datetime | None:
    return next((d.due_at for d in h.deadlines if d.key == "mayor_decision"), None)


TEMPLATES.env.globals.update(decision_due=_decision_due)


@router.get("/inbox", response_class=HTMLResponse)
async def inbox_page(
    request: Request, parts: PartsDep, audit: AuditDep, p: InboxReader
) -> HTMLResponse:
    return page(request, "inbox.html", **await _inbox(parts, Caller(p, audit)))


@router.get("/inbox/deel", response_class=HTMLResponse)
async def inbox_part(
    request: Request, parts: PartsDep, audit: AuditDep, p: InboxReader
) -> HTMLResponse:
    return page(request, "inbox_part.html", **await _inbox(parts, Caller(p, audit)))


async def _submit(request, parts, caller: Caller, send) -> HTMLResponse:
    """Send a form through the service the API uses too; the inbox again, with the outcome."""
    try:
        message, status = await send(), 200
    except (HTTPException, Refused, ValueError) as e:
        message, status = _reason(e), _status(e)
    context = await _inbox(parts, caller)
    return page(request, "inbox.html", status, message=message, **context)


def _deciding(p: Principal) -> Decider:
    return Decider(name=p.subject, capacity=DECIDING_CAPACITY[p.org_kind])


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
) -> HTMLResponse:
    async def send() -> str:
        body = DecisionIn(
            decision=decision,
            reason=reason,
            decided_by=_deciding(p),
            veilig_thuis_consulted=veilig_thuis_consulted,
            ordered_orally=ordered_orally,
        )
        await huisverbod.decide(parts, caller, huisverbod_id, body)
        return f"Huisverbod {'opgelegd' if decision == 'impose' else 'afgewezen'}."

    caller = Caller(p, audit)
    return await _submit(request, parts, caller, send)


@router.post("/inbox/{huisverbod_id}/verlenging", response_class=HTMLResponse)
async def extend_form(
    request: Request,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Extending,
    until: Annotated[str, Form()],
    reason: Annotated[str, Form()] = "",
) -> HTMLResponse:
    async def send() -> str:
        moment = datetime.fromisoformat(until)
        if moment.tzinfo is None:  # the form's datetime-local is Amsterdam wall-clock time
            moment = moment.replace(tzinfo=AMSTERDAM)
        body = ExtensionIn(until=moment, reason=reason, decided_by=_deciding(p))
        await huisverbod.extend(parts, caller, huisverbod_id, body)
        return f"Verlengd tot {local(moment)}."

    caller = Caller(p, audit)
    return await _submit(request, parts, caller, send)


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


def _reason(e: Exception) -> str:
    if isinstance(e, Refused) and e.dutch:
        return f"Niet gelukt: {e.dutch}"
    if isinstance(e, HTTPException | Refused):
        return f"Niet gelukt: {e.detail}"
    return "Niet gelukt: controleer het formulier (reden en datum zijn verplicht)."


def _status(e: Exception) -> int:
    return e.status_code if isinstance(e, HTTPException | Refused) else 422


def error_page(request: Request, status: int, detail: str) -> Response:
    """A page with a clear message instead of a stack trace; 401 goes to sign-in."""
    if status == 401:
        return RedirectResponse("/login", 303)
    titles = {403: "Geen toegang", 404: "Niet gevonden", 409: "Kan nu niet", 422: "Onjuiste invoer"}
    return page(
        request, "error.html", status, title=titles.get(status, "Er ging iets mis"), detail=detail
    )


RULE_NAMES = {
    "huisverbod": "Tijdelijk huisverbod (vanaf het opleggen)",
    "interim_relief": "Voorlopige voorziening (vanaf ontvangst door de rechter)",
    "safety_assessment": "Veiligheidsbeoordeling (vanaf de melding)",
    "investigation": "Onderzoek Veilig Thuis (vanaf de start)",
    "voorlopige_ots": "Voorlopige ondertoezichtstelling (vanaf de uitspraak)",
    "ots": "Ondertoezichtstelling (vanaf de uitspraak)",
    "machtiging_uithuisplaatsing": "Machtiging uithuisplaatsing (vanaf de uitspraak)",
}
DATE_NAMES = {
    "end": "einde",
    "cap": "uiterste einde na verlenging",
    "contact_address": "adres of contact opgegeven",
    "help_started": "hulp gestart",
    "appeal_term": "einde beroepstermijn",
    "hearing": "behandeling door de rechter",
    "safety_assessment": "veiligheidsbeoordeling",
    "investigation": "onderzoek afgerond",
    "lapses_unused": "vervalt als niet gebruikt",
}


@router.get("/termijnen", response_class=HTMLResponse)
async def deadlines_page(
    request: Request,
    settings: SettingsDep,
    p: Annotated[Principal, Depends(current_principal)],
    rule: str = "huisverbod",
    start: Annotated[str, Query(alias="from")] = "",
) -> HTMLResponse:
    """The deadline calculator for jurists; a time from the form is Amsterdam wall-clock."""
    result = None
    if start:
        moment = datetime.fromisoformat(start) if _is_time(start) else None
        if moment is None:
            return error_page(
                request, 422, "Vul een datum en tijd in, bijvoorbeeld 20-10-2026 20:00."
            )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=AMSTERDAM)
        result = calculate(rule, moment.isoformat(), settings)
    return page(
        request,
        "deadlines.html",
        rules=sorted(RULE_NAMES),
        rule=rule,
        start=start,
        result=result,
        rule_names=RULE_NAMES,
        date_names=DATE_NAMES,
    )


def _is_time(text: str) -> bool:
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True
