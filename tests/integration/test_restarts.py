"""A worker or the Temporal server going down in the middle of a case loses nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from api.lifespan import resume_pending_cases
from services import errors
from tests.integration.conftest import eventually
from tests.integration.flows import impose, melding, open_case, request_huisverbod, ts, wait_status


async def test_worker_restart_mid_ban_still_expires_on_time(api, police, worker):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    imposed = await impose(police, hv)
    await worker.stop()
    await asyncio.sleep(6)  # the ban (5 s) ends while no worker runs
    assert (await api.get(f"/v1/huisverboden/{hv}")).json()["status"] == "imposed"
    await worker.start()
    expired = await wait_status(api, hv, "expired")
    assert expired["ended_at"] == imposed["ends_at"]


async def test_a_command_while_no_worker_runs_answers_503_in_bounded_time(api, worker, monkeypatch):
    case_id = await open_case(api)
    monkeypatch.setattr(errors, "COMMAND_TIMEOUT", timedelta(seconds=2))
    await worker.stop()
    assessment = {"acute": False, "structural": True}
    key = {"Idempotency-Key": f"no-worker-{case_id}"}
    url = f"/v1/cases/{case_id}/safety-assessment"
    try:  # answered, not left hanging until the caller gives up
        r = await asyncio.wait_for(api.post(url, json=assessment, headers=key), 60)
    finally:
        await worker.start()
    assert r.status_code == 503, r.text
    assert "Idempotency-Key" in r.json()["detail"]

    async def answered_once_the_worker_is_back():  # sent again, after Retry-After
        again = await api.post(url, json=assessment, headers=key)
        return again.status_code != 503 and again

    again = await eventually(answered_once_the_worker_is_back)
    assert again.status_code == 200, again.text
    kinds = [e["kind"] for e in (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]]
    assert kinds.count("safety_assessed") == 1


@pytest.mark.slow  # about 20 s
async def test_temporal_restart_loses_no_case_and_no_timer(api, police, app, temporal):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    imposed = await impose(police, hv)

    temporal.stop()
    r = await api.post("/v1/meldingen", json=melding())
    assert r.status_code == 201 and r.json()["orchestration"] == "pending"
    kept = r.json()["case_id"]
    assert (await api.get("/healthz")).status_code == 503
    assert (await api.get(f"/v1/cases/{kept}")).status_code == 200
    temporal.start()

    async def resumed():
        try:
            return await resume_pending_cases(app) >= 0 and (
                "melding_received"
                in [e["kind"] for e in (await api.get(f"/v1/cases/{kept}")).json()["timeline"]]
            )
        except Exception:  # noqa: BLE001 - the client reconnects while the server comes back
            return False

    await eventually(resumed, interval=1)
    expired = await wait_status(api, hv, "expired")
    assert ts(expired["ended_at"]) == ts(imposed["ends_at"])
    assert (await api.get("/healthz")).status_code == 200


@pytest.mark.slow  # about 12 s
async def test_more_concurrent_requests_than_pooled_connections_all_complete(api, police):
    """A request holds a pooled connection while Temporal (and its codec) works for it; the
    codec's keys and the access log must not wait on that same pool."""
    case_ids = await asyncio.gather(*(open_case(api) for _ in range(14)))
    async with asyncio.timeout(120):  # a deadlock guard, not a speed check
        bans = await asyncio.gather(*(request_huisverbod(police, c) for c in case_ids))
        decided = await asyncio.gather(*(impose(police, hv) for hv in bans))
    # each was imposed (a ten-day ban is five seconds here: under load some have expired since)
    assert all(d["imposed_at"] and d["decision"]["decision"] == "impose" for d in decided)
