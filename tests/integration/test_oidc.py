"""Sign-in for the pages at a real OpenID provider (oidc-provider-mock, in a thread on localhost).

The provider issues what it is told for a subject (`PUT /users/{sub}`); the claims it is given
end up in the signed ID token, even `iss` and `exp`, so a token from another issuer or an
expired one is a real token signed by the provider's own key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
import time
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import oidc_provider_mock
import pytest
import pytest_asyncio
import werkzeug.serving
from playwright.async_api import expect
from pydantic import SecretStr

from api.app import create_app
from ketenregie.stack import free_port
from testing.background import BackgroundServer

APP = "http://ketenregie.test"
COORDINATOR = {"org": "vt-haaglanden", "role": "coordinator"}


class Provider:
    """The provider on a free port, and the requests our service sent it."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []
        app = oidc_provider_mock.app(require_nonce=True)
        inner = app.wsgi_app

        def recording(environ, start_response):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(body)
            form = parse_qs(body.decode()) if b"=" in body else {}
            self.sent.append((environ["PATH_INFO"], {**parse_qs(environ["QUERY_STRING"]), **form}))
            return inner(environ, start_response)

        app.wsgi_app = recording
        self.server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
        self.issuer = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.1,))

    def requests_to(self, path: str) -> list[dict]:
        return [params for p, params in self.sent if p == path]


@pytest.fixture(scope="module")
def provider():
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider speaks plain HTTP here
    running = Provider()
    running.thread.start()
    yield running
    running.server.shutdown()
    running.thread.join()
    if previous is None:
        del os.environ["AUTHLIB_INSECURE_TRANSPORT"]


@pytest_asyncio.fixture(scope="module")
async def oidc_app(settings, worker, provider):
    """The API with page sign-in at the provider, as a confidential client (the provider
    takes no public ones), with PKCE all the same."""
    configured = settings.model_copy(
        update={
            "oidc_issuer": provider.issuer,
            "oidc_client_id": "ketenregie-pages",
            "oidc_client_secret": SecretStr("geheim"),
            "dev_sign_in": False,  # refused beside a provider (infra.settings)
        }
    )
    application = create_app(configured)
    async with application.router.lifespan_context(application):
        yield application


def visitor(app) -> httpx.AsyncClient:
    """A client that reaches our service in process and the provider over HTTP, with cookies."""
    return httpx.AsyncClient(
        mounts={APP: httpx.ASGITransport(app=app)}, base_url=APP, follow_redirects=True
    )


async def at_the_provider(client: httpx.AsyncClient, provider, sub: str, claims: dict):
    """Start signing in, let the provider know `sub` by `claims`; its sign-in form's response."""
    (await client.put(f"{provider.issuer}/users/{sub}", json=claims)).raise_for_status()
    form = await client.get("/aanmelden/oidc")
    assert form.status_code == 200 and str(form.url).startswith(provider.issuer)
    return form


async def sign_in(client: httpx.AsyncClient, provider, sub: str, claims: dict) -> httpx.Response:
    form = await at_the_provider(client, provider, sub, claims)
    return await client.post(str(form.url), data={"sub": sub})


async def test_signing_in_at_the_provider_opens_the_pages_as_the_mapped_organisation(
    oidc_app, provider
):
    async with visitor(oidc_app) as client:
        login = await client.get("/login")
        assert "Aanmelden via uw organisatie" in login.text
        assert 'action="/login"' not in login.text  # no dev sign-in beside OIDC

        done = await sign_in(client, provider, "j-de-vries-1", COORDINATOR)
        assert done.status_code == 200, done.text
        assert str(done.url).startswith(f"{APP}/aanmelden/oidc/terug")
        assert 'content="0; url=/regio/haaglanden"' in done.text

        home = await client.get("/")
        assert str(home.url) == f"{APP}/regio/haaglanden" and home.status_code == 200
        assert "Veilig Thuis Haaglanden · coördinator" in home.text

        assert (await client.post("/login", data=COORDINATOR)).status_code == 404

    asked = provider.requests_to("/oauth2/authorize")[-1]
    exchanged = provider.requests_to("/oauth2/token")[-1]
    assert asked["code_challenge_method"] == ["S256"]
    assert asked["client_id"] == ["ketenregie-pages"] and asked["nonce"][0]
    verifier = exchanged["code_verifier"][0]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert asked["code_challenge"] == [base64.urlsafe_b64encode(digest).rstrip(b"=").decode()]


@pytest.mark.parametrize(
    "sub, claims, reason",
    [
        ("other-issuer", {**COORDINATOR, "iss": "https://idp.elders.example"}, "andere uitgever"),
        ("expired", {**COORDINATOR, "exp": int(time.time()) - 600}, "verlopen"),
        ("unknown-org", {"org": "onbekende-stichting", "role": "worker"}, "onbekende-stichting"),
        ("no-such-role", {"org": "vt-haaglanden", "role": "beheerder"}, "beheerder"),
    ],
)
async def test_a_token_the_chain_cannot_accept_is_refused(oidc_app, provider, sub, claims, reason):
    async with visitor(oidc_app) as client:
        refused = await sign_in(client, provider, sub, claims)
        assert refused.status_code == 403, refused.text
        assert "Aanmelden mislukt" in refused.text and reason in refused.text
        assert "text/html" in refused.headers["content-type"]
        assert (await client.get("/regio/haaglanden")).url.path == "/login"  # no session


async def test_a_tampered_state_is_refused(oidc_app, provider):
    async with visitor(oidc_app) as client:
        form = await at_the_provider(client, provider, "tampered", COORDINATOR)
        client.follow_redirects = False
        back = await client.post(str(form.url), data={"sub": "tampered"})
        parts = urlsplit(back.headers["location"])
        query = parse_qs(parts.query)
        assert query["state"][0]
        forged = f"code={query['code'][0]}&state=vervalst"
        refused = await client.get(urlunsplit(parts._replace(query=forged)))
        assert refused.status_code == 400
        assert "begin opnieuw" in refused.text
        assert "ketenregie_session" not in refused.headers.get("set-cookie", "")


async def test_a_browser_comes_back_from_the_provider_signed_in(browser, oidc_app, provider):
    """Chromium, with the provider on another site (localhost) than the pages (127.0.0.1): the
    Strict session cookie set at the end of the provider's redirects holds on the next page."""
    server = BackgroundServer(oidc_app, "127.0.0.1", free_port(), lifespan="off")
    await server.start()
    try:
        async with httpx.AsyncClient() as client:
            await client.put(f"{provider.issuer}/users/j-de-vries-2", json=COORDINATOR)
        context = await browser.new_context()
        await context.route("https://**", lambda route: route.abort())  # its style sheet
        page = await context.new_page()
        await page.goto(f"{server.url}/login")
        await page.get_by_role("button", name="Aanmelden via uw organisatie").click()
        await page.fill("input[name=sub]", "j-de-vries-2")
        await page.get_by_role("button", name="Authorize").click()
        await expect(page).to_have_url(f"{server.url}/regio/haaglanden")
        await expect(page.locator(".who")).to_contain_text("Veilig Thuis Haaglanden · coördinator")
        await context.close()
    finally:
        await server.stop()
