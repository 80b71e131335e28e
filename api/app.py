"""The FastAPI application, made of named parts: its lifespan (`api.lifespan`), its routes
(below), its exception handlers (`api.errors`) and its middlewares (`api.middleware`)."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute

from api import web
from api.deps import keeps_answer
from api.errors import add_exception_handlers
from api.lifespan import lifespan
from api.middleware import add_middlewares
from api.openapi import API_VERSION, OPENAPI_URL, v1_document
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
from domain.catalogue import CATALOGUE, Catalogue
from infra.settings import Settings

V1_ROUTERS = (
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
)


def create_app(settings: Settings | None = None, catalogue: Catalogue = CATALOGUE) -> FastAPI:
    """The API and the pages for `settings` (read from the environment when not given), for
    the procedures of `catalogue` (the release's unless a test builds its own)."""
    settings = settings or Settings()
    app = FastAPI(
        title="ketenregie",
        version=API_VERSION,
        summary="Ketenregie voor Veilig Thuis en zijn ketenpartners",
        lifespan=lifespan(settings),
        openapi_url=OPENAPI_URL,
        redirect_slashes=False,  # a trailing slash is a 404, never a redirect (/core/no-trailing-slash)
    )
    app.state.catalogue = catalogue
    app.openapi = functools.cache(lambda: v1_document(app, settings.api_contact))  # type: ignore[method-assign]
    idempotent = include_routes(app, catalogue)
    add_exception_handlers(app)
    add_middlewares(app, settings, idempotent)
    return app


def include_routes(app: FastAPI, catalogue: Catalogue) -> list[BaseRoute]:
    """The v1 API (each route with the error responses every route may give, in the OpenAPI
    document), the routes of `catalogue`'s procedures, health, the pages and their static
    files. Returns the v1 routes that declare `IDEMPOTENT`: the idempotency middleware keeps
    their answers, so which ones it keeps is said once, by the route."""
    v1 = [module.router for module in V1_ROUTERS] + [procedures.build_router(catalogue)]
    for router in v1:
        app.include_router(router, responses=ERROR_RESPONSES)
    app.include_router(health.router)
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).with_name("static")), "static")

    @app.get("/openapi.json", include_in_schema=False)
    async def old_openapi_location() -> RedirectResponse:
        """The document's place before v1 had its own: a client that kept it is sent on."""
        return RedirectResponse(OPENAPI_URL, status_code=308)

    return [route for router in v1 for route in router.routes if keeps_answer(route)]
