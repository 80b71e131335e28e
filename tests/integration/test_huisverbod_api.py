"""The huisverbod flow through the real API, dev server and Postgres."""

from __future__ import annotations

from datetime import timedelta

from domain.workdays import calendar_reach
from tests.integration.conftest import DAY_SECONDS, eventually
from tests.integration.flows import MAYOR, impose, open_case, request_huisverbod, ts, wait_status

DAY = timedelta(seconds=DAY_SECONDS)


async def test_imposed_extended_and_expired_at_the_extended_end(api, police, mayor):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    imposed = await impose(police, hv)
    assert imposed["status"] == "imposed"
    assert imposed["decision"]["decided_by"]["capacity"] == "hulpofficier"
    imposed_at = ts(imposed["imposed_at"])
    assert ts(imposed["ends_at"]) == imposed_at + 10 * DAY
    assert ts(imposed["max_end"]) == imposed_at + 28 * DAY

    until = imposed_at + 14 * DAY
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={"until": until.isoformat(), "reason": "dreiging duurt voort", "decided_by": MAYOR},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "extended"

    expired = await wait_status(api, hv, "expired")
    assert ts(expired["ended_at"]) == until

    async def case_shows_expiry():
        case = (await api.get(f"/v1/cases/{case_id}")).json()
        return "huisverbod_expired" in [e["kind"] for e in case["timeline"]] and case

    case = await eventually(case_shows_expiry)
    kinds = [e["kind"] for e in case["timeline"]]
    assert kinds[0] == "melding_received"
    assert {
        "huisverbod_requested",
        "huisverbod_imposed",
        "huisverbod_extended",
        "huisverbod_expired",
    } <= set(kinds)
    assert case["huisverboden"][0]["status"] == "expired"


async def test_refused_request_is_listed_as_refused(api, as_):
    mayor_delft = as_("burgemeester-gm0503", "staff")
    case_id = await open_case(api, municipality="GM0503")
    hv = await request_huisverbod(api, case_id)
    r = await mayor_delft.post(
        f"/v1/huisverboden/{hv}/decision",
        json={"decision": "refuse", "reason": "geen ernstig gevaar", "decided_by": MAYOR},
    )
    assert r.status_code == 200 and r.json()["status"] == "refused"
    listed = (await mayor_delft.get("/v1/huisverboden", params={"status": "refused"})).json()
    assert hv in [h["huisverbod_id"] for h in listed["items"]]
    again = await mayor_delft.post(
        f"/v1/huisverboden/{hv}/decision",
        json={"decision": "impose", "reason": "toch", "decided_by": MAYOR},
    )
    assert again.status_code == 409 and "afgewezen" in again.json()["detail"]


async def test_ban_lifted_on_appeal_ends_at_once(api, police, jurist):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    await impose(police, hv)
    appeal = await jurist.post(f"/v1/huisverboden/{hv}/appeal", json={})
    assert appeal.status_code == 200
    assert "interim_relief_hearing" in [d["key"] for d in appeal.json()["deadlines"]]
    ruling = await jurist.post(f"/v1/huisverboden/{hv}/ruling", json={"outcome": "lifted"})
    assert ruling.status_code == 200
    body = ruling.json()
    assert body["status"] == "lifted" and body["ended_at"] == body["ruling"]["ruled_at"]


async def test_extension_past_the_cap_or_after_the_end_is_refused(api, police, mayor):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    imposed = await impose(police, hv)
    too_late = ts(imposed["imposed_at"]) + 28 * DAY + timedelta(seconds=1)
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={"until": too_late.isoformat(), "reason": "r", "decided_by": MAYOR},
    )
    assert r.status_code == 422 and "vier weken na het opleggen" in r.json()["detail"]
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={
            "until": (ts(imposed["imposed_at"]) + 20 * DAY).isoformat(),
            "reason": "r",
            "decided_by": {"name": "H", "capacity": "hulpofficier"},
        },
    )
    assert r.status_code == 422 and "Wth art. 3" in r.json()["detail"]

    await wait_status(api, hv, "expired")
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/extension",
        json={
            "until": (ts(imposed["imposed_at"]) + 20 * DAY).isoformat(),
            "reason": "r",
            "decided_by": MAYOR,
        },
    )
    assert r.status_code == 409 and "afgelopen" in r.json()["detail"]


async def test_undecided_request_is_escalated_on_the_case(api, police):
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)

    async def decision_overdue():
        case = (await api.get(f"/v1/cases/{case_id}")).json()
        decisions = [d for d in case["deadlines"] if d["key"] == "mayor_decision"]
        escalated = [
            e
            for e in case["timeline"]
            if e["kind"] == "escalated" and "burgemeester" in e["detail"]
        ]
        return decisions and decisions[0]["status"] == "overdue" and escalated and case

    case = await eventually(decision_overdue)
    assert any(
        n["kind"] == "escalation" and n["subject"] == "mayor_decision" for n in case["notices"]
    )
    assert (await impose(police, hv))["status"] == "imposed"


async def test_case_lists_filter_by_region_municipality_and_phase(api):
    case_id = await open_case(api, municipality="GM0637")
    listed = (
        await api.get(
            "/v1/cases",
            params={"region": "haaglanden", "municipality": "GM0637", "phase": "triage"},
        )
    ).json()
    assert case_id in [c["case_id"] for c in listed["items"]]
    other = (await api.get("/v1/cases", params={"municipality": "GM0503"})).json()
    assert case_id not in [c["case_id"] for c in other["items"]]
    detail = (await api.get(f"/v1/cases/{case_id}")).json()
    assert detail["phase"] == "triage" and detail["persons"][1]["ref"] == "p2"


async def test_healthz_reports_both_dependencies(api):
    r = await api.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body.pop("zaaksysteem"), dict)  # the last catalogue checks, if any
    assert body == {
        "postgres": "ok",
        "temporal": "ok",
        "worker": "ok",
        "calendar": f"Atw decrees known up to {calendar_reach().isoformat()}",
    }


async def test_a_decision_answers_with_the_workflows_state_not_a_lagging_read_model(
    api, police, app
):
    """Found by the chaos bench: a decision answered 200 "requested" without its imposition
    when the read model did not take the workflow's projection."""
    case_id = await open_case(api)
    hv = await request_huisverbod(api, case_id)
    async with app.state.pool.acquire() as conn:  # a read model restored from a later backup
        await conn.execute("UPDATE huisverboden SET version = 1000 WHERE huisverbod_id = $1", hv)
    imposed = await impose(police, hv)
    assert imposed["status"] == "imposed" and imposed["imposed_at"] is not None
    assert imposed["address"] == "Voorbeeldstraat 1, Den Haag"
