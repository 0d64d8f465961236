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
    """The application: the API with the web pages mounted, wired by the composition root
    (:func:`seguro_desempleo.bootstrap.create_app`, which says what each argument does). Kept here
    under its old name: tests, demos and ``serve`` build the application from this module."""
    from seguro_desempleo.bootstrap import create_app as build

    return build(db_url=db_url, params=params, secret=secret, demo_logins=demo_logins, today=today,
                 oidc=oidc)


def build_api(*, accounts: Any, db_url: str | None = None, params: ParameterSet | None = None,
              secret: str | None = None, demo_logins: bool = False, today: dt.date | None = None,
              oidc: Any = None) -> FastAPI:
    """The REST API alone (its routes, its problem+json handlers but the database's, its docs):
    :func:`seguro_desempleo.bootstrap.create_app` adds the database's error handlers, the web pages
    and :func:`install_fast_path`. *accounts* is the accounts service (``bootstrap.accounts_for``)."""
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
    app.state.accounts = accounts
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
    return app


def install_fast_path(app: FastAPI) -> None:
    """Put the claims fast path (and the request guard) in front of the whole middleware stack:
    the last step of building the application, once every route and middleware is in."""
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


def app_from_env() -> FastAPI:
    """The app as ``serve`` runs it (``uvicorn seguro_desempleo.api.app:app_from_env``): built by
    :func:`seguro_desempleo.bootstrap.app_from_env` from the environment."""
    from seguro_desempleo.bootstrap import app_from_env as build

    return build()
