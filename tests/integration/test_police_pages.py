"""The police and the mayor's office do their whole job on the pages: a melding, a request for
a huisverbod, the decision (a refusal first, the input kept), the written order with the name
of who decided, and no WCAG 2.1 AA violation on the way."""

from __future__ import annotations

import io
from datetime import date

import httpx
from playwright.async_api import expect
from pypdf import PdfReader

from domain.policy import age_on
from domain.rihg import instrument, signals
from tests.integration.browsing import WAIT, shot, signed_in, wcag_violations
from tests.integration.flows import GROUNDS, open_case, request_huisverbod

TOO_LONG = "x" * 2001  # a reason is at most 2000 characters (domain.models.Text)


async def order_text(page, site: str, href: str) -> str:
    cookies = {c["name"]: c["value"] for c in await page.context.cookies()}
    async with httpx.AsyncClient(base_url=site, cookies=cookies) as client:
        r = await client.get(href)
    assert r.status_code == 200 and r.content.startswith(b"%PDF"), r.text
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)


async def test_the_police_request_and_the_mayor_imposes_after_a_refused_form(browser, site):
    officer = await signed_in(browser, site, "politie-den-haag", "officer", "Agent Drie")
    await expect(officer).to_have_url(f"{site}/politie")
    assert await wcag_violations(officer) == []
    await officer.get_by_role("link", name="Nieuwe melding", exact=True).click()
    await officer.select_option("#gemeente", "GM0518")
    await officer.fill("#slachtoffer_naam", "Sanne de Vries")
    await officer.fill("#slachtoffer_geboortedatum", "1990-04-01")
    await officer.fill("#pleger_naam", "Kees de Vries")
    await officer.fill("#pleger_geboortedatum", "1985-06-15")
    await officer.fill("#kind1_naam", "Noor de Vries")
    await officer.fill("#kind1_geboortedatum", "2018-09-01")
    await officer.get_by_label("acute onveiligheid").check()
    await officer.fill("#samenvatting", "Politie-inzet na melding van geweld in de woning.")
    assert await wcag_violations(officer) == []
    await shot(officer, "police-1-melding")
    await officer.get_by_role("button", name="Melding versturen").click()
    await expect(officer.get_by_role("status")).to_have_text("Melding verstuurd aan Veilig Thuis.")
    await expect(officer.get_by_role("table").first).to_contain_text("Noor de Vries")

    # an incident in the future is refused beside its field, and what was typed stays
    await officer.fill("#adres", "Voorbeeldstraat 1, Den Haag")
    await officer.fill("#incident", "2099-01-01T20:00")
    await officer.fill("#gronden", GROUNDS)
    for signal in instrument().signals:  # two "high" in the incident's part
        high = signal.id in ("incident_ernst", "incident_bedreiging")
        await officer.select_option(f"#rihg_{signal.id}", "high" if high else "low")
    await officer.get_by_label("Er wonen kinderen op het adres").check()
    await officer.get_by_role("button", name="Huisverbod aanvragen").click()
    await expect(officer.locator("#incident-fout")).to_be_visible()
    await expect(officer.locator("#gronden")).to_have_value(GROUNDS)
    await expect(officer.locator("#rihg_incident_ernst")).to_have_value("high")
    assert await wcag_violations(officer) == []
    await officer.fill("#incident", "")
    await officer.get_by_role("button", name="Huisverbod aanvragen").click()
    await expect(officer.get_by_role("status")).to_contain_text("Huisverbod aangevraagd")
    await expect(officer.locator(".hv-status").first).to_have_text("aangevraagd")
    await shot(officer, "police-2-requested")
    assert await wcag_violations(officer) == []
    article = officer.locator("article.ban").first
    hv = (await article.get_attribute("id")).removeprefix("verbod-")

    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff", "Mr. A. Bakker")
    request = mayor.locator(f"#verzoek-{hv}")
    await expect(request.locator(".involved")).to_have_text(
        [
            f"Sanne de Vries ({age_on(date(1990, 4, 1), date.today())} jaar)",
            f"Noor de Vries ({age_on(date(2018, 9, 1), date.today())} jaar)",
        ]
    )
    rihg = request.locator("table.rihg")
    await expect(rihg).to_contain_text(signals()["incident_bedreiging"].label)
    await expect(request.locator(".rihg-conclusion")).to_contain_text(
        "het geweldsincident (2 keer hoog): volgens het instrument wijst dit in beginsel op een "
        "huisverbod"
    )
    await request.get_by_label("afwijzen").check()
    await request.get_by_label("Reden").fill(TOO_LONG)
    await request.get_by_role("button", name="Besluit vastleggen").click()
    request = mayor.locator(f"#verzoek-{hv}")
    error = request.locator(f"#reden-{hv}-fout")
    await expect(error).to_have_text("te lang: hoogstens 2000 tekens")
    await expect(request.get_by_role("alert")).to_contain_text("Reden: te lang")
    assert "verplicht" not in await request.get_by_role("alert").text_content()
    await expect(request.get_by_label("Reden")).to_have_value(TOO_LONG)
    await expect(request.get_by_label("afwijzen")).to_be_checked()
    await mayor.wait_for_timeout(6000)  # a live refresh leaves a form that was refused alone
    await expect(request.get_by_label("Reden")).to_have_value(TOO_LONG)
    assert await wcag_violations(mayor) == []
    await shot(mayor, "police-3-mayor-refused-form")

    await request.get_by_label("opleggen").check()
    await request.get_by_label("Reden").fill("RiHG wijst op ernstig gevaar")
    await request.get_by_label("Veilig Thuis geraadpleegd").check()
    await request.get_by_role("button", name="Besluit vastleggen").click()
    await expect(mayor.get_by_role("status")).to_have_text("Huisverbod opgelegd.")
    link = mayor.locator(f"#verbod-{hv}").get_by_role("link", name="oplegging (pdf)")
    text = await order_text(mayor, site, await link.get_attribute("href"))
    signed = "De burgemeester van 's-Gravenhage, namens deze, Mr. A. Bakker"
    assert signed in " ".join(text.split()) and "dev-" not in text

    await officer.goto(f"{site}/politie")
    row = officer.locator(f"#verzoek-{hv}")
    await expect(row.locator(".hv-status")).to_have_text("opgelegd", timeout=WAIT)
    await expect(row.locator(".decision")).to_contain_text("opgelegd door Mr. A. Bakker")
    await officer.goto(f"{site}/politie/casus/{await _case_of(row)}")
    ban = officer.locator(f"#verbod-{hv}")
    await ban.get_by_label("de schriftelijke beschikking is uitgereikt").check()
    await ban.get_by_role("button", name="Vastleggen", exact=True).click()
    await expect(officer.get_by_role("status")).to_contain_text("beschikking is uitgereikt")
    await (
        officer.locator(f"#verbod-{hv}")
        .get_by_role("button", name="Overtreding vastleggen")
        .click()
    )
    await expect(officer.get_by_role("status")).to_contain_text("Overtreding vastgelegd")
    assert await wcag_violations(officer) == []
    await shot(officer, "police-4-after-decision")
    # the order the police hand over, from their own case page (after the steps above: a
    # first layout may take seconds, days of the test stack's scaled ban)
    link = officer.locator(f"#verbod-{hv}").get_by_role("link", name="oplegging (pdf)")
    handed = await order_text(officer, site, await link.get_attribute("href"))
    assert "Beschikking tijdelijk huisverbod: oplegging" in handed and "Kenmerk VT-HGL-" in handed


async def _case_of(row) -> str:
    href = await row.get_by_role("link", name="openen").get_attribute("href")
    return href.removeprefix("/politie/casus/").split("#")[0]


async def test_a_refused_request_keeps_its_order_among_the_ended(browser, site, api, police):
    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff", "Mr. A. Bakker")
    request = mayor.locator(f"#verzoek-{hv}")
    await request.get_by_label("afwijzen").check()
    await request.get_by_label("Reden").fill("Geen ernstig en onmiddellijk gevaar.")
    await request.get_by_role("button", name="Besluit vastleggen").click()
    await expect(mayor.get_by_role("status")).to_have_text("Huisverbod afgewezen.")
    ended = mayor.locator(f"#einde-{hv}")
    await expect(ended).to_contain_text("afgewezen", timeout=WAIT)
    await expect(ended).to_contain_text("Afgewezen door Mr. A. Bakker")
    link = ended.get_by_role("link", name="afwijzing (pdf)")
    text = await order_text(mayor, site, await link.get_attribute("href"))
    assert "Beschikking tijdelijk huisverbod: afwijzing" in text
    signed = "De burgemeester van 's-Gravenhage, namens deze, Mr. A. Bakker"
    assert signed in " ".join(text.split())
    assert await wcag_violations(mayor) == []


async def test_a_hulpofficier_imposes_under_mandate_and_login_offers_only_roles_with_pages(
    browser, site, api, police
):
    login = await (await browser.new_context()).new_page()
    await login.goto(f"{site}/login")
    roles = await login.locator("#role option").evaluate_all("os => os.map(o => o.value)")
    assert "officer" in roles and "hulpofficier" in roles and "doctor" not in roles
    assert await wcag_violations(login) == []

    case_id = await open_case(api)
    hv = await request_huisverbod(police, case_id)
    hulpofficier = await signed_in(browser, site, "politie-den-haag", "hulpofficier", "H. Officier")
    await hulpofficier.goto(f"{site}/politie/casus/{case_id}")
    ban = hulpofficier.locator(f"#verbod-{hv}")
    await ban.get_by_label("Reden").fill("Acuut gevaar; de burgemeester is niet bereikbaar.")
    await ban.get_by_role("button", name="Huisverbod opleggen").click()
    await expect(hulpofficier.get_by_role("status")).to_contain_text("opgelegd in mandaat")
    await expect(hulpofficier.locator(f"#verbod-{hv} .decision")).to_contain_text(
        "door H. Officier"
    )
    assert await wcag_violations(hulpofficier) == []
