"""The escalation paths end to end on the real dev server and Postgres, through the v1 API:
child protection with CORV, consent refused, MDA++ continuing as new, acute safety with the
shelter's location, the Signs of Safety plan. One scaled day lasts half a second."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.workdays import AMSTERDAM
from tests.integration.conftest import eventually
from tests.integration.flows import open_case

CHILD = {"ref": "k1", "role": "child", "name": "Kind Negen", "birth_date": "2017-05-02"}
TEEN = {"ref": "k2", "role": "child", "name": "Tiener Tien", "birth_date": "2009-06-01"}
VICTIM = {"ref": "p1", "role": "victim", "name": "Slachtoffer Een", "birth_date": "1990-04-01"}
PLEGER = {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"}
SHELTER_ADDRESS = "Geheimstraat 12, Rijswijk"


def amsterdam_today() -> date:
    """The date on the Dutch wall clock: dates of steps are Amsterdam dates, also just after
    midnight when UTC is still on the day before."""
    return datetime.now(AMSTERDAM).date()


def soon(seconds: float) -> str:
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


async def family(api, acute: bool = False) -> str:
    return await open_case(
        api,
        persons=[VICTIM, PLEGER, CHILD, TEEN],
        reporter={"kind": "professional", "organisation": "Basisschool"},
        unsafety={"acute": acute, "structural": True},
    )


async def step(api, url: str, body: dict, status: int = 200) -> dict:
    r = await api.post(url, json=body)
    assert r.status_code == status, r.text
    return r.json()


async def case_kinds(api, case_id: str, *wanted: str) -> list[str]:
    """The kinds of the case timeline's events, once it has every one of `wanted` (a path
    tells its case by signal, just after its own read model changed)."""

    async def probe():
        kinds = [e["kind"] for e in (await api.get(f"/v1/cases/{case_id}")).json()["timeline"]]
        return set(wanted) <= set(kinds) and kinds

    return await eventually(probe)


async def test_child_protection_beschermtafel_raad_via_corv_court_and_measure_end(api, hooks):
    case_id = await family(api)
    path = await step(
        api,
        f"/v1/cases/{case_id}/child-protection",
        {"child_ref": "k1", "via": "beschermtafel"},
        201,
    )
    assert path["status"] == "referred"
    steps = f"/v1/cases/{case_id}/child-protection/{path['path_id']}/steps"
    # a second path for the same child while this one runs: 409
    again = await api.post(f"/v1/cases/{case_id}/child-protection", json={"child_ref": "k1"})
    assert again.status_code == 409 and "loopt al" in again.json()["detail"]
    # the court cannot decide before the Raad petitioned it: 409 with the reason
    early = await api.post(
        steps, json={"step": "court_decided", "measure": "ondertoezichtstelling", "granted": True}
    )
    assert early.status_code == 409 and "verwezen" in early.json()["detail"]

    await step(
        api, steps, {"step": "meeting_scheduled", "meeting_on": amsterdam_today().isoformat()}
    )
    state = await step(api, steps, {"step": "meeting_held", "outcome": "request_raad"})
    assert state["status"] == "raad_requested"
    message_id = state["corv_message_id"]
    # the verzoek tot onderzoek reached the (local) CORV receiver, with the child's data
    xml = hooks.corv[message_id].decode()
    assert "VerzoekTotOnderzoek" in xml and "Kind Negen" in xml and "raad-den-haag" in xml
    assert "Tiener Tien" not in xml  # only the child concerned

    await step(api, steps, {"step": "raad_answered", "investigation_started": True})
    await step(api, steps, {"step": "raad_concluded", "petition": "ondertoezichtstelling"})
    # scaled: a year is 182.5 seconds; ten minutes is far past the legal maximum
    r = await api.post(
        steps,
        json={
            "step": "court_decided",
            "measure": "ondertoezichtstelling",
            "granted": True,
            "ends_at": soon(600),
        },
    )
    assert r.status_code == 422 and "BW 1:258 lid 1" in r.json()["detail"]
    state = await step(
        api,
        steps,
        {
            "step": "court_decided",
            "measure": "ondertoezichtstelling",
            "granted": True,
            "ends_at": soon(4),
        },
    )
    assert state["status"] == "measure_running"
    detail = (await api.get(f"/v1/cases/{case_id}")).json()
    renewal = next(d for d in detail["deadlines"] if d["key"] == "measure_renewal")
    assert renewal["responsible"] == "jeugdbescherming" and "BW 1:258" in renewal["rule"]

    async def ended():
        got = (await api.get(f"/v1/cases/{case_id}/paths/{path['path_id']}")).json()
        return got if got["status"] == "closed" else None

    state = await eventually(ended)
    assert [m["running"] for m in state["measures"]] == [False]
    await case_kinds(
        api, case_id, "protection_referred", "raad_requested", "measure_granted", "measure_ended"
    )
    r = await api.post(steps, json={"step": "measure_ended", "measure": "ondertoezichtstelling"})
    assert r.status_code == 409


async def test_a_measure_cannot_outlast_minority(api):
    case_id = await family(api)
    path = await step(
        api, f"/v1/cases/{case_id}/child-protection", {"child_ref": "k2", "via": "raad"}, 201
    )
    steps = f"/v1/cases/{case_id}/child-protection/{path['path_id']}/steps"
    await step(api, steps, {"step": "raad_answered", "investigation_started": True})
    await step(api, steps, {"step": "raad_concluded", "petition": "ondertoezichtstelling"})
    r = await api.post(
        steps,
        json={
            "step": "court_decided",
            "measure": "ondertoezichtstelling",
            "granted": True,
            "ends_at": "2027-09-01T00:00:00+02:00",
        },
    )
    assert r.status_code == 422 and "BW 1:233" in r.json()["detail"]
    # a pleger is not a child: no child protection path for them
    r = await api.post(f"/v1/cases/{case_id}/child-protection", json={"child_ref": "p2"})
    assert r.status_code == 422


async def test_consent_refused_is_recorded_with_the_path_taken(api):
    case_id = await family(api)
    url = f"/v1/cases/{case_id}/consent-refusals"
    detail = await step(
        api, url, {"child_ref": "k1", "refused_by": "both_parents", "path": "beschermtafel"}
    )
    event = next(e for e in detail["timeline"] if e["kind"] == "consent_refused")
    assert (
        "beide ouders: geen toestemming" in event["detail"] and "beschermtafel" in event["detail"]
    )
    # a child of nine cannot consent on its own (BW 7:447: from sixteen)
    r = await api.post(
        url,
        json={
            "child_ref": "k1",
            "refused_by": "one_parent",
            "path": "help_with_consent_of_the_child",
        },
    )
    assert r.status_code == 422 and "7:447" in r.json()["detail"]
    await step(
        api,
        url,
        {"child_ref": "k2", "refused_by": "one_parent", "path": "help_with_consent_of_the_child"},
    )
    r = await api.post(url, json={"child_ref": "p1", "refused_by": "guardian", "path": "mda"})
    assert r.status_code == 422 and "geen kind" in r.json()["detail"]
    r = await api.post(url, json={"child_ref": "k1", "refused_by": "nobody", "path": "mda"})
    assert r.status_code == 400


async def test_mda_continues_as_new_several_times_without_losing_its_plan(api, worker):
    case_id = await family(api)
    r = await api.post(f"/v1/cases/{case_id}/mda", json={"partners": ["unknown-org"]})
    assert r.status_code == 422
    path = await step(
        api,
        f"/v1/cases/{case_id}/mda",
        {"partners": ["wijkteam-den-haag-centrum", "politie-den-haag"]},
        201,
    )
    steps = f"/v1/cases/{case_id}/mda/{path['path_id']}/steps"
    review = {"step": "review_held", "goals_hold": False}
    r = await api.post(steps, json=review)
    assert r.status_code == 409 and "intake" in r.json()["detail"]
    await step(api, steps, {"step": "intake_held", "accepted": True})
    await step(api, steps, {"step": "analysis_done"})
    plan = {
        "step": "plan_agreed",
        "goals": ["geen geweld meer thuis", "kinderen gaan naar school"],
        "actions": [
            {
                "action_id": "a1",
                "owner": "wijkteam-den-haag-centrum",
                "what": "gezinscoach start",
                "due_on": amsterdam_today().isoformat(),
            },
            {
                "action_id": "a2",
                "owner": "politie-den-haag",
                "what": "wijkagent bezoekt het gezin",
                "due_on": (amsterdam_today() + timedelta(days=30)).isoformat(),
            },
        ],
    }
    await step(api, steps, plan)
    handle = worker.client.get_workflow_handle(f"path-{case_id}-{path['path_id']}")
    runs = {(await handle.describe()).run_id}

    async def new_run():
        run_id = (await handle.describe()).run_id
        return run_id if run_id not in runs else None

    for n in range(1, 7):  # the integration settings continue as new after every two reviews
        await step(api, steps, review)
        if n % 2 == 0:
            runs.add(await eventually(new_run))
    assert len(runs) == 4
    await step(api, steps, {"step": "action_done", "action_id": "a1"})
    state = (await api.get(f"/v1/cases/{case_id}/paths/{path['path_id']}")).json()
    assert state["reviews"] == 6 and state["runs"] == 4
    assert state["goals"] == plan["goals"]
    assert [(a["action_id"], a["owner"]) for a in state["actions"]] == [
        ("a1", "wijkteam-den-haag-centrum"),
        ("a2", "politie-den-haag"),
    ]
    assert state["actions"][0]["done_at"] and state["actions"][1]["done_at"] is None
    r = await api.post(steps, json={"step": "closed"})
    assert r.status_code == 409 and "doelen van het plan bereikt" in r.json()["detail"]
    await step(api, steps, {"step": "review_held", "goals_hold": True})
    state = await step(api, steps, {"step": "closed"})
    assert state["status"] == "closed"
    kinds = await case_kinds(api, case_id, "mda_closed")
    assert kinds.count("mda_review") == 7


OTHER_ROLES = [
    ("politie-den-haag", "officer"),
    ("politie-den-haag", "hulpofficier"),
    ("burgemeester-gm0518", "staff"),
    ("wijkteam-den-haag-centrum", "worker"),
    ("huisartsenpraktijk-centrum", "doctor"),
    ("raad-den-haag", "worker"),
    ("jeugdbescherming-west", "worker"),
    ("school-de-regenboog", "staff"),
    ("kdv-het-nest", "staff"),
    ("crisisdienst-jeugd-haaglanden", "staff"),  # a provider, but not this person's
]


async def test_acute_case_shelter_location_only_for_veilig_thuis_and_the_shelter(api, as_):
    case_id = await family(api, acute=True)

    async def acute_path():
        items = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
        return next((p for p in items if p["kind"] == "acute_safety"), None)

    path = await eventually(acute_path)  # started at once with the acute melding
    assert [d["key"] for d in path["deadlines"]] == ["safe_place"]
    url = f"/v1/cases/{case_id}/acute-safety/{path['path_id']}"
    bad = {"person_ref": "p1", "kind": "crisis_placement", "provider": "opvang-haaglanden"}
    r = await api.post(f"{url}/placements", json={**bad, "location": SHELTER_ADDRESS})
    assert r.status_code == 422 and "crisisdienst" in r.json()["detail"]
    wrong_provider = {"person_ref": "p1", "kind": "vrouwenopvang", "provider": "kdv-het-nest"}
    r = await api.post(f"{url}/placements", json={**wrong_provider, "location": SHELTER_ADDRESS})
    assert r.status_code == 422 and "opvang" in r.json()["detail"]
    placement = await step(
        api,
        f"{url}/placements",
        {
            "person_ref": "p1",
            "kind": "vrouwenopvang",
            "provider": "opvang-haaglanden",
            "location": SHELTER_ADDRESS,
        },
        201,
    )
    assert "location" not in placement
    child = await step(
        api,
        f"{url}/placements",
        {
            "person_ref": "k1",
            "kind": "crisis_placement",
            "provider": "crisisdienst-jeugd-haaglanden",
            "location": "Crisisopvang De Haven",
            "parents_consent": False,
        },
        201,
    )
    location = f"/v1/cases/{case_id}/placements/{placement['placement_id']}/location"
    r = await api.get(location)
    assert r.status_code == 200 and r.json()["location"] == SHELTER_ADDRESS
    shelter = await as_("opvang-haaglanden", "staff").get(location)
    assert shelter.status_code == 200 and shelter.json()["location"] == SHELTER_ADDRESS
    assert (await as_("vt-haaglanden", "worker").get(location)).status_code == 200
    # Veilig Thuis of another region: as for any read outside its scope, nothing is there
    elsewhere = await as_("vt-amsterdam-amstelland", "coordinator").get(location)
    assert elsewhere.status_code == 404 and SHELTER_ADDRESS not in elsewhere.text
    for org, role in OTHER_ROLES:
        r = await as_(org, role).get(location)
        # without the right 403; a provider that did not take her in is outside its scope
        expected = 404 if org == "crisisdienst-jeugd-haaglanden" else 403
        assert r.status_code == expected, (org, role, r.text)
        assert SHELTER_ADDRESS not in r.text
    crisis = f"/v1/cases/{case_id}/placements/{child['placement_id']}/location"
    assert (await as_("crisisdienst-jeugd-haaglanden", "staff").get(crisis)).status_code == 200
    assert (await as_("opvang-haaglanden", "staff").get(crisis)).status_code == 404

    # the location is nowhere else: not in the case, its paths, its timeline or notifications
    for path_url in ("", "/paths", "/notifications"):
        body = (
            await as_("politie-den-haag", "hulpofficier").get(f"/v1/cases/{case_id}{path_url}")
        ).text
        assert SHELTER_ADDRESS not in body and "De Haven" not in body
        # nor which shelter took her in: only Veilig Thuis sees the provider
        assert "opvang-haaglanden" not in body and "crisisdienst-jeugd" not in body
    assert "opvang-haaglanden" in (await api.get(f"/v1/cases/{case_id}/paths")).text
    await case_kinds(api, case_id, "placement", "placement_without_consent")
    # every read of the location is in the access log, refusals included
    log = (await api.get("/v1/access-log", params={"case_id": case_id})).json()
    reads = [e for e in log if e["action"] == "placement.location.read"]
    assert {e["outcome"] for e in reads} == {200, 403, 404}
    assert len(reads) >= len(OTHER_ROLES) + 5

    # the case stays open while a placement runs; safe again, it may close
    await step(api, f"/v1/cases/{case_id}/safety-assessment", {"acute": True, "structural": True})
    r = await api.post(f"/v1/cases/{case_id}/follow-up", json={"decision": "close_with_advice"})
    assert r.status_code == 409 and "Acute veiligheid" in r.json()["detail"]
    for p in (placement, child):
        await step(
            api, f"{url}/steps", {"step": "placement_ended", "placement_id": p["placement_id"]}
        )
    r = await api.post(f"{url}/steps", json={"step": "placement_ended", "placement_id": "nope"})
    assert r.status_code == 409

    async def closed():
        got = (await api.get(f"/v1/cases/{case_id}/paths/{path['path_id']}")).json()
        return got["status"] == "closed"

    await eventually(closed)

    async def case_closes():
        body = {"decision": "close_with_advice"}
        return (await api.post(f"/v1/cases/{case_id}/follow-up", json=body)).status_code == 200

    await eventually(case_closes)  # once the case has heard that the path closed


async def test_safety_plan_reminds_the_responsible_worker_before_each_review(api):
    case_id = await family(api)
    url = f"/v1/cases/{case_id}/safety-plan"
    r = await api.post(
        url,
        json={
            "responsible": "wijkteam-den-haag-centrum",
            "worker": "u-17",
            "review_dates": [(amsterdam_today() - timedelta(days=1)).isoformat()],
        },
    )
    assert r.status_code == 422 and "in het verleden" in r.json()["detail"]
    r = await api.post(
        url,
        json={"responsible": "x", "worker": "u-17", "review_dates": ["2027-01-01", "2026-12-01"]},
    )
    assert r.status_code == 400
    review_on = amsterdam_today() + timedelta(days=3)
    path = await step(
        api,
        url,
        {
            "responsible": "wijkteam-den-haag-centrum",
            "worker": "u-17",
            "review_dates": [review_on.isoformat()],
        },
        201,
    )
    review = next(d for d in path["deadlines"] if d["key"] == "safety_plan_review")
    assert review["responsible"] == "partner:wijkteam-den-haag-centrum"
    steps = f"{url}/{path['path_id']}/steps"

    async def reminded():
        items = (await api.get(f"/v1/cases/{case_id}/notifications")).json()["items"]
        return [
            i
            for i in items
            if i["notice_key"].startswith("safety_plan:") and i["notice_key"].endswith(":reminder")
        ]

    sent = await eventually(reminded)
    assert {i["partner_id"] for i in sent} == {"wijkteam-den-haag-centrum"}
    r = await api.post(
        steps, json={"step": "review_held", "plan_holds": True, "next_review_on": "2020-01-01"}
    )
    assert r.status_code == 422
    state = await step(
        api,
        steps,
        {
            "step": "review_held",
            "plan_holds": True,
            "next_review_on": (review_on + timedelta(days=14)).isoformat(),
        },
    )
    assert len(state["review_dates"]) == 2
    assert (await step(api, steps, {"step": "closed"}))["status"] == "closed"
    r = await api.post(steps, json={"step": "closed"})
    assert r.status_code == 409


@pytest.mark.parametrize(
    "route, body",
    [
        ("child-protection", {"child_ref": "k1", "via": "court"}),
        ("child-protection", {"child_ref": "k1", "extra": 1}),
        ("mda", {"partners": []}),
        ("safety-plan", {"responsible": "x", "worker": "w", "review_dates": []}),
        ("acute-safety", {"at": "not a time"}),
    ],
)
async def test_bad_path_input_is_a_400_with_a_reason(api, route, body):
    case_id = await family(api)
    r = await api.post(f"/v1/cases/{case_id}/{route}", json=body)
    assert r.status_code == 400 and r.json()["detail"]
