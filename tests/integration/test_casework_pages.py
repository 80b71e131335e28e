"""Veilig Thuis works a case from the pages alone: find it, assign it, record its steps."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from playwright.async_api import expect

from api.auth import SESSION_COOKIE
from tests.integration.browsing import (
    WAIT,
    csrf_header,
    page_session,
    shot,
    signed_in,
    wcag_violations,
)
from tests.integration.conftest import eventually
from tests.integration.flows import melding, open_case, request_huisverbod
from tests.integration.test_paths_api import amsterdam_today, case_kinds, family

NUMBER = re.compile(r"VT-HGL-\d{4}-\d{6}")


async def test_a_coordinator_assigns_and_a_worker_moves_the_case_on(browser, site, api):
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    number = (await api.get(f"/v1/cases/{case_id}")).json()["number"]
    assert NUMBER.fullmatch(number)

    worker = await signed_in(browser, site, "vt-haaglanden", "worker", name="Anna de Vries")
    coordinator = await signed_in(browser, site, "vt-haaglanden", "coordinator")
    await coordinator.goto(f"{site}/casussen?nummer={number}")
    await expect(coordinator.locator("#aantal")).to_have_text("1 casus")
    await coordinator.get_by_role("link", name=number).click()
    await expect(coordinator.get_by_role("heading", name=f"Casus {number}")).to_be_visible()
    await expect(coordinator.locator("table").first).to_contain_text("Pleger Twee")
    await expect(coordinator.locator("table").first).to_contain_text("pleger")
    await coordinator.get_by_label("Medewerker").select_option(label="Anna de Vries (medewerker)")
    await coordinator.get_by_role("button", name="Toewijzen").click()
    await expect(coordinator.get_by_role("status")).to_have_text("Casus toegewezen.")
    await expect(coordinator.locator("#nu-te-doen")).to_contain_text("Anna de Vries")

    await worker.goto(f"{site}/mijn-casussen")
    await expect(worker.get_by_role("heading", name="Mijn casussen")).to_be_visible()
    await worker.get_by_role("link", name=number).click()
    await expect(worker.locator("#nu-te-doen")).to_contain_text("Anna de Vries")
    form = worker.locator("form.step", has_text="Veiligheidsbeoordeling")
    await expect(form).to_contain_text("Handelingsprotocol Veilig Thuis")
    await form.get_by_label("Is er acute onveiligheid?").select_option(label="nee")
    await form.get_by_label("Is er structurele onveiligheid?").select_option(label="ja")
    await form.get_by_role("button").click()
    actions = worker.locator("#acties-deel")
    await expect(actions.get_by_role("status")).to_have_text("Veiligheidsbeoordeling: vastgelegd.")
    await expect(worker.locator("#fase")).to_have_text("Besluit over het vervolg", timeout=WAIT)
    await shot(worker, "7-worker-records-safety-assessment")

    # the next step's form stands there at once, the one just taken is gone
    follow_up = worker.locator("form.step", has_text="Besluit over het vervolg")
    await expect(worker.locator("form.step", has_text="Veiligheidsbeoordeling")).to_have_count(0)
    await follow_up.get_by_label("Vervolg").select_option(label="onderzoek door Veilig Thuis")
    await follow_up.get_by_role("button").click()
    await expect(worker.locator("#fase")).to_have_text("Onderzoek", timeout=WAIT)


async def test_a_step_the_case_refuses_says_why_beside_its_form(app, site, settings, api):
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    token = page_session(settings, org="vt-haaglanden", role="worker")
    async with httpx.AsyncClient(
        base_url=site, cookies={SESSION_COOKIE: token}, headers=csrf_header(settings, token)
    ) as client:
        # a monitoring check while the case is still in triage
        r = await client.post(f"/casus/{case_id}/stap/monitoring", data={"safety_holds": "ja"})
        assert r.status_code == 409, r.text
        assert 'role="alert"' in r.text and "Niet gelukt" in r.text
        # a form left empty
        r = await client.post(f"/casus/{case_id}/stap/veiligheidsbeoordeling", data={})
        assert r.status_code == 422 and "dit veld is verplicht" in r.text
        # the form sent by htmx gets the action area back: the next step's form in it
        r = await client.post(
            f"/casus/{case_id}/stap/veiligheidsbeoordeling",
            data={"acute": "nee", "structural": "nee"},
            headers={"HX-Request": "true"},
        )
        assert r.status_code == 200 and "vastgelegd" in r.text
        assert r.headers["HX-Trigger"] == "casus-gewijzigd" and "<html" not in r.text
        assert "Besluit over het vervolg" in r.text and "Is er acute onveiligheid?" not in r.text


async def test_a_live_page_is_logged_once_however_often_it_refreshes(app, site, settings, api):
    case_id = await open_case(api)
    token = page_session(settings, org="vt-haaglanden", role="coordinator", subject="refresher")
    async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
        first = await client.get(f"/casus/{case_id}")
        view = re.search(r'"X-View-Id": "(\w+)"', first.text).group(1)
        for _ in range(3):
            r = await client.get(f"/casus/{case_id}/deel", headers={"X-View-Id": view})
            assert r.status_code == 200
        await client.get(f"/casus/{case_id}")  # opened again: a new view, a new entry

    async def entries():
        async with app.state.pool.acquire() as conn:
            n = await conn.fetchval(
                "SELECT count(*) FROM access_log WHERE subject = 'refresher' AND $1 = ANY(case_ids)",
                case_id,
            )
        return n if n >= 2 else None

    assert await eventually(entries) == 2


async def test_cases_are_found_by_number_phase_and_municipality_a_page_at_a_time(api):
    ids = [await open_case(api, municipality="GM0503") for _ in range(3)]
    r = await api.get("/v1/cases", params={"municipality": "GM0503", "limit": 2})
    body = r.json()
    assert r.status_code == 200 and body["total"] >= 3 and len(body["items"]) == 2
    number = (await api.get(f"/v1/cases/{ids[0]}")).json()["number"]
    found = (await api.get("/v1/cases", params={"number": number})).json()
    assert [c["case_id"] for c in found["items"]] == [ids[0]] and found["total"] == 1
    assert (await api.get("/v1/cases", params={"phase": "unknown"})).status_code == 400


async def test_a_case_goes_only_to_a_worker_of_the_coordinators_own_veilig_thuis(api):
    case_id = await open_case(api)
    r = await api.post(f"/v1/cases/{case_id}/assignment", json={"worker": "someone-else"})
    assert r.status_code == 422 and "eigen Veilig Thuis" in r.json()["detail"]


async def test_a_worker_may_not_assign(as_):
    worker = as_("vt-haaglanden", "worker")
    case_id = await open_case(worker, reporter=melding()["reporter"])
    r = await worker.post(f"/v1/cases/{case_id}/assignment", json={"worker": None})
    assert r.status_code == 403


async def test_the_inbox_keeps_a_half_typed_decision_while_it_refreshes(browser, site, api, police):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    request = mayor.locator(f"#verzoek-{hv}")
    await request.get_by_label("Reden").fill("Gevaar voor de partner, zie RiHG")
    await mayor.locator("h1").click()  # focus leaves the form
    await mayor.wait_for_timeout(6_000)  # the inbox refreshes every 5 s
    await expect(request.get_by_label("Reden")).to_have_value("Gevaar voor de partner, zie RiHG")


async def test_veilig_thuis_assesses_refers_to_the_beschermtafel_and_plans_it_without_reload(
    browser, site, api
):
    case_id = await family(api)
    worker = await signed_in(browser, site, "vt-haaglanden", "worker", name="Anna de Vries")
    await worker.goto(f"{site}/casus/{case_id}")
    assessment = worker.locator("form.step", has_text="Veiligheidsbeoordeling")
    await assessment.get_by_label("Is er acute onveiligheid?").select_option(label="nee")
    await assessment.get_by_label("Is er structurele onveiligheid?").select_option(label="ja")
    await assessment.get_by_role("button").click()

    follow_up = worker.locator("form.step", has_text="Besluit over het vervolg")
    await follow_up.get_by_label("Vervolg").select_option(label="naar de beschermtafel")
    # the child by name; left out, the referral says so beside the field and keeps the choice
    await follow_up.get_by_role("button").click()
    refused = worker.locator("#vervolg-child_protection-child_ref-fout")
    await expect(refused).to_have_text("dit veld is verplicht")
    await expect(follow_up.get_by_label("Vervolg")).to_have_value("beschermtafel")
    assert await wcag_violations(worker) == []
    await follow_up.get_by_label("Voor welk kind?").select_option(label="Kind Negen")
    await follow_up.get_by_label("Eerst naar").select_option(label="de beschermtafel")
    await follow_up.get_by_role("button").click()

    # the path runs at once: only its first step is offered, the child named
    steps = worker.locator("details.path-steps[data-kind=child_protection]")
    await expect(steps.locator("form")).to_have_count(1, timeout=WAIT)
    planned = steps.locator("form", has_text="Beschermtafel gepland")
    await planned.get_by_label("Datum van het overleg").fill("2099-12-31")
    await planned.get_by_role("button").click()
    await expect(planned.get_by_role("alert")).to_contain_text("meer dan een jaar vooruit")
    await expect(planned.get_by_label("Datum van het overleg")).to_have_value("2099-12-31")
    day = amsterdam_today() + timedelta(days=6)
    await planned.get_by_label("Datum van het overleg").fill(day.isoformat())
    await planned.get_by_role("button").click()
    await expect(worker.locator("#acties-deel").get_by_role("status")).to_have_text(
        "Beschermtafel gepland: vastgelegd."
    )
    await expect(steps.locator("form", has_text="Beschermtafel gehouden")).to_have_count(1)
    await expect(worker.locator("#trajecten")).to_be_visible(timeout=WAIT)
    await expect(worker.locator("article.path[data-kind=child_protection]")).to_contain_text(
        "Kind Negen"
    )
    await shot(worker, "8-worker-path-steps")
    assert await wcag_violations(worker) == []

    kinds = await case_kinds(api, case_id, "protection_referred", "beschermtafel_scheduled")
    # one referral on the timeline, the path's own
    assert kinds.count("protection_referred") == 1 and "follow_up_beschermtafel" not in kinds
