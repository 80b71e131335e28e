"""The FastAPI application: one pool and one Temporal client per process."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import re
import traceback
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from api import web
from api.auth import credential, current_principal, read_session
from api.openapi import API_VERSION, MAJOR, VERSION_HEADER, v1_document
from api.problems import MEDIA_TYPE as PROBLEM
from api.problems import form_reason, invalid_params, problem, summary
from api.routes import (
    access_log,
    acute_safety,
    advice,
    case,
    codec,
    deadlines,
    figures,
    health,
    huisverbod,
    inzage,
    procedures,
    reconcile,
    regions,
)
from api.schemas import ERROR_RESPONSES
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
from domain import documents
from domain.catalogue import CATALOGUE, Catalogue
from infra import telemetry
from infra.case_keys import PostgresKeyStore
from infra.client import connect, not_reached
from infra.settings import Settings
from services import access_log as access_log_service
from services import idempotency, pending
from services.context import open_pool
from services.errors import DATABASE_DOWN, RETRY_AFTER, Refused

log = logging.getLogger("ketenregie.api")
OPENAPI_URL = "/v1/openapi.json"
# v1's query keys before the Design Rules (/core/query-keys-camel-case), still taken: old -> new
DEPRECATED_QUERY_KEYS = {"assigned_to": "assignedTo", "case_id": "caseId"}
MAX_BODY_BYTES = 256 * 1024
BODY_METHODS = {"POST", "PUT", "PATCH"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
IDEMPOTENCY_KEY = "Idempotency-Key"
RESUME_EVERY_SECONDS = 10.0


async def resume_pending_cases(app: FastAPI) -> int:
    """Start the workflows of cases (and advice questions) stored while Temporal was
    unreachable; return how many."""
    settings = app.state.settings
    return await pending.start_pending(
        app.state.pool, app.state.temporal, settings.policy, settings.task_queue
    )


async def _resume_loop(app: FastAPI) -> None:
    while True:
        try:
            if n := await resume_pending_cases(app):
                log.info("started %d pending case workflow(s)", n)
        except (RPCError, RuntimeError) as e:
            if not not_reached(e):
                raise
            log.warning("Temporal unreachable; pending cases will be started later")
        await asyncio.sleep(RESUME_EVERY_SECONDS)


NOT_PAGES = ("/v1", "/codec", "/healthz", "/readyz", "/metrics", "/openapi.json")


def is_page(request: Request) -> bool:
    """Whatever is not the API is a page, an unknown URL too: its errors are Dutch pages."""
    return not request.url.path.startswith(NOT_PAGES)


def database_down(request: Request) -> JSONResponse:
    """Postgres is unreachable: a clear 503 the client may retry, never a 500."""
    detail = "de database (Postgres) is niet bereikbaar; probeer het opnieuw"
    return problem(request, 503, detail, headers={"Retry-After": str(RETRY_AFTER)})


# Starlette's own reasons (an unknown URL, a method a route lacks), said in Dutch
STARLETTE_REASONS = {
    "Not Found": "deze URL bestaat niet",
    "Method Not Allowed": "deze methode is hier niet toegestaan",
    "Unsupported Media Type": "dit mediatype wordt niet ondersteund; stuur application/json",
}


def _header_error(name: str, code: str, detail: str) -> dict:
    return {"in": "header", "location": {"name": name}, "code": code, "detail": detail}


def create_app(settings: Settings | None = None, catalogue: Catalogue = CATALOGUE) -> FastAPI:
    """The API and the pages for `settings` (read from the environment when not given), for
    the procedures of `catalogue` (the release's unless a test builds its own)."""
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        settings.chain  # noqa: B018 - refuses a chain that leaves a legal duty without a recipient
        app.state.pool = await open_pool(settings.database_url)
        # The access log and the codec's case keys have connections of their own: a request
        # holds one of the main pool while it waits for Temporal (whose codec needs a key) and
        # until its response is out (when it is logged), so under load they would wait on it.
        app.state.side_pool = await open_pool(settings.database_url, min_size=1, max_size=4)
        app.state.case_keys = PostgresKeyStore(app.state.side_pool, settings.keyring)
        # lazily: the pages and reads need only Postgres, and start while Temporal is down
        app.state.temporal = await connect(settings, app.state.case_keys, lazy=True)
        resumer = asyncio.create_task(_resume_loop(app))
        # the layout engine and fonts of the written orders load in seconds: not on a download
        preloading = asyncio.create_task(asyncio.to_thread(documents.preload))
        try:
            yield
        finally:
            resumer.cancel()
            await preloading
            await app.state.pool.close()
            await app.state.side_pool.close()

    app = FastAPI(
        title="ketenregie",
        version=API_VERSION,
        summary="Ketenregie voor Veilig Thuis en zijn ketenpartners",
        lifespan=lifespan,
        openapi_url=OPENAPI_URL,
        redirect_slashes=False,  # a trailing slash is a 404, never a redirect (/core/no-trailing-slash)
    )
    app.state.catalogue = catalogue
    app.openapi = functools.cache(lambda: v1_document(app, settings.api_contact))  # type: ignore[method-assign]
    for module in (
        case,
        acute_safety,
        huisverbod,
        advice,
        regions,
        reconcile,
        figures,
        access_log,
        codec,
        deadlines,
        inzage,
    ):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.include_router(procedures.build_router(catalogue), responses=ERROR_RESPONSES)
    app.add_middleware(CorsFor, prefix="/codec", origin=settings.codec_origin)
    app.include_router(health.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), "static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        """Pages get a page with the reason; the API its problem details."""
        detail = STARLETTE_REASONS.get(str(exc.detail), str(exc.detail))
        if is_page(request):
            return web.error_page(request, exc.status_code, detail)
        return problem(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        """A service's refusal: its status and reason; a page shows it as a page."""
        if is_page(request):
            return web.error_page(request, exc.status_code, exc.detail)
        headers = {"Retry-After": str(RETRY_AFTER)} if exc.status_code == 503 else None
        return problem(request, exc.status_code, exc.detail, headers=headers)

    @app.middleware("http")
    async def log_access(request: Request, call_next):
        """One access-log entry for every request that touched case data as a known caller;
        when the entry cannot be written the answer is withheld (503)."""
        response = await call_next(request)
        entry = getattr(request.state, "audit", None)
        principal = getattr(request.state, "principal", None)
        if entry is None or entry.action is None or principal is None:
            return response
        try:
            client = request.client.host if request.client else ""
            status = response.status_code
            await access_log_service.record(app.state.side_pool, principal, entry, status, client)
        except DATABASE_DOWN:  # a read that cannot be logged is not given: NEN 7513
            return database_down(request)
        return response

    # the commands that create something, and the steps of an advice question (whose answers
    # carry no texts): only their answers (ids, statuses, never a case file) are kept
    slugs = "|".join(re.escape(p.slug) for p in catalogue.procedures.values())
    creating = re.compile(
        rf"/v1/meldingen|/v1/cases/[^/]+/({slugs}"
        rf"|acute-safety/[^/]+/placements)"
        r"|/v1/adviesvragen(/[^/]+/(advies|opvolging|sluiten|melding))?"
    )

    @app.middleware("http")
    async def idempotent(request: Request, call_next):
        """A POST with an `Idempotency-Key` runs once per principal and key (kept 24 hours):
        a repeat with the same body gets the first answer, status and id alike; the same key
        with another body gets 422; a repeat while the first still runs gets 409."""
        key = request.headers.get(IDEMPOTENCY_KEY)
        if request.method != "POST" or not key:
            return await call_next(request)
        if len(key) > 200:
            return problem(
                request,
                400,
                f"{IDEMPOTENCY_KEY} is langer dan 200 tekens",
                errors=[_header_error(IDEMPOTENCY_KEY, "string_too_long", "hoogstens 200 tekens")],
            )
        try:
            principal = await current_principal(request, app.state.settings)
        except StarletteHTTPException:
            return await call_next(request)  # refused below, with its own reason
        who = f"{principal.org}/{principal.subject}"
        request.state.idempotency_seed = f"{who}:{key}"
        if not creating.fullmatch(request.url.path):
            # a step: its answer (the case file) is not kept, but the workflow answers a
            # repeat of an update it took as it did the first time (`services.errors`)
            return await call_next(request)
        digest = hashlib.sha256(request.url.path.encode() + b"\n" + await request.body())
        try:
            earlier = await idempotency.claim(app.state.pool, who, key, digest.hexdigest())
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
                await idempotency.settle(app.state.pool, who, key, response.status_code, body)
        return Response(content, response.status_code, dict(response.headers))

    @app.middleware("http")
    async def refuse_cross_site_forms(request: Request, call_next):
        """A change made with the session cookie (`api.auth.credential`: whatever other
        headers say) must carry the session's CSRF token (a form's hidden field, or htmx's
        header): a page of another site cannot know it. The codec's callers are the Temporal
        UI's pages, which cannot know it either: they must come from the UI's configured
        origin (or this one). Signing in has no session yet (`api.web.signin` checks its
        origin); an API token is no cookie a browser sends by itself."""
        found = credential(request)
        if request.method in SAFE_METHODS or found is None or not found.session:
            return await call_next(request)
        if request.url.path == "/login":
            return await call_next(request)
        try:
            claims = read_session(settings, found.token)
        except StarletteHTTPException:
            return await call_next(request)  # refused further on as not signed in
        if request.url.path.startswith("/codec"):
            if cross_site(request, settings.codec_origin):
                return problem(request, 403, "de codec neemt de sessie alleen van de Temporal UI")
            return await call_next(request)
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            await request.body()  # kept for the route: the form is read from it
            with contextlib.suppress(StarletteHTTPException):  # a body that is no form
                given = str((await request.form()).get(CSRF_FIELD, ""))
        expected = csrf_token(settings.session_key, claims["jti"])
        if given and hmac.compare_digest(given.encode(), expected.encode()):
            return await call_next(request)
        detail = (
            "Dit formulier is niet (meer) geldig: het hoort niet bij uw sessie. Laad de pagina "
            "opnieuw en probeer het nog eens."
        )
        return web.error_page(request, 403, detail)

    @app.middleware("http")
    async def refuse_unstorable(request: Request, call_next):
        """What Postgres cannot store in text (`api.security.unstorable`) is refused as
        invalid input where it comes in (path, query or body), and so is a control character
        in a header: never a 500 further on."""
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

    docs = {app.docs_url, app.redoc_url, app.swagger_ui_oauth2_redirect_url}

    @app.middleware("http")
    async def standard_headers(request: Request, call_next):
        """The full API version on every response (/core/version-header), the security
        headers on every response (/core/transport/security-headers; a page's CSP lets it
        load this site's scripts and style), the OpenAPI document readable from any origin
        (/core/publish-openapi); v1's deprecated query keys taken as their lowerCamelCase
        names (/core/query-keys-camel-case)."""
        if old := DEPRECATED_QUERY_KEYS.keys() & request.query_params.keys():
            pairs = request.query_params.multi_items()
            renamed = [(DEPRECATED_QUERY_KEYS.get(k, k), v) for k, v in pairs]
            request.scope["query_string"] = urlencode(renamed).encode()
        response = await call_next(request)
        response.headers[VERSION_HEADER] = API_VERSION
        if request.url.path.startswith(MAJOR + "/"):
            response.headers.update(API_HEADERS)
        elif request.url.path in docs:
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

    @app.get("/openapi.json", include_in_schema=False)
    async def old_openapi_location() -> RedirectResponse:
        return RedirectResponse(OPENAPI_URL, status_code=308)

    @app.exception_handler(RequestValidationError)
    async def readable_validation(request: Request, exc: RequestValidationError) -> Response:
        """Invalid input: every invalid field at once, in Dutch (400, Design Rules
        /core/error-handling/invalid-input)."""
        errors = invalid_params(exc.errors())
        if is_page(request):  # no names or codes of fields: a page's form was tampered with
            reasons = dict.fromkeys(form_reason(e) for e in exc.errors())
            return web.error_page(request, 422, "; ".join(reasons))
        return problem(request, 400, summary(errors), errors=errors)

    @app.exception_handler(ValidationError)
    async def invalid_part(request: Request, exc: ValidationError) -> Response:
        """A part of a body that is read further on (a referral's start data): invalid
        input as well."""
        errors = invalid_params(exc.errors())
        if is_page(request):  # no names or codes of fields: a page's form was tampered with
            reasons = dict.fromkeys(form_reason(e) for e in exc.errors())
            return web.error_page(request, 422, "; ".join(reasons))
        return problem(request, 400, summary(errors), errors=errors)

    async def database_unreachable(request: Request, exc: Exception) -> Response:
        log.warning("Postgres unreachable: %s", type(exc).__name__)
        if is_page(request):
            return web.error_page(request, 503, "De database is even niet bereikbaar.")
        return database_down(request)

    for down in DATABASE_DOWN:
        app.add_exception_handler(down, database_unreachable)

    @app.exception_handler(RPCError)
    async def temporal_down(request: Request, exc: RPCError) -> JSONResponse:
        log.warning("Temporal call failed: %s", exc.status)
        detail = "de orkestratiedienst (Temporal) is niet bereikbaar; probeer het opnieuw"
        return problem(request, 503, detail, headers={"Retry-After": str(RETRY_AFTER)})

    @app.exception_handler(RuntimeError)
    async def temporal_never_reached(request: Request, exc: RuntimeError) -> Response:
        """Temporal was not reached since the API started (a lazy client's connection)."""
        if not not_reached(exc):
            return await unexpected(request, exc)
        log.warning("Temporal not reached")
        detail = "de orkestratiedienst (Temporal) is niet bereikbaar; probeer het opnieuw"
        return problem(request, 503, detail, headers={"Retry-After": str(RETRY_AFTER)})

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        """A fault of ours: logged with its trace, answered without its content."""
        trace = "".join(traceback.format_tb(exc.__traceback__))  # not its message: data
        log.error("unexpected %s on %s\n%s", type(exc).__name__, request.url.path, trace)
        detail = "er ging iets mis aan onze kant; het is gelogd, probeer het later opnieuw"
        if is_page(request):
            return web.error_page(request, 500, detail)
        return problem(request, 500, detail)

    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,metrics", server_request_hook=telemetry.span_without_query
    )
    # outermost, added last: no middleware (nor authentication) reads a body past the cap
    app.add_middleware(CappedBody, limit=MAX_BODY_BYTES)
    return app
