"""Veilig Thuis's duties to inform (Wmo 2015 art. 4.1.1 lid 2): the police alert as a
recorded decision (e), the college when the Raad is asked to investigate (f), the reporter
about what was done with the melding (g). Delivered to the partners' own channels."""

from __future__ import annotations

from tests.integration.conftest import eventually
from tests.integration.flows import open_case

CHILD = {"ref": "k1", "role": "child", "name": "Kind Een", "birth_date": "2016-05-02"}
PARENTS = [
    {"ref": "p1", "role": "victim", "name": "Ouder Een", "birth_date": "1990-04-01"},
    {"ref": "p2", "role": "pleger", "name": "Ouder Twee", "birth_date": "1985-06-15"},
]


async def delivered(api, case_id: str, subject: str) -> set[str]:
    """The partners that received a notice on `subject`, once it went out."""

    async def probe():
        items = (await api.get(f"/v1/cases/{case_id}/notifications")).json()["items"]
        sent = {
            i["partner_id"] for i in items if subject in i["notice_key"] and i["status"] == "sent"
        }
        return sent

    return await eventually(probe)


async def test_veilig_thuis_records_its_police_alert_and_tells_the_reporter(api, hooks, mail):
    case_id = await open_case(
        api,
        reporter={
            "kind": "professional",
            "organisation": "Basisschool",
            "partner": "school-de-regenboog",
        },
        persons=[*PARENTS, CHILD],
        unsafety={"acute": False, "structural": True},
    )
    r = await api.post(
        f"/v1/cases/{case_id}/safety-assessment", json={"acute": True, "structural": True}
    )
    assert r.status_code == 200, r.text
    assert "police_alert_decided" in [e["kind"] for e in r.json()["timeline"]]
    assert await delivered(api, case_id, "acute_unsafety") == {"politie-den-haag"}  # sub e
    r = await api.post(f"/v1/cases/{case_id}/follow-up", json={"decision": "investigation"})
    assert r.status_code == 200, r.text
    assert "reporter_informed" in [e["kind"] for e in r.json()["timeline"]]
    assert await delivered(api, case_id, "melding_followed_up") == {"school-de-regenboog"}  # g


async def test_the_college_hears_of_a_verzoek_tot_onderzoek(api, hooks, mail):
    case_id = await open_case(
        api, persons=[*PARENTS, CHILD], unsafety={"acute": False, "structural": True}
    )
    r = await api.post(
        f"/v1/cases/{case_id}/child-protection", json={"child_ref": "k1", "via": "raad"}
    )
    assert r.status_code == 201, r.text
    assert await delivered(api, case_id, "raad_requested") == {"college-gm0518"}  # sub f


async def test_an_unknown_reporting_partner_is_refused(api):
    r = await api.post(
        "/v1/meldingen",
        json={
            "region": "haaglanden",
            "municipality": "GM0518",
            "reporter": {"kind": "professional", "partner": "nobody"},
            "persons": PARENTS,
            "unsafety": {"acute": False, "structural": True},
            "summary": "x",
        },
    )
    assert r.status_code == 422 and "nobody" in r.json()["detail"]
