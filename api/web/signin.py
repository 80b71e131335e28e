"""Signing in and out: the development sign-in, OIDC with the organisation's identity
provider, and the home page each kind of organisation starts from."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from api import oidc
from api.auth import SESSION_COOKIE, current_principal, principal_from, read_session, session_token
from api.deps import PartsDep, SettingsDep
from api.security import cross_site
from api.web.render import page
from domain.access import ORG_KIND_NAMES, ROLE_NAMES, Principal, roles_for
from services import case as case_service
from services import sessions, sign_ins

router = APIRouter(include_in_schema=False)


HOMES = {
    "veilig_thuis": None,
    "mayor_office": "/inbox",
    "landelijk": "/cijfers",
    "police": "/politie",
}
"""The kinds of organisation that have pages, each with its start page (Veilig Thuis: its
region's dashboard for a coordinator, a worker's own caseload)."""


def home_of(p: Principal) -> str:
    if p.may("person.search") and not p.may("case.list"):  # the privacy officer
        return f"/regio/{p.region}/inzage"
    if p.org_kind not in HOMES:
        raise HTTPException(403, "voor uw organisatie zijn er (nog) geen pagina's")
    if HOMES[p.org_kind]:
        return HOMES[p.org_kind]
    return f"/regio/{p.region}" if p.may("dashboard.read") else "/mijn-casussen"


FAVICON = Path(__file__).parents[1] / "static" / "favicon.svg"


@router.get("/favicon.ico", response_class=FileResponse)
async def favicon() -> FileResponse:
    """The icon a browser asks for on every page (the pages also name it in their head)."""
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"}
    )


@router.get("/", response_class=RedirectResponse)
async def root(request: Request, settings: SettingsDep) -> Response:
    try:
        principal = await current_principal(request, settings)
    except HTTPException:
        return RedirectResponse("/login", 303)
    return RedirectResponse(home_of(principal), 303)


def _pages_orgs(settings) -> list:
    """The organisations that have pages, in the order of the chain configuration."""
    return [
        p
        for p in [
            *(p for region in settings.chain.regions for p in region.partners),
            *settings.chain.national,
        ]
        if p.kind in HOMES and roles_for(p.kind)
    ]


def role_choices(orgs) -> list[tuple[str, str, str]]:
    """(organisation kind, role, label) for every role an offered organisation has: the label
    names the kind, so two roles both called "medewerker" are told apart."""
    kinds = sorted({p.kind for p in orgs})
    return [
        (kind, role, f"{ROLE_NAMES.get(role, role)} ({ORG_KIND_NAMES.get(kind, kind)})")
        for kind in kinds
        for role in roles_for(kind)
    ]


def _login_page(request: Request, settings, status: int = 200, **asked) -> HTMLResponse:
    """Only the organisations and roles that have pages are offered; a role shows only beside
    the organisations of its kind (`pages.js`; without script the server says it)."""
    orgs = _pages_orgs(settings)
    return page(
        request,
        "login.html",
        status,
        orgs=orgs,
        roles=role_choices(orgs),
        dev=settings.dev_sign_in,
        oidc=settings.oidc_issuer is not None,
        asked=asked,
    )


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, settings: SettingsDep) -> HTMLResponse:
    return _login_page(request, settings)


def _signed_in(response: Response, settings, principal: Principal) -> Response:
    token = session_token(settings, principal)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        max_age=int(settings.session_hours * 3600),
    )
    return response


def by_address(request: Request, settings) -> dict[str, int]:
    """The client's address: the connection's, or behind a trusted proxy the one it added
    (uvicorn's `forwarded_allow_ips`, `KETENREGIE_FORWARDED_ALLOW_IPS`)."""
    client = request.client.host if request.client else ""
    return {f"address:{client}": settings.sign_ins_per_minute_per_address}


def by_account(settings, account: str) -> dict[str, int]:
    return {f"account:{account}": settings.sign_ins_per_minute}


async def too_many_attempts(request: Request, limits: dict[str, int]) -> Response | None:
    """A page that says to wait (429 with Retry-After) when this address or this account
    tried to sign in too often within a minute, on any API process; None: go on."""
    wait = await sign_ins.wait(request.app.state.pool, limits)
    if not wait:
        return None
    detail = f"Te veel aanmeldpogingen in korte tijd. Probeer het over {wait} seconden opnieuw."
    response = page(request, "error.html", 429, title="Te veel pogingen", detail=detail)
    response.headers["Retry-After"] = str(wait)
    return response


@router.post("/login")
async def login(
    request: Request,
    settings: SettingsDep,
    parts: PartsDep,
    org: Annotated[str, Form()],
    role: Annotated[str, Form()],
    name: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    """Development sign-in: a locally signed session (only with `KETENREGIE_DEV_SIGN_IN`).
    Only from this site's own sign-in page: a form of another site would sign the browser in
    to an account of its choosing (login CSRF)."""
    if not settings.dev_sign_in:
        raise HTTPException(404, "aanmelden gaat via de identity provider van uw organisatie")
    if cross_site(request, *filter(None, [settings.public_url])):
        raise HTTPException(403, "aanmelden kan alleen vanaf de aanmeldpagina van deze site")
    chosen = next((p for p in _pages_orgs(settings) if p.id == org), None)
    if chosen is None or role not in roles_for(chosen.kind):
        reason = (
            "kies een organisatie uit de lijst"
            if chosen is None
            else f"bij {chosen.name} hoort de rol "
            + " of ".join(ROLE_NAMES.get(r, r) for r in roles_for(chosen.kind))
        )
        return _login_page(request, settings, 422, org=org, role=role, name=name, error=reason)
    account = by_account(settings, f"{org}/{role}/{name.strip().lower()}")
    if refused := await too_many_attempts(request, by_address(request, settings) | account):
        return refused
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    subject = f"dev-{slug}" if slug else f"user-{uuid.uuid4().hex[:8]}"
    claims = {"sub": subject, "org": org, "role": role, "name": name.strip()}
    try:
        principal = principal_from(settings, claims)
    except HTTPException:
        raise HTTPException(422, "onbekende organisatie of rol") from None
    await case_service.signed_in(parts, principal, principal.display_name)
    return _signed_in(RedirectResponse(home_of(principal), 303), settings, principal)


def _refused(request: Request, e: oidc.SignInRefused) -> HTMLResponse:
    response = page(
        request, "error.html", e.status_code, title="Aanmelden mislukt", detail=e.reason
    )
    response.delete_cookie(oidc.FLOW_COOKIE, path=oidc.FLOW_PATH)
    return response


@router.get(oidc.FLOW_PATH)
async def oidc_start(request: Request, settings: SettingsDep) -> Response:
    """Off to the organisation's identity provider (authorization code flow with PKCE)."""
    if settings.oidc_issuer is None:
        raise HTTPException(404, "aanmelden via een identity provider is hier niet ingesteld")
    redirect_url = settings.oidc_redirect_url or str(request.url_for("oidc_callback"))
    try:
        location, flow = await oidc.start(settings, redirect_url)
    except oidc.SignInRefused as e:
        return _refused(request, e)
    response = RedirectResponse(location, 303)
    # Lax, not Strict: the cookie must come back with the provider's redirect to us
    response.set_cookie(
        oidc.FLOW_COOKIE,
        flow,
        httponly=True,
        samesite="lax",
        max_age=oidc.FLOW_MINUTES * 60,
        path=oidc.FLOW_PATH,
    )
    return response


@router.get(f"{oidc.FLOW_PATH}/terug", response_class=HTMLResponse)
async def oidc_callback(
    request: Request,
    settings: SettingsDep,
    parts: PartsDep,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Back from the provider: the ID token checked, its claims looked up in the chain, and the
    same session as the dev sign-in. The home page follows by a refresh from this page, as a
    Strict cookie set at the end of a redirect chain from another site is not sent within it."""
    if settings.oidc_issuer is None:
        raise HTTPException(404, "aanmelden via een identity provider is hier niet ingesteld")
    if refused := await too_many_attempts(request, by_address(request, settings)):
        return refused
    try:
        if error or not code:
            raise oidc.SignInRefused(403, "De identity provider heeft u niet aangemeld.")
        claims = await oidc.finish(settings, request.cookies.get(oidc.FLOW_COOKIE), state, code)
        try:
            principal = principal_from(settings, claims)
        except HTTPException:
            raise oidc.SignInRefused(
                403,
                f"Uw identity provider meldt u aan als {claims['role']!r} van organisatie "
                f"{claims['org']!r}; die organisatie of die rol kent deze keten niet.",
            ) from None
        home = home_of(principal)
    except oidc.SignInRefused as e:
        return _refused(request, e)
    if refused := await too_many_attempts(
        request, by_account(settings, f"{principal.org}/{claims['sub']}")
    ):
        return refused
    name = claims.get("name") or claims.get("preferred_username") or principal.subject
    principal = principal.model_copy(update={"name": str(name)[:80]})
    email = claims.get("email") if claims.get("email_verified", True) else None
    await case_service.signed_in(parts, principal, principal.name, email)
    response = page(request, "signed_in.html", home=home, principal=principal)
    response.delete_cookie(oidc.FLOW_COOKIE, path=oidc.FLOW_PATH)
    return _signed_in(response, settings, principal)


def _session(settings, request: Request) -> dict | None:
    """The claims of the request's session; None: none, or one that no longer holds."""
    try:
        return read_session(settings, request.cookies.get(SESSION_COOKIE, ""))
    except HTTPException:
        return None


@router.get("/logout")
async def confirm_logout(request: Request, settings: SettingsDep) -> Response:
    """A typed or bookmarked sign-out address asks first: only a form of these pages (with the
    session's CSRF token) ends a session, so a link or image on another site cannot."""
    claims = _session(settings, request)
    if claims is None:
        return RedirectResponse("/login", 303)
    request.state.session_id = claims["jti"]
    return page(request, "logout.html")


@router.post("/logout")
async def logout(request: Request, settings: SettingsDep) -> Response:
    """Signing out ends the session on the server too: its cookie, kept or copied, no longer
    opens a page."""
    if (claims := _session(settings, request)) is not None:
        await sessions.end(request.app.state.pool, claims["jti"], claims["exp"])
    response = RedirectResponse("/login", 303)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="strict", secure=settings.secure_cookies
    )
    return response
