"""The API starts while Temporal is down: what needs only Postgres is served, commands are
503 with a reason and Retry-After, and /healthz says which part is down."""

from __future__ import annotations

import contextlib

import httpx
import pytest

from api.app import create_app
from api.auth import mint_token
from ketenregie.stack import free_port
from tests.integration.flows import impose, melding, open_case, request_huisverbod

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def api_without_temporal(settings):
    """An API process whose Temporal address answers nothing; clients per organisation."""
    app = create_app(settings.model_copy(update={"temporal_address": f"127.0.0.1:{free_port()}"}))
    async with app.router.lifespan_context(app):

        def as_(org: str, role: str) -> httpx.AsyncClient:
            token = mint_token(settings, org=org, role=role)
            return httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://ketenregie.test",
                headers={"authorization": f"Bearer {token}"},
            )

        yield as_


async def test_reads_are_served_and_commands_wait_while_temporal_is_down(api, police, settings):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    await impose(police, hv)
    async with api_without_temporal(settings) as as_:
        coordinator, officer = (
            as_("vt-haaglanden", "coordinator"),
            as_("politie-den-haag", "hulpofficier"),
        )
        r = await coordinator.get(f"/v1/cases/{case_id}")
        assert r.status_code == 200 and r.json()["case_id"] == case_id
        assert (await coordinator.get(f"/v1/huisverboden/{hv}")).json()["status"] == "imposed"

        r = await officer.post(f"/v1/huisverboden/{hv}/violations", json={})
        assert r.status_code == 503
        assert r.headers["retry-after"] and "Temporal" in r.json()["detail"]
        r = await coordinator.post("/v1/meldingen", json=melding())
        assert r.status_code == 201 and r.json()["orchestration"] == "pending"

        health = await coordinator.get("/healthz")
        assert health.status_code == 503
        assert health.json()["postgres"] == "ok" and health.json()["temporal"] != "ok"
        # Kubernetes keeps the API in its Service: it serves what it can
        assert (await coordinator.get("/readyz")).status_code == 200
