"""Bearer tokens (JWT): issuer, audience, expiry and signature checked; the organisation and
role in the token are looked up in the chain configuration. Deny by default.

Two credentials, never one for the other: an API token (`/v1`, the `Authorization` header) and
a page session (the cookie; its own audience and `typ`, signed by this service, ended by
signing out). `credential` is the one place that says which one a request carries."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Annotated

import jwt
from fastapi import Depends, HTTPException, Request

from api.deps import SettingsDep
from domain.access import Action, Principal, denial, roles_for
from infra.settings import Settings
from services import sessions
from services.context import AuditEntry

ALGORITHMS_OIDC = ["RS256", "ES256"]
SESSION_AUDIENCE = "ketenregie-pages"  # a session is never a token for the API's audience
SESSION_TYPE = "session"
VIEW_HEADER = "X-View-Id"  # sent by a page's live parts: their refreshes are one view


def _sign(
    settings: Settings,
    key: bytes,
    org: str,
    role: str,
    subject: str,
    hours: float,
    name: str = "",
    session: bool = False,
) -> str:
    now = datetime.now(UTC)
    claims = (
        {
            "iss": settings.jwt_issuer,
            "aud": SESSION_AUDIENCE if session else settings.jwt_audience,
            "iat": now,
            "exp": now + timedelta(hours=hours),
            "sub": subject,
            "org": org,
            "role": role,
            "jti": uuid.uuid4().hex,  # names the session, so signing out can end it (`sessions`)
        }
        | ({"name": name} if name else {})
        | ({"typ": SESSION_TYPE} if session else {})
    )
    return jwt.encode(claims, key, algorithm="HS256")


def mint_token(
    settings: Settings,
    *,
    org: str,
    role: str,
    subject: str | None = None,
    hours: float = 8,
    name: str = "",
) -> str:
    """A locally signed token (development and tests; production tokens come from the OIDC provider)."""
    subject = subject or f"user-{uuid.uuid4().hex[:8]}"
    return _sign(settings, settings.dev_signing_key, org, role, subject, hours, name)


def session_token(settings: Settings, principal: Principal) -> str:
    """The pages' session, signed by this service whoever signed the person in (dev sign-in or
    the OIDC provider), so every page checks one key and the chain configuration again; it
    carries the person's name, which a decision taken on the pages is signed with."""
    return _sign(
        settings,
        settings.session_key,
        principal.org,
        principal.role,
        principal.subject,
        settings.session_hours,
        principal.name,
        session=True,
    )


@cache
def _jwks(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url)


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, reason, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def decode(settings: Settings, token: str) -> dict:
    """The claims of a bearer token: the OIDC provider's (JWKS), else one signed locally;
    never a page session, whatever key signed it."""
    if settings.oidc_jwks_url:
        claims = _checked(
            settings,
            token,
            lambda: _jwks(settings.oidc_jwks_url).get_signing_key_from_jwt(token).key,
            ALGORITHMS_OIDC,
            settings.jwt_audience,
        )
    else:
        claims = _checked(
            settings, token, lambda: settings.dev_signing_key, ["HS256"], settings.jwt_audience
        )
    if claims.get("typ") == SESSION_TYPE:
        raise _unauthorized("een sessie van de pagina's is geen token voor de API")
    return claims


def read_session(settings: Settings, token: str) -> dict:
    """The claims of a page session (see `session_token`); never an API token."""
    claims = _checked(
        settings, token, lambda: settings.session_key, ["HS256"], SESSION_AUDIENCE, ("jti", "typ")
    )
    if claims["typ"] != SESSION_TYPE:
        raise _unauthorized("dit is geen sessie van de pagina's")
    return claims


def _checked(
    settings: Settings,
    token: str,
    key,
    algorithms: list[str],
    audience: str,
    required: tuple[str, ...] = (),
) -> dict:
    try:
        return jwt.decode(
            token,
            key(),
            algorithms=algorithms,
            audience=audience,
            issuer=settings.jwt_issuer,
            options={"require": ["exp", "iss", "aud", "sub", *required]},
        )
    except jwt.ExpiredSignatureError:
        raise _unauthorized("het token is verlopen") from None
    except jwt.PyJWTError as e:
        raise _unauthorized(f"ongeldig token: {e}") from None


def principal_from(settings: Settings, claims: dict) -> Principal:
    """The person the claims name, for an organisation of the chain configuration in a role
    the chain has for its kind; 403 otherwise."""
    org = str(claims.get("org", ""))
    partner = settings.chain.organisation(org)
    if partner is None:
        raise HTTPException(403, f"organisatie {claims.get('org')!r} hoort niet bij deze keten")
    region = (settings.chain.partner(org) or (None, None))[0]
    role = str(claims.get("role", ""))
    if role not in roles_for(partner.kind):
        raise HTTPException(403, f"{role!r} is not a role of a {partner.kind}")
    return Principal(
        subject=str(claims["sub"]),
        name=str(claims.get("name") or "")[:80],
        org=partner.id,
        org_kind=partner.kind,
        role=role,
        region=region.slug if region else None,
        municipality=partner.municipality,
    )


SESSION_COOKIE = "ketenregie_session"


@dataclass(frozen=True)
class Credential:
    """What authenticates a request: an API token, or the page session (`session`), which a
    browser sends by itself and so needs the CSRF token for a change."""

    token: str
    session: bool


def credential(request: Request) -> Credential | None:
    """The one decision of what authenticates `request`: on `/v1` only the bearer token of
    the `Authorization` header (a cookie is never looked at); elsewhere that token when the
    header says something, else the session cookie. None: nothing usable."""
    header = request.headers.get("authorization", "").strip()
    if header or request.url.path.startswith("/v1"):
        scheme, _, token = header.partition(" ")
        token = token.strip()
        return Credential(token, False) if scheme.lower() == "bearer" and token else None
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return Credential(cookie, True) if cookie else None


async def current_principal(request: Request, settings: SettingsDep) -> Principal:
    """The caller from the request's credential (`credential`): an API token, or on pages a
    session in the cookie (HttpOnly, SameSite=Strict) that was not ended by signing out."""
    found = credential(request)
    if found is None:
        raise HTTPException(
            401, "een bearer-token is nodig", headers={"WWW-Authenticate": "Bearer"}
        )
    if not found.session:
        principal = principal_from(settings, decode(settings, found.token))
        request.state.principal = principal
        return principal
    claims = read_session(settings, found.token)
    if await sessions.ended(request.app.state.pool, claims["jti"]):
        raise _unauthorized("deze sessie is beëindigd; meld u opnieuw aan")
    principal = principal_from(settings, claims)
    request.state.principal = principal
    request.state.session_id = claims["jti"]  # its forms carry a token bound to it (`csrf_token`)
    return principal


def allowed(action: Action):
    """Dependency: the caller, who must be allowed `action`; the request is audited as `action`.
    Routes and pages alike."""

    async def check(
        request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        audit(request).action = action
        if not principal.may(action):
            raise HTTPException(403, denial(principal.org_kind, principal.role, action))
        return principal

    return check


def audit(request: Request) -> AuditEntry:
    """The request's access-log entry, created on first use."""
    if not hasattr(request.state, "audit"):
        seed = getattr(request.state, "idempotency_seed", None)
        view = request.headers.get(VIEW_HEADER) or None
        request.state.audit = AuditEntry(dict(request.path_params), seed, view and view[:64])
    return request.state.audit


Caller = Annotated[Principal, Depends(current_principal)]
AuditDep = Annotated[AuditEntry, Depends(audit)]
