"""The pages of advice questions (adviesvragen) for Veilig Thuis: the list, a new question,
and one question with its advice, follow-up and conversion into a melding.

Each form goes through the service the API uses, with the same authorisation and access log;
a refusal comes back in Dutch beside the form.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from api.schemas import AdviceDetail
from api.web.render import PAGE_SIZE, new_view, page, submit
from domain.access import Principal
from domain.advice import (
    ASKERS,
    CLOSE_REASONS,
    STATUSES,
    AdviceCloseIn,
    AdviceFilter,
    AdviceIn,
    AdviceQuestionIn,
    ConvertIn,
    FollowUpIn,
    refusal,
)
from domain.case import PERSON_ROLE_NAMES
from domain.workdays import AMSTERDAM
from services import advice as advice_service
from services.context import Caller

router = APIRouter(include_in_schema=False)
Creating = Annotated[Principal, Depends(allowed("advice.create"))]
Reading = Annotated[Principal, Depends(allowed("advice.read"))]
Stepping = Annotated[Principal, Depends(allowed("advice.step"))]
PERSON_ROWS = 3  # rows for naming the family on a form
LABELS = {"askers": ASKERS, "close_reasons": CLOSE_REASONS}
CHANGED = "adviesvraag-gewijzigd"  # the event on which the question's live part refreshes


def _moment(value: str | None) -> datetime | None:
    """A datetime-local field: Amsterdam wall-clock time; empty is none."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=AMSTERDAM) if moment.tzinfo is None else moment


def _persons(form) -> list[dict]:
    """The persons named in the form's rows (a row without a name is left out)."""
    persons = []
    for i in range(1, PERSON_ROWS + 1):
        name = (form.get(f"naam{i}") or "").strip()
        if name:
            persons.append(
                {
                    "ref": f"p{i}",
                    "role": form.get(f"rol{i}") or "other",
                    "name": name,
                    "birth_date": form.get(f"geboren{i}") or None,
                }
            )
    return persons


@router.get("/adviesvragen", response_class=HTMLResponse)
async def list_page(
    request: Request,
    parts: PartsDep,
    audit: AuditDep,
    p: Reading,
    status: Annotated[str, Query(max_length=20)] = "",
    pagina: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The region's advice questions, newest first, a page at a time."""
    found, total = await advice_service.find(
        parts,
        Caller(p, audit),
        AdviceFilter(status=status if status in STATUSES else None),
        limit=PAGE_SIZE,
        offset=(pagina - 1) * PAGE_SIZE,
    )
    return page(
        request,
        "advice_list.html",
        found=found,
        total=total,
        page_no=pagina,
        pages=max(1, -(-total // PAGE_SIZE)),
        asked=status,
        **LABELS,
    )


def _new_form(request: Request, p: Principal, status: int = 200, **context) -> HTMLResponse:
    region = request.app.state.settings.chain.region(p.region) if p.region else None
    return page(
        request,
        "advice_new.html",
        status,
        municipalities=region.municipalities if region else [],
        rows=range(1, PERSON_ROWS + 1),
        roles=PERSON_ROLE_NAMES,
        **LABELS,
        **context,
    )


@router.get("/adviesvragen/nieuw", response_class=HTMLResponse)
async def new_page(request: Request, p: Creating) -> HTMLResponse:
    return _new_form(request, p)


@router.post("/adviesvragen/nieuw", response_class=HTMLResponse)
async def register_form(
    request: Request, parts: PartsDep, audit: AuditDep, p: Creating
) -> Response:
    """Register the question from the form; its page follows."""

    async def send(form: dict) -> Response:
        question = AdviceQuestionIn.model_validate(
            {
                "region": p.region,
                "municipality": form.get("gemeente") or None,
                "asker": {
                    "kind": form.get("vrager"),
                    "organisation": (form.get("organisatie") or "").strip() or None,
                },
                "question": form.get("vraag") or "",
                "persons": _persons(form),
            }
        )
        advice_id, _, _ = await advice_service.register(parts, Caller(p, audit), question)
        return RedirectResponse(f"/adviesvragen/{advice_id}", 303)

    async def again(status: int, outcome: dict, asked: dict | None) -> HTMLResponse:
        return _new_form(request, p, status, message=outcome["message"], asked=asked)

    return await submit(request, send, again)


async def _advice_page(
    request: Request, advice_id: str, parts, caller: Caller, status: int = 200, **outcome
) -> HTMLResponse:
    q = AdviceDetail(**await advice_service.detail(parts, caller, advice_id))
    return page(
        request,
        "advice.html",
        status,
        q=q,
        view_id=new_view(caller.audit),
        may=lambda action: refusal(q.status, action) is None,
        rows=range(1, PERSON_ROWS + 1),
        roles=PERSON_ROLE_NAMES,
        now=datetime.now(UTC),
        **LABELS,
        **outcome,
    )


@router.get("/adviesvragen/{advice_id}", response_class=HTMLResponse)
async def advice_page(
    request: Request, advice_id: str, parts: PartsDep, audit: AuditDep, p: Reading
) -> HTMLResponse:
    return await _advice_page(request, advice_id, parts, Caller(p, audit))


@router.get("/adviesvragen/{advice_id}/deel", response_class=HTMLResponse)
async def advice_part(
    request: Request, advice_id: str, parts: PartsDep, audit: AuditDep, p: Reading
) -> HTMLResponse:
    q = AdviceDetail(**await advice_service.detail(parts, Caller(p, audit), advice_id))
    return page(request, "advice_part.html", q=q, now=datetime.now(UTC), **LABELS)


async def _step(request: Request, advice_id: str, name: str, parts, caller: Caller, send):
    """Send a form's step; the question's page (or with htmx its outcome) follows."""

    async def again(status: int, **outcome) -> HTMLResponse:
        return await _advice_page(request, advice_id, parts, caller, status, **outcome)

    return await submit(request, send, again, step=name, changed=CHANGED)


@router.post("/adviesvragen/{advice_id}/advies", response_class=HTMLResponse)
async def advice_form(
    request: Request, advice_id: str, parts: PartsDep, audit: AuditDep, p: Stepping
) -> Response:
    caller = Caller(p, audit)

    async def send(form: dict) -> str:
        body = AdviceIn(advice=form.get("advies", ""), follow_up_at=_moment(form.get("opvolging")))
        await advice_service.give_advice(parts, caller, advice_id, body)
        return "Advies vastgelegd" + (", opvolging afgesproken." if body.follow_up_at else ".")

    return await _step(request, advice_id, "advies", parts, caller, send)


@router.post("/adviesvragen/{advice_id}/opvolging", response_class=HTMLResponse)
async def follow_up_form(
    request: Request, advice_id: str, parts: PartsDep, audit: AuditDep, p: Stepping
) -> Response:
    caller = Caller(p, audit)

    async def send(form: dict) -> str:
        body = FollowUpIn(
            note=(form.get("aantekening") or "").strip() or None,
            next_follow_up_at=_moment(form.get("volgende")),
        )
        await advice_service.record_follow_up(parts, caller, advice_id, body)
        return "Opvolging vastgelegd."

    return await _step(request, advice_id, "opvolging", parts, caller, send)


@router.post("/adviesvragen/{advice_id}/sluiten", response_class=HTMLResponse)
async def close_form(
    request: Request, advice_id: str, parts: PartsDep, audit: AuditDep, p: Stepping
) -> Response:
    caller = Caller(p, audit)

    async def send(form: dict) -> str:
        await advice_service.close(
            parts, caller, advice_id, AdviceCloseIn(reason=form.get("reden", ""))
        )
        return "Adviesvraag afgesloten."

    return await _step(request, advice_id, "sluiten", parts, caller, send)


@router.post("/adviesvragen/{advice_id}/melding", response_class=HTMLResponse)
async def convert_form(
    request: Request, advice_id: str, parts: PartsDep, audit: AuditDep, p: Stepping
) -> Response:
    """Turn the question into a melding; the case's page follows."""
    caller = Caller(p, audit)

    async def send(form: dict) -> Response:
        body = ConvertIn(
            unsafety={
                "acute": form.get("acuut") == "ja",
                "structural": form.get("structureel") == "ja",
            },
            summary=(form.get("samenvatting") or "").strip() or None,
            municipality=form.get("gemeente") or None,
            persons=_persons(form) or None,
        )
        state, _, _ = await advice_service.convert(parts, caller, advice_id, body)
        target = f"/casus/{state.case_id}"
        if request.headers.get("HX-Request"):
            return Response(status_code=200, headers={"HX-Redirect": target})
        return RedirectResponse(target, 303)

    return await _step(request, advice_id, "melding", parts, caller, send)
