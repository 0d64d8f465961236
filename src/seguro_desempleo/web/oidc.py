"""OpenID Connect sign-in: the application as a relying party (authorization code + PKCE).
Browser routes of the web area (``/auth/oidc/login``, ``/auth/oidc/callback``), installed by
:func:`seguro_desempleo.web.routes.install`; the settings are built by :mod:`seguro_desempleo.bootstrap`.

Configured by ``SEGURO_OIDC_ISSUER``, ``SEGURO_OIDC_CLIENT_ID``, ``SEGURO_OIDC_CLIENT_SECRET``
(and ``SEGURO_OIDC_DNI_CLAIM``, default ``dni``: the claim Peru's ID Gob.pe carries the DNI in).
The provider's endpoints come from its discovery document; the ID token is validated for its
signature (the provider's JWKS), issuer, audience, expiry and nonce before any account is looked
up. PKCE (RFC 7636, S256) with ``authlib``; the JOSE work with ``joserfc``. The state, nonce and
code verifier travel in a short-lived HttpOnly cookie signed with the server's key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seguro_desempleo.errors import PermissionDeniedError, SeguroError


class AuthError(PermissionDeniedError):
    """The sign-in through the identity provider failed (401)."""

    http_status = 401
    code = "unauthenticated"

FLOW_COOKIE = "sd_oidc"
FLOW_SECONDS = 600
LEEWAY_SECONDS = 60


@dataclass
class OidcSettings:
    issuer: str
    client_id: str
    client_secret: str
    dni_claim: str = "dni"
    scopes: str = "openid profile"
    refreshable: bool = True          # False in tests that hand in a fixed key set
    _meta: dict[str, Any] | None = field(default=None, repr=False)
    _jwks: dict[str, Any] | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls) -> OidcSettings | None:
        issuer = os.environ.get("SEGURO_OIDC_ISSUER")
        if not issuer:
            return None
        return cls(issuer.rstrip("/"), os.environ.get("SEGURO_OIDC_CLIENT_ID", ""),
                   os.environ.get("SEGURO_OIDC_CLIENT_SECRET", ""),
                   os.environ.get("SEGURO_OIDC_DNI_CLAIM", "dni"))

    def metadata(self) -> dict[str, Any]:
        if self._meta is None:
            r = httpx.get(f"{self.issuer}/.well-known/openid-configuration", timeout=10)
            r.raise_for_status()
            meta = r.json()
            if str(meta.get("issuer", "")).rstrip("/") != self.issuer:
                raise AuthError("the identity provider's discovery names another issuer")
            self._meta = meta
        return self._meta

    def jwks(self, refresh: bool = False) -> Any:
        if self._jwks is None or refresh:
            r = httpx.get(self.metadata()["jwks_uri"], timeout=10)
            r.raise_for_status()
            self._jwks = r.json()
        return self._jwks


def validate_id_token(settings: OidcSettings, id_token: str, *, nonce: str, now: float | None = None) -> dict[str, Any]:
    """The ID token's claims, or :class:`AuthError`: signature by a key of the provider's JWKS,
    ``iss`` the configured issuer, ``aud`` our client id, ``exp`` in the future (``iat`` not in
    it), ``nonce`` the one this sign-in sent (OpenID Connect Core §3.1.3.7)."""
    from joserfc import jwt
    from joserfc.errors import JoseError
    from joserfc.jwk import KeySet

    algorithms = ["RS256", "ES256", "PS256"]
    try:
        token = jwt.decode(id_token, KeySet.import_key_set(settings.jwks()), algorithms=algorithms)
    except (JoseError, ValueError) as exc:
        if not settings.refreshable:
            raise AuthError(f"ID token refused: {type(exc).__name__}") from None
        try:        # the provider may have rotated its keys: read its JWKS again, once
            token = jwt.decode(id_token, KeySet.import_key_set(settings.jwks(refresh=True)), algorithms=algorithms)
        except (JoseError, ValueError) as exc2:
            raise AuthError(f"ID token refused: {type(exc2).__name__}") from None
    claims = dict(token.claims)
    registry = jwt.JWTClaimsRegistry(
        now=int(now if now is not None else time.time()), leeway=LEEWAY_SECONDS,
        iss={"essential": True, "value": settings.issuer},
        aud={"essential": True, "value": settings.client_id},
        exp={"essential": True}, sub={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError as exc:
        raise AuthError(f"ID token refused: {exc.error}") from None
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != settings.client_id:
        raise AuthError("ID token refused: azp")
    return claims


def _sign(key: bytes, data: dict[str, Any]) -> str:
    raw = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).decode().rstrip("=")
    mac = base64.urlsafe_b64encode(hmac.new(key, raw.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    return f"{raw}.{mac}"


def _unsign(key: bytes, text: str) -> dict[str, Any]:
    raw, _, mac = text.partition(".")
    good = base64.urlsafe_b64encode(hmac.new(key, raw.encode(), hashlib.sha256).digest()).decode().rstrip("=")
    if not hmac.compare_digest(mac, good):
        raise AuthError("sign-in flow cookie forged or missing; start again")
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    if data.get("exp", 0) < time.time():
        raise AuthError("sign-in took too long; start again")
    return data


router = APIRouter()


def _settings(request: Request) -> OidcSettings:
    s = getattr(request.app.state, "oidc", None)
    if s is None:
        raise AuthError("OpenID Connect sign-in is not configured")
    return s


def _redirect_uri(request: Request) -> str:
    return str(request.url_for("oidc_callback"))


@router.get("/auth/oidc/login", include_in_schema=False)
def oidc_login(request: Request) -> Response:
    from authlib.oauth2.rfc7636 import create_s256_code_challenge

    s = _settings(request)
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    query = urlencode({"response_type": "code", "client_id": s.client_id, "redirect_uri": _redirect_uri(request),
                       "scope": s.scopes, "state": state, "nonce": nonce,
                       "code_challenge": create_s256_code_challenge(verifier), "code_challenge_method": "S256"})
    resp = RedirectResponse(f"{s.metadata()['authorization_endpoint']}?{query}", status_code=303)
    flow = _sign(request.app.state.signer._key, {"state": state, "nonce": nonce, "v": verifier,
                                                 "exp": int(time.time()) + FLOW_SECONDS})
    resp.set_cookie(FLOW_COOKIE, flow, httponly=True, samesite="lax", max_age=FLOW_SECONDS,
                    secure=request.url.scheme == "https", path="/auth/oidc")
    return resp


@router.get("/auth/oidc/callback", name="oidc_callback", include_in_schema=False)
def oidc_callback(request: Request, code: str = "", state: str = "", error: str = "") -> Response:
    from seguro_desempleo.web.routes import COOKIE, render  # the web's own page and cookie

    s = _settings(request)
    try:
        if error or not code:
            raise AuthError("the identity provider did not sign you in")
        flow = _unsign(request.app.state.signer._key, request.cookies.get(FLOW_COOKIE, ""))
        if not hmac.compare_digest(str(flow.get("state")), state):
            raise AuthError("state does not match; start again")
        r = httpx.post(s.metadata()["token_endpoint"], timeout=10, auth=(s.client_id, s.client_secret),
                       data={"grant_type": "authorization_code", "code": code, "redirect_uri": _redirect_uri(request),
                             "code_verifier": flow["v"]})
        if r.status_code != 200 or "id_token" not in r.json():
            raise AuthError("the identity provider refused the code")
        claims = validate_id_token(s, r.json()["id_token"], nonce=str(flow["nonce"]))
        token, principal = request.app.state.accounts.sign_in_oidc(s.issuer, claims, dni_claim=s.dni_claim)
    except (SeguroError, httpx.HTTPError) as exc:
        message = exc.one_line() if isinstance(exc, SeguroError) else "identity provider unreachable"
        page = render(request, "login.html", status_code=401, error=message, roles=[])
        page.delete_cookie(FLOW_COOKIE, path="/auth/oidc")
        return page
    home = getattr(request.app.state, "role_home", {}).get(principal.role.value, "/")
    resp = RedirectResponse(home, status_code=303)
    resp.delete_cookie(FLOW_COOKIE, path="/auth/oidc")
    resp.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return resp
