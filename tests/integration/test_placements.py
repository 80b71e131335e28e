"""A placement has one source of truth, its path's workflow: the shelter's location is stored
under the id the idempotency key names, and is kept unless the path refused the placement.
An answer lost after the path took the placement in (a 503, a cancelled request) leaves the
location and the path agreeing, and a retry answers the same placement once."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from temporalio.client import WorkflowHandle
from temporalio.service import RPCError, RPCStatusCode

from activities.reconcile import ReconcileActivities
from domain.catalogue import CATALOGUE
from domain.ids import path_workflow_id
from tests.integration.conftest import eventually
from tests.integration.test_paths_api import SHELTER_ADDRESS, family

SHELTER = {
    "person_ref": "p1",
    "kind": "vrouwenopvang",
    "provider": "opvang-haaglanden",
    "location": SHELTER_ADDRESS,
}


async def acute_path(api, case_id: str) -> str:
    """The acute safety path the acute melding started: its URL."""

    async def found():
        items = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
        return next((p["path_id"] for p in items if p["kind"] == "acute_safety"), None)

    return f"/v1/cases/{case_id}/acute-safety/{await eventually(found)}"


async def placed(api, case_id: str, url: str) -> list[dict]:
    path_id = url.rsplit("/", 1)[1]
    return (await api.get(f"/v1/cases/{case_id}/paths/{path_id}")).json()["placements"]


async def locations(app, case_id: str) -> list[str]:
    async with app.state.pool.acquire() as conn:
        rows = await conn.fetch(
            "SELECT placement_id FROM placements WHERE case_id = $1 ORDER BY 1", case_id
        )
    return [r["placement_id"] for r in rows]


def answer_lost_after_update(monkeypatch, fault: BaseException) -> None:
    """The path takes the next placement in, then its answer is lost on the way back."""
    real = WorkflowHandle.execute_update

    async def execute_update(self, update, *args, **kwargs):
        result = await real(self, update, *args, **kwargs)
        if getattr(update, "__name__", update) == "record_placement":
            monkeypatch.setattr(WorkflowHandle, "execute_update", real)
            raise fault
        return result

    monkeypatch.setattr(WorkflowHandle, "execute_update", execute_update)


async def test_a_placement_whose_answer_was_lost_is_kept_and_a_retry_answers_it_once(
    api, app, worker, monkeypatch
):
    case_id = await family(api, acute=True)
    url = await acute_path(api, case_id)
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    unavailable = RPCError("verbinding verbroken", RPCStatusCode.UNAVAILABLE, b"")
    answer_lost_after_update(monkeypatch, unavailable)
    lost = await api.post(f"{url}/placements", json=SHELTER, headers=headers)
    assert lost.status_code == 503, lost.text

    # the path took her in, and her location is still there for who may see it
    (taken,) = await placed(api, case_id, url)
    assert await locations(app, case_id) == [taken["placement_id"]]
    location = f"/v1/cases/{case_id}/placements/{taken['placement_id']}/location"
    assert (await api.get(location)).json()["location"] == SHELTER_ADDRESS

    again = await api.post(f"{url}/placements", json=SHELTER, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["placement_id"] == taken["placement_id"]
    assert again.json()["placed_at"] == taken["placed_at"]  # the first, not the retry's moment
    assert [p["placement_id"] for p in await placed(api, case_id, url)] == [taken["placement_id"]]
    assert await locations(app, case_id) == [taken["placement_id"]]

    # ending it still works; a late retry finds the path closed but leaves the location
    r = await api.post(
        f"{url}/steps", json={"step": "placement_ended", "placement_id": taken["placement_id"]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    path_id = url.rsplit("/", 1)[1]
    await worker.client.get_workflow_handle(path_workflow_id(case_id, path_id)).result()
    async with app.state.pool.acquire() as conn:  # the kept answer is gone: run it again
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE key = $1", headers["Idempotency-Key"]
        )
    late = await api.post(f"{url}/placements", json=SHELTER, headers=headers)
    assert late.status_code == 409, late.text
    assert await locations(app, case_id) == [taken["placement_id"]]
    assert (await api.get(location)).status_code == 200


async def test_a_placement_request_cancelled_after_its_update_keeps_the_location(
    api, app, monkeypatch
):
    case_id = await family(api, acute=True)
    url = await acute_path(api, case_id)
    landed = asyncio.Event()
    real = WorkflowHandle.execute_update

    async def execute_update(self, update, *args, **kwargs):
        result = await real(self, update, *args, **kwargs)
        if getattr(update, "__name__", update) == "record_placement":
            landed.set()
            await asyncio.Event().wait()  # the request is cancelled here, its answer unsent
        return result

    monkeypatch.setattr(WorkflowHandle, "execute_update", execute_update)
    request = asyncio.create_task(api.post(f"{url}/placements", json=SHELTER))
    await asyncio.wait_for(landed.wait(), 30)
    request.cancel()
    with pytest.raises(asyncio.CancelledError):
        await request
    (taken,) = await placed(api, case_id, url)
    assert await locations(app, case_id) == [taken["placement_id"]]


async def test_a_refused_placement_leaves_no_location(api, app):
    case_id = await family(api, acute=True)
    url = await acute_path(api, case_id)
    first = await api.post(f"{url}/placements", json=SHELTER)
    assert first.status_code == 201, first.text
    elsewhere = {**SHELTER, "location": "Andere opvang 3, Delft"}
    twice = await api.post(f"{url}/placements", json=elsewhere)
    assert twice.status_code == 409 and "al geplaatst" in twice.json()["detail"]
    assert await locations(app, case_id) == [first.json()["placement_id"]]


async def test_reconcile_reports_a_placement_without_its_location(api, app, worker):
    case_id = await family(api, acute=True)
    url = await acute_path(api, case_id)
    placement = (await api.post(f"{url}/placements", json=SHELTER)).json()["placement_id"]
    check = ReconcileActivities(app.state.pool, worker.client, CATALOGUE)
    assert placement not in (await check.reconcile(False)).placements_without_location
    async with app.state.pool.acquire() as conn:  # what the old compensation left behind
        await conn.execute("DELETE FROM placements WHERE placement_id = $1", placement)
    assert placement in (await check.reconcile(False)).placements_without_location
