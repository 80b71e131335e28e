"""How a failure is answered: the API with problem details (RFC 9457, Design Rules
/core/error-handling), a page with a Dutch page; an unreachable Postgres or Temporal as a 503
the client may retry, never a 500; a fault of ours logged with its trace but not its content."""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from api import web
from api.problems import form_reason, invalid_params, problem, summary
from infra.client import not_reached
from services.errors import DATABASE_DOWN, RETRY_AFTER, Refused

log = logging.getLogger("ketenregie.api")
NOT_PAGES = ("/v1", "/codec", "/healthz", "/readyz", "/metrics", "/openapi.json")
# Starlette's own reasons (an unknown URL, a method a route lacks), said in Dutch
STARLETTE_REASONS = {
    "Not Found": "deze URL bestaat niet",
    "Method Not Allowed": "deze methode is hier niet toegestaan",
    "Unsupported Media Type": "dit mediatype wordt niet ondersteund; stuur application/json",
}
TEMPORAL_DOWN = "de orkestratiedienst (Temporal) is niet bereikbaar; probeer het opnieuw"


def is_page(request: Request) -> bool:
    """Whatever is not the API is a page, an unknown URL too: its errors are Dutch pages."""
    return not request.url.path.startswith(NOT_PAGES)


def database_down(request: Request) -> JSONResponse:
    """Postgres is unreachable: a clear 503 the client may retry, never a 500."""
    detail = "de database (Postgres) is niet bereikbaar; probeer het opnieuw"
    return problem(request, 503, detail, headers={"Retry-After": str(RETRY_AFTER)})


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    """Pages get a page with the reason; the API its problem details."""
    detail = STARLETTE_REASONS.get(str(exc.detail), str(exc.detail))
    if is_page(request):
        return web.error_page(request, exc.status_code, detail)
    return problem(request, exc.status_code, detail, headers=exc.headers)


async def refused(request: Request, exc: Refused) -> Response:
    """A service's refusal: its status and reason; a page shows it as a page."""
    if is_page(request):
        return web.error_page(request, exc.status_code, exc.detail)
    headers = {"Retry-After": str(RETRY_AFTER)} if exc.status_code == 503 else None
    return problem(request, exc.status_code, exc.detail, headers=headers)


async def invalid_input(
    request: Request, exc: RequestValidationError | ValidationError
) -> Response:
    """Invalid input, of the request or of a part of a body read further on (a referral's
    start data): every invalid field at once, in Dutch (400, Design Rules
    /core/error-handling/invalid-input)."""
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


async def temporal_down(request: Request, exc: RPCError) -> JSONResponse:
    log.warning("Temporal call failed: %s", exc.status)
    return problem(request, 503, TEMPORAL_DOWN, headers={"Retry-After": str(RETRY_AFTER)})


async def temporal_never_reached(request: Request, exc: RuntimeError) -> Response:
    """Temporal was not reached since the API started (a lazy client's connection)."""
    if not not_reached(exc):
        return await unexpected(request, exc)
    log.warning("Temporal not reached")
    return problem(request, 503, TEMPORAL_DOWN, headers={"Retry-After": str(RETRY_AFTER)})


async def unexpected(request: Request, exc: Exception) -> Response:
    """A fault of ours: logged with its trace, answered without its content."""
    trace = "".join(traceback.format_tb(exc.__traceback__))  # not its message: data
    log.error("unexpected %s on %s\n%s", type(exc).__name__, request.url.path, trace)
    detail = "er ging iets mis aan onze kant; het is gelogd, probeer het later opnieuw"
    if is_page(request):
        return web.error_page(request, 500, detail)
    return problem(request, 500, detail)


def add_exception_handlers(app: FastAPI) -> None:
    """Every failure a request can meet, each to its answer; `Exception` last resort."""
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Refused, refused)
    app.add_exception_handler(RequestValidationError, invalid_input)
    app.add_exception_handler(ValidationError, invalid_input)
    for down in DATABASE_DOWN:
        app.add_exception_handler(down, database_unreachable)
    app.add_exception_handler(RPCError, temporal_down)
    app.add_exception_handler(RuntimeError, temporal_never_reached)
    app.add_exception_handler(Exception, unexpected)
