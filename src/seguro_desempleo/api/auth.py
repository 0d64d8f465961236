"""Authentication: which token names which principal (the roles and the access policy live in
:mod:`seguro_desempleo.domain.access`, re-exported here).

Every credential is a **session token** (``ses_…``): from signing in with an account (password +
TOTP, or OpenID Connect), from a machine client's credentials, or from the demo log-in, which
signs in AS one of the demo's accounts (decision 0440). The server keeps the session
(:mod:`seguro_desempleo.services.accounts`), so it can be revoked, and every principal names an
account — the audit never records a bare role. The API reads ``Authorization: Bearer <token>``;
the web pages read the same token from an HttpOnly cookie.

:class:`TokenSigner` is the HMAC key under ``SEGURO_SECRET`` (a random key per process when
unset): it signs the short-lived OpenID Connect flow cookie. The stateless role tokens it used to
issue for the demo log-in (``<payload>.<signature>``, no account) are accepted no more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from typing import Any

from seguro_desempleo.domain.access import ROLE_LABELS_ES, STAFF, Principal, Role
from seguro_desempleo.errors import PermissionDeniedError

__all__ = ["ROLE_LABELS_ES", "SESSION_PREFIX", "STAFF", "AuthError", "Principal", "Role", "TokenSigner"]

SESSION_PREFIX = "ses_"
"""Tokens of server-side sessions (accounts and machine clients) start with this; they are looked
up in the database on every request (:mod:`seguro_desempleo.services.accounts`), so sign-out and
a disabled account end them at once. Any other token is a demo token (below)."""


class AuthError(PermissionDeniedError):
    """Missing, malformed, forged or expired credentials (HTTP 401)."""

    http_status = 401
    code = "unauthenticated"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """An HMAC-SHA256 key and the stateless tokens it signs (``{"role", "sub", "exp"}``). The key
    signs the OpenID Connect flow cookie; :func:`resolve_token` accepts none of its tokens as a
    credential (they name no account). With *enabled* False :meth:`verify` refuses every token."""

    def __init__(self, secret: str | bytes | None = None, ttl_seconds: int = 8 * 3600,
                 *, enabled: bool = True) -> None:
        raw = secret if secret is not None else os.environ.get("SEGURO_SECRET") or secrets.token_hex(32)
        self._key = raw.encode() if isinstance(raw, str) else raw
        self.ttl = ttl_seconds
        self.enabled = enabled

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, principal: Principal, *, now: float | None = None) -> str:
        body = {"role": principal.role.value, "sub": principal.subject,
                "exp": int((now if now is not None else time.time()) + self.ttl)}
        payload = _b64(json.dumps(body, separators=(",", ":"), sort_keys=True).encode())
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str, *, now: float | None = None) -> Principal:
        return self.verify_until(token, now=now)[0]

    def verify_until(self, token: str, *, now: float | None = None) -> tuple[Principal, int]:
        """The caller and the token's expiry (seconds since the epoch); raises :class:`AuthError`."""
        if not self.enabled:
            raise AuthError("demo log-in is disabled; sign in with an account")
        try:
            payload, signature = token.strip().split(".")
        except ValueError:
            raise AuthError("malformed token") from None
        if not (payload.isascii() and signature.isascii()):
            raise AuthError("malformed token")       # (a non-ASCII byte used to be a 500)
        if not hmac.compare_digest(signature, self._sign(payload)):
            raise AuthError("invalid token signature")
        try:
            body = json.loads(_unb64(payload))
            role = Role(body["role"])
            exp = int(body["exp"])
        except (ValueError, KeyError, TypeError):
            raise AuthError("malformed token") from None
        if exp < (now if now is not None else time.time()):
            raise AuthError("token expired; log in again")
        sub = body.get("sub")
        return Principal(role, None if sub is None else str(sub)), exp


def resolve_token(state: object, token: str, *, method: str = "GET", path: str = "/",
                  store: Any = None) -> Principal:
    """The principal of a token, for the API, the fast path and the web alike: a session token
    (``ses_…``) is looked up in the database (:meth:`Accounts.authenticate`: revoked, idle, expired
    or disabled is refused at once); any other token is refused. A machine client's session is
    held to its scopes (*method*, *path*). *store*: an accounts store inside the caller's
    transaction (the fast path's unit of work), so the session is read there."""
    from seguro_desempleo.services.accounts import scope_for

    if not token.startswith(SESSION_PREFIX):
        # a stateless role token (the old demo log-in) names no account: refused (decision 0440)
        raise AuthError("not a session token; sign in (POST /api/v1/auth/login)")
    accounts = getattr(state, "accounts", None)
    if accounts is None:
        raise AuthError("sign-in is not configured")
    principal: Principal = accounts.authenticate(token, store=store)
    if principal.scopes is not None and path.startswith("/api/"):
        need = scope_for(method, path)
        if need not in principal.scopes:
            raise PermissionDeniedError(f"this client's scopes do not include '{need}'")
    return principal
