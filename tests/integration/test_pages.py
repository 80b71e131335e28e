"""The pages in a real browser (Debian's Chromium driven by Playwright).

Screenshots of each page land in test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

import httpx
from playwright.async_api import expect

from tests.integration.browsing import WAIT, csrf_header, page_session, shot, signed_in
from tests.integration.conftest import eventually
from tests.integration.flows import GROUNDS, melding, request_huisverbod


async def test_coordinator_follows_a_case_and_the_mayor_decides(browser, site, api, police):
    body = melding(unsafety={"acute": False, "structural": True})
    case_id = (await api.post("/v1/meldingen", json=body)).json()["case_id"]
    hv = await request_huisverbod(police, case_id)

    coordinator = await signed_in(browser, site, "vt-haaglanden", "coordinator")
    await expect(coordinator).to_have_url(f"{site}/regio/haaglanden")
    await expect(coordinator.get_by_role("heading", name="Veilig Thuis Haaglanden")).to_be_visible()
    await expect(coordinator.locator(f"a[href='/casus/{case_id}']").first).to_be_visible()
    await shot(coordinator, "1-dashboard")
    await coordinator.set_viewport_size({"width": 820, "height": 1180})  # a tablet, upright
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert await coordinator.evaluate(fits)
    await shot(coordinator, "1-dashboard-tablet")
    await coordinator.keyboard.press("Tab")  # keyboard users start at the skip link
    assert await coordinator.evaluate("document.activeElement.textContent") == "Naar de inhoud"

    await coordinator.locator(f"a[href='/casus/{case_id}']").first.click()
    await expect(coordinator).to_have_url(f"{site}/casus/{case_id}")
    await expect(coordinator.locator("svg.timeline")).to_be_visible()
    await expect(coordinator.locator("svg.timeline .deadline").first).to_be_visible()
    await expect(coordinator.locator(".hv-status")).to_have_text("aangevraagd", timeout=WAIT)
    await shot(coordinator, "2-case-timeline")

    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    await expect(mayor).to_have_url(f"{site}/inbox")
    request = mayor.locator(f"#verzoek-{hv}")
    await expect(request).to_be_visible()
    await shot(mayor, "3-mayor-inbox")
    await request.get_by_label("opleggen").check()
    await request.get_by_label("Reden").fill("RiHG wijst op ernstig gevaar")
    await request.get_by_role("button", name="Besluit vastleggen").click()
    await expect(mayor.get_by_role("status")).to_have_text("Huisverbod opgelegd.")
    running = mayor.locator(f"#verbod-{hv}")
    await expect(running).to_be_visible()

    # the cap: the form offers no date past it and says why ...
    until = running.get_by_label("Verlengen tot")
    cap = await until.get_attribute("max")
    assert cap
    await expect(running).to_contain_text("ten hoogste vier weken na oplegging")
    past_cap = f"{int(cap[:4]) + 1}{cap[4:]}"
    await until.fill(past_cap)
    assert await until.evaluate("e => e.checkValidity()") is False
    # ... and the server refuses it too when a form without the limit is sent
    await until.evaluate("e => e.removeAttribute('max')")
    await running.get_by_label("Reden").fill("dreiging duurt voort")
    await running.get_by_role("button", name="Verlengen").click()
    await expect(running.get_by_role("alert")).to_contain_text("ligt na het wettelijke maximum")
    await expect(running.get_by_label("Reden")).to_have_value("dreiging duurt voort")
    await shot(mayor, "4-extension-refused")

    # the coordinator's open case page changes without a reload
    await expect(coordinator.locator(".hv-status")).not_to_have_text("aangevraagd", timeout=WAIT)
    await expect(coordinator.locator(".events")).to_contain_text(
        "opgelegd door de burgemeester", timeout=WAIT
    )
    await shot(coordinator, "5-case-after-decision")


async def test_the_mayor_decides_with_the_grounds_when_children_live_there(
    browser, site, api, police, settings
):
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    hv = await request_huisverbod(police, case_id, children_at_address=True)

    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    request = mayor.locator(f"#verzoek-{hv}")
    await expect(request.locator(".person")).to_have_text("Pleger Twee")
    await expect(request.locator(".grounds")).to_have_text(GROUNDS)
    await expect(request).to_contain_text("Agent Drie")
    await expect(request).to_contain_text("Voorbeeldstraat 1, Den Haag")
    await expect(request.locator("table.risk")).to_contain_text("Eerder huiselijk geweld gemeld")
    await shot(mayor, "7-inbox-with-grounds")

    await request.get_by_label("opleggen").check()
    await request.get_by_label("Reden").fill("RiHG wijst op ernstig gevaar")
    await request.get_by_role("button", name="Besluit vastleggen").click()
    refusal = mayor.locator(f"#verzoek-{hv}").get_by_role("alert")  # beside the form
    await expect(refusal).to_contain_text("Veilig Thuis moet eerst geraadpleegd zijn")
    assert "veilig_thuis_consulted" not in await refusal.text_content()

    request = mayor.locator(f"#verzoek-{hv}")
    await request.get_by_label("opleggen").check()
    await request.get_by_label("Reden").fill("RiHG wijst op ernstig gevaar")
    await request.get_by_label("Veilig Thuis geraadpleegd").check()
    await request.get_by_label("Mondeling opgelegd").check()
    await request.get_by_role("button", name="Besluit vastleggen").click()
    await expect(mayor.get_by_role("status")).to_have_text("Huisverbod opgelegd.")
    link = mayor.locator(f"#verbod-{hv}").get_by_role("link", name="oplegging (pdf)")
    href = await link.get_attribute("href")

    from api.auth import SESSION_COOKIE

    token = page_session(settings, org="burgemeester-gm0518", role="staff")
    async with httpx.AsyncClient(base_url=site, cookies={SESSION_COOKIE: token}) as client:
        r = await client.get(href)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


async def test_a_mayors_office_never_sees_a_case(browser, site, api):
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    response = await mayor.goto(f"{site}/casus/{case_id}")
    assert response.status == 403
    await expect(mayor.get_by_role("alert")).to_contain_text("Geen toegang")
    assert "Traceback" not in await mayor.content()
    await shot(mayor, "6-mayor-refused-case")


async def test_pages_without_a_session_go_to_sign_in(site):
    async with httpx.AsyncClient(base_url=site) as client:
        r = await client.get("/regio/haaglanden")
    assert r.status_code == 303 and r.headers["location"] == "/login"


async def test_an_unknown_case_is_a_clear_page(browser, site):
    coordinator = await signed_in(browser, site, "vt-haaglanden", "coordinator")
    response = await coordinator.goto(f"{site}/casus/bestaat-niet")
    assert response.status == 404
    await expect(coordinator.get_by_role("alert")).to_contain_text("Casus niet gevonden")


async def test_a_form_without_its_fields_is_a_clear_page(as_, site, settings):
    from api.auth import SESSION_COOKIE

    token = page_session(settings, org="burgemeester-gm0518", role="staff")
    async with httpx.AsyncClient(
        base_url=site, cookies={SESSION_COOKIE: token}, headers=csrf_header(settings, token)
    ) as client:
        r = await client.post("/inbox/onbekend/besluit", data={"reason": "x"})
    assert r.status_code == 422 and "text/html" in r.headers["content-type"]
    assert "Onjuiste invoer" in r.text and "Dit veld is verplicht" in r.text


async def test_the_case_page_shows_its_paths_without_the_shelter_location(browser, site, api):
    from tests.integration.test_paths_api import SHELTER_ADDRESS, family

    case_id = await family(api, acute=True)

    async def acute_path():
        items = (await api.get(f"/v1/cases/{case_id}/paths")).json()["items"]
        return next((p for p in items if p["kind"] == "acute_safety"), None)

    path = await eventually(acute_path)
    r = await api.post(
        f"/v1/cases/{case_id}/acute-safety/{path['path_id']}/placements",
        json={
            "person_ref": "p1",
            "kind": "vrouwenopvang",
            "provider": "opvang-haaglanden",
            "location": SHELTER_ADDRESS,
        },
    )
    assert r.status_code == 201, r.text
    coordinator = await signed_in(browser, site, "vt-haaglanden", "coordinator")
    await coordinator.goto(f"{site}/casus/{case_id}")
    paths = coordinator.locator("article.path[data-kind=acute_safety]")
    await expect(paths).to_contain_text(
        "Slachtoffer Een: vrouwenopvang (Vrouwen- en mannenopvang Haaglanden)", timeout=WAIT
    )
    assert SHELTER_ADDRESS not in await coordinator.content()
    await shot(coordinator, "5-case-paths")


async def test_a_jurist_computes_the_dates_of_a_huisverbod(browser, site):
    jurist = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    await jurist.goto(f"{site}/termijnen")
    await jurist.select_option("#rule", "huisverbod")
    await jurist.fill("#from", "2026-10-20T20:00")
    await jurist.click("main button[type=submit]")
    table = jurist.get_by_role("table")
    await expect(table).to_contain_text("uiterste einde na verlenging")
    await expect(table).to_contain_text("17-11-2026 20:00")
    await expect(table).to_contain_text("Wth art. 9 lid 1")
    await shot(jurist, "4-termijnen")
