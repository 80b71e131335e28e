"""The deadline calculator on the API and as a page, and the Wth steps a mayor's office and
the police take over the API: hearing, withdrawal, violation, an adult at imposition."""

from __future__ import annotations

from tests.integration.flows import MAYOR, impose, open_case, request_huisverbod


async def test_the_calculator_answers_any_signed_in_user(as_):
    school = as_("school-de-regenboog", "staff")  # may read no case, may compute a date
    r = await school.get("/v1/deadlines/huisverbod", params={"from": "2026-10-20T20:00:00+02:00"})
    assert r.status_code == 200, r.text
    got = {d["key"]: (d["due_at"], d["article"]) for d in r.json()["dates"]}
    assert got["end"] == ("2026-10-30T20:00:00+01:00", "Wth art. 2 lid 1 (tien dagen)")
    assert got["cap"][0] == "2026-11-17T20:00:00+01:00"
    naive = await school.get("/v1/deadlines/huisverbod", params={"from": "2026-10-20T20:00"})
    assert naive.status_code == 422 and "verschil met UTC" in naive.json()["detail"]
    unknown = await school.get("/v1/deadlines/tbs", params={"from": "2026-10-20T20:00+02:00"})
    assert unknown.status_code == 422 and "onbekende regel" in unknown.json()["detail"]
    assert "ots" in (await school.get("/v1/deadlines")).json()


async def test_the_calculator_page_shows_the_dates_in_dutch(as_):
    jurist = as_("burgemeester-gm0518", "staff")
    r = await jurist.get("/termijnen", params={"rule": "huisverbod", "from": "2026-10-20T20:00"})
    assert r.status_code == 200
    assert "uiterste einde na verlenging" in r.text and "17-11-2026 20:00" in r.text
    assert "Wth art. 9 lid 1" in r.text


async def test_mayor_withdraws_and_police_record_a_violation(api, police, mayor):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    await impose(police, hv)
    r = await police.post(f"/v1/huisverboden/{hv}/violations", json={})
    assert r.status_code == 200, r.text
    assert r.json()["violations"] and r.json()["status"] == "imposed"
    refused = await police.post(
        f"/v1/huisverboden/{hv}/withdrawal",
        json={"reason": "x", "decided_by": {"name": "H", "capacity": "hulpofficier"}},
    )
    assert refused.status_code == 403  # only the mayor's office withdraws
    r = await mayor.post(
        f"/v1/huisverboden/{hv}/withdrawal", json={"reason": "gevaar geweken", "decided_by": MAYOR}
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "withdrawn"
    late = await police.post(f"/v1/huisverboden/{hv}/violations", json={})
    assert late.status_code == 409


async def test_the_subject_must_still_be_adult_at_imposition(api, police):
    """Wth art. 2 lid 2: checked at the request and again at imposition, on the local date."""
    almost = {"ref": "p3", "role": "pleger", "name": "Bijna Achttien", "birth_date": "2009-02-28"}
    case_id = await open_case(api, persons=[*open_case_persons(), almost])
    r = await police.post(
        f"/v1/cases/{case_id}/huisverbod-requests",
        json={
            "pleger_ref": "p3",
            "address": "Voorbeeldstraat 1, Den Haag",
            "requested_by": {"organisation": "Politie Den Haag", "officer": "Agent Drie"},
            "grounds": "Feiten en omstandigheden.",
            "children_at_address": False,
        },
    )
    assert r.status_code == 422 and "art. 2 lid 2" in r.json()["detail"]


def open_case_persons() -> list[dict]:
    return [
        {"ref": "p1", "role": "victim", "name": "Slachtoffer Een", "birth_date": "1990-04-01"},
        {"ref": "p2", "role": "pleger", "name": "Pleger Twee", "birth_date": "1985-06-15"},
    ]
