"""The application: the REST API (``/api/v1``, OpenAPI at ``/api/openapi.json``) and the Spanish
web pages, served together by ``seguro-desempleo serve``.

Areas add their routers in :func:`create_app`; every error is RFC 9457 problem+json
(:mod:`.problems`); credentials are server-side sessions (:mod:`.auth`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from pydantic import BaseModel, ConfigDict
from starlette.types import ASGIApp

from seguro_desempleo import __version__
from seguro_desempleo.api import law, problems, resources
from seguro_desempleo.api.auth import SESSION_PREFIX, AuthError, Principal, Role, TokenSigner, resolve_token
from seguro_desempleo.domain.access import actor
from seguro_desempleo.errors import PermissionDeniedError
from seguro_desempleo.parameters import ParameterSet, default_parameters

COOKIE = "sd_token"


def current_principal(request: Request,
                      authorization: Annotated[str | None, Header()] = None) -> Principal:
    """The caller, from ``Authorization: Bearer`` or the web cookie; 401 without credentials."""
    token = None
    if authorization:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer" or not value:
            raise AuthError("use 'Authorization: Bearer <token>'")
        token = value
    else:
        token = request.cookies.get(COOKIE)
    if not token:
        raise AuthError("log in first")
    if not token.isascii():
        raise AuthError("malformed token")
    return resolve_token(request.app.state, token, method=request.method, path=request.url.path)


def optional_principal(request: Request) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token or not token.isascii():
        return None
    try:
        return resolve_token(request.app.state, token, method=request.method, path=request.url.path)
    except PermissionDeniedError:
        return None


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role
    subject: str | None = None


auth_router = APIRouter(prefix="/api/v1", tags=["auth"])


@auth_router.post("/auth/token", summary="Demo log-in: a session of the demo's account for a role (demo only)")
def token(body: LoginIn, request: Request) -> dict[str, Any]:
    """Only while the demo log-in is on (a database ``demo`` created, or ``serve --demo-logins``;
    never off loopback): a server-side session of the demo's account for the role
    (``demo.caseworker``; ``w<id>`` for a worker, ``demo.e<RUC>`` for an employer), created on
    first use in a demo database only (decision 0440). The audit names that account."""
    if not request.app.state.demo_logins:
        raise PermissionDeniedError("demo log-in is disabled; use the identity provider")
    if body.role in (Role.WORKER, Role.EMPLOYER) and not body.subject:
        raise AuthError(f"role '{body.role}' needs the subject it acts for")
    tok, principal = request.app.state.accounts.demo_sign_in(body.role, body.subject)
    return {"access_token": tok, "token_type": "bearer", "role": principal.role.value}


class SignInIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str
    password: str
    code: str | None = None       # the TOTP code, or one recovery code


def _address(request: Request) -> str:
    return request.client.host if request.client else "-"


@auth_router.post("/auth/login", summary="Sign in with an account: password and (staff) a TOTP code")
def sign_in(body: SignInIn, request: Request) -> dict[str, Any]:
    tok, principal = request.app.state.accounts.sign_in(body.username, body.password, body.code,
                                                        address=_address(request))
    return {"access_token": tok, "token_type": "bearer", "role": principal.role.value}


@auth_router.post("/auth/client-token", summary="OAuth 2.0 client credentials: a machine client's session")
async def client_token(request: Request) -> dict[str, Any]:
    """``grant_type=client_credentials`` with ``client_id``/``client_secret`` in the form body or
    HTTP Basic (RFC 6749 §4.4)."""
    import base64

    form = await request.form()
    if form.get("grant_type") != "client_credentials":
        raise AuthError("grant_type must be client_credentials")
    cid, secret = str(form.get("client_id") or ""), str(form.get("client_secret") or "")
    basic = request.headers.get("authorization", "")
    if basic.lower().startswith("basic "):
        try:
            cid, _, secret = base64.b64decode(basic[6:].strip(), validate=True).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            raise AuthError("malformed Basic credentials") from None
    tok, principal, ttl = request.app.state.accounts.sign_in_client(cid, secret, address=_address(request))
    return {"access_token": tok, "token_type": "bearer", "expires_in": ttl,
            "scope": " ".join(sorted(principal.scopes or ()))}


@auth_router.post("/auth/logout", summary="End this session at once (the token stops working)")
def sign_out(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, Any]:
    auth = request.headers.get("authorization") or ""
    tok = auth.partition(" ")[2] or request.cookies.get(COOKIE) or ""
    if tok.startswith(SESSION_PREFIX):
        request.app.state.accounts.sign_out(tok)
    return {"signed_out": True}


@auth_router.get("/me", summary="Who the token says you are")
def me(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, Any]:
    out: dict[str, Any] = {"role": principal.role.value, "subject": principal.subject}
    if principal.account:
        out.update(account=principal.account, actor=actor(principal))
    return out


def create_app(*, db_url: str | None = None, params: ParameterSet | None = None,
               secret: str | None = None, demo_logins: bool = False, today: dt.date | None = None,
               oidc: Any = None) -> FastAPI:
    """The application. *today* pins the service date (demos and tests); otherwise the real date.

    *demo_logins* is off unless asked for (secure by default, decision 0440): a test or a demo that
    needs the demo log-in passes ``demo_logins=True``; ``serve`` decides it in
    :func:`app_from_env` (on only for a database ``demo`` created or with ``--demo-logins``, never
    on a non-loopback address). Even on, it signs in only as the demo's accounts. *oidc*
    enables OpenID Connect sign-in (``web.oidc.OidcSettings``, built by :mod:`seguro_desempleo.bootstrap`)."""
    app = FastAPI(
        title="Seguro por Desempleo",
        version=__version__,
        description="API del Seguro por Desempleo (PL 5510/2022-CR). Errores en RFC 9457 problem+json.",
        openapi_url="/api/openapi.json",
        docs_url=None,                  # served with local assets below (api/docs_page.py)
        redoc_url=None,
    )
    app.state.params = params or default_parameters()
    app.state.signer = TokenSigner(secret, enabled=False)   # signs the OIDC flow cookie only
    app.state.demo_logins = demo_logins
    app.state.db_url = db_url
    from seguro_desempleo.bootstrap import accounts_for

    app.state.accounts = accounts_for(db_url)
    app.state.oidc = oidc
    app.state.today = today
    problems.install(app)
    from seguro_desempleo.api import docs_page

    docs_page.install(app)

    @app.get("/healthz", tags=["ops"], summary="Liveness")
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.include_router(auth_router)
    app.include_router(law.router)
    app.include_router(resources.router)
    from seguro_desempleo.api import acts as acts_api  # issue 26 item 9: issued acts

    app.include_router(acts_api.router)
    problems.install_database_handlers(app)

    from seguro_desempleo.web.routes import install as install_web

    install_web(app)
    from seguro_desempleo.api.fastpath import ClaimsFastPath

    # In front of the whole middleware stack (the framework's own error, telemetry and body-limit
    # layers included): the filing and the decision skip the per-request machinery when they have
    # the plain shape; anything else passes through to the stack unchanged.
    build_stack = app.build_middleware_stack

    def build_with_fast_path() -> ASGIApp:
        from seguro_desempleo.api.guard import RequestGuard

        # The guard first (body limits, credentials, origin, security headers: api/guard.py).
        return problems.AnsweredErrors(RequestGuard(ClaimsFastPath(build_stack())))

    app.build_middleware_stack = build_with_fast_path  # type: ignore[method-assign]
    return app


def app_from_env() -> FastAPI:
    """The app as ``serve`` runs it: database from ``SEGURO_DB_URL``, demo log-in unless disabled."""
    import gc
    import os

    from seguro_desempleo.storage.claims_repositories import AuditSequencer

    # The server links audit records into the hash chain in a background thread (batches),
    # so a request does not wait for the sequencer's transaction.
    AuditSequencer.background = True
    from seguro_desempleo.bootstrap import accounts_for, oidc_settings_from_env

    db_url = os.environ.get("SEGURO_DB_URL")
    # serve sets SEGURO_DEMO_LOGINS to "1" (--demo-logins), "0" (refused: a non-loopback address,
    # --no-demo-logins) or "auto": on only when `demo` created this database (recorded in it).
    mode = os.environ.get("SEGURO_DEMO_LOGINS", "auto")
    demo = mode == "1" or (mode == "auto" and accounts_for(db_url).is_demo_database())
    app = create_app(db_url=db_url, demo_logins=demo, oidc=oidc_settings_from_env())
    # What the process holds once the app is built (FastAPI, SQLAlchemy, numpy, the parameters)
    # lives as long as the process: move it out of the cyclic collector's reach, so a full
    # collection does not walk it again in the middle of a request. Measured with the filing
    # decided at once (bench/bench_claims.py --flow one, interleaved): p99 72-92 ms against
    # 90-118 ms without it.
    gc.collect()
    gc.freeze()
    return app
