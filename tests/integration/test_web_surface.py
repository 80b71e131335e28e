"""The web surface as a black-box scanner sees it: the security headers of pages and API, no
500 on any route for a character Postgres cannot store or a control character in a header,
forms that need the session's CSRF token, a logout that ends the session on the server and
a sign-in that is rate-limited."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import pytest_asyncio
from fastapi.routing import iter_route_contexts
from playwright.async_api import expect

from api.app import create_app
from api.auth import SESSION_COOKIE, read_session
from tests.integration.browsing import WAIT, signed_in
from tests.integration.flows import melding, request_huisverbod


def assert_hardened(response: httpx.Response) -> None:
    h = response.headers
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert h["x-frame-options"] == "DENY"
    assert h["x-content-type-options"] == "nosniff"
    assert h["referrer-policy"] == "no-referrer"
    assert "camera=()" in h["permissions-policy"]


async def test_pages_and_api_answers_carry_the_security_headers(api, app):
    assert_hardened(await api.get("/regio/haaglanden"))
    assert_hardened(await api.get("/v1/cases"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test"
    ) as anyone:
        sign_in = await anyone.get("/login")
        assert sign_in.status_code == 200
        assert_hardened(sign_in)
        script = await anyone.get("/static/pages.js")
    assert script.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self';" in sign_in.headers["content-security-policy"]


async def test_the_live_pages_run_under_their_policy(browser, site, api, police):
    """htmx refreshes the inbox, but not over a form being typed in (its guard in pages.js, no
    inline filter), and the browser reports nothing the policy blocked."""
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    hv = await request_huisverbod(police, case_id)
    mayor = await signed_in(browser, site, "burgemeester-gm0518", "staff")
    blocked = []
    mayor.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )
    await mayor.goto(f"{site}/inbox")  # loaded again with the listener on (a reload could
    # meet the sign-in's redirect still under way)
    async with mayor.expect_response(re.compile(r"/inbox/deel"), timeout=WAIT) as refresh:
        pass
    assert (await refresh.value).status == 200
    reason = mayor.locator(f"#verzoek-{hv}").get_by_label("Reden")
    await reason.fill("half getypt")
    await mayor.locator("h1").first.click()  # the focus leaves the form; it is still typed in
    await mayor.wait_for_timeout(6_000)  # a refresh came due
    await expect(reason).to_have_value("half getypt")
    assert blocked == []


def every_route(app) -> list[tuple[str, str]]:
    """(method, path) of every route, its path parameters filled in."""
    found = []
    for route in iter_route_contexts(app.routes):
        if route.methods is None:  # the static files' mount
            continue
        path = re.sub(r"\{[^}:]+(:path)?\}", "x1", route.path)
        found += [(method, path) for method in sorted(route.methods - {"HEAD"})]
    return found


@pytest.mark.parametrize(
    "where",
    ["path", "query", "body", "body-surrogate", "header", "empty-form"],
)
async def test_no_route_answers_500_to_bad_characters_or_an_empty_form(api, app, where):
    """A NUL in the path, the query or the body, half a surrogate pair in a JSON body, a
    control character in a header, or a POST without any field: a 4xx on every route, pages
    and API alike."""
    answers = {}
    for method, path in every_route(app):
        kwargs: dict = {}
        if where == "path":
            path = path.replace("x1", "a%00b") if "x1" in path else f"{path.rstrip('/')}/a%00b"
        elif where == "query":
            kwargs["params"] = {"q": "a\x00b", "medewerker": "a\x00b"}
        elif where == "body":
            kwargs["content"] = b'{"summary": "voor\\u0000na", "name": "a\x00b"}'
        elif where == "body-surrogate":
            kwargs["content"] = b'{"summary": "half \\ud800 paar"}'
        elif where == "empty-form":  # no field at all: a page's form or a body it cannot read
            if method != "POST":
                continue
            kwargs["headers"] = {"content-type": "application/x-www-form-urlencoded"}
        else:
            kwargs["headers"] = {"X-View-Id": "a\x01b", "Idempotency-Key": "k\x00"}
        if where.startswith("body"):
            if method not in ("POST", "PUT", "PATCH"):
                continue
            kwargs.setdefault("headers", {})["content-type"] = "application/json"
        r = await api.request(method, path, **kwargs)
        answers[f"{method} {path}"] = r.status_code
    assert answers
    # signing out without a session sends to the sign-in page, as signing out does
    signed_out = {"POST /logout": 303}
    wrong = {
        route: status
        for route, status in answers.items()
        if not 400 <= status < 500 and signed_out.get(route) != status
    }
    assert wrong == {}


async def test_a_melding_with_half_a_surrogate_pair_is_invalid_input(api):
    body = json.dumps(melding(summary="half \ud800 paar"))  # as JSON's \ud800
    r = await api.post("/v1/meldingen", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 400 and "surrogaat" in r.json()["detail"], r.text
    raw = body.encode().replace(b"\\ud800", b"\xed\xa0\x80")  # the same half, as raw bytes
    r = await api.post("/v1/meldingen", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["errors"][0]["location"]["pointer"] == "/summary"
    emoji = await api.post("/v1/meldingen", json=melding(summary="een heel paar: \U0001f600"))
    assert emoji.status_code == 201, emoji.text


def visitor(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test"
    )


COORDINATOR = {"org": "vt-haaglanden", "role": "coordinator", "name": "C. Oordinator"}


async def test_signing_out_ends_the_session_on_the_server(app):
    async with visitor(app) as browser:
        assert (await browser.post("/login", data=COORDINATOR)).status_code == 303
        kept = browser.cookies[SESSION_COOKIE]
        region = await browser.get("/regio/haaglanden")
        token = re.search(r'name="csrf" value="([^"]+)"', region.text).group(1)
        # a link or a form of another site (no token) does not sign anyone out
        asked = await browser.get("/logout")
        assert asked.status_code == 200 and 'action="/logout"' in asked.text
        assert (await browser.post("/logout")).status_code == 403
        assert (await browser.get("/regio/haaglanden")).status_code == 200
        out = await browser.post("/logout", data={"csrf": token})
        assert out.status_code == 303 and SESSION_COOKIE not in browser.cookies
        browser.cookies.set(SESSION_COOKIE, kept)  # the cookie, kept or copied, after sign-out
        again = await browser.get("/regio/haaglanden")
    assert again.status_code == 303 and again.headers["location"] == "/login"


@pytest_asyncio.fixture(scope="module")
async def strict_app(settings, worker):
    """The app as deployed: Secure cookies, a few sign-ins a minute per account."""
    strict = settings.model_copy(
        update={"secure_cookies": True, "sign_ins_per_minute": 3, "session_hours": 2}
    )
    application = create_app(strict)
    async with application.router.lifespan_context(application):
        yield application


async def test_the_session_cookie_is_secure_and_expires(strict_app):
    async with visitor(strict_app) as browser:
        r = await browser.post("/login", data={**COORDINATOR, "name": "Veilig Koekje"})
    cookie = r.headers["set-cookie"].lower()
    for flag in ("secure", "httponly", "samesite=strict", "max-age=7200"):
        assert flag in cookie
    claims = read_session(strict_app.state.settings, r.cookies[SESSION_COOKIE])
    assert claims["exp"] - claims["iat"] == 7200


async def test_signing_in_too_often_is_refused_for_a_minute(strict_app):
    account = {**COORDINATOR, "name": "Vaak Aanmelden"}
    async with visitor(strict_app) as browser:
        tries = [(await browser.post("/login", data=account)).status_code for _ in range(3)]
        assert tries == [303, 303, 303]
        refused = await browser.post("/login", data=account)
        other = await browser.post("/login", data={**account, "name": "Iemand Anders"})
    assert refused.status_code == 429 and "Te veel aanmeldpogingen" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 60
    assert "text/html" in refused.headers["content-type"]
    assert other.status_code == 303  # another account from the same address


async def test_a_page_form_needs_the_sessions_csrf_token(app, api):
    """A form of another site, sent with the session cookie, cannot carry the token of the
    session: refused with a Dutch page; the page's own form is taken."""
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    where = f"/casus/{case_id}/toewijzen"
    async with visitor(app) as browser, visitor(app) as other:
        await browser.post("/login", data=COORDINATOR)
        await other.post("/login", data={**COORDINATOR, "name": "Een Ander"})
        case_page = await browser.get(f"/casus/{case_id}")
        token = re.search(r'name="csrf" value="([^"]+)"', case_page.text).group(1)
        assert f'"X-CSRF-Token": "{token}"' in case_page.text  # htmx sends it as a header
        theirs = re.search(
            r'name="csrf" value="([^"]+)"', (await other.get(f"/casus/{case_id}")).text
        ).group(1)
        forged = [
            await browser.post(where, data={"worker": ""}),
            await browser.post(where, data={"worker": "", "csrf": theirs}),
            await browser.post(where, data={"worker": ""}, headers={"X-CSRF-Token": "vals"}),
        ]
        me = "dev-c-oordinator"  # the form's other fields reach the route as sent
        taken = await browser.post(where, data={"worker": me, "csrf": token})
        by_htmx = await browser.post(where, data={"worker": ""}, headers={"X-CSRF-Token": token})
    for refused in forged:
        assert refused.status_code == 403 and "text/html" in refused.headers["content-type"]
        assert "Dit formulier is niet (meer) geldig" in refused.text
    assert taken.status_code == 200 and "Casus toegewezen." in taken.text
    assert by_htmx.status_code == 200 and "Casus is niet meer toegewezen." in by_htmx.text
