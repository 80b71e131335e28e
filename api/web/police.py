"""The police: file a melding, request a tijdelijk huisverbod with the grounds and the RiHG's
answers, follow each request to its decision, record a violation and the milestones, and (a
hulpofficier van justitie) impose under the mayor's mandate (Wth art. 3)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.routes import huisverbod as huisverbod_routes
from api.schemas import HuisverbodView
from api.web.render import from_localinput, page, submit
from domain.access import DECIDING_CAPACITY, Principal
from domain.case import CaseFilter, MeldingIn
from domain.huisverbod import (
    ACTIVE_HUISVERBOD,
    MILESTONE_ACTIONS,
    MILESTONES,
    Decider,
    DecisionIn,
    HuisverbodRequestIn,
    MilestoneIn,
    ViolationIn,
)
from domain.huisverbod_order import OrderKind
from domain.rihg import PART_NAMES, Signal, instrument
from services import case as case_service
from services import huisverbod
from services.context import Caller

router = APIRouter(include_in_schema=False)
Reader = Annotated[Principal, Depends(allowed("huisverbod.list"))]
Reporter = Annotated[Principal, Depends(allowed("case.create"))]
CaseReader = Annotated[Principal, Depends(allowed("case.read"))]
Requester = Annotated[Principal, Depends(allowed("huisverbod.request"))]
Violation = Annotated[Principal, Depends(allowed("huisverbod.violation"))]
Milestone = Annotated[Principal, Depends(allowed("huisverbod.read"))]
Deciding = Annotated[Principal, Depends(allowed("huisverbod.decide"))]
OrderReader = Annotated[Principal, Depends(allowed("huisverbod.order"))]

CHILDREN = 4  # rows for children on the melding form

# what each form field of these pages asks, by its path in the command's model
MELDING_FIELDS = {
    "municipality": "gemeente",
    "summary": "samenvatting",
    "persons.0.name": "slachtoffer_naam",
    "persons.0.birth_date": "slachtoffer_geboortedatum",
    "persons.1.name": "pleger_naam",
    "persons.1.birth_date": "pleger_geboortedatum",
    "persons.1.address": "adres",
    "persons": "kinderen",  # a child's row (the first two are the victim and the pleger)
}
REQUEST_FIELDS = {
    "pleger_ref": "pleger",
    "address": "adres",
    "incident_at": "incident",
    "grounds": "gronden",
    "risk_assessment": "rihg",
    "rihg": "rihg",
}
DECISION_FIELDS = {"reason": "reden"}


def _shown(fields: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    """A refusal's invalid fields by the name of the form field that asked each."""
    shown: dict[str, str] = {}
    for path, message in fields.items():
        field = next((f for p, f in names.items() if path == p or path.startswith(p + ".")), "")
        shown.setdefault(field, message)
    return shown


def _told(outcome: dict, names: dict[str, str]) -> dict:
    """The outcome with its invalid fields by form field, and a message that points at them."""
    fields = _shown(outcome.get("fields") or {}, names)
    if not fields:
        return outcome
    rest = f" {fields['']}" if "" in fields else ""
    return {
        **outcome,
        "fields": fields,
        "message": f"Niet gelukt: controleer de gemarkeerde velden.{rest}",
    }


# --- the start page: their requests and their meldingen ---


@router.get("/politie", response_class=HTMLResponse)
async def home(request: Request, parts: PartsDep, audit: AuditDep, p: Reader) -> HTMLResponse:
    """The requests of the police's region, newest first, each with its status, end and
    decision; and the latest meldingen, to request a huisverbod on."""
    caller = Caller(p, audit)
    rows = await huisverbod.inbox(parts, caller, limit=200)
    requests = [HuisverbodView(**r) for r in reversed(rows)]
    found, _ = await case_service.find(
        parts, caller, CaseFilter(p.region, None, None, None, None, None), limit=20
    )
    return page(request, "police.html", requests=requests, cases=found)


# --- a melding ---


def _melding_form(request: Request, p: Principal, status: int = 200, **context) -> HTMLResponse:
    region = request.app.state.settings.chain.region(p.region)
    return page(
        request,
        "police_melding.html",
        status,
        municipalities=region.municipalities if region else [],
        children=range(1, CHILDREN + 1),
        **context,
    )


@router.get("/politie/melding", response_class=HTMLResponse)
async def melding_form(request: Request, p: Reporter) -> HTMLResponse:
    return _melding_form(request, p)


def _melding(p: Principal, org_name: str, form: dict[str, Any]) -> MeldingIn:
    """The form as the body of `POST /v1/meldingen`: the victim, the person who used violence,
    the children filled in, and the unsafety the officer saw."""

    def person(ref: str, role: str, prefix: str, address: str | None = None) -> dict:
        return {
            "ref": ref,
            "role": role,
            "name": form.get(f"{prefix}_naam", ""),
            "birth_date": form.get(f"{prefix}_geboortedatum") or None,
            **({"address": address} if address else {}),
        }

    persons = [
        person("p1", "victim", "slachtoffer"),
        person("p2", "pleger", "pleger", form.get("adres") or None),
    ]
    persons += [
        person(f"k{i}", "child", f"kind{i}")
        for i in range(1, CHILDREN + 1)
        if form.get(f"kind{i}_naam", "").strip()
    ]
    return MeldingIn(
        region=p.region or "",
        municipality=form.get("gemeente", ""),
        reporter={"kind": "police", "organisation": org_name, "partner": p.org},
        persons=persons,
        unsafety={"acute": "acuut" in form, "structural": "structureel" in form},
        summary=form.get("samenvatting", ""),
    )


@router.post("/politie/melding", response_class=HTMLResponse)
async def file_melding(request: Request, parts: PartsDep, audit: AuditDep, p: Reporter) -> Response:
    caller = Caller(p, audit)
    org = parts.chain.organisation(p.org)

    async def send(form: dict) -> Response:
        melding = _melding(p, org.name if org else p.org, form)
        case_id, _, _ = await case_service.open_melding(parts, caller, melding)
        return RedirectResponse(f"/politie/casus/{case_id}?gemeld=1", 303)

    async def again(status: int, outcome: dict, asked: dict | None) -> HTMLResponse:
        told = _told(outcome, MELDING_FIELDS)
        return _melding_form(
            request, p, status, message=told["message"], fields=told["fields"], asked=asked or {}
        )

    return await submit(request, send, again)


# --- a case: its people, a request for a huisverbod, and each request to its end ---


async def _case_page(
    request: Request, case_id: str, parts, caller: Caller, status: int = 200, **outcome
) -> HTMLResponse:
    case = await case_service.detail(parts, caller, case_id)
    for x in case["persons"]:
        x["born"] = f"{date.fromisoformat(x['birth_date']):%d-%m-%Y}" if x.get("birth_date") else ""
    bans = [HuisverbodView(**b) for b in case["huisverboden"]]
    banned = {b.pleger_ref for b in bans if b.status in ACTIVE_HUISVERBOD}
    plegers = [x for x in case["persons"] if x["role"] == "pleger"]
    return page(
        request,
        "police_case.html",
        status,
        case=case,
        bans=bans,
        # a pleger whose ban is asked or runs gets no second request (the case refuses it)
        plegers=[x for x in plegers if x["ref"] not in banned],
        running=[x for x in plegers if x["ref"] in banned],
        prefill=_prefill(case),
        rihg_parts=rihg_form(),
        active=ACTIVE_HUISVERBOD,
        # the milestones this principal records (`MILESTONE_ACTIONS`): for the police where
        # the person put out can be reached (Wth art. 2 lid 6) and the order handed over
        milestones={
            m: label
            for m, (_, label) in MILESTONES.items()
            if caller.principal.may(MILESTONE_ACTIONS[m])
        },
        filed=request.query_params.get("gemeld") == "1",
        **outcome,
    )


@router.get("/politie/casus/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: CaseReader
) -> HTMLResponse:
    return await _case_page(request, case_id, parts, Caller(p, audit))


def _again(request: Request, case_id: str, parts, caller: Caller, names: dict[str, str]):
    """The case page again, with the form's outcome beside it and what was typed."""

    async def again(status: int, outcome: dict, asked: dict | None) -> HTMLResponse:
        return await _case_page(
            request,
            case_id,
            parts,
            caller,
            status,
            outcome=_told(outcome, names),
            asked=asked or {},
        )

    return again


def _prefill(case: dict[str, Any]) -> dict[str, Any]:
    """What the request form takes from the case file, so nobody types it again: the
    pleger's address from the melding (per pleger), and whether children are in the file."""
    return {
        "addresses": {x["ref"]: x.get("address") or "" for x in case["persons"]},
        "children": any(x["role"] == "child" for x in case["persons"]),
    }


def rihg_form() -> list[tuple[str, str, list[Signal]]]:
    """The RiHG's signals by part, in the instrument's order: (part, its name, signals)."""
    return [
        (part, name, [s for s in instrument().signals if s.part == part])
        for part, name in PART_NAMES.items()
    ]


def _request(p: Principal, org_name: str, form: dict[str, Any]) -> HuisverbodRequestIn:
    """The form as the body of the API's request: each RiHG signal with the risk rated."""
    ratings = [
        {"signal": s.id, "rating": form[f"rihg_{s.id}"]}
        for s in instrument().signals
        if form.get(f"rihg_{s.id}")
    ]
    return HuisverbodRequestIn(
        pleger_ref=form.get("pleger", ""),
        address=form.get("adres", ""),
        requested_by={"organisation": org_name, "officer": p.display_name},
        incident_at=from_localinput(form.get("incident", "")),
        grounds=form.get("gronden", ""),
        rihg=ratings,
        children_at_address="kinderen" in form,
        veilig_thuis_consulted="vt_geraadpleegd" in form,
    )


@router.post("/politie/casus/{case_id}/huisverbod", response_class=HTMLResponse)
async def request_form(
    request: Request, case_id: str, parts: PartsDep, audit: AuditDep, p: Requester
) -> Response:
    caller = Caller(p, audit)
    org = parts.chain.organisation(p.org)

    async def send(form: dict) -> str:
        await huisverbod.request(
            parts, caller, case_id, _request(p, org.name if org else p.org, form)
        )
        return "Huisverbod aangevraagd: de burgemeester beslist."

    again = _again(request, case_id, parts, caller, REQUEST_FIELDS)
    return await submit(request, send, again, step="verzoek")


@router.post("/politie/casus/{case_id}/huisverbod/{huisverbod_id}/besluit")
async def impose_form(
    request: Request,
    case_id: str,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Deciding,
) -> Response:
    """A hulpofficier van justitie imposes under the mayor's mandate (Wth art. 3 lid 1) and
    the mayor is told at once (lid 2); refusing, extending and withdrawing stay the mayor's."""
    caller = Caller(p, audit)

    async def send(form: dict) -> str:
        body = DecisionIn(
            decision="impose",
            reason=form.get("reden", ""),
            decided_by=Decider(name=p.display_name, capacity=DECIDING_CAPACITY[p.org_kind]),
            veilig_thuis_consulted="vt_geraadpleegd" in form,
            ordered_orally="mondeling" in form,
        )
        await huisverbod.decide(parts, caller, huisverbod_id, body)
        return "Huisverbod opgelegd in mandaat; de burgemeester is ingelicht."

    again = _again(request, case_id, parts, caller, DECISION_FIELDS)
    return await submit(request, send, again, step=f"besluit-{huisverbod_id}")


@router.post("/politie/casus/{case_id}/huisverbod/{huisverbod_id}/overtreding")
async def violation_form(
    request: Request,
    case_id: str,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Violation,
) -> Response:
    """A violation found (Wth art. 11); the mayor's office, Veilig Thuis and the OM are told."""
    caller = Caller(p, audit)

    async def send(form: dict) -> str:
        body = ViolationIn(at=from_localinput(form.get("tijdstip", "")))
        await huisverbod.violation(parts, caller, huisverbod_id, body)
        return "Overtreding vastgelegd; de burgemeester, Veilig Thuis en het OM worden ingelicht."

    again = _again(request, case_id, parts, caller, {"at": "tijdstip"})
    return await submit(request, send, again, step=f"overtreding-{huisverbod_id}")


@router.post("/politie/casus/{case_id}/huisverbod/{huisverbod_id}/mijlpaal")
async def milestone_form(
    request: Request,
    case_id: str,
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Milestone,
) -> Response:
    caller = Caller(p, audit)

    async def send(form: dict) -> str:
        body = MilestoneIn(
            milestone=form.get("mijlpaal", ""), at=from_localinput(form.get("tijdstip", ""))
        )
        await huisverbod.milestone(parts, caller, huisverbod_id, body)
        return f"Vastgelegd: {MILESTONES[body.milestone][1]}."

    again = _again(request, case_id, parts, caller, {"at": "tijdstip", "milestone": "mijlpaal"})
    return await submit(request, send, again, step=f"mijlpaal-{huisverbod_id}")


@router.get("/politie/huisverbod/{huisverbod_id}/beschikking.pdf")
async def written_order(
    huisverbod_id: str,
    parts: PartsDep,
    audit: AuditDep,
    p: OrderReader,
    soort: OrderKind = "oplegging",
) -> Response:
    """The written order the police hand over: the API's, with the page's session; only of a
    ban of their own region (the scope of the read, 404 otherwise), each download logged."""
    return await huisverbod_routes.written_order(huisverbod_id, parts, audit, p, soort)
