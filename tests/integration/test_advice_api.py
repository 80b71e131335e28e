"""Advice questions through the real API: advice with a follow-up that reminds, escalates and
is recorded; a question turned into a melding whose case opens with the advice; retries;
who may not see them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg

from activities.destruction import RetentionActivities
from infra.case_keys import PostgresKeyStore
from tests.integration.conftest import eventually

FAMILY = [
    {"ref": "p1", "role": "victim", "name": "Moeder Advies", "birth_date": "1991-02-03"},
    {"ref": "k1", "role": "child", "name": "Kind Advies", "birth_date": "2019-05-06"},
]


def question(**overrides) -> dict:
    body = {
        "region": "haaglanden",
        "municipality": "GM0518",
        "asker": {"kind": "professional", "organisation": "Basisschool De Linde"},
        "question": "Een leerling vertelt over ruzies thuis; wat kan de school doen?",
    }
    body.update(overrides)
    return body


async def register(api, **overrides) -> str:
    r = await api.post("/v1/adviesvragen", json=question(**overrides))
    assert r.status_code == 201, r.text
    assert r.json()["orchestration"] == "started"
    return r.json()["advice_id"]


async def read(api, advice_id: str) -> dict:
    r = await api.get(f"/v1/adviesvragen/{advice_id}")
    assert r.status_code == 200, r.text
    return r.json()


async def test_advice_with_a_follow_up_that_reminds_escalates_and_is_recorded(api, mail):
    advice_id = await register(api)
    registered = await eventually(lambda: _with_timeline(api, advice_id))
    assert registered["status"] == "registered" and registered["persons"] == []

    follow_up = datetime.now(UTC) + timedelta(days=10)  # ten scaled days: about five seconds
    r = await api.post(
        f"/v1/adviesvragen/{advice_id}/advies",
        json={"advice": "Bespreek de zorgen met de ouders.", "follow_up_at": follow_up.isoformat()},
    )
    assert r.status_code == 200, r.text
    step = r.json()
    assert step["status"] == "follow_up_due"
    assert "Bespreek" not in r.text  # the answer (kept for retries) carries no texts
    [deadline] = step["deadlines"]
    assert deadline["key"] == "advice_follow_up" and deadline["remind_at"]

    async def listed(kind: str):
        board = (await api.get("/v1/regions/haaglanden/dashboard")).json()
        return any(d["advice_id"] == advice_id for d in board[kind])

    assert await eventually(lambda: listed("due_soon"))
    detail = await read(api, advice_id)
    assert [n["text"] for n in detail["notes"]] == ["Bespreek de zorgen met de ouders."]

    async def escalated():
        d = await read(api, advice_id)
        return "escalated" in [e["kind"] for e in d["timeline"]] and d

    detail = await eventually(escalated)
    assert [e["kind"] for e in detail["timeline"]][-2:] == ["reminder", "escalated"]

    async def mailed():
        about = [m for m in mail.accepted.values() if advice_id in m.get_content()]
        return len(about) == 2 and about

    escalation, reminder = sorted(await eventually(mailed), key=lambda m: m["Subject"])
    assert escalation["To"] == "coordinator@vt-haaglanden.example"
    assert escalation["Subject"] == (
        "ketenregie: Escalatie: termijn verstreken (afgesproken vervolgcontact met de adviesvrager)"
    )
    assert reminder["To"] == "team@vt-haaglanden.example"
    assert reminder["Subject"] == (
        "ketenregie: Herinnering: termijn verloopt binnenkort "
        "(afgesproken vervolgcontact met de adviesvrager)"
    )
    assert f"Adviesvraag {advice_id}" in reminder.get_content()
    # each receiver is sent to the page it can open
    assert f"/adviesvragen/{advice_id}" in reminder.get_content() + escalation.get_content()
    assert "Bespreek" not in reminder.get_content() + escalation.get_content()
    assert await eventually(lambda: listed("overdue"))

    r = await api.post(
        f"/v1/adviesvragen/{advice_id}/opvolging", json={"note": "Ouders staan open voor hulp."}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "advised" and r.json()["deadlines"][0]["met_at"]
    assert not await listed("overdue")
    r = await api.post(
        f"/v1/adviesvragen/{advice_id}/sluiten", json={"reason": "advice_sufficient"}
    )
    assert r.status_code == 200 and r.json()["status"] == "closed"
    again = await api.post(f"/v1/adviesvragen/{advice_id}/sluiten", json={"reason": "other"})
    assert again.status_code == 409

    page = (await api.get("/v1/adviesvragen", params={"status": "closed", "limit": 5})).json()
    assert page["total"] >= 1 and page["limit"] == 5
    assert advice_id in [a["advice_id"] for a in page["items"]]


async def _with_timeline(api, advice_id: str):
    d = await read(api, advice_id)
    return d["timeline"] and d


async def test_an_anonymous_advice_becomes_a_melding_whose_case_opens_with_the_advice(api):
    advice_id = await register(api, asker={"kind": "citizen"}, municipality=None)
    await eventually(lambda: _with_timeline(api, advice_id))
    r = await api.post(f"/v1/adviesvragen/{advice_id}/advies", json={"advice": "Bel de huisarts."})
    assert r.status_code == 200, r.text

    unsafety = {"acute": False, "structural": True}
    unnamed = await api.post(f"/v1/adviesvragen/{advice_id}/melding", json={"unsafety": unsafety})
    assert unnamed.status_code == 422 and "betrokkenen" in unnamed.json()["detail"]

    r = await api.post(
        f"/v1/adviesvragen/{advice_id}/melding",
        json={"unsafety": unsafety, "municipality": "GM0518", "persons": FAMILY},
    )
    assert r.status_code == 201, r.text
    converted = r.json()
    assert converted["status"] == "converted" and converted["orchestration"] == "started"
    case_id = converted["case_id"]

    async def case_started():
        c = (await api.get(f"/v1/cases/{case_id}")).json()
        return "melding_received" in [e["kind"] for e in c.get("timeline", [])] and c

    case = await case_started() or await eventually(case_started)
    kinds = [e["kind"] for e in case["timeline"]]
    assert kinds[:3] == ["advice_registered", "advice_given", "advice_converted"]
    assert kinds.index("advice_converted") < kinds.index("melding_received")
    assert case["timeline"][2]["detail"].startswith("advies voorafgaand aan de melding")
    assert {p["name"] for p in case["persons"]} == {"Moeder Advies", "Kind Advies"}
    assert case["reporter"]["kind"] == "citizen"

    detail = await read(api, advice_id)
    assert detail["status"] == "converted" and detail["case_id"] == case_id
    assert detail["case_number"]
    twice = await api.post(
        f"/v1/adviesvragen/{advice_id}/melding",
        json={"unsafety": unsafety, "municipality": "GM0518", "persons": FAMILY},
    )
    assert twice.status_code == 409


async def test_a_retried_registration_creates_one_question(api):
    before = (await api.get("/v1/adviesvragen", params={"limit": 1})).json()["total"]
    key = {"Idempotency-Key": f"advice-{uuid.uuid4()}"}
    first = await api.post("/v1/adviesvragen", json=question(), headers=key)
    again = await api.post("/v1/adviesvragen", json=question(), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["advice_id"] == again.json()["advice_id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    after = (await api.get("/v1/adviesvragen", params={"limit": 1})).json()["total"]
    assert after == before + 1


async def test_the_mayor_the_police_and_another_region_see_no_advice(api, mayor, police, settings):
    advice_id = await register(api)
    for other in (mayor, police):
        assert (await other.get(f"/v1/adviesvragen/{advice_id}")).status_code == 403
        assert (await other.get("/v1/adviesvragen")).status_code == 403
        r = await other.post("/v1/adviesvragen", json=question())
        assert r.status_code == 403
    elsewhere = await api.post("/v1/adviesvragen", json=question(region="utrecht"))
    assert elsewhere.status_code == 403

    conn = await asyncpg.connect(settings.database_url)
    try:  # a question of another region, as Veilig Thuis Utrecht would have registered it
        await conn.execute(
            "UPDATE advice_questions SET region = 'utrecht' WHERE advice_id = $1", advice_id
        )
    finally:
        await conn.close()
    assert (await api.get(f"/v1/adviesvragen/{advice_id}")).status_code == 404
    r = await api.post(f"/v1/adviesvragen/{advice_id}/advies", json={"advice": "Niet hier."})
    assert r.status_code == 404
    listed = (await api.get("/v1/adviesvragen", params={"limit": 500})).json()["items"]
    assert advice_id not in [a["advice_id"] for a in listed]


async def test_retention_destroys_closed_advice_with_its_pseudonyms_and_keeps_the_rest(
    api, worker, settings
):
    closed = await register(api, persons=FAMILY)
    still_open = await register(api, persons=FAMILY)
    await eventually(lambda: _with_timeline(api, closed))
    r = await api.post(f"/v1/adviesvragen/{closed}/sluiten", json={"reason": "advice_sufficient"})
    assert r.status_code == 200 and r.json()["status"] == "closed"

    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        pseudonyms = (
            "SELECT count(*) FROM radar_pseudonyms WHERE kind = 'advice' AND contact_id = $1"
        )
        assert await pool.fetchval(pseudonyms, closed) > 0
        retention = RetentionActivities(
            pool, worker.client, PostgresKeyStore(pool, settings.keyring)
        )
        await retention.destroy_expired(datetime.now(UTC) - timedelta(days=1))  # too recent
        assert (await api.get(f"/v1/adviesvragen/{closed}")).status_code == 200
        assert await retention.destroy_expired(datetime.now(UTC) + timedelta(seconds=1)) >= 1
        assert await pool.fetchval(pseudonyms, closed) == 0
        assert await pool.fetchval(pseudonyms, still_open) > 0
    finally:
        await pool.close()
    assert (await api.get(f"/v1/adviesvragen/{closed}")).status_code == 404
    assert (await api.get(f"/v1/adviesvragen/{still_open}")).status_code == 200
