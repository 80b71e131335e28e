"""What the law or common sense rules out is refused with its reason in Dutch (the API a 422),
a referral starts its path in the same step, and every error of a page is a Dutch page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from api.auth import SESSION_COOKIE
from tests.integration.browsing import page_session
from tests.integration.flows import melding, open_case
from tests.integration.test_paths_api import amsterdam_today, case_kinds, family

PROBLEM = "application/problem+json"


async def _assessed(api, case_id: str) -> None:
    r = await api.post(
        f"/v1/cases/{case_id}/safety-assessment", json={"acute": False, "structural": True}
    )
    assert r.status_code == 200, r.text


async def test_a_melding_dated_decades_ago_is_refused(api):
    r = await api.post("/v1/meldingen", json=melding(received_at="1999-12-04T10:00:00+01:00"))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "04-12-1999 10:00 ligt meer dan 30 dagen terug" in r.json()["detail"]
    recent = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    assert (await api.post("/v1/meldingen", json=melding(received_at=recent))).status_code == 201


async def test_a_referral_starts_its_path_and_its_dates_are_checked(api):
    case_id = await family(api)
    await _assessed(api, case_id)
    follow_up = f"/v1/cases/{case_id}/follow-up"
    # the child must be a child of this case
    r = await api.post(follow_up, json={"decision": "beschermtafel", "start": {"child_ref": "p1"}})
    assert r.status_code == 422 and "geen minderjarig kind" in r.json()["detail"], r.text
    r = await api.post(follow_up, json={"decision": "beschermtafel", "start": {}})
    assert r.status_code == 400 and "dit veld is verplicht" in r.json()["detail"], r.text
    r = await api.post(follow_up, json={"decision": "beschermtafel", "start": {"child_ref": "k1"}})
    assert r.status_code == 200, r.text
    paths = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
    assert [(p["kind"], p["status"]) for p in paths] == [("child_protection", "referred")]
    steps = f"/v1/cases/{case_id}/child-protection/{paths[0]['path_id']}/steps"

    def meeting(day: str) -> dict:
        return {"step": "meeting_scheduled", "meeting_on": day}

    r = await api.post(steps, json=meeting("2099-12-31"))
    assert r.status_code == 422 and r.headers["content-type"].startswith(PROBLEM)
    assert "de beschermtafel op 31-12-2099 ligt meer dan een jaar vooruit" in r.json()["detail"]
    yesterday = amsterdam_today() - timedelta(days=1)
    r = await api.post(steps, json=meeting(yesterday.isoformat()))
    assert r.status_code == 422 and "ligt vóór de verwijzing" in r.json()["detail"], r.text
    r = await api.post(steps, json=meeting((amsterdam_today() + timedelta(days=7)).isoformat()))
    assert r.status_code == 200, r.text
    kinds = await case_kinds(api, case_id, "protection_referred", "beschermtafel_scheduled")
    assert kinds.count("protection_referred") == 1 and "follow_up_beschermtafel" not in kinds


async def _page(site, settings, path: str, org="vt-haaglanden", role="coordinator"):
    token = page_session(settings, org=org, role=role)
    async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
        return await client.get(path)


def _dutch_page(r: httpx.Response, status: int, title: str) -> str:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in r.text and "Traceback" not in r.text
    return r.text


async def test_every_error_of_a_page_is_a_dutch_page(app, site, settings, api):
    text = _dutch_page(await _page(site, settings, "/bestaat-niet"), 404, "Niet gevonden")
    assert "Deze URL bestaat niet" in text and '"detail"' not in text
    _dutch_page(await _page(site, settings, "/casus/a/b/c"), 404, "Niet gevonden")
    # the API keeps its problem details
    r = await _page(site, settings, "/v1/bestaat-niet")
    assert r.status_code == 404 and r.headers["content-type"].startswith(PROBLEM)
    # a case of another region is not found, in Dutch
    case_id = await open_case(api)
    r = await _page(site, settings, f"/casus/{case_id}", org="vt-amsterdam-amstelland")
    assert "Casus niet gevonden" in _dutch_page(r, 404, "Niet gevonden")
    # a date no term can be counted from: a 422 page, never a 500
    r = await _page(site, settings, "/termijnen?rule=huisverbod&from=9999-12-31T23:00")
    assert "in de jaren 1900 tot en met 2200" in _dutch_page(r, 422, "Onjuiste invoer")
    # a search too long: said beside its field, what was typed kept
    typed = "VT-HGL-2026-" + "9" * 29
    r = await _page(site, settings, f"/casussen?nummer={typed}")
    assert r.status_code == 422 and "te lang: hoogstens 40 tekens" in r.text
    assert f'value="{typed}"' in r.text and "query." not in r.text
    # each region's figures by the slug it links to
    r = await _page(
        site, settings, "/regio/amsterdam-amstelland/cijfers", "vt-amsterdam-amstelland"
    )
    assert r.status_code == 200 and "Veilig Thuis Amsterdam-Amstelland" in r.text
    r = await _page(site, settings, "/regio/amsterdam-amstelland/cijfers")
    assert "Regio niet gevonden" in _dutch_page(r, 404, "Niet gevonden")
