"""Authentication, need-to-know authorisation and the access log through the real API."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import jwt
import pytest
from google.protobuf import json_format
from temporalio.client import Client

from domain.ids import case_workflow_id
from tests.integration.conftest import DAY_SECONDS
from tests.integration.flows import (
    huisverbod_request,
    melding,
    open_case,
    request_huisverbod,
    ts,
)

DAY = timedelta(seconds=DAY_SECONDS)


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


async def test_no_or_bad_token_is_401(api, settings):
    case_id = await open_case(api)
    anonymous = httpx.AsyncClient(transport=api._transport, base_url="http://ketenregie.test")
    now = datetime.now(UTC)
    good = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "sub": "u",
        "org": "vt-haaglanden",
        "role": "coordinator",
    }
    bad_tokens = [
        jwt.encode(
            {**good, "exp": now - timedelta(minutes=1)}, settings.dev_signing_key, algorithm="HS256"
        ),
        jwt.encode(
            {**good, "exp": now + timedelta(hours=1), "aud": "other"},
            settings.dev_signing_key,
            algorithm="HS256",
        ),
        jwt.encode(
            {**good, "exp": now + timedelta(hours=1), "iss": "evil"},
            settings.dev_signing_key,
            algorithm="HS256",
        ),
        jwt.encode(
            {**good, "exp": now + timedelta(hours=1)}, b"not-the-key" * 4, algorithm="HS256"
        ),
        "garbage",
    ]
    assert (await anonymous.get(f"/v1/cases/{case_id}")).status_code == 401
    for token in bad_tokens:
        r = await anonymous.get(f"/v1/cases/{case_id}", headers=bearer(token))
        assert r.status_code == 401, token
    await anonymous.aclose()


async def test_mayors_office_sees_huisverboden_of_its_municipality_only(api, police, mayor, as_):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    assert (await mayor.get(f"/v1/huisverboden/{hv}")).status_code == 200
    assert (await mayor.get(f"/v1/cases/{case_id}")).status_code == 403  # never the full case
    delft = as_("burgemeester-gm0503", "staff")
    assert (await delft.get(f"/v1/huisverboden/{hv}")).status_code == 404
    listed = (await delft.get("/v1/huisverboden", params={"limit": 500})).json()["items"]
    assert all(h["municipality"] == "GM0503" for h in listed)
    r = await delft.post(
        f"/v1/huisverboden/{hv}/decision",
        json={
            "decision": "impose",
            "reason": "r",
            "decided_by": {"name": "B", "capacity": "mayor"},
        },
    )
    assert r.status_code == 404


async def test_police_see_only_cases_the_police_are_involved_in(api, police):
    professional = await open_case(api, reporter={"kind": "professional", "organisation": "school"})
    assert (await police.get(f"/v1/cases/{professional}")).status_code == 404
    listed = (await police.get("/v1/cases", params={"limit": 500})).json()["items"]
    assert professional not in [c["case_id"] for c in listed]
    await request_huisverbod(api, professional)  # Veilig Thuis starts the huisverbod procedure
    assert (await police.get(f"/v1/cases/{professional}")).status_code == 200


async def test_partners_see_only_what_was_handed_to_them(api, as_):
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    wijkteam, huisarts = (
        as_("wijkteam-den-haag-centrum", "worker"),
        as_("huisartsenpraktijk-centrum", "doctor"),
    )
    assert (await wijkteam.get(f"/v1/cases/{case_id}")).status_code == 404
    await api.post(
        f"/v1/cases/{case_id}/safety-assessment", json={"acute": False, "structural": True}
    )
    r = await api.post(
        f"/v1/cases/{case_id}/follow-up",
        json={"decision": "handover", "partner": "wijkteam-den-haag-centrum"},
    )
    assert r.status_code == 200
    assert (await wijkteam.get(f"/v1/cases/{case_id}")).status_code == 200
    assert (await huisarts.get(f"/v1/cases/{case_id}")).status_code == 404
    assert (
        await wijkteam.post(f"/v1/cases/{case_id}/close", json={"reason": "other"})
    ).status_code == 403


REGIONS = {
    "haaglanden": ("GM0518", "vt-haaglanden", "politie-den-haag", "burgemeester-gm0518", "HGL"),
    "amsterdam-amstelland": (
        "GM0363",
        "vt-amsterdam-amstelland",
        "politie-amsterdam",
        "burgemeester-gm0363",
        "AA",
    ),
    "rotterdam-rijnmond": (
        "GM0599",
        "vt-rotterdam-rijnmond",
        "politie-rotterdam",
        "burgemeester-gm0599",
        "RR",
    ),
}


async def test_every_region_sees_its_own_cases_and_huisverboden_only(as_):
    """A case and a huisverbod in each region; every organisation of every region sees its
    region's, and nothing of the others, in reads, lists, commands and dashboards."""
    made = {}
    for region, (municipality, vt, police, _, code) in REGIONS.items():
        coordinator = as_(vt, "coordinator")
        case_id = await open_case(coordinator, region=region, municipality=municipality)
        number = (await coordinator.get(f"/v1/cases/{case_id}")).json()["number"]
        assert number.startswith(f"VT-{code}-")
        made[region] = case_id, await request_huisverbod(as_(police, "officer"), case_id)
    for region, (_, vt, police, mayor, _) in REGIONS.items():
        own_case, own_ban = made[region]
        others = [made[r] for r in REGIONS if r != region]
        for org, role in [(vt, "coordinator"), (vt, "worker"), (police, "officer")]:
            client = as_(org, role)
            assert (await client.get(f"/v1/cases/{own_case}")).status_code == 200
            listed = (await client.get("/v1/cases", params={"limit": 500})).json()["items"]
            assert {c["region"] for c in listed} == {region}
            for case_id, ban in others:
                assert (await client.get(f"/v1/cases/{case_id}")).status_code == 404, org
                assert (await client.get(f"/v1/huisverboden/{ban}")).status_code == 404, org
                step = await client.post(
                    f"/v1/cases/{case_id}/huisverbod-requests", json=huisverbod_request()
                )
                assert step.status_code == 404, org
        mayor_client = as_(mayor, "staff")
        assert (await mayor_client.get(f"/v1/huisverboden/{own_ban}")).status_code == 200
        for _, ban in others:
            assert (await mayor_client.get(f"/v1/huisverboden/{ban}")).status_code == 404
        coordinator = as_(vt, "coordinator")
        for other in REGIONS:
            status = 200 if other == region else 404
            r = await coordinator.get(f"/v1/regions/{other}/dashboard")
            assert r.status_code == status, (region, other)
        foreign = next(r for r in REGIONS if r != region)
        r = await coordinator.post(
            "/v1/meldingen", json=melding(region=foreign, municipality=REGIONS[foreign][0])
        )
        assert r.status_code == 403  # a Veilig Thuis registers for its own region


@pytest.mark.parametrize(
    "org, role, method, path",
    [
        ("school-de-regenboog", "staff", "GET", "/v1/cases"),
        ("kdv-het-nest", "staff", "GET", "/v1/huisverboden"),
        ("vt-haaglanden", "worker", "GET", "/v1/regions/haaglanden/dashboard"),
        ("vt-haaglanden", "worker", "GET", "/v1/access-log"),
        ("politie-den-haag", "officer", "POST", "/v1/huisverboden/x/decision"),
        ("burgemeester-gm0518", "staff", "POST", "/v1/meldingen"),
        ("vt-haaglanden", "intern", "GET", "/v1/cases"),
        ("landelijk-netwerk-veilig-thuis", "analist", "GET", "/v1/cases"),
        ("landelijk-netwerk-veilig-thuis", "analist", "POST", "/v1/meldingen"),
        ("landelijk-netwerk-veilig-thuis", "analist", "GET", "/v1/regions/haaglanden/dashboard"),
    ],
)
async def test_roles_without_the_right_get_403(as_, org, role, method, path):
    client = as_(org, role)
    r = await client.request(method, path, json=melding() if method == "POST" else None)
    assert r.status_code == 403, r.text


async def test_deciding_in_someone_elses_capacity_is_403(api, police):
    hv = await request_huisverbod(police, await open_case(api))
    r = await police.post(
        f"/v1/huisverboden/{hv}/decision",
        json={
            "decision": "impose",
            "reason": "r",
            "decided_by": {"name": "B", "capacity": "mayor"},
        },
    )
    assert r.status_code == 403 and "hulpofficier" in r.json()["detail"]


async def access_log(settings, subject_case: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch(
            "SELECT * FROM access_log WHERE $1 = ANY (case_ids) ORDER BY id", subject_case
        )
    finally:
        await conn.close()


async def test_every_route_on_case_data_logs_exactly_one_entry_without_content(
    api, police, mayor, settings
):
    canary = f"KANARIE{uuid.uuid4().hex[:8]}"
    body = melding(
        summary=f"{canary} summary",
        persons=[
            {"ref": "p1", "role": "victim", "name": f"{canary} victim"},
            {"ref": "p2", "role": "pleger", "name": f"{canary} pleger", "birth_date": "1980-01-01"},
        ],
    )
    r = await api.post("/v1/meldingen", json=body)
    case_id = r.json()["case_id"]
    calls = [("case.create", r)]
    calls.append(("case.read", await api.get(f"/v1/cases/{case_id}")))
    calls.append(("case.list", await api.get("/v1/cases", params={"limit": 500})))
    r = await police.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json={
            "pleger_ref": "p2",
            "address": f"{canary} straat",
            "requested_by": {"organisation": "politie", "officer": "A"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        },
    )
    hv = r.json()["huisverbod_id"]
    calls.append(("huisverbod.request", r))
    calls.append(("huisverbod.read", await mayor.get(f"/v1/huisverboden/{hv}")))
    calls.append(("huisverbod.list", await mayor.get("/v1/huisverboden", params={"limit": 500})))
    calls.append(
        (
            "huisverbod.decide",
            await mayor.post(
                f"/v1/huisverboden/{hv}/decision",
                json={
                    "decision": "refuse",
                    "reason": f"{canary} reden",
                    "decided_by": {"name": "B", "capacity": "mayor"},
                },
            ),
        )
    )
    calls.append(
        (
            "case.step",
            await api.post(
                f"/v1/cases/{case_id}/safety-assessment", json={"acute": True, "structural": True}
            ),
        )
    )
    calls.append(("case.read", await api.get(f"/v1/cases/{case_id}")))
    calls.append(("access_log.read", await api.get(f"/v1/access-log/persons/{case_id}/p2")))
    assert all(resp.status_code < 300 for _, resp in calls), [(a, r.status_code) for a, r in calls]

    entries = await access_log(settings, case_id)
    assert [e["action"] for e in entries] == [a for a, _ in calls]
    for e in entries:
        assert (
            e["subject"]
            and e["org"]
            and e["role"]
            and e["client"]
            and e["at"]
            and e["outcome"] < 300
        )
        assert canary not in " ".join(str(v) for v in dict(e).values())
    export = calls[-1][1].json()
    assert {"case.create", "huisverbod.request", "huisverbod.decide"} <= {
        e["action"] for e in export
    }
    assert all("p2" in e["person_refs"] for e in export)


async def test_refused_and_missing_reads_are_logged_too(api, as_, settings):
    case_id = await open_case(api)
    delft = as_("burgemeester-gm0503", "staff")
    assert (await delft.get(f"/v1/cases/{case_id}")).status_code == 403
    entries = await access_log(settings, case_id)
    assert [(e["org"], e["outcome"]) for e in entries][-1] == ("burgemeester-gm0503", 403)


async def test_the_access_log_is_append_only(api, settings):
    await open_case(api)
    conn = await asyncpg.connect(settings.database_url)
    try:
        for sql in (
            "UPDATE access_log SET detail = 'x'",
            "DELETE FROM access_log",
            "TRUNCATE access_log",
        ):
            with pytest.raises(asyncpg.RaiseError, match="append-only"):
                await conn.execute(sql)
    finally:
        await conn.close()


async def test_coordinator_reads_the_log_of_the_region(api, police):
    case_id = await open_case(api)
    await police.get(f"/v1/cases/{case_id}")
    log = (await api.get("/v1/access-log", params={"case_id": case_id})).json()
    assert {e["org"] for e in log} >= {"vt-haaglanden", "politie-den-haag"}


async def test_codec_endpoint_decodes_history_for_coordinators_only(
    api, police, temporal, settings
):
    case_id = await open_case(api)
    raw = await Client.connect(temporal.address)
    history = await raw.get_workflow_handle(case_workflow_id(case_id)).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes.input
    body = json_format.MessageToDict(started)
    assert (await police.post("/codec/decode", json=body)).status_code == 403
    r = await api.post(
        "/codec/decode",
        json=body,
        headers={"x-namespace": "default", "origin": settings.codec_origin},
    )
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == settings.codec_origin
    decoded = r.json()["payloads"][0]
    assert decoded["metadata"]["encoding"] != body["payloads"][0]["metadata"]["encoding"]
    assert (await api.post("/codec/decode", json={"payloads": "nope"})).status_code == 422
    entries = await access_log_rows(settings, "codec.decode")
    assert entries and entries[-1]["org"] == "vt-haaglanden"


async def access_log_rows(settings, action: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetch("SELECT * FROM access_log WHERE action = $1 ORDER BY id", action)
    finally:
        await conn.close()


async def test_each_case_route_writes_exactly_one_entry(api, police, mayor, jurist, settings):
    """Walk every route that touches a case; each call adds exactly one complete entry."""
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    hv = await request_huisverbod(police, case_id)
    imposed = {}

    def extension():  # two scaled days past the end of the ban, well within the 4-week cap
        return {
            "until": (ts(imposed["ends_at"]) + 2 * DAY).isoformat(),
            "reason": "r",
            "decided_by": {"name": "B", "capacity": "mayor"},
        }

    steps = [
        (api, "GET", f"/v1/cases/{case_id}", None),
        (mayor, "GET", f"/v1/huisverboden/{hv}", None),
        (
            police,
            "POST",
            f"/v1/huisverboden/{hv}/decision",
            {
                "decision": "impose",
                "reason": "r",
                "decided_by": {"name": "H", "capacity": "hulpofficier"},
            },
        ),
        (mayor, "POST", f"/v1/huisverboden/{hv}/extension", extension),
        (
            police,
            "POST",
            f"/v1/huisverboden/{hv}/milestones",
            {"milestone": "contact_address_given"},
        ),
        (jurist, "POST", f"/v1/huisverboden/{hv}/appeal", {}),
        (jurist, "POST", f"/v1/huisverboden/{hv}/ruling", {"outcome": "lifted"}),
        (
            api,
            "POST",
            f"/v1/cases/{case_id}/safety-assessment",
            {"acute": False, "structural": True},
        ),
        (api, "POST", f"/v1/cases/{case_id}/follow-up", {"decision": "investigation"}),
        (api, "POST", f"/v1/cases/{case_id}/investigation", {"conclusion": "unsafe"}),
        (
            api,
            "POST",
            f"/v1/cases/{case_id}/follow-up",
            {"decision": "handover", "partner": "zvh-haaglanden"},
        ),
        (api, "POST", f"/v1/cases/{case_id}/monitoring-checks", {"safety_holds": True}),
        (api, "GET", "/v1/access-log", None),
        (api, "GET", f"/v1/access-log/persons/{case_id}/p1", None),
        (api, "POST", f"/v1/cases/{case_id}/close", {"reason": "handed_over_and_safe"}),
        (api, "POST", f"/v1/cases/{case_id}/destroy", {"reason": "justified_request"}),
    ]
    for client, method, path, body in steps:
        before = len(await access_log(settings, case_id))
        r = await client.request(method, path, json=body() if callable(body) else body)
        assert r.status_code < 300, (path, r.text)
        if path.endswith("/decision"):
            imposed.update(r.json())
        entries = await access_log(settings, case_id)
        if path == "/v1/access-log":  # the region's log lists this case without reading its file
            entries = [e for e in await access_log_rows(settings, "access_log.read")][-1:]
            assert len(entries) == 1 and entries[0]["outcome"] == 200
            continue
        assert len(entries) == before + 1, path
        last = entries[-1]
        assert last["subject"] and last["org"] and last["role"] and last["at"] and last["client"], (
            path
        )
        assert last["case_ids"] == [case_id] or case_id in last["case_ids"]
