"""Web pages for the people who use the chain (Dutch, server-rendered, htmx for live parts).

The same authorisation and access log as the API: each page calls the API's own route
functions with the caller's principal, so a page can show nothing the API would not.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from api import case_steps, charts, oidc, path_steps, timeline
from api.auth import (
    SESSION_COOKIE,
    SESSION_HOURS,
    AuditDep,
    allowed,
    current_principal,
    principal_from,
    session_token,
)
from api.deps import PartsDep, SettingsDep
from api.problems import form_refusal
from api.routes import huisverbod as huisverbod_routes
from api.routes.deadlines import calculate
from api.schemas import CaseDetail, Dashboard, HuisverbodView
from domain.access import DECIDING_CAPACITY, ROLE_NAMES, Principal, roles_for
from domain.acute_safety import PLACEMENT_LABELS
from domain.advice import STATUSES as ADVICE_STATUSES
from domain.case import FOLLOW_UP_NAMES, PHASE_NAMES, CaseFilter
from domain.figures import quarter_start
from domain.huisverbod import RISK_ANSWER_LABELS, STATUS_NAMES, Decider, DecisionIn, ExtensionIn
from domain.huisverbod_order import OrderKind
from domain.policy import age_on
from domain.workdays import AMSTERDAM, calendar_notice, local_date
from services import case as case_service
from services import figures as figures_service
from services import huisverbod, procedures
from services import region as region_service
from services.context import AuditEntry, Caller
from services.errors import Refused
from workflows.registry import PROCEDURES

router = APIRouter(include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=Path(__file__).with_name("templates"))
Coordinator = Annotated[Principal, Depends(allowed("dashboard.read"))]
CaseReader = Annotated[Principal, Depends(allowed("case.read"))]
InboxReader = Annotated[Principal, Depends(allowed("huisverbod.list"))]
Deciding = Annotated[Principal, Depends(allowed("huisverbod.decide"))]
Extending = Annotated[Principal, Depends(allowed("huisverbod.extend"))]
CaseLister = Annotated[Principal, Depends(allowed("case.list"))]
Stepping = Annotated[Principal, Depends(allowed("case.step"))]
Assigning = Annotated[Principal, Depends(allowed("case.assign"))]
HANDOVER_KINDS = ("sociaal_wijkteam", "huisarts", "jeugdbescherming")
OrderReader = Annotated[Principal, Depends(allowed("huisverbod.order"))]
FiguresReader = Annotated[Principal, Depends(allowed("figures.read"))]
PAGE_PREFIXES = (
    "/login",
    "/logout",
    "/regio",
    "/casus",
    "/casussen",
    "/mijn-casussen",
    "/inbox",
    "/termijnen",
    "/aanmelden",
    "/cijfers",
    "/adviesvragen",
)
PHASES = {phase: name[0].upper() + name[1:] for phase, name in PHASE_NAMES.items()}


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


def age(born: date | None, on: date) -> str:
    return f"{age_on(born, on)} jaar" if born else "leeftijd onbekend"


def case_number(case) -> str:
    """The number people use; older cases (before numbering) by the start of their id."""
    row = case if isinstance(case, dict) else case.__dict__
    return row.get("number") or row["case_id"][:8]


TEMPLATES.env.filters.update(
    local=local, left=left, localinput=localinput, age=age, case_number=case_number
)
TEMPLATES.env.globals.update(
    phases=PHASES,
    advice_statuses=ADVICE_STATUSES,
    statuses=STATUS_NAMES,
    path_names={kind: p.spec.label for kind, p in PROCEDURES.items()},
    path_statuses={k: v for p in PROCEDURES.values() for k, v in p.spec.statuses.items()},
    placement_names=PLACEMENT_LABELS,
    role_names=ROLE_NAMES,
    person_roles={"victim": "slachtoffer", "pleger": "pleger", "child": "kind", "other": "overig"},
    deadline_states={
        "met": "gehaald",
        "met_late": "te laat gehaald",
        "open": "open",
        "overdue": "verstreken",
        "missed": "verstreken, procedure beëindigd",
        "closed": "vervallen",
    },
    risk_answers=RISK_ANSWER_LABELS,
    follow_up_names=FOLLOW_UP_NAMES,
    yesno=yesno,
)


def page(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    chain = request.app.state.settings.chain
    found = chain.organisation(principal.org) if principal else None
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {
            "principal": principal,
            "org_name": found.name if found else "",
            "municipality": chain.municipality_name,
            "partner_name": lambda org: (
                (chain.partner(org) or (None, None))[1].name if chain.partner(org) else org
            ),
            "demo": demo_banner(request.app.state.settings),
            **context,
        },
        status_code=status,
    )


def demo_banner(settings) -> str:
    """What a person must know when periods do not run at their real length."""
    if settings.time_scale == 1 and settings.first_day_scale is None:
        return ""
    rest = f"{1 / settings.time_scale:,.0f}".replace(",", ".")
    if settings.first_day_scale is None:
        return f"Demo: alle termijnen lopen {rest} keer zo snel als in werkelijkheid."
    first = f"{1 / settings.first_day_scale:,.0f}".replace(",", ".")
    return (
        f"Demo: de eerste dag van elke termijn loopt {first} keer zo snel, elke volgende dag "
        f"{rest} keer zo snel als in werkelijkheid."
    )


def home_of(p: Principal) -> str:
    if p.org_kind == "veilig_thuis":
        return f"/regio/{p.region}"
    if p.org_kind == "mayor_office":
        return "/inbox"
    if p.org_kind == "landelijk":
        return "/cijfers"
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
    ] + [(p, roles_for(p.kind)) for p in settings.chain.national if roles_for(p.kind)]
    return page(
        request,
        "login.html",
        orgs=orgs,
        dev=settings.dev_sign_in,
        oidc=settings.oidc_issuer is not None,
    )


def _signed_in(response: Response, settings, principal: Principal) -> Response:
    token = session_token(settings, principal)
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=SESSION_HOURS * 3600
    )
    return response


@router.post("/login")
async def login(
    request: Request,
    settings: SettingsDep,
    parts: PartsDep,
    org: Annotated[str, Form()],
    role: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Development sign-in: a locally signed session. With OIDC configured, sign in there."""
    if not settings.dev_sign_in:
        raise HTTPException(404, "aanmelden gaat via de identity provider van uw organisatie")
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    subject = f"dev-{slug}" if slug else f"user-{uuid.uuid4().hex[:8]}"
    claims = {"sub": subject, "org": org, "role": role}
    try:
        principal = principal_from(settings, claims)
    except HTTPException:
        raise HTTPException(422, "onbekende organisatie of rol") from None
    await case_service.signed_in(parts, principal, name.strip() or principal.subject)
    return _signed_in(RedirectResponse(home_of(principal), 303), settings, principal)


def _refused(request: Request, e: oidc.SignInRefused) -> HTMLResponse:
    response = page(
        request, "error.html", e.status_code, title="Aanmelden mislukt", detail=e.reason
    )
    response.delete_cookie(oidc.FLOW_COOKIE, path=oidc.FLOW_PATH)
    return response


@router.get(oidc.FLOW_PATH)
async def oidc_start(request: Request, settings: SettingsDep) -> Response:
    """Off to the organisation's identity provider (authorization code flow with PKCE)."""
    if settings.oidc_issuer is None:
        raise HTTPException(404, "aanmelden via een identity provider is hier niet ingesteld")
    redirect_url = settings.oidc_redirect_url or str(request.url_for("oidc_callback"))
    try:
        location, flow = await oidc.start(settings, redirect_url)
    except oidc.SignInRefused as e:
        return _refused(request, e)
    response = RedirectResponse(location, 303)
    # Lax, not Strict: the cookie must come back with the provider's redirect to us
    response.set_cookie(
        oidc.FLOW_COOKIE,
        flow,
        httponly=True,
        samesite="lax",
        max_age=oidc.FLOW_MINUTES * 60,
        path=oidc.FLOW_PATH,
    )
    return response


@router.get(f"{oidc.FLOW_PATH}/terug", response_class=HTMLResponse)
async def oidc_callback(
    request: Request,
    settings: SettingsDep,
    parts: PartsDep,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Back from the provider: the ID token checked, its claims looked up in the chain, and the
    same session as the dev sign-in. The home page follows by a refresh from this page, as a
    Strict cookie set at the end of a redirect chain from another site is not sent within it."""
    if settings.oidc_issuer is None:
        raise HTTPException(404, "aanmelden via een identity provider is hier niet ingesteld")
    try:
        if error or not code:
            raise oidc.SignInRefused(403, "De identity provider heeft u niet aangemeld.")
        claims = await oidc.finish(settings, request.cookies.get(oidc.FLOW_COOKIE), state, code)
        try:
            principal = principal_from(settings, claims)
        except HTTPException:
            raise oidc.SignInRefused(
                403,
                f"Uw identity provider meldt u aan als {claims['role']!r} van organisatie "
                f"{claims['org']!r}; die organisatie of die rol kent deze keten niet.",
            ) from None
        home = home_of(principal)
    except oidc.SignInRefused as e:
        return _refused(request, e)
    name = claims.get("name") or claims.get("preferred_username") or principal.subject
    email = claims.get("email") if claims.get("email_verified", True) else None
    await case_service.signed_in(parts, principal, str(name)[:80], email)
    response = page(request, "signed_in.html", home=home, principal=principal)
    response.delete_cookie(oidc.FLOW_COOKIE, path=oidc.FLOW_PATH)
    return _signed_in(response, settings, principal)


@router.get("/logout")
async def logout() -> Response:
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE)
    return response


# --- the regional coordinator ---


async def _dashboard(region: str, parts, caller: Caller):
    board = Dashboard(**await region_service.dashboard(parts, caller, region, days=3, limit=50))
    newest, _ = await case_service.find(parts, caller, CaseFilter(region=region), limit=10)
    return {
        "board": board,
        "newest": newest,
        "region": parts.chain.region(region),
        "calendar_notice": calendar_notice(local_date(datetime.now(UTC))),
    }


def new_view(audit: AuditEntry) -> str:
    """A page opened: its live refreshes send this id and are not logged as new reads."""
    audit.view_id = uuid.uuid4().hex
    return audit.view_id


@router.get("/regio/{region}", response_class=HTMLResponse)
async def dashboard_page(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    context = await _dashboard(region, parts, Caller(p, audit))
    return page(request, "dashboard.html", view_id=new_view(audit), **context)


@router.get("/regio/{region}/deel", response_class=HTMLResponse)
async def dashboard_part(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Coordinator
) -> HTMLResponse:
    context = await _dashboard(region, parts, Caller(p, audit))
    return page(request, "dashboard_part.html", **context)


# --- figures: a region's for its coordinator, the national sum for a national organisation ---


async def _figures_page(request: Request, region: str | None, parts, caller: Caller):
    today = datetime.now(UTC).astimezone(AMSTERDAM).date()
    first = _date_param(request, "from") or quarter_start(today)
    last = _date_param(request, "to") or today
    found = await figures_service.figures(parts, caller, region, first, last)

    def names(measure: str, category: str) -> str:
        return figures_service.category_name(measure, category, found["deadline_labels"])

    known = parts.chain.region(region) if region else None
    return page(
        request,
        "figures.html",
        title=known.name if known else "landelijk (alle regio's)",
        found=found,
        last_day=last,
        charts=charts.build(found, names),
        width=charts.WIDTH,
        label_width=charts.LABEL,
        api_path=f"/v1/regions/{region}/figures" if region else "/v1/figures",
    )


def _date_param(request: Request, name: str) -> date | None:
    value = request.query_params.get(name)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise HTTPException(422, f"{name}: geen datum (jjjj-mm-dd)") from None


@router.get("/regio/{region}/cijfers", response_class=HTMLResponse)
async def region_figures_page(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: FiguresReader
) -> HTMLResponse:
    return await _figures_page(request, region, parts, Caller(p, audit))


@router.get("/cijfers", response_class=HTMLResponse)
async def national_figures_page(
    request: Request, parts: PartsDep, audit: AuditDep, p: FiguresReader
) -> HTMLResponse:
    return await _figures_page(request, None, parts, Caller(p, audit))


async def _case(case_id: str, parts, caller: Caller):
    case = CaseDetail(**await case_service.detail(parts, caller, case_id))
    deliveries = await case_service.deliveries(parts, caller, case_id)
    now = datetime.now(UTC)
    events = [e.model_dump() for e in case.timeline]
    deadlines = [d.model_dump() for d in case.deadlines]
    bans = [h.model_dump() for h in case.huisverboden]
    picture = timeline.build(case.opened_at, now, events, deadlines, bans)
    return {
        "case": case,
        "deliveries": deliveries,
        "picture": picture,
        "paths": [s.model_dump() for s in await procedures.list_paths(parts, caller, case_id)],
        "today": now.astimezone(AMSTERDAM).date(),
    }


async def _case_page(
    request: Request, case_id: str, parts, caller: Caller, status: int = 200, **outcome
) -> HTMLResponse:
    context = await _case(case_id, parts, caller)
    region = parts.chain.region(context["case"].region)
    if caller.principal.org_kind == "veilig_thuis":  # whom it is with, and whom it can go to
        context["colleagues"] = await case_service.colleagues(parts, caller)
    return page(
        request,
        "case.html",
        status,
        view_id=new_view(caller.audit),
        steps=case_steps.available(context["case"].phase),
        path_forms={
            t["path_id"]: path_steps.forms(PROCEDURES[t["kind"]].spec)
            for t in context["paths"]
            if t["kind"] in PROCEDURES and t["status"] != "closed"
        },
        partners=[p for p in region.partners if p.kind in HANDOVER_KINDS] if region else [],
        **outcome,
        **context,
    )


@router.get("/casus/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: CaseReader
) -> HTMLResponse:
    return await _case_page(request, case_id, parts, Caller(p, audit))


@router.post("/casus/{case_id}/stap/{name}", response_class=HTMLResponse)
async def case_step_form(
    request: Request, case_id: str, name: str, parts: PartsDep, audit: AuditDep, p: Stepping
) -> HTMLResponse:
    """A step of the Veilig Thuis worker from its form on the case page. With htmx only the
    form's outcome comes back (the case part refreshes itself); without, the whole page."""
    step = case_steps.STEPS.get(name)
    if step is None:
        raise HTTPException(404, "deze stap bestaat niet")
    caller = Caller(p, audit)

    async def send() -> None:
        cmd = step.command(dict(await request.form()))
        await case_service.step(parts, caller, case_id, step.update, cmd, step.moment)

    return await _step_outcome(request, case_id, parts, caller, name, step.title, send)


async def _step_outcome(request, case_id: str, parts, caller: Caller, target, title, send):
    """Take a step from its form: with htmx only the form's outcome comes back (the case part
    refreshes itself); without, the whole page with the outcome beside the form."""
    try:
        await send()
        message, status = f"{title}: vastgelegd.", 200
    except (HTTPException, Refused, ValidationError, ValueError) as e:
        message, status = form_refusal(e)
    if request.headers.get("HX-Request"):
        response = page(request, "outcome.html", ok=status == 200, message=message)
        if status == 200:
            response.headers["HX-Trigger"] = "casus-gewijzigd"
        return response
    outcome = {"outcome": {"step": target, "ok": status == 200, "message": message}}
    return await _case_page(request, case_id, parts, caller, status, **outcome)


@router.post("/casus/{case_id}/traject/{kind}/{path_id}/{name}", response_class=HTMLResponse)
async def path_step_form(
    request: Request,
    case_id: str,
    kind: str,
    path_id: str,
    name: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Stepping,
) -> HTMLResponse:
    """A step of a path (beschermtafel, MDA++, …) from its form on the case page."""
    found = PROCEDURES.get(kind)
    forms = {f.name: f for f in path_steps.forms(found.spec)} if found else {}
    if name not in forms:
        raise HTTPException(404, "deze stap bestaat niet")
    caller = Caller(p, audit)

    async def send() -> None:
        body = path_steps.read(found.spec, name, dict(await request.form()))
        await procedures.step(parts, caller, case_id, kind, path_id, body)

    target, title = f"{path_id}-{name}", forms[name].title
    return await _step_outcome(request, case_id, parts, caller, target, title, send)


@router.post("/casus/{case_id}/toewijzen", response_class=HTMLResponse)
async def assign_form(
    request: Request,
    case_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Assigning,
    worker: Annotated[str, Form()] = "",
) -> HTMLResponse:
    caller = Caller(p, audit)
    await case_service.assign(parts, caller, case_id, worker or None)
    message = "Casus toegewezen." if worker else "Casus is niet meer toegewezen."
    outcome = {"outcome": {"step": "toewijzen", "ok": True, "message": message}}
    return await _case_page(request, case_id, parts, caller, **outcome)


PAGE_SIZE = 25
DEADLINE_FILTERS = {"overdue": "met een verstreken termijn", "open": "met een open termijn"}


@router.get("/casussen", response_class=HTMLResponse)
async def cases_page(
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    p: CaseLister,
    nummer: Annotated[str, Query(max_length=40)] = "",
    gemeente: Annotated[str, Query(max_length=20)] = "",
    fase: Annotated[str, Query(max_length=40)] = "",
    termijn: Annotated[str, Query(max_length=20)] = "",
    medewerker: Annotated[str, Query(max_length=200)] = "",
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Find cases by number, municipality, phase, deadline status and worker, a page at a time."""
    caller = Caller(p, audit)
    what = CaseFilter(
        municipality=gemeente or None,
        phase=fase if fase in PHASES else None,
        number=nummer or None,
        assigned_to=p.subject if medewerker == "mij" else (medewerker or None),
        deadlines=termijn if termijn in DEADLINE_FILTERS else None,
    )
    found, total = await case_service.find(
        parts, caller, what, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE
    )
    region = parts.chain.region(p.region) if p.region else None
    asked = {
        "nummer": nummer,
        "gemeente": gemeente,
        "fase": fase,
        "termijn": termijn,
        "medewerker": medewerker,
    }
    return page(
        request,
        "cases.html",
        found=found,
        total=total,
        page_no=pagina,
        pages=max(1, -(-total // PAGE_SIZE)),
        asked=asked,
        query=urlencode({k: v for k, v in asked.items() if v}),
        municipalities=region.municipalities if region else [],
        deadline_filters=DEADLINE_FILTERS,
        mine=medewerker == "mij",
    )


@router.get("/mijn-casussen", response_class=RedirectResponse)
async def my_cases() -> Response:
    return RedirectResponse("/casussen?medewerker=mij", 303)


@router.get("/casus/{case_id}/deel", response_class=HTMLResponse)
async def case_part(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: CaseReader
) -> HTMLResponse:
    return page(request, "case_part.html", **await _case(case_id, parts, Caller(p, audit)))


# --- the mayor's office ---


ENDED = ["lifted", "expired", "withdrawn"]  # imposed once: their orders stay at hand
ENDED_PAGE = 20


async def _inbox(parts, caller: Caller, page_no: int = 1):
    """What the mayor's office works on: every request still to decide and every running
    ban (each a short list), and the ended bans a page at a time."""

    async def of(status, limit=500, offset=0):
        rows = await huisverbod.inbox(parts, caller, status=status, limit=limit, offset=offset)
        return [HuisverbodView(**r) for r in rows]

    running = await of(["imposed", "extended"])
    running.sort(key=lambda h: h.ends_at or datetime.max.replace(tzinfo=UTC))
    ended = await of(ENDED, ENDED_PAGE + 1, (page_no - 1) * ENDED_PAGE)
    return {
        "requested": await of("requested"),
        "running": running,
        "ended": ended[:ENDED_PAGE],
        "ended_page": page_no,
        "ended_more": len(ended) > ENDED_PAGE,
        "now": datetime.now(UTC),
    }


def _decision_due(h) -> datetime | None:
    return next((d.due_at for d in h.deadlines if d.key == "mayor_decision"), None)


TEMPLATES.env.globals.update(decision_due=_decision_due)


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


async def _submit(request, parts, caller: Caller, send) -> HTMLResponse:
    """Send a form through the service the API uses too; the inbox again, with the outcome."""
    try:
        message, status = await send(), 200
    except (HTTPException, Refused, ValueError) as e:
        message, status = form_refusal(e)
    context = await _inbox(parts, caller)
    view_id = new_view(caller.audit)
    return page(request, "inbox.html", status, message=message, view_id=view_id, **context)


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
