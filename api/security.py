"""What guards the web surface: the security headers of every answer, the characters no
request may carry, the size of a body, the CSRF token of the pages' forms and where CORS
applies."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from urllib.parse import urlsplit

from fastapi import HTTPException
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import problem

# every answer, API and pages alike (NL API Design Rules /core/transport/security-headers)
COMMON_HEADERS = {
    "Strict-Transport-Security": "max-age=31536000",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
# an API answer is data, never a document a browser renders
API_HEADERS = {
    **COMMON_HEADERS,
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; object-src 'none'; frame-ancestors 'none'",
}
# a page loads its own scripts, style sheet and images only, runs no inline script or style,
# sends htmx requests to this site only, and is kept in no cache (case data). No form-action:
# the sign-in form is redirected on to the organisation's identity provider, which a browser
# counts as the form's target
PAGE_HEADERS = {
    **COMMON_HEADERS,
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'"
    ),
}
# the API's documentation (Swagger UI, ReDoc) comes from their CDN with an inline script of
# FastAPI's own: a page without data or forms, the one place allowed either
DOCS_HEADERS = {
    **PAGE_HEADERS,
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
        "style-src https://cdn.jsdelivr.net https://fonts.googleapis.com; "
        "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
        "https://cdn.redoc.ly; worker-src blob:; connect-src 'self'; object-src 'none'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}

# what Postgres cannot store in text, as a request carries it (raw, URL-encoded or as a JSON
# escape): NUL, and half a UTF-16 surrogate pair (no character at all) as a JSON escape; as
# raw bytes it is invalid UTF-8, which the request's validation refuses itself
NUL = re.compile(rb"%00|\\u0000|\x00", re.IGNORECASE)
LONE_SURROGATE = re.compile(
    rb"\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)
# a header value is text on one line: no control character but the tab (RFC 9110 5.5)
HEADER_CONTROL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


def unstorable(raw: bytes) -> str | None:
    """Why `raw` (a path, query or body as sent) cannot be taken, in Dutch; None: it can."""
    if NUL.search(raw):
        return "het verzoek bevat een NUL-teken (\\u0000); dat kan niet worden opgeslagen"
    if LONE_SURROGATE.search(raw):
        return (
            "het verzoek bevat een losse helft van een UTF-16-surrogaatpaar (\\ud800-\\udfff);"
            " dat is geen teken en kan niet worden opgeslagen"
        )
    return None


def bad_header(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The name of the first header whose value carries a control character."""
    return next(
        (name.decode("latin-1") for name, value in headers if HEADER_CONTROL.search(value)), None
    )


CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


def csrf_token(key: bytes, session_id: str) -> str:
    """The token of a session's forms: bound to the session, so a page of another site cannot
    know it, and valid exactly as long as the session."""
    digest = hmac.new(key, f"csrf:{session_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def cross_site(request: Request, *also: str) -> bool:
    """Whether the browser says this request was sent by a page of another origin than this
    service's (or one of `also`): its `Origin`; when that is "null" (our pages send no
    referrer, so a browser says "null" for their forms) or absent, its `Sec-Fetch-Site`. A
    request that says neither comes from no browser, so from no page of another site."""
    origin = request.headers.get("origin")
    if origin is not None and origin != "null":
        own = f"{request.url.scheme}://{request.url.netloc}"
        trusted = {own, *(f"{u.scheme}://{u.netloc}" for u in map(urlsplit, also))}
        return origin not in trusted
    site = request.headers.get("sec-fetch-site")
    if site is None:
        return origin == "null"  # an opaque origin (a sandboxed frame, say) and nothing else
    return site not in ("same-origin", "none")


class BodyTooLarge(HTTPException):
    """More of a body arrived than is taken; raised from `receive`, wherever it is read."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"het verzoek is groter dan {limit} bytes")


class CappedBody:
    """Every request body at most `limit` bytes, counted as it arrives (a `Content-Length`
    that says more is refused at once; a chunked body once more has come in), before any
    other middleware or authentication reads it and without keeping more than `limit`:
    a 413 in Dutch, and the rest is never read. Outermost, so nothing reads past it."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.limit):
            return await self._refuse(scope, receive, send)
        received, over, started = 0, False, False

        async def capped() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    over = True
                    raise BodyTooLarge(self.limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped, tracked)
        except Exception:  # raised where the body was read, maybe in an exception group
            if not over or started:  # another error; or an answer under way: nothing to add
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        e = BodyTooLarge(self.limit)
        response = problem(Request(scope), 413, e.detail, headers={"Connection": "close"})
        await response(scope, receive, send)


class CorsFor:
    """Credentialed CORS for one origin on the paths under `prefix` only (the codec for the
    Temporal UI); every other path answers as if CORS did not exist."""

    def __init__(self, app: ASGIApp, prefix: str, origin: str) -> None:
        self.app, self.prefix = app, prefix
        self.cors = CORSMiddleware(
            app,
            allow_origins=[origin],
            allow_methods=["POST"],
            allow_headers=["authorization", "content-type", "x-namespace"],
            allow_credentials=True,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        under = scope["type"] == "http" and (
            scope["path"] == self.prefix or scope["path"].startswith(self.prefix + "/")
        )
        await (self.cors if under else self.app)(scope, receive, send)
