"""Every page speaks Dutch: no English words of the code and no identifiers in what a person reads."""

from __future__ import annotations

import re

from playwright.async_api import expect

from tests.integration.browsing import WAIT, shot, signed_in
from tests.integration.conftest import eventually
from tests.integration.flows import impose, open_case, request_huisverbod

# snake_case identifiers and ISO timestamps are code, not Dutch
CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\d{4}-\d\d-\d\dT\d\d:\d\d")
ENGLISH = re.compile(
    r"\b(the|must|not|only|may|reminder|escalation|requested|imposed|overdue|deadline|"
    r"case|found|safety|assessed|police|mayor|office|staff|worker|coordinator|closed)\b",
    re.IGNORECASE,
)


def foreign(text: str) -> list[str]:
    return sorted(
        {m.group(0) for m in CODE.finditer(text)} | {m.group(0) for m in ENGLISH.finditer(text)}
    )


async def test_no_page_shows_english_or_code(browser, site, api, police):
    case_id = await open_case(api, unsafety={"acute": False, "structural": True})
    hv = await request_huisverbod(police, case_id)
    await impose(police, hv)

    async def imposed_on_case():
        case = (await api.get(f"/v1/cases/{case_id}")).json()
        return case["huisverboden"] and case["huisverboden"][0]["status"] == "imposed"

    await eventually(imposed_on_case)
    coordinator = await signed_in(browser, site, "vt-haaglanden", "coordinator", name="Kees Jansen")
    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    pages = [
        (coordinator, "/regio/haaglanden"),
        (coordinator, f"/casus/{case_id}"),
        (coordinator, "/casussen"),
        (coordinator, "/mijn-casussen"),
        (coordinator, "/regio/haaglanden/cijfers"),
        (coordinator, "/adviesvragen"),
        (coordinator, "/adviesvragen/nieuw"),
        (coordinator, "/termijnen?rule=huisverbod&from=2026-10-20T20:00"),
        (coordinator, "/casus/bestaat-niet"),
        (mayor, "/inbox"),
    ]
    found = {}
    for page, path in pages:
        await page.goto(f"{site}{path}")
        await expect(page.locator("main")).to_be_visible(timeout=WAIT)
        name = re.sub(r"[0-9a-f]{32}", "", path.split("?")[0])
        await shot(page, "page" + re.sub(r"[^a-z]+", "-", name).rstrip("-"))
        words = foreign(await page.locator("body").inner_text())
        if words:
            found[path] = words
    login = await (await browser.new_context()).new_page()
    await login.goto(f"{site}/login")
    if words := foreign(await login.locator("body").inner_text()):
        found["/login"] = words
    assert not found, found
