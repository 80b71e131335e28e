"""Every role's pages at a desk (1280 px) and on a phone (390 px): nothing scrolls sideways,
axe-core finds no WCAG 2.1 AA violation, every button, form control and menu link is a target
of at least 44 × 44 px, and the case page's first screen says what is due next, whose it is and
holds the button that meets it. One browser, each role's pages in turn.

The main screen of each role lands in docs/screenshots/ (docs/pages.md shows them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.integration.browsing import signed_in, wcag_violations
from tests.integration.conftest import eventually
from tests.integration.flows import melding, request_huisverbod

pytestmark = pytest.mark.slow
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

# each visible button, form control and menu link narrower or lower than 44 px; a checkbox
# or radio button counts with its label (a click on either checks it); links inside running
# text are not targets of their own (WCAG 2.5.5's exception)
SMALL_TARGETS = """() => {
  const small = [];
  const seen = (e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const controls = "button, select, textarea, input:not([type=hidden]), nav a, .utrecht-button-link, summary";
  for (const e of document.querySelectorAll(controls)) {
    if (!seen(e)) continue;
    let r = e.getBoundingClientRect();
    if (e.type === "checkbox" || e.type === "radio") {
      const label = e.labels && e.labels[0];
      if (label) {
        const l = label.getBoundingClientRect();
        r = {width: Math.max(r.right, l.right) - Math.min(r.left, l.left),
             height: Math.max(r.bottom, l.bottom) - Math.min(r.top, l.top)};
      }
    }
    if (r.width < 44 || r.height < 44) {
      small.push(`${e.tagName.toLowerCase()}#${e.id || ""} "${(e.textContent || e.name || "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}"""
SIDEWAYS = "document.scrollingElement.scrollWidth - window.innerWidth"


async def check(page, path: str, site: str) -> list[str]:
    """What is wrong with `path` at each width: sideways scrolling, WCAG, small targets."""
    wrong = []
    for name, (width, height) in WIDTHS.items():
        await page.set_viewport_size({"width": width, "height": height})
        await page.goto(f"{site}{path}")
        await page.wait_for_load_state("load")
        if (over := await page.evaluate(SIDEWAYS)) > 0:
            wrong.append(f"{path} at {name}: {over} px wider than the screen")
        wrong += [f"{path} at {name}: {v}" for v in await wcag_violations(page)]
        wrong += [f"{path} at {name}: small {t}" for t in await page.evaluate(SMALL_TARGETS)]
    return wrong


async def screenshots(page, path: str, site: str, role: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in WIDTHS.items():
        await page.set_viewport_size({"width": width, "height": height})
        await page.goto(f"{site}{path}")
        await page.wait_for_load_state("load")
        await page.screenshot(path=SCREENSHOTS / f"{role}-{name}.png")


async def test_every_role_s_pages_fit_a_phone_pass_axe_and_have_targets_to_touch(
    browser, site, api, police
):
    body = melding(unsafety={"acute": True, "structural": True})
    case_id = (await api.post("/v1/meldingen", json=body)).json()["case_id"]
    await request_huisverbod(police, case_id)
    pages = {
        ("vt-haaglanden", "coordinator", "Kees Jansen"): (
            "/regio/haaglanden",
            "/casussen",
            f"/casus/{case_id}",
            "/adviesvragen",
        ),
        ("vt-haaglanden", "worker", "Anna de Vries"): (f"/casus/{case_id}", "/mijn-casussen"),
        ("politie-den-haag", "officer", "Agent Drie"): (
            "/politie",
            "/politie/melding",
            f"/politie/casus/{case_id}",
            "/termijnen",
        ),
        ("burgemeester-gm0518", "staff", "Mr. A. Bakker"): ("/inbox",),
        ("vt-haaglanden", "privacy_officer", "F. Privacy"): ("/regio/haaglanden/inzage",),
    }
    anonymous = await (await browser.new_context()).new_page()
    wrong = await check(anonymous, "/login", site)
    for (org, role, name), paths in pages.items():
        page = await signed_in(browser, site, org, role, name)
        await page.wait_for_load_state("load")
        for path in paths:
            wrong += await check(page, path, site)
        await screenshots(page, paths[0], site, role)
        await page.context.close()
    assert wrong == [], "\n".join(wrong)


async def test_the_case_page_opens_with_what_is_due_whose_it_is_and_the_button_that_meets_it(
    browser, site, api
):
    body = melding(unsafety={"acute": False, "structural": True})
    case_id = (await api.post("/v1/meldingen", json=body)).json()["case_id"]
    worker = await signed_in(browser, site, "vt-haaglanden", "worker", name="Anna de Vries")
    await worker.set_viewport_size({"width": 1280, "height": 800})
    await worker.goto(f"{site}/casus/{case_id}")
    now = worker.locator("#nu-te-doen")
    await expect(now.locator("dd").nth(2)).to_have_text("veiligheidsbeoordeling")
    due = now.get_by_text("veiligheidsbeoordeling", exact=True)
    owner = now.get_by_text("Veilig Thuis", exact=True)
    meets = now.get_by_role("button", name="Veiligheidsbeoordeling vastleggen")
    for shown in (due, owner, meets):
        await expect(shown).to_be_in_viewport(ratio=1)


async def test_my_cases_show_each_case_s_next_deadline_the_first_due_on_top(browser, site, api):
    worker = await signed_in(browser, site, "vt-haaglanden", "worker", name="Mila Termijn")
    await worker.wait_for_load_state("load")
    acute = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    later = melding(unsafety={"acute": False, "structural": True})
    calm = (await api.post("/v1/meldingen", json=later)).json()["case_id"]  # newer, due later
    for case_id in (acute, calm):
        r = await api.post(f"/v1/cases/{case_id}/assignment", json={"worker": "dev-mila-termijn"})
        assert r.status_code < 300, r.text

    async def with_deadlines():  # the read model has each case's deadlines
        found = [(await api.get(f"/v1/cases/{c}")).json() for c in (acute, calm)]
        return all(f["deadlines"] for f in found)

    await eventually(with_deadlines)
    await worker.goto(f"{site}/mijn-casussen")
    rows = worker.locator("tbody tr")
    await expect(rows).to_have_count(2)
    await expect(rows.nth(0).locator("a")).to_have_attribute("href", f"/casus/{acute}")
    await expect(rows.nth(1).locator(".next-deadline")).to_contain_text("veiligheidsbeoordeling")
    await expect(worker.locator("nav a[aria-current=page]")).to_have_text("Mijn casussen")
