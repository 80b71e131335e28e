"""The FastAPI application: one pool and one Temporal client per process."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from api import advice_pages, pages
from api.auth import current_principal
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
    procedures,
    regions,
)
from api.schemas import ERROR_RESPONSES
from ketenregie.settings import Settings
from services import advice as advice_service
from services import case as case_service
from services.errors import DATABASE_DOWN, RETRY_AFTER, Refused
from store import access_log as access_log_store
from store import advice as advice_store
from store import cases as case_store
from store import idempotency
from store.db import create_pool
from workers.case_keys import PostgresKeyStore
from workers.client import connect
from workflows.registry import PROCEDURES

log = logging.getLogger("ketenregie.api")
MAX_BODY_BYTES = 256 * 1024
IDEMPOTENCY_KEY = "Idempotency-Key"
RESUME_EVERY_SECONDS = 10.0


async def resume_pending_cases(app: FastAPI) -> int:
    """Start the workflows of cases (and advice questions) stored while Temporal was
    unreachable; return how many."""
    settings = app.state.settings
    async with app.state.pool.acquire() as conn:
        started = 0
        for case_id in await case_store.not_started(conn):
            await case_service.start_case(
                app.state.temporal,
                settings.policy,
                settings.task_queue,
                await case_store.get_case(conn, case_id),
            )
            await case_store.mark_started(conn, case_id)
            started += 1
        for question in await advice_store.not_started(conn):
            await advice_service.start_workflow(
                app.state.temporal, settings.policy, settings.task_queue, question
            )
            await advice_store.mark_started(conn, question["advice_id"])
            started += 1
    return started


async def _resume_loop(app: FastAPI) -> None:
    while True:
        try:
            if n := await resume_pending_cases(app):
                log.info("started %d pending case workflow(s)", n)
        except RPCError:
            log.warning("Temporal unreachable; pending cases will be started later")
        await asyncio.sleep(RESUME_EVERY_SECONDS)


def is_page(request: Request) -> bool:
    return request.url.path == "/" or request.url.path.startswith(pages.PAGE_PREFIXES)


def database_down() -> JSONResponse:
    """Postgres is unreachable: a clear 503 the client may retry, never a 500."""
    detail = "de database (Postgres) is niet bereikbaar; probeer het opnieuw"
    return JSONResponse({"detail": detail}, 503, {"Retry-After": str(RETRY_AFTER)})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.pool = await create_pool(settings.database_url)
        # The access log and the codec's case keys have connections of their own: a request
        # holds one of the main pool while it waits for Temporal (whose codec needs a key) and
        # until its response is out (when it is logged), so under load they would wait on it.
        app.state.side_pool = await create_pool(settings.database_url, min_size=1, max_size=4)
        app.state.case_keys = PostgresKeyStore(app.state.side_pool, settings.keyring)
        app.state.temporal = await connect(settings, app.state.case_keys)
        resumer = asyncio.create_task(_resume_loop(app))
        try:
            yield
        finally:
            resumer.cancel()
            await app.state.pool.close()
            await app.state.side_pool.close()

    app = FastAPI(
        title="ketenregie",
        version="1",
        summary="Case orchestration for the Veilig Thuis chain: meldingen, cases, tijdelijk huisverbod, "
        "child protection, MDA++, acute safety",
        lifespan=lifespan,
    )
    for module in (
        case,
        acute_safety,
        huisverbod,
        advice,
        regions,
        figures,
        access_log,
        codec,
        deadlines,
    ):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    app.include_router(procedures.build_router(), responses=ERROR_RESPONSES)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[settings.temporal_ui_origin],
        allow_methods=["POST"],
        allow_headers=["authorization", "content-type", "x-namespace"],
        allow_credentials=True,
    )
    app.include_router(health.router)
    app.include_router(pages.router)
    app.include_router(advice_pages.router)
    app.mount("/static", StaticFiles(directory=Path(pages.__file__).with_name("static")), "static")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        """Pages get a page with the reason; the API its JSON."""
        if is_page(request):
            return pages.error_page(request, exc.status_code, str(exc.detail))
        return await http_exception_handler(request, exc)

    @app.exception_handler(Refused)
    async def refused(request: Request, exc: Refused) -> Response:
        """A service's refusal: its status and reason; a page shows it as a page."""
        if is_page(request):
            return pages.error_page(request, exc.status_code, exc.detail)
        headers = {"Retry-After": str(RETRY_AFTER)} if exc.status_code == 503 else None
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=headers)

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
            async with app.state.side_pool.acquire() as conn:
                await access_log_store.append(
                    conn,
                    principal=principal,
                    action=entry.action,
                    outcome=response.status_code,
                    client=request.client.host if request.client else "",
                    case_ids=entry.case_ids,
                    person_refs=entry.person_refs,
                    huisverbod_id=entry.huisverbod_id,
                    detail=entry.detail,
                    view_id=entry.view_id,
                )
        except DATABASE_DOWN:  # a read that cannot be logged is not given: NEN 7513
            return database_down()
        return response

    # the commands that create something, and the steps of an advice question (whose answers
    # carry no texts): only their answers (ids, statuses, never a case file) are kept
    slugs = "|".join(re.escape(p.spec.slug) for p in PROCEDURES.values())
    creating = re.compile(
        rf"/v1/meldingen|/v1/cases/[^/]+/(huisverbod-requests|{slugs}"
        rf"|acute-safety/[^/]+/placements)"
        r"|/v1/adviesvragen(/[^/]+/(advies|opvolging|sluiten|melding))?"
    )

    @app.middleware("http")
    async def idempotent(request: Request, call_next):
        """A POST with an `Idempotency-Key` runs once per principal and key (kept 24 hours):
        a repeat with the same body gets the first answer, status and id alike; the same key
        with another body gets 422; a repeat while the first still runs gets 409."""
        key = request.headers.get(IDEMPOTENCY_KEY)
        if request.method != "POST" or not key or not creating.fullmatch(request.url.path):
            return await call_next(request)
        if len(key) > 200:
            return JSONResponse({"detail": f"{IDEMPOTENCY_KEY} is langer dan 200 tekens"}, 422)
        try:
            principal = await current_principal(request, app.state.settings)
        except StarletteHTTPException:
            return await call_next(request)  # refused below, with its own reason
        who = f"{principal.org}/{principal.subject}"
        digest = hashlib.sha256(request.url.path.encode() + b"\n" + await request.body())
        try:
            async with app.state.pool.acquire() as conn:
                earlier = await idempotency.claim(conn, who, key, digest.hexdigest())
        except DATABASE_DOWN:
            return database_down()
        if earlier is not None:
            if earlier["request_hash"] != digest.hexdigest():
                detail = f"deze {IDEMPOTENCY_KEY} is al gebruikt voor een ander verzoek"
                return JSONResponse({"detail": detail}, 422)
            if earlier["status"] is None:
                detail = f"een verzoek met deze {IDEMPOTENCY_KEY} loopt nog; probeer het opnieuw"
                return JSONResponse({"detail": detail}, 409, {"Retry-After": str(RETRY_AFTER)})
            return JSONResponse(earlier["body"], earlier["status"], {"Idempotent-Replayed": "true"})
        request.state.idempotency_seed = f"{who}:{key}"
        response = None
        try:
            response = await call_next(request)
            content = b"".join([chunk async for chunk in response.body_iterator])
        finally:
            keep = response is not None and response.status_code < 500
            json_body = keep and response.headers.get("content-type", "").startswith(
                "application/json"
            )
            with contextlib.suppress(*DATABASE_DOWN):
                async with app.state.pool.acquire() as conn:
                    if json_body:
                        body = json.loads(content)
                        await idempotency.remember(conn, who, key, response.status_code, body)
                    else:
                        await idempotency.release(conn, who, key)
        return Response(content, response.status_code, dict(response.headers))

    @app.middleware("http")
    async def limit_body(request: Request, call_next):
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > MAX_BODY_BYTES):
            return JSONResponse(
                {"detail": f"het verzoek is groter dan {MAX_BODY_BYTES} bytes"}, 413
            )
        return await call_next(request)

    @app.exception_handler(RequestValidationError)
    async def readable_validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "field": "body"
                if e["type"] == "json_invalid"
                else ".".join(str(p) for p in e["loc"] if p != "body"),
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        summary = "; ".join(f"{e['field'] or 'body'}: {e['message']}" for e in errors)
        if is_page(request):
            return pages.error_page(request, 422, summary)
        return JSONResponse({"detail": summary, "errors": errors}, status_code=422)

    async def database_unreachable(request: Request, exc: Exception) -> Response:
        log.warning("Postgres unreachable: %s", type(exc).__name__)
        if is_page(request):
            return pages.error_page(request, 503, "De database is even niet bereikbaar.")
        return database_down()

    for down in DATABASE_DOWN:
        app.add_exception_handler(down, database_unreachable)

    @app.exception_handler(RPCError)
    async def temporal_down(request: Request, exc: RPCError) -> JSONResponse:
        log.warning("Temporal call failed: %s", exc.status)
        return JSONResponse(
            {"detail": "de orkestratiedienst (Temporal) is niet bereikbaar; probeer het opnieuw"},
            503,
        )

    FastAPIInstrumentor.instrument_app(app, excluded_urls="healthz,metrics")
    return app
