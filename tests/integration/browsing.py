"""Pages in a real browser (Debian's Chromium driven by Playwright): sign-in and screenshots.

Screenshots of each page land in test-artifacts/ (kept by CI as artifacts).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from api.auth import principal_from, read_session, session_token
from api.security import CSRF_HEADER, csrf_token


def page_session(settings, org: str, role: str, subject: str | None = None) -> str:
    """The session cookie signing in at /login makes (for tests that skip the form); an
    API token is never one."""
    claims = {"sub": subject or f"user-{uuid.uuid4().hex[:8]}", "org": org, "role": role}
    return session_token(settings, principal_from(settings, claims))


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


AXE = Path(__file__).parents[2] / "tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def wcag_violations(page) -> list[str]:
    """What axe-core finds against WCAG 2.1 A and AA on the page as it stands: each rule with
    the elements that break it (empty: none)."""
    await page.evaluate(AXE.read_text())
    result = await page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA
    )
    return [f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in result["violations"]]


def csrf_header(settings, session: str) -> dict[str, str]:
    """The header htmx sends with every request of a page under the session cookie `session`."""
    return {CSRF_HEADER: csrf_token(settings.session_key, read_session(settings, session)["jti"])}
