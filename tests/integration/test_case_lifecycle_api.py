"""The Veilig Thuis lifecycle and the coordinators' dashboard through the real API."""

from __future__ import annotations

import json
from datetime import timedelta
from unittest.mock import ANY

import asyncpg
import pytest

from tests.integration.conftest import eventually
from tests.integration.flows import melding, open_case, request_huisverbod, ts


async def step(api, case_id: str, path: str, body: dict):
    return await api.post(f"/v1/cases/{case_id}/{path}", json=body)


async def test_full_path_from_melding_to_closure(api):
    case_id = await open_case(
        api, unsafety={"acute": False, "structural": True, "reporter_can_help": False}
    )

    async def registered():
        c = (await api.get(f"/v1/cases/{case_id}")).json()
        return c["timeline"] and c["deadlines"] and c

    case = await eventually(registered)
    assert case["phase"] == "triage"
    assert "melder kan helpen: nee" in case["timeline"][0]["detail"]
    deadline = case["deadlines"][0]
    assert deadline["key"] == "safety_assessment"
    assert (
        deadline["rule"].startswith("Handelingsprotocol")
        and deadline["responsible"] == "veilig_thuis"
    )

    r = await step(api, case_id, "safety-assessment", {"acute": False, "structural": True})
    assert r.status_code == 200, r.text
    assert r.json()["phase"] == "follow_up_decision"
    assert [d["status"] for d in r.json()["deadlines"] if d["key"] == "safety_assessment"] == [
        "met"
    ]

    r = await step(api, case_id, "follow-up", {"decision": "investigation"})
    assert r.json()["phase"] == "investigation"
    r = await step(api, case_id, "investigation", {"conclusion": "unsafe"})
    assert r.json()["phase"] == "follow_up_decision"
    r = await step(api, case_id, "follow-up", {"decision": "handover", "partner": "zvh-haaglanden"})
    body = r.json()
    assert body["phase"] == "monitoring" and body["partner"] == "zvh-haaglanden"
    assert [d["status"] for d in body["deadlines"] if d["key"] == "monitoring_check"] == ["open"]
    r = await step(api, case_id, "monitoring-checks", {"safety_holds": True})
    assert [d["status"] for d in r.json()["deadlines"] if d["key"] == "monitoring_check"] == [
        "met",
        "open",
    ]
    r = await step(api, case_id, "close", {"reason": "handed_over_and_safe"})
    assert r.json()["phase"] == "closed"
    assert all(d["status"] != "open" for d in r.json()["deadlines"])
    again = await step(api, case_id, "close", {"reason": "other"})
    assert again.status_code == 409


async def test_acute_melding_alerts_the_police_at_once(api):
    case_id = await open_case(api)  # the sample melding is acute

    async def alerted():
        c = (await api.get(f"/v1/cases/{case_id}")).json()
        return [n for n in c["notices"] if n["kind"] == "alert"] and len(c["deadlines"]) == 2 and c

    case = await eventually(alerted)
    assert case["urgent"] is True
    alerts = [n["recipient"] for n in case["notices"] if n["kind"] == "alert"]
    assert alerts == ["police"]
    # the case's own deadline, and its acute safety path's: a safe place within hours
    assert {d["key"] for d in case["deadlines"]} == {"acute_safety_assessment", "safe_place"}


async def test_missed_safety_assessment_reminds_then_escalates(api):
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})

    async def escalated():
        c = (await api.get(f"/v1/cases/{case_id}")).json()
        notified = {n["kind"] for n in c["notices"]} >= {"reminder", "escalation"}
        return notified and "escalated" in [e["kind"] for e in c["timeline"]] and c

    case = await eventually(escalated)
    kinds = [e["kind"] for e in case["timeline"]]
    assert kinds.index("reminder") < kinds.index("escalated")
    recipients = {
        n["kind"]: n["recipient"]
        for n in case["notices"]
        if n["kind"] in ("reminder", "escalation")
    }
    assert recipients == {"reminder": "veilig_thuis", "escalation": "regional_coordinator"}
    assert case["deadlines"][0]["status"] == "overdue"


@pytest.mark.parametrize(
    "path, body, status, reason",
    [
        ("follow-up", {"decision": "close_with_advice"}, 409, "de fase triage"),
        ("investigation", {"conclusion": "safe"}, 409, "de fase triage"),
        ("monitoring-checks", {"safety_holds": True}, 409, "de fase triage"),
        ("close", {"reason": "other"}, 409, "kan niet worden gesloten"),
        ("safety-assessment", {"acute": "maybe", "structural": True}, 400, "acute"),
        (
            "safety-assessment",
            {"acute": True, "structural": True, "assessed_at": "2199-01-01T00:00:00Z"},
            422,
            "ligt in de toekomst",
        ),
        (
            "safety-assessment",
            {"acute": True, "structural": True, "assessed_at": "2020-01-01T00:00:00Z"},
            422,
            "waarop de melding binnenkwam",
        ),
        ("follow-up", {"decision": "shrug"}, 400, "decision"),
        ("follow-up", {"decision": "handover", "partner": "nobody"}, 422, "onbekende partner"),
        ("close", {"reason": "bored"}, 400, "reason"),
    ],
)
async def test_bad_steps_are_refused_with_a_reason(api, path, body, status, reason):
    case_id = await open_case(api)
    r = await step(api, case_id, path, body)
    assert r.status_code == status and reason in r.text, r.text
    assert (await api.get(f"/v1/cases/{case_id}")).json()["phase"] == "triage"


async def test_steps_on_an_unknown_case_are_404(api):
    for path, body in [
        ("safety-assessment", {"acute": True, "structural": True}),
        ("follow-up", {"decision": "mda"}),
        ("investigation", {"conclusion": "safe"}),
        ("monitoring-checks", {"safety_holds": True}),
        ("close", {"reason": "other"}),
    ]:
        assert (await step(api, "nope", path, body)).status_code == 404


async def test_a_case_with_a_running_huisverbod_stays_open(api):
    case_id = await open_case(api)
    await request_huisverbod(api, case_id)
    await step(api, case_id, "safety-assessment", {"acute": True, "structural": True})
    r = await step(api, case_id, "follow-up", {"decision": "close_with_advice"})
    assert r.status_code == 409 and "huisverbod" in r.json()["detail"]


async def test_dashboard_counts_phases_due_and_overdue(api):
    region = (await api.get("/v1/regions/haaglanden/dashboard")).json()
    before = region["open_per_phase"].get("follow_up_decision", 0)
    fresh = await open_case(api, unsafety={"acute": False, "structural": False})
    assessed = await open_case(api, unsafety={"acute": False, "structural": False})
    await step(api, assessed, "safety-assessment", {"acute": False, "structural": False})
    acute = await open_case(api)

    seen_due: set[str] = set()  # scaled, the fresh case is due soon for a few seconds only

    async def dashboard():
        d = (
            await api.get("/v1/regions/haaglanden/dashboard", params={"days": 5, "limit": 500})
        ).json()
        seen_due.update(c["case_id"] for c in d["due_soon"])
        overdue = {c["case_id"] for c in d["overdue"]}
        return fresh in seen_due and acute in overdue and d

    d = await eventually(dashboard)
    assert d["open_per_phase"]["follow_up_decision"] == before + 1
    assert assessed not in {c["case_id"] for c in d["due_soon"] + d["overdue"]}
    listed = (await api.get("/v1/cases", params={"region": "haaglanden", "limit": 500})).json()
    oldest = min(
        (c for c in listed["items"] if c["phase"] != "closed"), key=lambda c: c["opened_at"]
    )
    assert d["oldest_open_case"]["case_id"] == oldest["case_id"]
    assert (await api.get("/v1/regions/atlantis/dashboard")).status_code == 404
    assert (
        await api.get("/v1/regions/haaglanden/dashboard", params={"days": 0})
    ).status_code == 400


async def test_melding_text_is_kept_verbatim(api):
    r = await api.post("/v1/meldingen", json=melding(summary="Let op: 'quotes' & <tags>"))
    case = (await api.get(f"/v1/cases/{r.json()['case_id']}")).json()
    assert case["summary"] == "Let op: 'quotes' & <tags>"


async def test_a_paths_reminder_shows_on_its_case_before_the_path_reports_it(api, database_url):
    """A path tells its case of a reminder only with its next report: meanwhile the case reads
    it from the path's own record, in time order, and once the case has it, shows it once."""
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})

    async def registered():
        c = (await api.get(f"/v1/cases/{case_id}")).json()
        return c["timeline"] and c

    opened = ts((await eventually(registered))["opened_at"])
    reminder = {
        "at": (opened + timedelta(hours=1)).isoformat(),
        "kind": "reminder",
        "detail": "herinnering aan Veilig Thuis: veiligheidsplan",
        "source": "safety_plan:t1",
    }
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(  # the path's own record, as its reminder's write leaves it
            """INSERT INTO case_paths (path_id, case_id, kind, status, version, state)
               VALUES ('t1', $1, 'safety_plan', 'running', 1, $2::jsonb)""",
            case_id,
            json.dumps({"timeline": [reminder]}),
        )
        timeline = (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]
        assert [e for e in timeline if e["source"] == "safety_plan:t1"] == [{**reminder, "at": ANY}]
        assert [ts(e["at"]) for e in timeline] == sorted(ts(e["at"]) for e in timeline)

        await conn.execute(  # the path reported it: the case's timeline has it too
            "UPDATE cases SET timeline = timeline || $2::jsonb WHERE case_id = $1",
            case_id,
            json.dumps([reminder]),
        )
        timeline = (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]
        assert [e["source"] for e in timeline].count("safety_plan:t1") == 1
    finally:
        await conn.close()
