"""What guards the web surface: the security headers of every answer, the characters no
request may carry, the CSRF token of the pages' forms and the sign-in rate limit."""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import time
from collections import deque

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


class RateLimit:
    """At most `per_minute` attempts per key within any minute, counted in this process (with
    several API processes each counts its own share)."""

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}

    def wait(self, limits: dict[str, int]) -> int:
        """Seconds until an attempt is allowed under every (key: per minute) limit; 0 counts
        this attempt under each key."""
        now = time.monotonic()
        for key, seen in list(self._seen.items()):  # forget what is older than a minute
            while seen and seen[0] <= now - 60:
                seen.popleft()
            if not seen:
                del self._seen[key]
        waits = [
            math.ceil(self._seen[key][0] + 60 - now)
            for key, per_minute in limits.items()
            if len(self._seen.get(key, ())) >= per_minute
        ]
        if waits:
            return max(1, *waits)
        for key in limits:
            self._seen.setdefault(key, deque()).append(now)
        return 0
