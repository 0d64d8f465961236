"""Server-rendered pages (Jinja2, htmx for partial updates; every form also works without JS).

Spanish by default; ``/idioma/en`` switches to English (a cookie). Pages of a role are reached only
with a token of that role (see :mod:`seguro_desempleo.api.auth`); the public pages are the home,
the benefit estimate and the rules in force.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from seguro_desempleo import bootstrap
from seguro_desempleo.domain.access import ROLE_LABELS_ES, Principal, Role
from seguro_desempleo.errors import InputError, PermissionDeniedError, SeguroError
from seguro_desempleo.formats.codes import termination_causes
from seguro_desempleo.money import parse_soles
from seguro_desempleo.periods import parse_date, period_of
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, Decision, evaluate_case
from seguro_desempleo.web import i18n
from seguro_desempleo.web.common import PageDenied

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.filters["soles"] = i18n.soles
templates.env.filters["fecha"] = i18n.fecha
templates.env.globals.update(soles=i18n.soles, fecha=i18n.fecha, percent=i18n.percent, audit_text=i18n.audit_text)
templates.env.globals.update(category=i18n.category, mes=i18n.mes)

COOKIE = "sd_token"
LANG_COOKIE = "sd_lang"
SIZES = ("micro", "small", "medium", "large")


def language(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, i18n.DEFAULT_LANGUAGE)
    return lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def principal_of(request: Request) -> Principal | None:
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    if "principal" in request.scope.get("state", {}):      # looked up once per request
        return request.scope["state"]["principal"]
    try:
        principal: Principal | None = bootstrap.resolve_token(request.app.state, token, method=request.method,
                                                              path=request.url.path)
    except PermissionDeniedError:
        principal = None
    request.scope.setdefault("state", {})["principal"] = principal
    return principal


NavLinks = Callable[[Principal], list[dict[str, str]]]


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = language(request)
    principal = principal_of(request)
    links: list[dict[str, str]] = []
    for provider in getattr(request.app.state, "nav_providers", []):
        if principal is not None:
            links += provider(principal, lang) if provider is role_links else provider(principal)
    ctx = {"lang": lang, "t": lambda key: i18n.text(key, lang), "principal": principal, "path": request.url.path,
           "demo_on": bool(getattr(request.app.state, "demo_logins", False)),
           "role_label": ROLE_LABELS_ES.get(principal.role, "") if principal else "", "nav_links": links,
           **context}
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def estimate_case(form: dict[str, str]) -> ClaimCase:
    """The case the estimate form describes: the same pay for the last *months* months up to the
    separation (months of the 24-month window, most recent first)."""
    pay = parse_soles(form.get("pay", ""), field="pay")
    if pay <= 0:
        raise InputError("must be more than zero", field="pay")
    try:
        months = int(form.get("months", ""))
    except ValueError:
        raise InputError("must be a whole number of months from 0 to 24", field="months") from None
    if not 0 <= months <= 24:
        raise InputError("must be between 0 and 24", field="months")
    separation = parse_date(form.get("separation_date", ""), field="separation_date")
    claim = parse_date(form.get("claim_date", ""), field="claim_date")
    if claim < separation:
        raise InputError("cannot be before the separation date", field="claim_date")
    cause = form.get("cause", "03")
    if cause not in termination_causes():
        raise InputError(f"unknown code '{cause}'", field="cause")
    size = form.get("size", "large")
    if size not in SIZES:
        raise InputError(f"unknown size '{size}'", field="size")
    last = period_of(separation)
    contributions = tuple(ContributionMonth(last - k, pay) for k in range(months))
    return ClaimCase(id="estimate", separation_date=separation, claim_date=claim, termination_cause=cause,
                     employer_size=size, registered_with_employment_service=form.get("registered") == "1",
                     contributions=tuple(sorted(contributions, key=lambda c: c.period)))


ROLE_HOME = {Role.WORKER.value: "/trabajador", Role.EMPLOYER.value: "/empleador", Role.CASEWORKER.value: "/gestion",
             Role.EMPLOYMENT_OFFICER.value: "/empleo", Role.BOARD.value: "/tablero", Role.ANALYST.value: "/tablero",
             Role.ADMIN.value: "/gestion"}

ROLE_LINKS: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.WORKER: (("/trabajador", "nav_my_contributions"), ("/trabajador/reclamos", "nav_my_claims"),
                  ("/trabajador/solicitud", "nav_file_claim")),
    Role.EMPLOYER: (("/empleador", "nav_employer"),),
    Role.CASEWORKER: (("/gestion", "nav_queue"), ("/gestion/recursos", "nav_appeals"),
                      ("/gestion/pagos", "nav_payments"), ("/gestion/controles", "nav_controls"),
                      ("/gestion/tamanos", "nav_sizes")),
    Role.EMPLOYMENT_OFFICER: (("/empleo", "nav_officer"),),
    Role.BOARD: (("/tablero", "nav_board"), ("/directorio", "nav_governance")),
    Role.ANALYST: (("/tablero", "nav_board"),),
    Role.ADMIN: (("/gestion", "nav_queue"), ("/tablero", "nav_board"), ("/directorio", "nav_governance")),
}


def role_links(principal: Principal, lang: str = i18n.DEFAULT_LANGUAGE) -> list[dict[str, str]]:
    return [{"href": href, "label": i18n.text(key, lang)} for href, key in ROLE_LINKS.get(principal.role, ())]


class SameOriginForms:
    """Refuse a page form posted from another site (CSRF defence with ``SameSite=Lax``): a browser
    sends ``Origin`` (or at least ``Referer``) with a POST; it must be this host.

    A pure ASGI middleware: the API (``/api/``, token-authenticated, no cookies needed) and safe
    methods pass straight through without the cost of Starlette's ``BaseHTTPMiddleware``.
    """

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in self.SAFE or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        source = headers.get("origin") or headers.get("referer")
        if source:
            request = Request(scope)
            # "null" (a sandboxed frame, a data: page, a file) is no origin of this site.
            if source == "null" or urlsplit(source).netloc != request.url.netloc:
                response = render(request, "error.html", status_code=403, message="cross_site")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _denied(request: Request, exc: PageDenied) -> Response:
    if exc.status == 401:
        return RedirectResponse("/ingresar", status_code=303)
    return render(request, "error.html", status_code=exc.status, message=exc.message)


router = APIRouter()
"""The pages of this module; ``install(app)`` includes it."""


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(request: Request) -> HTMLResponse:
    snap = request.app.state.params.at(dt.date.today())
    return render(request, "index.html", waiting_days=snap["requirements.waiting_period_days"])


def _estimate_page(request: Request, form: dict[str, str], decision: Decision | None, error: str | None,
                   status: int = 200) -> HTMLResponse:
    causes = [(c.code, c.description) for c in termination_causes().values() if not c.disabled]
    return render(request, "estimate.html", status_code=status, form=form, causes=causes, sizes=SIZES,
                  decision=decision, error=error)


@router.get("/estimar", response_class=HTMLResponse, include_in_schema=False)
def estimate_form(request: Request) -> HTMLResponse:
    today = dt.date.today()
    form = {"pay": "", "months": "12", "separation_date": i18n.fecha(today), "claim_date": i18n.fecha(today),
            "cause": "03", "size": "large", "registered": "1"}
    return _estimate_page(request, form, None, None)


@router.post("/estimar", response_class=HTMLResponse, include_in_schema=False)
async def estimate(request: Request) -> HTMLResponse:
    raw = await request.form()
    form = {k: str(v) for k, v in raw.items()}
    try:
        case = estimate_case(form)
        from seguro_desempleo.services.evaluation import code_labels

        decision = evaluate_case(case, request.app.state.params, None, *code_labels())
    except SeguroError as exc:
        return _estimate_page(request, form, None, i18n.form_error(exc, language(request)), status=422)
    return _estimate_page(request, form, decision, None)


@router.get("/idioma/{lang}", include_in_schema=False)
def set_language(lang: str, request: Request) -> Response:
    back = request.headers.get("referer") or "/"
    resp = RedirectResponse(back if back.startswith(str(request.base_url)) else "/", status_code=303)
    resp.set_cookie(LANG_COOKIE, lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE,
                    samesite="lax", max_age=365 * 86400)
    return resp


def _login_page(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    return render(request, "login.html", status_code=status, roles=[(r.value, ROLE_LABELS_ES[r]) for r in Role],
                  error=error, oidc_on=getattr(request.app.state, "oidc", None) is not None)


def _signed_in(request: Request, token: str, principal: Principal, max_age: int | None) -> Response:
    resp = RedirectResponse(getattr(request.app.state, "role_home", {}).get(principal.role.value, "/"),
                            status_code=303)
    resp.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                    max_age=max_age)
    return resp


@router.get("/ingresar", response_class=HTMLResponse, include_in_schema=False)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request)


@router.post("/ingresar", include_in_schema=False)
async def login(request: Request) -> Response:
    raw = await request.form()
    lang = language(request)
    if "username" in raw:
        from starlette.concurrency import run_in_threadpool

        from seguro_desempleo.services.accounts import AuthenticationFailed, TooManyAttempts

        try:
            token, principal = await run_in_threadpool(
                request.app.state.accounts.sign_in, str(raw.get("username", "")), str(raw.get("password", "")),
                str(raw.get("code", "")) or None, address=request.client.host if request.client else "-")
        except TooManyAttempts:
            return _login_page(request, 429, i18n.text("signin_throttled", lang))
        except AuthenticationFailed as exc:
            key = "signin_locked" if "locked" in exc.message else "signin_failed"
            return _login_page(request, 401, i18n.text(key, lang))
        return _signed_in(request, token, principal, None)
    if not request.app.state.demo_logins:
        return _login_page(request, 403, i18n.text("demo_disabled", lang))
    try:
        role = Role(str(raw.get("role", "")))
    except ValueError:
        return _login_page(request, 422, "Rol desconocido.")
    subject = str(raw.get("subject", "")).strip() or None
    if role in (Role.WORKER, Role.EMPLOYER) and not subject:
        return _login_page(request, 422, "Indique su código de trabajador o el RUC de la empresa.")
    from seguro_desempleo.services.accounts import AuthenticationFailed

    try:            # a session of the demo's account for the role (decision 0440)
        token, principal = request.app.state.accounts.demo_sign_in(
            role, subject if role in (Role.WORKER, Role.EMPLOYER) else None)
    except AuthenticationFailed:
        return _login_page(request, 403, i18n.text("demo_no_account", lang))
    except SeguroError as exc:
        return _login_page(request, 422, i18n.form_error(exc, lang))
    return _signed_in(request, token, principal, None)


@router.post("/salir", include_in_schema=False)
def logout(request: Request) -> Response:
    token = request.cookies.get(COOKIE) or ""
    if bootstrap.is_session_token(token):
        request.app.state.accounts.sign_out(token)      # the session ends at once, server-side
    resp = RedirectResponse("/", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    if not hasattr(app.state, "nav_providers"):
        app.state.nav_providers = []
    app.state.nav_providers.append(role_links)
    if not hasattr(app.state, "role_home"):
        app.state.role_home = {}
    for role, href in ROLE_HOME.items():
        app.state.role_home.setdefault(role, href)

    app.add_middleware(SameOriginForms)
    from seguro_desempleo.web import oidc

    app.include_router(oidc.router)       # OpenID Connect sign-in (answers 401 unless configured)
    app.exception_handler(PageDenied)(_denied)

    from starlette.exceptions import HTTPException as StarletteHTTPException

    api_http_handler = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def _http_page(request: Request, exc: StarletteHTTPException) -> Response:
        """A wrong address or a wrong method on a page (a direct GET of /salir) gets a Spanish HTML
        page; the API and its machine clients keep problem+json (issue 30)."""
        import inspect

        page = (not request.url.path.startswith("/api") and exc.status_code in (404, 405)
                and (request.method == "GET" or "text/html" in request.headers.get("accept", "")))
        if page:
            key = "page_not_found" if exc.status_code == 404 else "method_not_allowed"
            return render(request, "error.html", status_code=exc.status_code, message=key, help=f"{key}_help")
        if api_http_handler is None:
            return Response(status_code=exc.status_code)
        answer = api_http_handler(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    from seguro_desempleo.web import board, claims_pages, employer, governance, worker

    worker.install(app)
    employer.install(app)
    board.install(app)
    claims_pages.install(app)
    governance.install(app)     # /parametros (with instruments), /directorio (issue 28)
    from seguro_desempleo.web import employer_sizes_page

    employer_sizes_page.install(app)
    app.include_router(router)
