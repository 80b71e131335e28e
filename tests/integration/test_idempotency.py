"""Idempotent commands: a client that retries after a timeout creates nothing twice. A POST
with an Idempotency-Key gets its first answer again; what a command creates is named by the
key, so even a retry after the answer was lost (a crash) finds the same case or huisverbod."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from domain.case import MeldingIn
from store import cases
from tests.integration.flows import (
    HULPOFFICIER,
    MAYOR,
    huisverbod_request,
    impose,
    melding,
    open_case,
    request_huisverbod,
)

HV_BODY = {
    "pleger_ref": "p2",
    "address": "Voorbeeldstraat 1, Den Haag",
    "requested_by": {"organisation": "Politie Den Haag", "officer": "Agent Drie"},
    "grounds": "Pleger sloeg slachtoffer.",
    "children_at_address": False,
}


def key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


async def count_cases(app, case_id: str) -> int:
    async with app.state.pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM cases WHERE case_id = $1", case_id)


async def test_a_retried_melding_opens_one_case(api, app):
    headers, body = key(), melding()
    first = await api.post("/v1/meldingen", json=body, headers=headers)
    again = await api.post("/v1/meldingen", json=body, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["case_id"] == first.json()["case_id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    other = await api.post("/v1/meldingen", json=melding(summary="Iets anders."), headers=headers)
    assert other.status_code == 422 and "ander verzoek" in other.json()["detail"]
    assert await count_cases(app, first.json()["case_id"]) == 1


async def test_a_retry_after_a_lost_answer_still_finds_the_same_case(api, app):
    """The answer was never stored (the API died after the case was written): the retry runs
    the command again, and the key names the same case."""
    headers, body = key(), melding()
    first = await api.post("/v1/meldingen", json=body, headers=headers)
    async with app.state.pool.acquire() as conn:
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE key = $1", headers["Idempotency-Key"]
        )
    again = await api.post("/v1/meldingen", json=body, headers=headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again.headers
    assert again.json()["case_id"] == first.json()["case_id"]
    assert await count_cases(app, first.json()["case_id"]) == 1


async def test_a_retried_huisverbod_request_is_one_request(api, police, app):
    case_id = await open_case(api)
    headers = key()
    url = f"/v1/cases/{case_id}/huisverbod-requests"
    first = await police.post(url, json=HV_BODY, headers=headers)
    assert first.status_code == 201, first.text
    hv = first.json()["huisverbod_id"]
    async with app.state.pool.acquire() as conn:  # the answer was lost: run it again
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE key = $1", headers["Idempotency-Key"]
        )
    again = await police.post(url, json=HV_BODY, headers=headers)
    assert again.status_code == 201 and again.json()["huisverbod_id"] == hv
    listed = (await police.get("/v1/huisverboden", params={"status": "requested"})).json()["items"]
    assert [h["huisverbod_id"] for h in listed if h["case_id"] == case_id] == [hv]
    without_key = await police.post(url, json=HV_BODY)  # a new request for the same pleger
    assert (
        without_key.status_code == 409
        and "Tijdelijk huisverbod voor p2 loopt al" in without_key.json()["detail"]
    )


async def test_the_read_model_never_shows_a_request_its_case_refused(api, police, app):
    """The huisverbod's row is written by its workflow alone: a refused request leaves none."""
    case_id = await open_case(api)
    r = await police.post(
        f"/v1/cases/{case_id}/huisverbod-requests", json={**HV_BODY, "pleger_ref": "p1"}
    )
    assert r.status_code == 422
    async with app.state.pool.acquire() as conn:
        rows = await conn.fetchval("SELECT count(*) FROM huisverboden WHERE case_id = $1", case_id)
        files = await conn.fetchval(
            "SELECT count(*) FROM huisverbod_files WHERE case_id = $1", case_id
        )
    assert rows == files == 0


async def test_a_decision_sent_twice_answers_the_same_and_a_different_one_409(api, police, mayor):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    first = await impose(police, hv)
    again = await impose(police, hv)
    assert again["status"] == first["status"] == "imposed"
    assert again["imposed_at"] == first["imposed_at"]
    refuse = await mayor.post(
        f"/v1/huisverboden/{hv}/decision",
        json={"decision": "refuse", "reason": "geen grond", "decided_by": MAYOR},
    )
    assert refuse.status_code == 409


async def test_a_retried_path_start_starts_one_path(api):
    case_id = await open_case(
        api,
        persons=[
            {"ref": "p1", "role": "victim", "name": "Ouder", "birth_date": "1990-04-01"},
            {"ref": "k1", "role": "child", "name": "Kind", "birth_date": "2016-05-02"},
        ],
        unsafety={"acute": False, "structural": True},
    )
    headers = key()
    url = f"/v1/cases/{case_id}/child-protection"
    first = await api.post(url, json={"child_ref": "k1"}, headers=headers)
    again = await api.post(url, json={"child_ref": "k1"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["path_id"] == first.json()["path_id"]
    paths = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
    assert len(paths) == 1


async def test_a_decision_retried_while_postgres_stalls_answers_with_the_decision(api, police, app):
    """Found by the chaos bench: a client retried its decision while the first one's
    projection waited on Postgres; the retry was answered at once and read the old row back
    ("requested", no imposed_at). Now it answers once the first is in the read model."""
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    url = f"/v1/huisverboden/{hv}/decision"
    body = {"decision": "impose", "reason": "gevaar", "decided_by": HULPOFFICIER}
    async with app.state.pool.acquire() as conn:
        lock = conn.transaction()
        await lock.start()
        await conn.execute("SELECT 1 FROM huisverboden WHERE huisverbod_id = $1 FOR UPDATE", hv)
        first = asyncio.create_task(police.post(url, json=body))
        await asyncio.sleep(2)
        again = asyncio.create_task(police.post(url, json=body))
        await asyncio.sleep(2)
        assert not again.done()  # it waits for the first decision to reach the read model
        await lock.rollback()
    answered, original = await again, await first
    assert answered.status_code == original.status_code == 200
    assert answered.json()["status"] == "imposed"
    assert answered.json()["imposed_at"] == original.json()["imposed_at"]


async def test_only_creating_commands_keep_their_answer(api, app):
    """A step answers with the case file (names, birth dates): it is never kept aside."""
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    headers = key()
    r = await api.post(
        f"/v1/cases/{case_id}/safety-assessment",
        json={"acute": False, "structural": True},
        headers=headers,
    )
    assert r.status_code == 200
    async with app.state.pool.acquire() as conn:
        kept = await conn.fetchval(
            "SELECT count(*) FROM idempotency_keys WHERE key = $1", headers["Idempotency-Key"]
        )
    assert kept == 0


async def test_a_request_before_the_case_orchestration_started_is_to_retry_not_refused(police, app):
    """Found by the chaos bench: a case registered while Temporal was down starts a little
    later; a request in between was answered 409 for good, and that 409 kept for its key."""
    case_id = uuid.uuid4().hex
    async with app.state.pool.acquire() as conn:  # registered, its workflow not there yet
        await cases.insert_case(conn, case_id, MeldingIn(**melding()), datetime.now(UTC), "VT-X")
        await cases.mark_started(conn, case_id)  # (kept from the API's own resume loop here)
    key = {"Idempotency-Key": f"pending-{case_id}"}
    url = f"/v1/cases/{case_id}/huisverbod-requests"
    first = await police.post(url, json=huisverbod_request(), headers=key)
    assert first.status_code == 503 and first.headers["Retry-After"], first.text
    again = await police.post(url, json=huisverbod_request(), headers=key)
    assert again.status_code == 503  # not a kept answer: the command runs again
