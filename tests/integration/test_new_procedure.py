"""A new procedure is its own modules plus one registry line: a fictitious home visit with a
deadline (reminded, then escalated), a notice to the partner that visits and its own part of
the case page runs through the API with no edit to any existing module."""

from __future__ import annotations

import re
import uuid
from contextlib import ExitStack
from pathlib import Path
from unittest.mock import patch

import httpx
import pytest_asyncio

from api.app import create_app
from api.auth import SESSION_COOKIE, mint_token
from domain.notifications import EVENT_AUDIENCES, EVENT_LABELS, EVENT_TYPES
from domain.policy import RULES
from tests.integration.conftest import WorkerRunner, eventually
from tests.integration.flows import open_case
from tests.integration.home_visit.domain import SPEC
from tests.integration.home_visit.workflow import HomeVisitWorkflow
from workflows.registry import PROCEDURES, register


@pytest_asyncio.fixture
async def api_with_home_visit(settings, mail, hooks):
    shared = ExitStack()  # the registry and the tables it fills, as they were before
    for table in (PROCEDURES, RULES, EVENT_AUDIENCES, EVENT_LABELS, EVENT_TYPES):
        shared.enter_context(patch.dict(table))
    register(SPEC, HomeVisitWorkflow)  # the one registry line
    own = settings.model_copy(update={"task_queue": f"it-visit-{uuid.uuid4().hex[:8]}"})
    runner = WorkerRunner(own)
    await runner.start()
    app = create_app(own)
    try:
        async with app.router.lifespan_context(app):
            token = mint_token(own, org="vt-haaglanden", role="coordinator")
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://ketenregie.test",
                headers={"authorization": f"Bearer {token}"},
                cookies={SESSION_COOKIE: token},  # the pages, signed in as the same coordinator
            ) as client:
                yield client
    finally:
        await runner.stop()
        shared.close()


async def test_a_registered_procedure_runs_through_the_api(api_with_home_visit, hooks):
    api = api_with_home_visit
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    unknown = await api.post(f"/v1/cases/{case_id}/home-visit", json={"visitor": "nobody"})
    assert unknown.status_code == 422 and "geen partnerorganisatie" in unknown.text

    r = await api.post(
        f"/v1/cases/{case_id}/home-visit", json={"visitor": "wijkteam-den-haag-centrum"}
    )
    assert r.status_code == 201, r.text
    visit = r.json()
    assert visit["kind"] == "home_visit" and visit["status"] == "planned"
    steps = f"/v1/cases/{case_id}/home-visit/{visit['path_id']}/steps"

    again = await api.post(
        f"/v1/cases/{case_id}/home-visit", json={"visitor": "wijkteam-den-haag-centrum"}
    )
    assert again.status_code == 409 and "Huisbezoek" in again.json()["detail"]

    async def reminded_then_escalated():
        timeline = (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]
        visit_events = [e["kind"] for e in timeline if e["source"].startswith("home_visit:")]
        return [k for k in visit_events if k in ("reminder", "escalated")] == [
            "reminder",
            "escalated",
        ]

    await eventually(reminded_then_escalated)
    deadline = (await api.get(f"/v1/cases/{case_id}/paths/{visit['path_id']}")).json()["deadlines"][
        0
    ]
    assert deadline["label"] == "huisbezoek afgelegd" and deadline["status"] == "overdue"
    assert deadline["rule"] == "fictieve procedure van de tests: binnen 3 werkdagen"

    async def told_the_visitor():
        return [
            h
            for h in hooks.received
            if h["partner"] == "wijkteam-den-haag-centrum"
            and h["type"] == "nl.ketenregie.huisbezoek.gepland"
            and h["data"]["title"] == "Huisbezoek gepland: u legt het af"
        ]

    await eventually(told_the_visitor)

    # its part of the case page, from its own template, with its own step forms
    page = (await api.get(f"/casus/{case_id}")).text
    assert "Huisbezoek door Sociaal wijkteam Den Haag Centrum" in page
    assert "Huisbezoek afgelegd" in page and "Gezin thuis" in page

    form = f"/casus/{case_id}/traject/home_visit/{visit['path_id']}/visit_held"
    r = await api.post(form, data={"family_home": "ja"}, headers={"HX-Request": "true"})
    assert r.status_code == 200, r.text
    r = await api.get(f"/v1/cases/{case_id}/paths/{visit['path_id']}")
    assert r.json()["status"] == "held"
    twice = await api.post(steps, json={"step": "visit_held", "family_home": False})
    assert twice.status_code == 409 and "al afgelegd" in twice.json()["detail"]
    r = await api.post(steps, json={"step": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed"

    async def on_the_case_timeline():
        timeline = (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]
        kinds = {e["kind"] for e in timeline}
        return {"home_visit_planned", "home_visit_held", "home_visit_closed"} <= kinds

    await eventually(on_the_case_timeline)
    listed = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
    assert [p["kind"] for p in listed] == ["home_visit"]


PRODUCTION = ("api", "services", "workflows", "activities", "store", "domain", "workers")


def test_no_existing_module_knows_the_home_visit():
    """The home visit is only its own files and the registry line above: if a shared module
    had to learn of it, a maintainer adding a real procedure would have to edit it too."""
    root = Path(__file__).parents[2]
    named = [
        str(path.relative_to(root))
        for package in PRODUCTION
        for path in (root / package).rglob("*")
        if path.suffix in (".py", ".html")
        and re.search(r"home.?visit|huisbezoek", path.read_text(encoding="utf-8"), re.IGNORECASE)
    ]
    assert named == []
