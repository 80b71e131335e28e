"""Bad input on every route: a 4xx that says what is wrong, and nothing lost or half-written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest

from api.auth import SESSION_COOKIE
from store.db import connect
from tests.integration.browsing import page_session
from tests.integration.flows import MAYOR, impose, melding, open_case, request_huisverbod

FUTURE = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    "body, status, reason",
    [
        (melding(region="atlantis"), 422, "onbekende Veilig Thuis-regio"),
        (melding(municipality="GM0363"), 422, "hoort niet bij regio"),
        (melding(municipality="Den Haag"), 400, "municipality"),
        (melding(persons=[]), 400, "persons"),
        (
            melding(
                persons=[
                    {"ref": "a", "role": "victim", "name": "X"},
                    {"ref": "a", "role": "pleger", "name": "Y"},
                ]
            ),
            400,
            "eigen verwijzing",
        ),
        (melding(persons=[{"ref": "a", "role": "buurman", "name": "X"}]), 400, "persons.0.role"),
        (melding(reporter={"kind": "alien"}), 400, "reporter.kind"),
        (melding(received_at="2026-11-23T10:00:00"), 400, "verschil met UTC"),
        (melding(received_at=FUTURE), 422, "ligt in de toekomst"),
        (melding(summary=""), 400, "summary"),
        (melding(unexpected=1), 400, "unexpected"),
        ({k: v for k, v in melding().items() if k != "unsafety"}, 400, "unsafety"),
    ],
)
async def test_bad_melding_is_refused_with_a_reason(api, body, status, reason):
    before = (await api.get("/v1/cases", params={"limit": 500})).json()["items"]
    r = await api.post("/v1/meldingen", json=body)
    assert r.status_code == status, r.text
    assert reason in r.text
    after = (await api.get("/v1/cases", params={"limit": 500})).json()["items"]
    assert len(after) == len(before)


async def test_malformed_json_and_oversized_body_are_4xx(api):
    r = await api.post(
        "/v1/meldingen", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = await api.post(
        "/v1/meldingen", content=b"x" * 300_000, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


@pytest.mark.parametrize(
    "path, params",
    [
        ("/v1/cases", {"limit": 0}),
        ("/v1/cases", {"limit": 10_000}),
        ("/v1/cases", {"offset": -1}),
        ("/v1/huisverboden", {"status": "pending"}),
    ],
)
async def test_bad_list_filters_are_400(api, path, params):
    assert (await api.get(path, params=params)).status_code == 400


async def test_unknown_ids_are_404(api, mayor, jurist):
    assert (await api.get("/v1/cases/nope")).status_code == 404
    assert (await api.get("/v1/huisverboden/nope")).status_code == 404
    r = await api.post(
        "/v1/cases/nope/huisverbod-requests",
        json={
            "pleger_ref": "p2",
            "address": "a",
            "requested_by": {"organisation": "o", "officer": "x"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        },
    )
    assert r.status_code == 404
    for client, step, body in [
        (mayor, "decision", {"decision": "impose", "reason": "r", "decided_by": MAYOR}),
        (
            mayor,
            "extension",
            {"until": "2026-12-01T00:00:00+01:00", "reason": "r", "decided_by": MAYOR},
        ),
        (jurist, "appeal", {}),
        (jurist, "ruling", {"outcome": "lifted"}),
        (mayor, "milestones", {"milestone": "written_order_issued"}),
    ]:
        r = await client.post(f"/v1/huisverboden/nope/{step}", json=body)
        assert r.status_code == 404, (step, r.text)


@pytest.mark.parametrize(
    "pleger_ref, persons, reason",
    [
        ("p9", None, "geen persoon in deze casus"),
        ("p1", None, "aan een pleger opgelegd"),
        (
            "k1",
            [{"ref": "k1", "role": "pleger", "name": "Minderjarige", "birth_date": "2012-01-01"}],
            "meerderjarige",
        ),
    ],
)
async def test_huisverbod_request_for_the_wrong_person_is_refused(api, pleger_ref, persons, reason):
    case_id = await open_case(api, **({"persons": persons} if persons else {}))
    r = await api.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json={
            "pleger_ref": pleger_ref,
            "address": "a",
            "requested_by": {"organisation": "o", "officer": "x"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        },
    )
    assert r.status_code == 422 and reason in r.json()["detail"]
    case = (await api.get(f"/v1/cases/{case_id}")).json()
    assert case["huisverboden"] == []


async def test_second_request_for_a_running_ban_is_409_and_leaves_no_trace(api):
    case_id = await open_case(api)
    await request_huisverbod(api, case_id)
    r = await api.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json={
            "pleger_ref": "p2",
            "address": "a",
            "requested_by": {"organisation": "o", "officer": "x"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        },
    )
    assert r.status_code == 409 and "Tijdelijk huisverbod voor p2 loopt al" in r.json()["detail"]
    assert len((await api.get(f"/v1/cases/{case_id}")).json()["huisverboden"]) == 1


async def test_commands_the_state_does_not_allow_are_409(api, police, mayor, jurist):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    assert (await jurist.post(f"/v1/huisverboden/{hv}/appeal", json={})).status_code == 409
    assert (
        await jurist.post(f"/v1/huisverboden/{hv}/ruling", json={"outcome": "upheld"})
    ).status_code == 409
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={"until": FUTURE, "reason": "r", "decided_by": MAYOR},
    )
    assert r.status_code == 409 and "lopend" in r.json()["detail"]
    await impose(police, hv)
    assert (
        await jurist.post(f"/v1/huisverboden/{hv}/ruling", json={"outcome": "upheld"})
    ).status_code == 409
    r = await police.post(
        f"/v1/huisverboden/{hv}/milestones", json={"milestone": "contact_address_given"}
    )
    assert r.status_code == 200
    r = await police.post(
        f"/v1/huisverboden/{hv}/milestones", json={"milestone": "contact_address_given"}
    )
    assert r.status_code == 409


@pytest.mark.parametrize(
    "step, body, status, reason",
    [
        ("decision", {"decision": "maybe", "reason": "r", "decided_by": MAYOR}, 400, "decision"),
        (
            "decision",
            {
                "decision": "impose",
                "reason": "r",
                "decided_by": {"name": "x", "capacity": "wethouder"},
            },
            400,
            "capacity",
        ),
        (
            "decision",
            {"decision": "impose", "reason": "r", "decided_by": MAYOR, "decided_at": FUTURE},
            422,
            "ligt in de toekomst",
        ),
        ("decision", {"decision": "impose", "decided_by": MAYOR}, 400, "reason"),
        ("extension", {"until": "next week", "reason": "r", "decided_by": MAYOR}, 400, "until"),
        ("ruling", {"outcome": "quashed"}, 400, "outcome"),
        ("milestones", {"milestone": "coffee"}, 400, "milestone"),
    ],
)
async def test_bad_command_bodies_are_refused(api, mayor, jurist, step, body, status, reason):
    """Invalid input is a 400 naming the field; a moment the law does not allow a 422."""
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    sender = jurist if step == "ruling" else mayor  # the court's ruling: the jurist records it
    r = await sender.post(f"/v1/huisverboden/{hv}/{step}", json=body)
    assert r.status_code == status and reason in r.text, r.text
    assert (await api.get(f"/v1/huisverboden/{hv}")).json()["status"] == "requested"


class _DownPool:
    """A pool whose Postgres has gone away (as while it restarts)."""

    def acquire(self):
        raise ConnectionRefusedError("connection refused")


async def test_postgres_down_is_a_503_with_retry_after_not_a_500(api, app):
    pool, app.state.pool = app.state.pool, _DownPool()
    try:
        r = await api.get("/v1/cases")
        posted = await api.post("/v1/meldingen", json={}, headers={"Idempotency-Key": "k-down"})
    finally:
        app.state.pool = pool
    assert r.status_code == 503 and r.headers["Retry-After"] and "Postgres" in r.json()["detail"]
    assert posted.status_code == 503


async def test_postgres_gone_for_real_is_a_503_and_an_unlogged_read_is_withheld(api, app):
    """As the chaos bench found: a Postgres stopped leaves no socket (FileNotFoundError), one
    starting up refuses (CannotConnectNowError); both are 503, in the middlewares too."""
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    gone = await asyncpg.create_pool(
        "postgresql://postgres@/postgres?host=/nonexistent-socket-dir", min_size=0, connect=connect
    )
    pool, side = app.state.pool, app.state.side_pool
    try:
        app.state.side_pool = gone  # the access log cannot be written: the case is not shown
        withheld = await api.get(f"/v1/cases/{case_id}")
        app.state.pool = gone
        listed = await api.get("/v1/cases")
        posted = await api.post(
            "/v1/meldingen", json=melding(), headers={"Idempotency-Key": "k-gone"}
        )
    finally:
        app.state.pool, app.state.side_pool = pool, side
        await gone.close()
    for r in (withheld, listed, posted):
        assert r.status_code == 503 and r.headers["Retry-After"], r.text
    assert "Slachtoffer" not in withheld.text


async def test_a_birth_date_or_an_incident_in_the_future_is_refused(api, police):
    future_child = {"ref": "k9", "role": "child", "name": "Kind", "birth_date": "2030-01-01"}
    r = await api.post("/v1/meldingen", json=melding(persons=[future_child]))
    assert r.status_code == 400 and "ligt in de toekomst" in r.text
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    r = await police.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json={
            "pleger_ref": "p2",
            "address": "Straat 1",
            "requested_by": {"organisation": "Politie", "officer": "A"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
            "incident_at": "2030-01-01T20:00:00+01:00",
        },
    )
    assert r.status_code == 400 and "ligt in de toekomst" in r.text


async def test_a_nul_character_is_invalid_input_not_a_500(api, app, settings):
    """Postgres cannot store a NUL in text: refused where it comes in, in the query, the body
    (as JSON's \\u0000) and a page's query alike."""
    r = await api.get("/v1/cases", params={"assignedTo": "a\x00b"})
    assert r.status_code == 400 and r.json()["errors"][0]["in"] == "query", r.text
    r = await api.post("/v1/meldingen", json=melding(summary="voor\x00na"))
    assert r.status_code == 400 and "NUL" in r.json()["detail"]
    token = page_session(settings, org="vt-haaglanden", role="coordinator")
    page = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://ketenregie.test",
        cookies={SESSION_COOKIE: token},
    )
    async with page:
        r = await page.get("/casussen", params={"medewerker": "x\x00"})
    assert r.status_code == 400 and "NUL-teken" in r.text
