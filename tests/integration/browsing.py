"""Pages in a real browser (Debian's Chromium driven by Playwright): sign-in and screenshots.

Screenshots of each page land in test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

from pathlib import Path

ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
WAIT = 15_000  # ms: pages refresh every 5 s


async def signed_in(browser, site: str, org: str, role: str, name: str = ""):
    page = await (await browser.new_context(viewport={"width": 1280, "height": 900})).new_page()
    await page.goto(f"{site}/login")
    await page.select_option("#org", org)
    await page.select_option("#role", role)
    await page.fill("#name", name)
    await page.click("button[type=submit]")
    return page


async def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
