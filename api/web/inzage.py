"""The privacy officer's pages (AVG art. 15 and 16): find a person in the region's files,
see what of the others is masked in what is held about them, download it (PDF or JSON), correct
their name, birth date or address. Under /regio/{region}/inzage: the region's own, nobody
else's. An export is about one person: nothing is chosen for the officer.

Each page goes through the service the API uses, with the same authorisation and access log;
a refused correction comes back beside its form with what was typed."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.problems import dutch_message
from api.web.render import page
from domain.access import Principal
from domain.case import PERSON_ROLE_NAMES
from domain.inzage import CORRECTABLE, CorrectionIn, PersonKey, review
from domain.inzage_pdf import render
from domain.workdays import dutch_date
from services import inzage
from services.context import Caller
from services.errors import Refused, not_found

router = APIRouter(include_in_schema=False)
Searching = Annotated[Principal, Depends(allowed("person.search"))]
Exporting = Annotated[Principal, Depends(allowed("person.export"))]
Correcting = Annotated[Principal, Depends(allowed("person.correct"))]
Persons = Annotated[list[str], Query(alias="persoon", max_length=50)]
FIELD_NAMES = {**CORRECTABLE, "reason": "reden"}


def _own(region: str, p: Principal) -> None:
    if region != p.region:
        raise not_found("regio")


def _keys(persons: list[str]) -> list[PersonKey]:
    keys = [PersonKey.parse(x) for x in persons]
    if not keys or None in keys:
        raise Refused(422, "kies ten minste één gevonden persoon")
    return keys  # type: ignore[return-value]


def _born(value: str | date | None) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return dutch_date(value) if value else "onbekend"


@router.get("/regio/{region}/inzage", response_class=HTMLResponse)
async def search_form(
    request: Request, region: str, parts: PartsDep, audit: AuditDep, p: Searching
) -> HTMLResponse:
    """The search form; it is sent as a POST, so a name or birth date is never in a URL."""
    return await search_page(request, region, parts, audit, p)


@router.post("/regio/{region}/inzage", response_class=HTMLResponse)
async def search_page(
    request: Request,
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Searching,
    naam: Annotated[str, Form(max_length=200)] = "",
    geboren: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    """The search form and, once asked, the persons found (each search in the access log)."""
    _own(region, p)
    found, message = None, None
    if naam.strip() or geboren:
        try:
            born = date.fromisoformat(geboren) if geboren else None
            found = await inzage.search(parts, Caller(p, audit), naam.strip() or None, born)
        except ValueError:
            message = "Niet gelukt: vul de geboortedatum in als dag, maand en jaar."
        except Refused as e:
            message = f"Niet gelukt: {e.detail}"
    return page(
        request,
        "inzage.html",
        422 if message else 200,
        region=region,
        asked={"naam": naam, "geboren": geboren},
        found=found,
        message=message,
        roles=PERSON_ROLE_NAMES,
        born=_born,
        municipality=lambda code: parts.chain.municipality_name(code) if code else "onbekend",
    )


@router.get("/regio/{region}/inzage/controle", response_class=HTMLResponse)
async def review_page(
    request: Request,
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Exporting,
    persons: Persons = (),
) -> HTMLResponse:
    """Before the export goes out: whose it is, and in each file every text in which something
    of another person was masked or withheld, as the person will read it, with what kind of
    thing was hidden. Matches that are not one person are refused here with the reason."""
    _own(region, p)
    try:
        found = await inzage.export(parts, Caller(p, audit), _keys(persons), "controle")
        message = None
    except Refused as e:
        if e.status_code != 422:
            raise
        found, message = None, f"Niet gelukt: {e.detail}"
    return page(
        request,
        "inzage_review.html",
        422 if message else 200,
        region=region,
        export=found,
        persons=persons,
        message=message,
        review=review,
        born=_born,
    )


@router.get("/regio/{region}/inzage/export.pdf")
async def export_pdf(
    region: str, parts: PartsDep, audit: AuditDep, p: Exporting, persons: Persons = ()
) -> Response:
    _own(region, p)
    found = await inzage.export(parts, Caller(p, audit), _keys(persons), "pdf")
    return Response(
        await run_in_threadpool(render, found),
        media_type="application/pdf",
        headers={"content-disposition": 'attachment; filename="inzage.pdf"'},
    )


@router.get("/regio/{region}/inzage/export.json")
async def export_json(
    region: str, parts: PartsDep, audit: AuditDep, p: Exporting, persons: Persons = ()
) -> Response:
    _own(region, p)
    found = await inzage.export(parts, Caller(p, audit), _keys(persons))
    return Response(
        found.model_dump_json(indent=2),
        media_type="application/json",
        headers={"content-disposition": 'attachment; filename="inzage.json"'},
    )


def _correction_page(request: Request, region: str, key: str, person: dict, status=200, **more):
    return page(
        request,
        "inzage_correction.html",
        status,
        region=region,
        key=key,
        person=person,
        role=PERSON_ROLE_NAMES.get(person["role"], person["role"]),
        born=_born,
        field_names=CORRECTABLE,
        ok=status == 200,
        **more,
    )


async def _refused(request, region, persoon, parts, caller, key, typed, message, errors):
    """The form again with what was typed, the reason on top and beside each wrong field."""
    person = await inzage.person(parts, caller, key)
    return _correction_page(
        request, region, persoon, person, 422, asked=typed, message=message, errors=errors
    )


@router.get("/regio/{region}/inzage/correctie", response_class=HTMLResponse)
async def correction_form(
    request: Request,
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Correcting,
    persoon: Annotated[str, Query(max_length=200)],
) -> HTMLResponse:
    _own(region, p)
    [key] = _keys([persoon])
    person = await inzage.person(parts, Caller(p, audit), key)
    return _correction_page(request, region, persoon, person, asked=person)


@router.post("/regio/{region}/inzage/correctie", response_class=HTMLResponse)
async def correct(
    request: Request,
    region: str,
    parts: PartsDep,
    audit: AuditDep,
    p: Correcting,
    persoon: Annotated[str, Query(max_length=200)],
) -> HTMLResponse:
    """Correct from the form; a refusal keeps what was typed and says what is wrong."""
    _own(region, p)
    [key] = _keys([persoon])
    form = await request.form()
    typed = {
        "name": form.get("naam", ""),
        "birth_date": form.get("geboortedatum", ""),
        "address": form.get("adres", ""),
        "reason": form.get("reden", ""),
    }
    caller = Caller(p, audit)
    try:
        body = CorrectionIn.model_validate({k: v.strip() or None for k, v in typed.items()})
        person, done = await inzage.correct(parts, caller, key, body)
    except ValidationError as e:
        errors = {
            str(err["loc"][0]) if err["loc"] else "": dutch_message(err) for err in e.errors()
        }
        message = "Niet gelukt: " + "; ".join(
            f"{FIELD_NAMES[f]}: {why}" if f in FIELD_NAMES else why for f, why in errors.items()
        )
        return await _refused(request, region, persoon, parts, caller, key, typed, message, errors)
    except Refused as e:
        message = f"Niet gelukt: {e.detail}"
        return await _refused(request, region, persoon, parts, caller, key, typed, message, {})
    return _correction_page(
        request,
        region,
        persoon,
        person,
        asked=person,
        done=done,
        message="Gecorrigeerd; de oude gegevens zijn bewaard.",
    )
