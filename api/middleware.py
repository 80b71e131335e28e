"""What every request passes before and after its route, outermost first: the body cap, the
standard headers, refusal of what Postgres cannot store, refusal of cross-site forms, the
idempotency of commands, the access log, CORS on the codec. Each is a class of its own so that
its reason stands beside it; `add_middlewares` puts them in that order."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp

from api import web
from api.auth import credential, current_principal, read_session
from api.errors import database_down, is_page
from api.openapi import API_VERSION, MAJOR, OPENAPI_URL, VERSION_HEADER
from api.problems import MEDIA_TYPE as PROBLEM
from api.problems import problem
from api.security import (
    API_HEADERS,
    COMMON_HEADERS,
    CSRF_FIELD,
    CSRF_HEADER,
    DOCS_HEADERS,
    PAGE_HEADERS,
    CappedBody,
    CorsFor,
    bad_header,
    cross_site,
    csrf_token,
    unstorable,
)
from infra import telemetry
from infra.settings import Settings
from services import access_log as access_log_service
from services import idempotency
from services.errors import DATABASE_DOWN, RETRY_AFTER

# v1's query keys before the Design Rules (/core/query-keys-camel-case), still taken: old -> new
DEPRECATED_QUERY_KEYS = {"assigned_to": "assignedTo", "case_id": "caseId"}
MAX_BODY_BYTES = 256 * 1024
BODY_METHODS = {"POST", "PUT", "PATCH"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
IDEMPOTENCY_KEY = "Idempotency-Key"


class AccessLog(BaseHTTPMiddleware):
    """One access-log entry for every request that touched case data as a known caller;
    when the entry cannot be written the answer is withheld (503)."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        entry = getattr(request.state, "audit", None)
        principal = getattr(request.state, "principal", None)
        if entry is None or entry.action is None or principal is None:
            return response
        try:
            client = request.client.host if request.client else ""
            status = response.status_code
            side_pool = request.app.state.side_pool
            await access_log_service.record(side_pool, principal, entry, status, client)
        except DATABASE_DOWN:  # a read that cannot be logged is not given: NEN 7513
            return database_down(request)
        return response


class Idempotent(BaseHTTPMiddleware):
    """A POST with an `Idempotency-Key` runs once per principal and key (kept 24 hours):
    a repeat with the same body gets the first answer, status and id alike; the same key
    with another body gets 422; a repeat while the first still runs gets 409. Whose answer is
    kept, the route says (`api.deps.IDEMPOTENT`): `kept` are those routes."""

    def __init__(self, app: ASGIApp, kept: list[BaseRoute]) -> None:
        super().__init__(app)
        self.kept = kept

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        key = request.headers.get(IDEMPOTENCY_KEY)
        if request.method != "POST" or not key:
            return await call_next(request)
        if len(key) > 200:
            error = {"in": "header", "location": {"name": IDEMPOTENCY_KEY}}
            error |= {"code": "string_too_long", "detail": "hoogstens 200 tekens"}
            detail = f"{IDEMPOTENCY_KEY} is langer dan 200 tekens"
            return problem(request, 400, detail, errors=[error])
        try:
            principal = await current_principal(request, request.app.state.settings)
        except StarletteHTTPException:
            return await call_next(request)  # refused below, with its own reason
        who = f"{principal.org}/{principal.subject}"
        request.state.idempotency_seed = f"{who}:{key}"
        if not any(route.matches(request.scope)[0] is Match.FULL for route in self.kept):
            # a step: its answer (the case file) is not kept, but the workflow answers a
            # repeat of an update it took as it did the first time (`services.errors`)
            return await call_next(request)
        return await self.once(request, call_next, who, key)

    @staticmethod
    async def once(
        request: Request, call_next: RequestResponseEndpoint, who: str, key: str
    ) -> Response:
        """The first request with the key runs and its answer is kept; a later one is
        answered from what was kept."""
        pool = request.app.state.pool
        digest = hashlib.sha256(request.url.path.encode() + b"\n" + await request.body())
        try:
            earlier = await idempotency.claim(pool, who, key, digest.hexdigest())
        except DATABASE_DOWN:
            return database_down(request)
        if earlier is not None:
            if earlier["request_hash"] != digest.hexdigest():
                detail = f"deze {IDEMPOTENCY_KEY} is al gebruikt voor een ander verzoek"
                return problem(request, 422, detail)
            if earlier["status"] is None:
                detail = f"een verzoek met deze {IDEMPOTENCY_KEY} loopt nog; probeer het opnieuw"
                return problem(request, 409, detail, headers={"Retry-After": str(RETRY_AFTER)})
            return JSONResponse(
                earlier["body"],
                earlier["status"],
                {"Idempotent-Replayed": "true"},
                media_type=PROBLEM if earlier["status"] >= 400 else None,
            )
        response = None
        try:
            response = await call_next(request)
            content = b"".join([chunk async for chunk in response.body_iterator])
        finally:
            keep = response is not None and response.status_code < 500
            json_body = keep and response.headers.get("content-type", "").startswith(
                ("application/json", PROBLEM)
            )
            with contextlib.suppress(*DATABASE_DOWN):
                body = json.loads(content) if json_body else None
                await idempotency.settle(pool, who, key, response.status_code, body)
        return Response(content, response.status_code, dict(response.headers))


class RefuseCrossSiteForms(BaseHTTPMiddleware):
    """A change made with the session cookie (`api.auth.credential`: whatever other
    headers say) must carry the session's CSRF token (a form's hidden field, or htmx's
    header): a page of another site cannot know it. The codec's callers are the Temporal
    UI's pages, which cannot know it either: they must come from the UI's configured
    origin (or this one). Signing in has no session yet (`api.web.signin` checks its
    origin); an API token is no cookie a browser sends by itself."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        super().__init__(app)
        self.settings = settings

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        found = credential(request)
        if request.method in SAFE_METHODS or found is None or not found.session:
            return await call_next(request)
        if request.url.path == "/login":
            return await call_next(request)
        try:
            claims = read_session(self.settings, found.token)
        except StarletteHTTPException:
            return await call_next(request)  # refused further on as not signed in
        if request.url.path.startswith("/codec"):
            if cross_site(request, self.settings.codec_origin):
                return problem(request, 403, "de codec neemt de sessie alleen van de Temporal UI")
            return await call_next(request)
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            await request.body()  # kept for the route: the form is read from it
            with contextlib.suppress(StarletteHTTPException):  # a body that is no form
                given = str((await request.form()).get(CSRF_FIELD, ""))
        expected = csrf_token(self.settings.session_key, claims["jti"])
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            return await call_next(request)
        detail = (
            "Dit formulier is niet (meer) geldig: het hoort niet bij uw sessie. Laad de pagina "
            "opnieuw en probeer het nog eens."
        )
        return web.error_page(request, 403, detail)


class RefuseUnstorable(BaseHTTPMiddleware):
    """What Postgres cannot store in text (`api.security.unstorable`) is refused as
    invalid input where it comes in (path, query or body), and so is a control character
    in a header: never a 500 further on."""

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        found = [
            (place, place, reason)  # where, its name, why
            for place, raw in (
                ("path", request.scope.get("raw_path") or b""),
                ("query", request.scope.get("query_string") or b""),
                ("body", await request.body() if request.method in BODY_METHODS else b""),
            )
            if (reason := unstorable(raw))
        ]
        if not found and (name := bad_header(request.scope["headers"])):
            found = [("header", name, f"de header {name} bevat een stuurteken")]
        if not found:
            return await call_next(request)
        where, name, detail = found[0]
        if is_page(request):
            return web.error_page(request, 400, detail)
        error = {"in": where, "location": {"name": name}, "code": "invalid_character"}
        return problem(request, 400, detail, errors=[{**error, "detail": detail}])


class StandardHeaders(BaseHTTPMiddleware):
    """The full API version on every response (/core/version-header), the security
    headers on every response (/core/transport/security-headers; a page's CSP lets it
    load this site's scripts and style), the OpenAPI document readable from any origin
    (/core/publish-openapi); v1's deprecated query keys taken as their lowerCamelCase
    names (/core/query-keys-camel-case)."""

    def __init__(self, app: ASGIApp, docs: set[str | None]) -> None:
        super().__init__(app)
        self.docs = docs

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if old := DEPRECATED_QUERY_KEYS.keys() & request.query_params.keys():
            pairs = request.query_params.multi_items()
            renamed = [(DEPRECATED_QUERY_KEYS.get(k, k), v) for k, v in pairs]
            request.scope["query_string"] = urlencode(renamed).encode()
        response = await call_next(request)
        response.headers[VERSION_HEADER] = API_VERSION
        if request.url.path.startswith(MAJOR + "/"):
            response.headers.update(API_HEADERS)
        elif request.url.path in self.docs:
            response.headers.update(DOCS_HEADERS)
        elif response.headers.get("content-type", "").startswith("text/html"):
            response.headers.update(PAGE_HEADERS)
        else:
            response.headers.update(COMMON_HEADERS)
        if request.url.path == OPENAPI_URL:
            response.headers["Access-Control-Allow-Origin"] = "*"
        if old:
            response.headers["Deprecation"] = "true"
            response.headers["Link"] = f'<{OPENAPI_URL}>; rel="deprecation"'
        return response


def add_middlewares(app: FastAPI, settings: Settings, idempotent: list[BaseRoute]) -> None:
    """Added innermost first (Starlette runs the last added first): the body cap is outermost,
    so no middleware (nor authentication) reads a body past it; the access log is innermost
    but CORS, so it sees the status the route gave. `idempotent`: the routes whose answers
    are kept for a repeat of their key."""
    app.add_middleware(CorsFor, prefix="/codec", origin=settings.codec_origin)
    app.add_middleware(AccessLog)
    app.add_middleware(Idempotent, kept=idempotent)
    app.add_middleware(RefuseCrossSiteForms, settings=settings)
    app.add_middleware(RefuseUnstorable)
    app.add_middleware(
        StandardHeaders, docs={app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}
    )
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,metrics", server_request_hook=telemetry.span_without_query
    )
    app.add_middleware(CappedBody, limit=MAX_BODY_BYTES)
