"""Sign-in for the pages at the OpenID provider: authorization code flow with PKCE (S256).

Stateless on our side: state, nonce and the code verifier travel in a short-lived cookie that
this service signs. The provider's configuration and keys are read at every sign-in, so a key
rotation at the provider needs nothing here (a sign-in is rare next to page views).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import httpx
import jwt

from api.auth import ALGORITHMS_OIDC
from infra.settings import Settings

FLOW_COOKIE = "ketenregie_oidc"
FLOW_PATH = "/aanmelden/oidc"
FLOW_MINUTES = 10
FLOW_AUDIENCE = "ketenregie-oidc-flow"
CLOCK_SKEW = timedelta(seconds=30)  # between the provider's clock and ours
TIMEOUT = httpx.Timeout(10.0)
UNREACHABLE = "De identity provider is niet bereikbaar; probeer het later."


class SignInRefused(Exception):
    """A sign-in that cannot go on; the page shows `reason` (Dutch) with `status_code`."""

    def __init__(self, status_code: int, reason: str) -> None:
        super().__init__(reason)
        self.status_code, self.reason = status_code, reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _provider(client: httpx.AsyncClient, issuer: str) -> dict:
    """The provider's metadata; its issuer must be the one configured (OIDC Discovery 4.3)."""
    try:
        response = await client.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration")
        response.raise_for_status()
        meta = response.json()
    except (httpx.HTTPError, ValueError):
        raise SignInRefused(502, UNREACHABLE) from None
    if not isinstance(meta, dict) or meta.get("issuer") != issuer:
        raise SignInRefused(502, "De identity provider noemt zich anders dan ingesteld (issuer).")
    if not all(meta.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")):
        raise SignInRefused(502, "De identity provider noemt niet al zijn adressen.")
    return meta


async def start(settings: Settings, redirect_url: str) -> tuple[str, str]:
    """Where to send the browser, and the signed flow cookie to set."""
    state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        meta = await _provider(client, settings.oidc_issuer)
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": redirect_url,
        "scope": settings.oidc_scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": _b64(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
    }
    flow = {
        "aud": FLOW_AUDIENCE,
        "exp": datetime.now(UTC) + timedelta(minutes=FLOW_MINUTES),
        "state": state,
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_url,
    }
    cookie = jwt.encode(flow, settings.session_key, algorithm="HS256")
    return f"{meta['authorization_endpoint']}?{urlencode(query)}", cookie


def _flow(settings: Settings, cookie: str | None, state: str | None) -> dict:
    """The sign-in this browser started, if `state` is the one it was sent off with."""
    try:
        flow = jwt.decode(
            cookie or "", settings.session_key, algorithms=["HS256"], audience=FLOW_AUDIENCE
        )
    except jwt.PyJWTError:
        flow = None
    if flow is None or not hmac.compare_digest(str(flow["state"]), state or ""):
        raise SignInRefused(
            400, "Deze aanmelding is verlopen of niet in deze browser begonnen; begin opnieuw."
        )
    return flow


async def finish(settings: Settings, cookie: str | None, state: str | None, code: str) -> dict:
    """Exchange the code for an ID token; the person it names as claims `sub`, `org` and `role`
    (read from the claims the settings name), for `principal_from` to look up in the chain."""
    flow = _flow(settings, cookie, state)
    secret = settings.oidc_client_secret
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": flow["redirect_uri"],
        "code_verifier": flow["verifier"],
        "client_id": settings.oidc_client_id,
    }
    auth = (settings.oidc_client_id, secret.get_secret_value()) if secret else None
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        meta = await _provider(client, settings.oidc_issuer)
        try:
            answer = await client.post(meta["token_endpoint"], data=form, auth=auth)
            keys = (await client.get(meta["jwks_uri"])).raise_for_status().json()
            id_token = answer.json().get("id_token") if answer.status_code == 200 else None
        except (httpx.HTTPError, ValueError):
            raise SignInRefused(502, UNREACHABLE) from None
    if not isinstance(id_token, str):
        raise SignInRefused(403, "De identity provider gaf voor deze aanmelding geen ID-token.")
    claims = _checked(settings, id_token, keys, flow["nonce"])
    return {
        "sub": claims["sub"],
        "org": claims.get(settings.oidc_org_claim),
        "role": claims.get(settings.oidc_role_claim),
    }


def _checked(settings: Settings, id_token: str, keys: dict, nonce: str) -> dict:
    """The ID token's claims: signed by one of the provider's keys, from the configured issuer,
    for this client, not expired, and carrying the nonce of this sign-in (OIDC Core 3.1.3.7)."""
    try:
        kid = jwt.get_unverified_header(id_token).get("kid")
        found = [k for k in jwt.PyJWKSet.from_dict(keys).keys if kid in (None, k.key_id)]
        if not found:
            raise jwt.InvalidKeyError("no key of the provider signed this token")
        claims = jwt.decode(
            id_token,
            found[0].key,
            algorithms=ALGORITHMS_OIDC,
            audience=settings.oidc_client_id,
            issuer=settings.oidc_issuer,
            leeway=CLOCK_SKEW,
            options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
        )
    except jwt.ExpiredSignatureError:
        raise SignInRefused(403, "Het ID-token van de identity provider is verlopen.") from None
    except jwt.InvalidIssuerError:
        raise SignInRefused(
            403, "Het ID-token komt van een andere uitgever dan de ingestelde identity provider."
        ) from None
    except jwt.InvalidAudienceError:
        raise SignInRefused(403, "Het ID-token is niet voor deze toepassing bedoeld.") from None
    except jwt.PyJWTError:
        raise SignInRefused(403, "Het ID-token is ongeldig (handtekening of inhoud).") from None
    if not hmac.compare_digest(str(claims["nonce"]), nonce):
        raise SignInRefused(403, "Het ID-token hoort niet bij deze aanmelding (nonce).")
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise SignInRefused(403, "Het ID-token is niet voor deze toepassing bedoeld (azp).")
    return claims
