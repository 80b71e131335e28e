"""Bearer tokens (JWT): issuer, audience, expiry and signature checked; the organisation and
role in the token are looked up in the chain configuration. Deny by default."""

from __future__ import annotations

import uuid
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
VIEW_HEADER = "X-View-Id"  # sent by a page's live parts: their refreshes are one view


def _sign(
    settings: Settings, key: bytes, org: str, role: str, subject: str, hours: float, name: str = ""
) -> str:
    now = datetime.now(UTC)
    claims = {
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + timedelta(hours=hours),
        "sub": subject,
        "org": org,
        "role": role,
        "jti": uuid.uuid4().hex,  # names the session, so signing out can end it (`sessions`)
    } | ({"name": name} if name else {})
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
    )


@cache
def _jwks(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url)


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(401, reason, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def decode(settings: Settings, token: str) -> dict:
    """The claims of a bearer token: the OIDC provider's (JWKS), else one signed locally."""
    if settings.oidc_jwks_url:
        return _checked(
            settings,
            token,
            lambda: _jwks(settings.oidc_jwks_url).get_signing_key_from_jwt(token).key,
            ALGORITHMS_OIDC,
        )
    return _checked(settings, token, lambda: settings.dev_signing_key, ["HS256"])


def read_session(settings: Settings, token: str) -> dict:
    """The claims of a page session (see `session_token`)."""
    return _checked(settings, token, lambda: settings.session_key, ["HS256"], ("jti",))


def _checked(
    settings: Settings, token: str, key, algorithms: list[str], required: tuple[str, ...] = ()
) -> dict:
    try:
        return jwt.decode(
            token,
            key(),
            algorithms=algorithms,
            audience=settings.jwt_audience,
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


async def current_principal(request: Request, settings: SettingsDep) -> Principal:
    """The caller from the bearer token; web pages (never /v1) may carry a session in the
    cookie instead (HttpOnly, SameSite=Strict)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    session = not header and not request.url.path.startswith("/v1")
    if session:
        scheme, token = "bearer", request.cookies.get(SESSION_COOKIE, "")
    if scheme.lower() != "bearer" or not token:
        raise HTTPException(
            401, "een bearer-token is nodig", headers={"WWW-Authenticate": "Bearer"}
        )
    claims = (read_session if session else decode)(settings, token)
    if session and await sessions.ended(request.app.state.pool, claims["jti"]):
        raise _unauthorized("deze sessie is beëindigd; meld u opnieuw aan")
    principal = principal_from(settings, claims)
    request.state.principal = principal
    if session:  # its forms carry a token bound to it (`api.security.csrf_token`)
        request.state.session_id = claims["jti"]
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
