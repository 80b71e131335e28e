"""The radar: meldingen about the same family in one region find each other; another
region sees none; a destroyed case leaves no pseudonyms behind."""

from __future__ import annotations

import random
import uuid

import asyncpg
import httpx
import pytest_asyncio

from api.app import create_app
from api.auth import mint_token
from infra.settings import Settings
from tests.integration.conftest import eventually
from tests.integration.flows import melding


def family() -> list[dict]:
    """A family of its own: no other test's meldingen are about these people. The second
    melding writes their names and birth dates otherwise (see `spelled_otherwise`)."""
    name = uuid.uuid4().hex[:8]
    return [
        {"ref": "p1", "role": "victim", "name": f"Zoë {name} de Vries", "birth_date": "1991-02-03"},
        {"ref": "p2", "role": "pleger", "name": f"Mehmet {name}", "birth_date": "1984-11-12"},
        {"ref": "c1", "role": "child", "name": f"Noor {name}", "birth_date": "2017-05-06"},
    ]


def own_bsn() -> str:
    """A BSN no other test uses (it passes the elfproef): the radar links every melding that
    carries the same BSN, whichever test made it."""
    while True:
        digits = [random.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(digits, range(9, 1, -1), strict=True)) % 11
        if check < 10 and digits[0]:
            return "".join(map(str, [*digits, check]))


def spelled_otherwise(persons: list[dict]) -> list[dict]:
    return [{**p, "name": f"  {p['name'].upper().replace('Ë', 'E')} "} for p in persons]


@pytest_asyncio.fixture(scope="module")
async def radar_app(settings: Settings, worker):
    """The API with the default repeat rule (a third melding within 12 months, or one while
    a huisverbod runs); the session's app has it out of reach (see conftest)."""
    own = Settings(
        **{**settings.model_dump(), "repeat_meldingen": 3, "repeat_during_huisverbod": True}
    )
    app = create_app(own)
    async with app.router.lifespan_context(app):
        yield app


@pytest_asyncio.fixture(scope="module")
async def client_for(radar_app, settings):
    clients = []

    def make(org: str, role: str = "coordinator") -> httpx.AsyncClient:
        token = mint_token(settings, org=org, role=role)
        c = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=radar_app),
            base_url="http://ketenregie.test",
            headers={"authorization": f"Bearer {token}"},
        )
        clients.append(c)
        return c

    yield make
    for c in clients:
        await c.aclose()


async def report(api, persons, **overrides) -> str:
    body = melding(persons=persons, unsafety={"acute": False, "structural": True}, **overrides)
    r = await api.post("/v1/meldingen", json=body)
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


async def test_fourth_melding_shows_three_earlier_contacts_and_proposes_mda(client_for, settings):
    haaglanden = client_for("vt-haaglanden")
    persons = family()
    first = await report(haaglanden, persons)
    second = await report(haaglanden, spelled_otherwise(persons))
    third = await report(haaglanden, persons[:2])  # the same parents, the child not named
    fourth = await report(haaglanden, persons, municipality="GM0503")  # Delft: same region

    case = (await haaglanden.get(f"/v1/cases/{fourth}")).json()
    radar = case["earlier_contacts"]
    assert radar["count"] == 3
    assert [c["contact_id"] for c in radar["contacts"]] == [first, second, third]
    assert all(
        c["number"].startswith("VT-HGL-") and c["phase"] == "triage" for c in radar["contacts"]
    )
    assert radar["repeat_violence"] is True
    flags = [
        (await haaglanden.get(f"/v1/cases/{c}")).json()["earlier_contacts"]["repeat_violence"]
        for c in (first, second, third)
    ]
    assert flags == [False, False, True]  # the third melding within 12 months is the first flagged

    async def proposed():
        c = (await haaglanden.get(f"/v1/cases/{fourth}")).json()
        alerts = [n for n in c["notices"] if n["subject"] == "repeat_violence"]
        return alerts and "repeat_violence" in [e["kind"] for e in c["timeline"]] and alerts

    [notice] = await eventually(proposed)
    assert notice["kind"] == "alert" and notice["recipient"] == "regional_coordinator"
    assert "MDA++" in notice["detail"] and "geen verwijzing" in notice["detail"]
    # only a proposal: the case still waits for its safety assessment, no MDA++ path started
    case = (await haaglanden.get(f"/v1/cases/{fourth}")).json()
    assert case["phase"] == "triage"
    assert not (await haaglanden.get(f"/v1/cases/{fourth}/paths")).json()["items"]

    async def delivered():
        items = (await haaglanden.get(f"/v1/cases/{fourth}/notifications")).json()["items"]
        sent = [i for i in items if "repeat_violence" in i["notice_key"] and i["status"] == "sent"]
        return sent

    [mail] = await eventually(delivered)
    assert mail["address"] == "coordinator@vt-haaglanden.example"

    page = await haaglanden.get(f"/casus/{fourth}")
    assert page.status_code == 200
    assert "3 eerdere contacten" in page.text and 'id="herhaald-geweld"' in page.text

    # the same family in Amsterdam-Amstelland: the radar stays within the region
    amsterdam = client_for("vt-amsterdam-amstelland")
    elsewhere = await report(
        amsterdam, persons, region="amsterdam-amstelland", municipality="GM0363"
    )
    seen = (await amsterdam.get(f"/v1/cases/{elsewhere}")).json()["earlier_contacts"]
    assert seen == {"count": 0, "repeat_violence": False, "contacts": []}
    # and Haaglanden does not find the Amsterdam melding either
    assert (await haaglanden.get(f"/v1/cases/{elsewhere}")).status_code == 404


async def test_only_veilig_thuis_sees_earlier_contacts(client_for):
    haaglanden = client_for("vt-haaglanden")
    persons = family()
    await report(haaglanden, persons)
    later = await report(haaglanden, persons)
    worker = client_for("vt-haaglanden", "worker")
    assert (await worker.get(f"/v1/cases/{later}")).json()["earlier_contacts"]["count"] == 1
    police = client_for("politie-den-haag", "hulpofficier")
    shown = (await police.get(f"/v1/cases/{later}")).json()  # a police melding: in scope
    assert shown["case_id"] == later and shown["earlier_contacts"] is None


async def test_destroying_a_case_destroys_its_pseudonyms(client_for, settings):
    haaglanden = client_for("vt-haaglanden")
    persons = [{**p, "bsn": own_bsn()} if p["ref"] == "p2" else p for p in family()]
    gone = await report(haaglanden, persons)
    kept = await report(haaglanden, persons)
    conn = await asyncpg.connect(settings.database_url)
    try:
        count = "SELECT count(*) FROM radar_pseudonyms WHERE contact_id = $1"
        assert await conn.fetchval(count, gone) == 4  # three names with birth dates, one BSN
        r = await haaglanden.post(f"/v1/cases/{gone}/destroy", json={"reason": "justified_request"})
        assert r.status_code == 200, r.text
        assert await conn.fetchval(count, gone) == 0
        assert await conn.fetchval(count, kept) == 4
    finally:
        await conn.close()
    radar = (await haaglanden.get(f"/v1/cases/{kept}")).json()["earlier_contacts"]
    assert radar["count"] == 0


async def test_advice_questions_and_meldingen_find_each_other(client_for, settings):
    """An advice question about a family is an earlier contact of a later melding, and a later
    question sees both; the question a melding came from is not its own earlier contact, and
    it goes with the case when the case is destroyed."""
    haaglanden = client_for("vt-haaglanden")
    persons = family()
    question = {
        "region": "haaglanden",
        "asker": {"kind": "citizen"},
        "question": "Mijn buurvrouw wordt thuis bedreigd; wat kan ik doen?",
    }
    r = await haaglanden.post("/v1/adviesvragen", json={**question, "persons": persons})
    assert r.status_code == 201, r.text
    asked = r.json()["advice_id"]
    case_id = await report(haaglanden, spelled_otherwise(persons))
    contacts = (await haaglanden.get(f"/v1/cases/{case_id}")).json()["earlier_contacts"]
    assert [(c["kind"], c["contact_id"]) for c in contacts["contacts"]] == [("advice", asked)]
    assert contacts["contacts"][0]["phase"] == "registered"
    assert contacts["repeat_violence"] is False  # advice questions are not meldingen
    page = (await haaglanden.get(f"/casus/{case_id}")).text
    assert f'adviesvraag <a href="/adviesvragen/{asked}">' in page and "geregistreerd" in page

    r = await haaglanden.post("/v1/adviesvragen", json={**question, "persons": persons[:1]})
    later = r.json()["advice_id"]
    seen = (await haaglanden.get(f"/v1/adviesvragen/{later}")).json()["earlier_contacts"]
    assert [(c["kind"], c["contact_id"]) for c in seen] == [("advice", asked), ("melding", case_id)]
    worker = client_for("vt-haaglanden", "worker")
    assert (await worker.get(f"/v1/adviesvragen/{later}")).json()["earlier_contacts"]
    page = (await haaglanden.get(f"/adviesvragen/{later}")).text
    assert "2 eerdere contacten" in page and f'href="/casus/{case_id}"' in page

    converted = await eventually(lambda: _converted(haaglanden, later, persons[:1]))
    from_advice = (await haaglanden.get(f"/v1/cases/{converted}")).json()["earlier_contacts"]
    assert [c["contact_id"] for c in from_advice["contacts"]] == [asked, case_id]

    r = await haaglanden.post(
        f"/v1/cases/{converted}/destroy", json={"reason": "justified_request"}
    )
    assert r.status_code == 200, r.text
    assert (await haaglanden.get(f"/v1/adviesvragen/{later}")).status_code == 404
    conn = await asyncpg.connect(settings.database_url)
    try:
        left = "SELECT count(*) FROM radar_pseudonyms WHERE contact_id = ANY($1)"
        assert await conn.fetchval(left, [later, converted]) == 0
        assert await conn.fetchval(left, [asked]) == 3
    finally:
        await conn.close()


async def _converted(api, advice_id: str, persons: list[dict]) -> str | None:
    """Turn the question into a melding once its workflow runs; the case id."""
    r = await api.post(
        f"/v1/adviesvragen/{advice_id}/melding",
        json={
            "unsafety": {"acute": False, "structural": True},
            "persons": persons,
            "municipality": "GM0518",
        },
        headers={"idempotency-key": f"convert-{advice_id}"},
    )
    return r.json()["case_id"] if r.status_code == 201 else None
