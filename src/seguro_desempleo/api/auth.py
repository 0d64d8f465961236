"""Authentication and access by role and by row (Ley 29733).

A principal is a role plus the subject it may act for: a worker's id (``worker``), an employer's
RUC (``employer``), or nothing for staff roles. Tokens are ``<payload>.<signature>``: the
payload is URL-safe base64 JSON ``{"role", "sub", "exp"}`` signed with HMAC-SHA256 under the
server's secret (``SEGURO_SECRET``; a random one per process when unset, so tokens do not survive
a restart). The API reads ``Authorization: Bearer <token>``; the web pages read the same token
from an HttpOnly cookie.

Row rules: a worker sees only their own records, an employer only its own RUC; caseworkers,
employment-service officers, analysts, the board and admins see by role.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass

from seguro_desempleo.errors import PermissionDeniedError


class Role(enum.StrEnum):
    WORKER = "worker"
    EMPLOYER = "employer"
    CASEWORKER = "caseworker"
    EMPLOYMENT_OFFICER = "employment_officer"
    ANALYST = "analyst"
    BOARD = "board"
    ADMIN = "admin"


ROLE_LABELS_ES = {
    Role.WORKER: "Trabajador(a)", Role.EMPLOYER: "Empleador", Role.CASEWORKER: "Gestor(a) de casos",
    Role.EMPLOYMENT_OFFICER: "Servicio de empleo", Role.ANALYST: "Analista", Role.BOARD: "Directorio",
    Role.ADMIN: "Administración",
}

STAFF = frozenset({Role.CASEWORKER, Role.EMPLOYMENT_OFFICER, Role.ANALYST, Role.BOARD, Role.ADMIN})


class AuthError(PermissionDeniedError):
    """Missing, malformed, forged or expired credentials (HTTP 401)."""

    http_status = 401
    code = "unauthenticated"


@dataclass(frozen=True)
class Principal:
    role: Role
    subject: str | None = None      # worker id for workers, RUC for employers

    def require(self, *roles: Role) -> None:
        if self.role not in roles and self.role is not Role.ADMIN:
            raise PermissionDeniedError(f"role '{self.role}' may not do this")

    def may_see_worker(self, worker_id: str) -> bool:
        return self.role in STAFF or (self.role is Role.WORKER and self.subject == str(worker_id))

    def may_see_employer(self, ruc: str) -> bool:
        return self.role in STAFF or (self.role is Role.EMPLOYER and self.subject == str(ruc))

    def check_worker(self, worker_id: str) -> None:
        if not self.may_see_worker(worker_id):
            raise PermissionDeniedError("this record belongs to another worker")

    def check_employer(self, ruc: str) -> None:
        if not self.may_see_employer(ruc):
            raise PermissionDeniedError("this record belongs to another employer")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    def __init__(self, secret: str | bytes | None = None, ttl_seconds: int = 8 * 3600) -> None:
        raw = secret if secret is not None else os.environ.get("SEGURO_SECRET") or secrets.token_hex(32)
        self._key = raw.encode() if isinstance(raw, str) else raw
        self.ttl = ttl_seconds

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
        try:
            payload, signature = token.strip().split(".")
        except ValueError:
            raise AuthError("malformed token") from None
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
