"""A new procedure is its own modules plus one registry line: a fictitious home visit with a
deadline (reminded, then escalated), a notice to the partner that visits, its own part of
the case page and its own rule of the deadline calculator runs through the API, the worker
and the command line with no edit to any existing module. The test builds its own
catalogue and registry and gives them to the app, the worker and the command line."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import httpx
import pytest_asyncio
from typer.testing import CliRunner

from api.app import create_app
from api.auth import SESSION_COOKIE, mint_token
from domain.catalogue import CATALOGUE, PARTS, build
from ketenregie.cli import app as cli
from tests.integration.conftest import WorkerRunner, eventually
from tests.integration.flows import open_case
from tests.integration.home_visit.domain import SPEC
from tests.integration.home_visit.workflow import HomeVisitWorkflow
from workflows.registry import WORKFLOWS, procedures_of

# the one registry line: the release's procedures and the home visit
WITH_HOME_VISIT = procedures_of(build((*PARTS, SPEC)), {**WORKFLOWS, SPEC.kind: HomeVisitWorkflow})


@pytest_asyncio.fixture
async def api_with_home_visit(settings, mail, hooks):
    own = settings.model_copy(update={"task_queue": f"it-visit-{uuid.uuid4().hex[:8]}"})
    runner = WorkerRunner(own, WITH_HOME_VISIT)
    await runner.start()
    app = create_app(own, WITH_HOME_VISIT.catalogue)
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


async def test_its_deadline_is_in_the_calculator_of_the_api_and_the_command_line(
    api_with_home_visit,
):
    api = api_with_home_visit
    assert "home_visit" in (await api.get("/v1/deadlines")).json()
    r = await api.get("/v1/deadlines/home_visit", params={"from": "2027-01-15T10:00:00+01:00"})
    assert r.status_code == 200, r.text
    assert r.json()["dates"] == [
        {
            "key": "visit_held",
            "due_at": "2027-01-21T00:00:00+01:00",  # to the end of Wednesday: 3 working days
            "article": "fictieve procedure van de tests: binnen 3 werkdagen",
        }
    ]
    page = await api.get("/termijnen", params={"rule": "home_visit", "from": "2027-01-15T10:00"})
    assert "Huisbezoek (vanaf het plannen)" in page.text and "huisbezoek afgelegd" in page.text
    listed = CliRunner().invoke(cli, ["deadlines", "--list"], obj=WITH_HOME_VISIT.catalogue)
    assert "home_visit" in json.loads(listed.stdout)
    # the release's own catalogue and command line know nothing of it
    assert "home_visit" not in CATALOGUE.calculator
    assert "home_visit" not in json.loads(CliRunner().invoke(cli, ["deadlines", "--list"]).stdout)


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
