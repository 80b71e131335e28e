"""The web surface against the attempts of the security test of 2026-12-07 (issue 36): a
session used as an API token and the other way round, CSRF around the cookie, CORS beyond the
codec, forged forwarding headers, the sign-in limit across processes, personal data in URLs
and logs, bodies that never end, and a sign-in from another site."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from urllib.parse import urlsplit

import httpx
import pydantic
import pytest

from api.app import create_app
from api.auth import SESSION_COOKIE, mint_token
from infra.settings import Settings
from ketenregie.stack import free_port
from testing.background import BackgroundServer
from tests.integration.flows import melding, open_case

COORDINATOR = {"org": "vt-haaglanden", "role": "coordinator", "name": "C. Oordinator"}
UI_ORIGIN = "http://127.0.0.1:8233"  # the Temporal UI of `ketenregie up`


def visitor(app, **kwargs) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://ketenregie.test", **kwargs
    )


def bearer(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def csrf_of(page: httpx.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)


@contextlib.asynccontextmanager
async def running(settings: Settings):
    """An app of its own (another API process) on the session's database and Temporal."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@contextlib.asynccontextmanager
async def served(app, **options):
    server = BackgroundServer(app, "127.0.0.1", free_port(), lifespan="off", **options)
    await server.start()
    try:
        yield server.url
    finally:
        await server.stop()


async def client_of(settings, subject: str) -> str | None:
    """The client address of the access log's entry of `subject`'s request."""
    import asyncpg

    conn = await asyncpg.connect(settings.database_url)
    try:
        return await conn.fetchval(
            "SELECT client FROM access_log WHERE subject = $1 ORDER BY id DESC LIMIT 1", subject
        )
    finally:
        await conn.close()


# F6: a page session and an API token are different credentials


async def test_a_session_is_no_api_token_and_an_api_token_no_session(app, settings):
    async with visitor(app) as browser:
        assert (await browser.post("/login", data=COORDINATOR)).status_code == 303
        session = browser.cookies[SESSION_COOKIE]
        page = await browser.get("/regio/haaglanden")
        assert page.status_code == 200
        async with visitor(app) as thief:
            assert (await thief.get("/v1/cases", headers=bearer(session))).status_code == 401
            thief.cookies.set(SESSION_COOKIE, session)
            assert (await thief.get("/v1/cases")).status_code == 401  # no cookie on /v1
        out = await browser.post("/logout", data={"csrf": csrf_of(page)})
        assert out.status_code == 303
    async with visitor(app) as thief:
        assert (await thief.get("/v1/cases", headers=bearer(session))).status_code == 401
        # an API token put in the session cookie opens no page
        thief.cookies.set(SESSION_COOKIE, mint_token(settings, **COORDINATOR))
        r = await thief.get("/regio/haaglanden")
    assert r.status_code == 303 and r.headers["location"] == "/login"


# F7: the CSRF token whenever the cookie authenticates; CORS on /codec only


async def test_a_change_under_the_cookie_needs_the_token_whatever_other_headers_say(app, api):
    case_id = (await api.post("/v1/meldingen", json=melding())).json()["case_id"]
    where = f"/casus/{case_id}/toewijzen"
    async with visitor(app) as browser:
        await browser.post("/login", data=COORDINATOR)
        tries = [
            await browser.post(where, data={"worker": "dev-c-oordinator"}, headers=headers)
            for headers in ({"authorization": ""}, {"authorization": " "})
        ]
    for r in tries:
        assert r.status_code == 403 and "Dit formulier is niet (meer) geldig" in r.text
    assert (await api.get(f"/v1/cases/{case_id}")).json()["assigned_to"] is None


async def test_cors_answers_for_the_temporal_ui_on_the_codec_only(app, api):
    ask = {"origin": UI_ORIGIN, "access-control-request-method": "POST"}
    async with visitor(app) as browser:
        await browser.post("/login", data=COORDINATOR)
        codec = await browser.options("/codec/decode", headers=ask)
        page = await browser.get("/regio/haaglanden", headers={"origin": UI_ORIGIN})
        preflight = await browser.options("/regio/haaglanden", headers=ask)
        api_answer = await api.get("/v1/cases", headers={"origin": UI_ORIGIN})
        # the codec takes the session from the Temporal UI's pages, from no other site's
        decoded = await browser.post(
            "/codec/decode", json={"payloads": []}, headers={"origin": UI_ORIGIN}
        )
        forged = await browser.post(
            "/codec/decode", json={"payloads": []}, headers={"origin": "https://kwaad.example"}
        )
    assert codec.headers["access-control-allow-origin"] == UI_ORIGIN
    assert codec.headers["access-control-allow-credentials"] == "true"
    for r in (page, preflight, api_answer):
        assert "access-control-allow-origin" not in r.headers
        assert "access-control-allow-credentials" not in r.headers
    assert decoded.status_code == 200, decoded.text
    assert forged.status_code == 403


# F8: forwarding headers only from configured proxies; the limit shared by every process


async def test_a_client_on_the_host_cannot_name_another_address(app, settings):
    """uvicorn believes X-Forwarded-For from loopback by default; here from nobody."""
    subject = f"forger-{uuid.uuid4().hex[:8]}"
    token = mint_token(settings, org="vt-haaglanden", role="coordinator", subject=subject)
    async with visitor(app, headers=bearer(token)) as own:
        case_id = await open_case(own)
    async with served(app) as url, httpx.AsyncClient(base_url=url) as client:
        forged = {**bearer(token), "x-forwarded-for": "203.0.113.9"}
        assert (await client.get(f"/v1/cases/{case_id}", headers=forged)).status_code == 200
    assert await client_of(settings, subject) == "127.0.0.1"


async def appending_proxy(upstream: httpx.AsyncClient):
    """A reverse proxy as nginx's `$proxy_add_x_forwarded_for`: what the client sent in
    X-Forwarded-For, with the address the client connected from appended."""

    async def proxy(scope, receive, send):
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body, more = body + message.get("body", b""), message.get("more_body", False)
        sent = [v.decode() for k, v in scope["headers"] if k == b"x-forwarded-for"]
        headers = [
            (k.decode(), v.decode())
            for k, v in scope["headers"]
            if k not in (b"host", b"x-forwarded-for", b"content-length")
        ]
        headers.append(("x-forwarded-for", ", ".join([*sent, scope["client"][0]])))
        path = scope["raw_path"].decode() + (
            "?" + scope["query_string"].decode() if scope["query_string"] else ""
        )
        r = await upstream.request(scope["method"], path, headers=headers, content=body)
        drop = {"content-length", "transfer-encoding", "connection", "content-encoding"}
        out = [(k.encode(), v.encode()) for k, v in r.headers.multi_items() if k not in drop]
        await send({"type": "http.response.start", "status": r.status_code, "headers": out})
        await send({"type": "http.response.body", "body": r.content})

    return proxy


async def test_behind_a_proxy_that_appends_the_client_is_the_address_it_added(settings, worker):
    """The proxy (trusted: it connects from 127.0.0.2) appends the address its client came
    from (127.0.0.5); what the client wrote in the header itself is believed by nobody: the
    sign-in limit and the access log both take the address the proxy added."""
    strict = settings.model_copy(
        update={"sign_ins_per_minute_per_address": 3, "forwarded_allow_ips": "127.0.0.2"}
    )
    subject = f"proxied-{uuid.uuid4().hex[:8]}"
    token = mint_token(settings, org="vt-haaglanden", role="coordinator", subject=subject)
    async with running(strict) as api_app:
        async with visitor(api_app, headers=bearer(token)) as own:
            case_id = await open_case(own)
        async with (
            served(api_app, forwarded_allow_ips=strict.forwarded_allow_ips) as api_url,
            httpx.AsyncClient(
                base_url=api_url, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.2")
            ) as upstream,
            served(await appending_proxy(upstream)) as proxy_url,
            httpx.AsyncClient(
                base_url=proxy_url, transport=httpx.AsyncHTTPTransport(local_address="127.0.0.5")
            ) as client,
        ):
            tries = [
                (
                    await client.post(
                        "/login",
                        data={**COORDINATOR, "name": f"Poging {i}"},
                        headers={"x-forwarded-for": f"198.51.100.{i}"},
                    )
                ).status_code
                for i in range(4)
            ]
            read = await client.get(
                f"/v1/cases/{case_id}", headers={**bearer(token), "x-forwarded-for": "192.0.2.1"}
            )
    assert tries == [303, 303, 303, 429]  # four addresses named, one client
    assert read.status_code == 200
    assert await client_of(settings, subject) == "127.0.0.5"


async def test_two_api_processes_count_one_sign_in_limit(settings, worker):
    strict = settings.model_copy(update={"sign_ins_per_minute": 3})
    account = {**COORDINATOR, "name": f"Twee Processen {uuid.uuid4().hex[:6]}"}
    async with (
        running(strict) as one,
        running(strict) as two,
        visitor(one) as first,
        visitor(two) as second,
    ):
        tries = [
            (await client.post("/login", data=account)).status_code
            for client in (first, second, first, second)
        ]
    assert tries == [303, 303, 303, 429]


# F9: no personal data in URLs or logs


@contextlib.contextmanager
def access_log_lines():
    """Every line uvicorn's access log writes meanwhile (of a server started before)."""
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    logger, handler = logging.getLogger("uvicorn.access"), Keep()
    level = logger.level
    logger.setLevel(logging.INFO)  # a BackgroundServer logs warnings only
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def test_a_searched_name_is_in_no_url_log_or_span(app, api, as_, spans):
    canary = f"Kanarie{uuid.uuid4().hex[:8]}"
    persons = melding()["persons"]
    case_id = await open_case(api, persons=[{**persons[0], "name": f"Anna {canary}"}, persons[1]])
    officer = as_("vt-haaglanden", "privacy_officer")
    async with served(app) as url, httpx.AsyncClient(base_url=url) as client:
        with access_log_lines() as access_lines:
            old = await client.get("/v1/cases", params={"name": canary}, headers=api.headers)
            people = await client.get(
                "/v1/persons",
                params={"name": canary, "birthDate": "1990-01-01"},
                headers=officer.headers,
            )
            found = await client.post(
                "/v1/cases/search", json={"name": canary}, headers=api.headers
            )
            persons = await client.post(
                "/v1/persons/search", json={"name": canary}, headers=officer.headers
            )
    assert old.status_code == 400 and "POST /v1/cases/search" in old.json()["detail"]
    assert people.status_code == 400 and "POST /v1/persons/search" in people.json()["detail"]
    assert [c["case_id"] for c in found.json()["items"]] == [case_id]
    assert [p["name"] for p in persons.json()["items"]] == [f"Anna {canary}"]
    assert any('"GET /v1/cases HTTP/1.1" 400' in line for line in access_lines), access_lines
    assert not [line for line in access_lines if canary in line]
    attributes = [str(v) for s in spans.get_finished_spans() for v in s.attributes.values()]
    assert not [v for v in attributes if canary in v]


async def test_the_privacy_officers_search_form_is_posted_with_the_token(app):
    async with visitor(app) as browser:
        await browser.post("/login", data={**COORDINATOR, "role": "privacy_officer"})
        form = await browser.get("/regio/haaglanden/inzage")
        assert 'method="post" action="/regio/haaglanden/inzage"' in form.text
        forged = await browser.post("/regio/haaglanden/inzage", data={"naam": "Anna"})
        asked = await browser.post(
            "/regio/haaglanden/inzage", data={"naam": "Anna", "csrf": csrf_of(form)}
        )
    assert forged.status_code == 403
    assert asked.status_code == 200 and 'id="aantal"' in asked.text


# F10: bodies capped as they arrive, before authentication


@pytest.mark.slow
async def test_a_chunked_body_is_refused_once_past_the_cap_and_not_read_on(site):
    """100 MiB sent in chunks (no Content-Length) without a token, the answer read while it is
    sent: a 413 in Dutch comes before the client is done, and the server reads no further."""
    chunk, total = b"x" * 65536, 1600
    sent = 0
    address = urlsplit(site)
    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(
        b"POST /v1/meldingen HTTP/1.1\r\nHost: ketenregie.test\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    )

    async def send_all() -> None:
        nonlocal sent
        for _ in range(total):
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            await writer.drain()
            sent += 1
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    sending = asyncio.create_task(send_all())
    answer = b""
    with contextlib.suppress(ConnectionError):
        while chunk_read := await reader.read(65536):
            answer += chunk_read
    with contextlib.suppress(ConnectionError, asyncio.CancelledError):
        sending.cancel()
        await sending
    writer.close()
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"application/problem+json" in answer
    assert "groter dan 262144 bytes" in answer.decode()
    assert sent < total // 4, sent  # the server stopped reading at the cap


async def test_a_body_said_to_be_too_large_is_refused_unread(api):
    r = await api.post(
        "/v1/meldingen", content=b"{}", headers={"content-length": str(10**9)}
    )  # what it claims is enough
    assert r.status_code == 413 and "groter dan" in r.json()["detail"]


# F13: no sign-in from another site; the dev sign-in only when asked for


async def test_a_sign_in_from_another_site_is_refused(app):
    async with visitor(app) as browser:
        by_origin = await browser.post(
            "/login", data=COORDINATOR, headers={"origin": "https://kwaad.example"}
        )
        by_fetch = await browser.post(
            "/login", data=COORDINATOR, headers={"origin": "null", "sec-fetch-site": "cross-site"}
        )
        assert SESSION_COOKIE not in browser.cookies
        own = await browser.post(
            "/login", data=COORDINATOR, headers={"origin": "http://ketenregie.test"}
        )
        # a page sending no referrer, as ours: the browser says "null" and where it came from
        own_form = await browser.post(
            "/login", data=COORDINATOR, headers={"origin": "null", "sec-fetch-site": "same-origin"}
        )
    assert by_origin.status_code == 403 and by_fetch.status_code == 403
    assert own.status_code == 303 and own_form.status_code == 303


async def test_the_dev_sign_in_is_off_unless_set_and_never_beside_a_provider(settings, worker):
    assert Settings().dev_sign_in is False
    with pytest.raises(pydantic.ValidationError, match="KETENREGIE_DEV_SIGN_IN"):
        Settings(dev_sign_in=True, oidc_issuer="https://idp.example")
    plain = settings.model_copy(update={"dev_sign_in": False})
    async with running(plain) as application, visitor(application) as browser:
        form = await browser.get("/login")
        r = await browser.post("/login", data=COORDINATOR)
    assert 'action="/login"' not in form.text
    assert r.status_code == 404
