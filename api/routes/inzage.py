"""The inzageverzoek and correction (AVG art. 15 and 16), for the region's privacy officer:
find a person in the region's cases and advice questions, export what is held about them
(JSON or PDF, the others in the files masked), correct their name, birth date or address.
Every search, export and correction is in the access log."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AuditDep, allowed
from api.deps import PartsDep
from domain.access import Principal
from domain.case import PersonRole
from domain.inzage import PERSON_ID, CorrectionIn, CorrectionOut, InzageExport, PersonKey
from domain.inzage_pdf import render
from domain.models import Day
from services import inzage
from services.context import Caller
from services.errors import Refused

router = APIRouter(prefix="/v1", tags=["inzage"])
Searching = Annotated[Principal, Depends(allowed("person.search"))]
Exporting = Annotated[Principal, Depends(allowed("person.export"))]
Correcting = Annotated[Principal, Depends(allowed("person.correct"))]
PersonIds = Annotated[
    list[Annotated[str, Field(pattern=PERSON_ID)]],
    Query(
        alias="personId",
        min_length=1,
        max_length=50,
        description="a person found by POST /v1/persons/search (repeat for the same person in "
        "more files)",
    ),
]


class PersonFound(BaseModel):
    person_id: str = Field(description="the person in one file, for the export and corrections")
    kind: str = Field(description="case or advice")
    kind_name: str
    file_id: str
    number: str | None = None
    municipality: str | None = None
    opened_at: datetime
    role: PersonRole
    name: str
    birth_date: date | None = None
    address: str | None = None


class PersonList(BaseModel):
    items: list[PersonFound]


class CorrectionList(BaseModel):
    items: list[CorrectionOut]


class PersonSearch(BaseModel):
    """Whom to find, in the body: a URL (with its query) ends up in the logs of proxies and
    servers, a body does not."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(
        None, min_length=2, max_length=200, description="a part of the name, any case"
    )
    birth_date: Day | None = None


@router.post("/persons/search", response_model=PersonList)
async def search_persons(
    body: PersonSearch, parts: PartsDep, audit: AuditDep, principal: Searching
) -> PersonList:
    """The persons in the region's cases and advice questions with this name (or a part of it)
    and birth date, newest file first; the search is logged with everyone it found. Changes
    nothing."""
    found = await inzage.search(parts, Caller(principal, audit), body.name, body.birth_date)
    return PersonList(items=[PersonFound(**f) for f in found])


@router.get("/persons", include_in_schema=False)
async def persons_by_url(principal: Searching) -> None:
    """The search by URL that was: a name or birth date is never put in one."""
    raise Refused(
        400,
        "zoek een persoon met POST /v1/persons/search: een naam of geboortedatum hoort niet in "
        "een URL (die komt in logboeken van proxy's en servers terecht)",
    )


def _keys(person_ids: list[str]) -> list[PersonKey]:
    return [PersonKey.parse(p) for p in person_ids]  # type: ignore[misc]  # the pattern held


@router.get("/inzage", response_model=InzageExport)
async def export_json(
    parts: PartsDep, audit: AuditDep, principal: Exporting, person_ids: PersonIds
) -> InzageExport:
    """Everything held about the person (AVG art. 15): their data, the timeline entries that
    concern them, the notices sent and to whom, who read their data, the corrections. Other
    people in the same files are masked (art. 15 lid 4). The export itself is logged."""
    return await inzage.export(parts, Caller(principal, audit), _keys(person_ids))


@router.get(
    "/inzage/export.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the export as a PDF"}},
)
async def export_pdf(
    parts: PartsDep, audit: AuditDep, principal: Exporting, person_ids: PersonIds
) -> Response:
    """The export of GET /v1/inzage as a PDF for the person who asked."""
    found = await inzage.export(parts, Caller(principal, audit), _keys(person_ids), "pdf")
    return Response(
        await run_in_threadpool(render, found),
        media_type="application/pdf",
        headers={
            "content-disposition": 'attachment; filename="inzage.pdf"',
            "cache-control": "no-store",
        },
    )


@router.post("/persons/{person_id}/corrections", status_code=201, response_model=CorrectionList)
async def correct(
    person_id: Annotated[str, Path(pattern=PERSON_ID)],
    body: CorrectionIn,
    parts: PartsDep,
    audit: AuditDep,
    principal: Correcting,
) -> CorrectionList:
    """Correct the person's name, birth date or address (AVG art. 16); the old value is kept
    with who changed it, when and why. Answers every correction of the person so far."""
    key = PersonKey.parse(person_id)
    _, done = await inzage.correct(parts, Caller(principal, audit), key, body)  # type: ignore[arg-type]
    return CorrectionList(items=[CorrectionOut(**c) for c in done])
