"""A new procedure is its own modules plus one registry line: a fictitious home visit runs
through the API (start, steps, a refused step, the case timeline) with no edit to any
existing module."""

from __future__ import annotations

import uuid

import httpx
import pytest_asyncio

from api.app import create_app
from api.auth import mint_token
from tests.integration.conftest import WorkerRunner, eventually
from tests.integration.flows import open_case
from tests.integration.home_visit.domain import SPEC
from tests.integration.home_visit.workflow import HomeVisitWorkflow
from workflows.registry import PROCEDURES, register


@pytest_asyncio.fixture
async def api_with_home_visit(settings, mail, hooks):
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
            ) as client:
                yield client
    finally:
        await runner.stop()
        PROCEDURES.pop(SPEC.kind)


async def test_a_registered_procedure_runs_through_the_api(api_with_home_visit):
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
    r = await api.post(steps, json={"step": "visit_held", "family_home": True})
    assert r.status_code == 200 and r.json()["status"] == "held"
    twice = await api.post(steps, json={"step": "visit_held", "family_home": False})
    assert twice.status_code == 409 and "held" in twice.json()["detail"]
    r = await api.post(steps, json={"step": "closed"})
    assert r.status_code == 200 and r.json()["status"] == "closed"

    async def on_the_case_timeline():
        timeline = (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]
        kinds = {e["kind"] for e in timeline}
        return {"home_visit_planned", "home_visit_held", "home_visit_closed"} <= kinds

    await eventually(on_the_case_timeline)
    listed = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
    assert [p["kind"] for p in listed] == ["home_visit"]
