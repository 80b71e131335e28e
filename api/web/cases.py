"""The cases of Veilig Thuis: finding them, one case with its timeline, deadlines, paths and
messages, and the forms of its steps and of its paths' steps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api import timeline
from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import CaseDetail
from api.web import case_forms, path_forms
from api.web.render import PAGE_SIZE, PHASES, from_localinput, new_view, page, submit
from domain.access import Principal
from domain.case import CaseFilter, names_a_person
from domain.huisverbod import IN_FORCE, MILESTONE_ACTIONS, MILESTONES, MilestoneIn
from domain.notifications import audience_name
from domain.workdays import AMSTERDAM
from services import case as case_service
from services import huisverbod, procedures
from services.context import Caller
from services.errors import Refused

router = APIRouter(include_in_schema=False)
CaseReader = Annotated[Principal, Depends(allowed("case.read"))]
CaseLister = Annotated[Principal, Depends(allowed("case.list"))]
Stepping = Annotated[Principal, Depends(allowed("case.step"))]
Assigning = Annotated[Principal, Depends(allowed("case.assign"))]
BanReader = Annotated[Principal, Depends(allowed("huisverbod.read"))]
HANDOVER_KINDS = ("sociaal_wijkteam", "huisarts", "jeugdbescherming")
DEADLINE_FILTERS = {"overdue": "met een verstreken termijn", "open": "met een open termijn"}
NUMBER_LENGTH = 40  # a case number is far shorter: a longer search is a paste gone wrong
TO_MEET = ("open", "overdue")  # a deadline's states in which it is still to be met
CHANGED = "casus-gewijzigd"  # the event on which the case's live part refreshes


async def _case(case_id: str, parts, caller: Caller) -> dict[str, Any]:
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


def ban_milestones(bans, principal: Principal) -> dict[str, dict[str, str]]:
    """Per huisverbod in force, the milestones still open that the caller's organisation
    records (`MILESTONE_ACTIONS`: for Veilig Thuis, that the help has started), by label."""
    return {
        h.huisverbod_id: open_
        for h in bans
        if h.status in IN_FORCE
        and (
            open_ := {
                m: label
                for m, (_, label) in MILESTONES.items()
                if principal.may(MILESTONE_ACTIONS[m]) and m not in {e.kind for e in h.timeline}
            }
        )
    }


def next_due(case: CaseDetail, steps: dict[str, case_forms.StepForm]) -> dict[str, Any] | None:
    """What the case page opens with: the deadline still to be met that falls first, whose it
    is, and the step on this page that meets it (None: met elsewhere, or by someone else)."""
    due = sorted((d for d in case.deadlines if d.status in TO_MEET), key=lambda d: d.due_at)
    if not due:
        return None
    first = due[0]
    meets = next((name for name, f in steps.items() if f.taken.rule == first.key), None)
    return {"deadline": first, "owner": audience_name(first.responsible), "step": meets}


async def _actions(context: dict[str, Any], parts, caller: Caller) -> dict[str, Any]:
    """What the case's action area offers: the summary of what is due next with the step that
    meets it, the steps its phase takes (with what a referral asks to start its path), the steps
    each running path's state takes, the milestones of a huisverbod in force that the caller
    records, and whom the case is with."""
    case = context["case"]
    region = parts.chain.region(case.region)
    persons = [p.model_dump() for p in case.persons]
    steps = case_forms.offered(case.phase)
    colleagues = (  # whom it is with, and whom it can go to
        await case_service.colleagues(parts, caller)
        if caller.principal.org_kind == "veilig_thuis"
        else None
    )
    holder = next((c["name"] for c in colleagues or [] if c["subject"] == case.assigned_to), None)
    return {
        "ban_milestones": ban_milestones(case.huisverboden, caller.principal),
        "steps": steps,
        "next_due": next_due(case, steps),
        "holder": holder or case.assigned_to,
        "colleagues": colleagues,
        "referrals": case_forms.referrals(parts.catalogue, persons, region),
        "path_forms": {
            t["path_id"]: path_forms.offered(parts.catalogue.procedures[t["kind"]], t, persons)
            for t in context["paths"]
            if t["kind"] in parts.catalogue.procedures
        },
        "partners": [p for p in region.partners if p.kind in HANDOVER_KINDS] if region else [],
    }


async def _case_page(
    request: Request, case_id: str, parts, caller: Caller, status: int = 200, **outcome
) -> HTMLResponse:
    context = await _case(case_id, parts, caller)
    return page(
        request,
        "case.html",
        status,
        view_id=new_view(caller.audit),
        **await _actions(context, parts, caller),
        **outcome,
        **context,
    )


@router.get("/casus/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: CaseReader
) -> HTMLResponse:
    return await _case_page(request, case_id, parts, Caller(p, audit))


def _again(request: Request, case_id: str, parts, caller: Caller):
    """After a step: with htmx the action area as it is now (the next step's forms), the
    case's live part told to refresh; without, the whole page."""

    async def again(status: int, **outcome) -> HTMLResponse:
        told = outcome["outcome"]  # a field by its name on the form: the last of its path
        told["fields"] = {k.rsplit(".", 1)[-1]: v for k, v in told["fields"].items()}
        if not request.headers.get("HX-Request"):
            return await _case_page(request, case_id, parts, caller, status, **outcome)
        context = await _case(case_id, parts, caller)
        actions = await _actions(context, parts, caller)
        response = page(request, "case_actions.html", status, **actions, **outcome, **context)
        if outcome["outcome"]["ok"]:
            response.headers["HX-Trigger"] = CHANGED
        return response

    return again


@router.post("/casus/{case_id}/stap/{name}", response_class=HTMLResponse)
async def case_step_form(
    request: Request, case_id: str, name: str, parts: PartsDep, audit: AuditDep, p: Stepping
) -> Response:
    """A step of the Veilig Thuis worker from its form on the case page."""
    form = case_forms.FORMS.get(name)
    if form is None:
        raise HTTPException(404, "deze stap bestaat niet")
    caller = Caller(p, audit)

    async def send(typed: dict) -> str:
        await case_service.step(parts, caller, case_id, form.step, form.command(typed))
        return f"{form.title}: vastgelegd."

    return await submit(request, send, _again(request, case_id, parts, caller), step=name)


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
) -> Response:
    """A step of a path (beschermtafel, MDA++, …) from its form on the case page."""
    found = parts.catalogue.procedures.get(kind)
    forms = {f.name: f for f in path_forms.forms(found)} if found and found.is_path else {}
    if name not in forms:
        raise HTTPException(404, "deze stap bestaat niet")
    caller = Caller(p, audit)

    async def send(typed: dict) -> str:
        body = path_forms.read(found, name, typed)
        await procedures.step(parts, caller, case_id, kind, path_id, body)
        return f"{forms[name].title}: vastgelegd."

    again = _again(request, case_id, parts, caller)
    return await submit(request, send, again, step=f"{path_id}-{name}")


@router.post("/casus/{case_id}/huisverbod/{huisverbod_id}/mijlpaal", response_class=HTMLResponse)
async def ban_milestone_form(
    request: Request,
    case_id: str,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: BanReader,
) -> Response:
    """A milestone of a huisverbod in force from the case page: for Veilig Thuis, that the
    help for the family has started (its deadline is Veilig Thuis's)."""
    caller = Caller(p, audit)

    async def send(typed: dict) -> str:
        body = MilestoneIn(
            milestone=typed.get("milestone", ""), at=from_localinput(typed.get("at", ""))
        )
        await huisverbod.milestone(parts, caller, huisverbod_id, body)
        return f"Vastgelegd: {MILESTONES[body.milestone][1]}."

    again = _again(request, case_id, parts, caller)
    return await submit(request, send, again, step=f"mijlpaal-{huisverbod_id}")


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


@router.get("/casussen", response_class=HTMLResponse)
async def cases_page(
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    p: CaseLister,
    nummer: str = "",
    gemeente: str = "",
    fase: str = "",
    termijn: str = "",
    medewerker: Annotated[str, Query(max_length=200)] = "",
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """Find cases by number, municipality, phase, deadline status and worker, a page at a time;
    a number too long to be one, or a name typed as one, is said beside its field (a name is
    searched by the form's POST, never from a URL)."""
    asked = {
        "nummer": nummer,
        "gemeente": gemeente,
        "fase": fase,
        "termijn": termijn,
        "medewerker": medewerker,
    }
    errors = {}
    if names_a_person(nummer):
        errors["nummer"] = (
            "dit is geen casusnummer: een naam zoekt u met het veld ‘Naam van een betrokkene’ "
            "(die komt niet in de adresbalk)"
        )
    return await _cases(request, parts, Caller(p, audit), asked, "", pagina, errors)


@router.post("/casussen", response_class=HTMLResponse)
async def cases_search(
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    p: CaseLister,
    naam: Annotated[str, Form(max_length=200)] = "",
    nummer: Annotated[str, Form(max_length=200)] = "",
    gemeente: Annotated[str, Form(max_length=20)] = "",
    fase: Annotated[str, Form(max_length=40)] = "",
    termijn: Annotated[str, Form(max_length=20)] = "",
    medewerker: Annotated[str, Form(max_length=200)] = "",
    pagina: Annotated[int, Form(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The same search with a person's name, sent in the body: a name never goes in a URL
    (and so never in a log or the browser's history). A name typed in the number field is
    searched as a name. A post without any field is no search of this page's form."""
    if not await request.form():
        raise HTTPException(400, "zoeken gaat met het zoekformulier van deze pagina")
    if names_a_person(nummer) and not naam.strip():
        naam, nummer = nummer, ""
    asked = {
        "nummer": nummer,
        "gemeente": gemeente,
        "fase": fase,
        "termijn": termijn,
        "medewerker": medewerker,
    }
    return await _cases(request, parts, Caller(p, audit), asked, naam.strip(), pagina, {})


async def _cases(
    request: Request,
    parts,
    caller: Caller,
    asked: dict[str, str],
    name: str,
    pagina: int,
    errors: dict[str, str],
) -> HTMLResponse:
    p = caller.principal
    nummer, medewerker = asked["nummer"], asked["medewerker"]
    if len(nummer) > NUMBER_LENGTH:
        errors["nummer"] = f"te lang: hoogstens {NUMBER_LENGTH} tekens"
    what = CaseFilter(
        municipality=asked["gemeente"] or None,
        phase=asked["fase"] if asked["fase"] in PHASES else None,
        number=nummer or None,
        assigned_to=p.subject if medewerker == "mij" else (medewerker or None),
        deadlines=asked["termijn"] if asked["termijn"] in DEADLINE_FILTERS else None,
        name=name or None,
        by_deadline=medewerker == "mij",
    )
    found, total = [], 0
    if not errors:
        try:
            found, total = await case_service.find(
                parts, caller, what, limit=PAGE_SIZE, offset=(pagina - 1) * PAGE_SIZE
            )
        except Refused as e:
            errors["naam"] = e.detail
    region = parts.chain.region(p.region) if p.region else None
    return page(
        request,
        "cases.html",
        422 if errors else 200,
        errors=errors,
        found=found,
        total=total,
        page_no=pagina,
        pages=max(1, -(-total // PAGE_SIZE)),
        asked=asked,
        searched_name=name,
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
