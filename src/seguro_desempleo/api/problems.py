"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

A :class:`~seguro_desempleo.errors.SeguroError` keeps its one-line reason as ``detail`` and its
``field`` as an extension member; request validation errors name the first offending field. No
traceback, no personal data: the detail is the same line the CLI prints.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from seguro_desempleo.errors import SeguroError

PROBLEM_TYPE_BASE = "https://seguro-desempleo.pe/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Solicitud incorrecta", 401: "No autenticado", 403: "Acceso denegado", 404: "No encontrado",
    405: "Método no permitido", 409: "Conflicto", 413: "Demasiado grande", 415: "Tipo de contenido no admitido",
    422: "Datos inválidos", 500: "Error interno",
    503: "Servicio no disponible",
}


def problem(status: int, detail: str, *, code: str | None = None, instance: str | None = None,
            **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + (code or str(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


def _location(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into problem+json."""

    @app.exception_handler(SeguroError)
    async def _seguro(request: Request, exc: SeguroError) -> JSONResponse:
        return problem(exc.http_status, exc.one_line(), code=exc.code, instance=request.url.path,
                       field=exc.field)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": ("body",), "msg": "invalid request"}
        field = _location(first.get("loc", ()))
        msg = str(first.get("msg", "invalid"))
        return problem(422, f"field '{field}': {msg}", code="invalid-input", instance=request.url.path,
                       field=field, errors=[{"field": _location(e.get("loc", ())), "reason": str(e.get("msg"))}
                                            for e in errors[:20]])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, str(exc.detail), instance=request.url.path)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        import logging

        logging.getLogger("seguro_desempleo.api").error("unexpected %s on %s at %s", type(exc).__name__,
                                                        request.url.path, where(exc))
        return problem(500, "unexpected error; it has been logged without personal data",
                       instance=request.url.path)


def where(exc: BaseException) -> str:
    """Where *exc* was raised, as the last frames of this project's code (file, line, function):
    enough to find the fault, without the exception's message or any value (either may quote the
    request's data, personal data included)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "seguro_desempleo" in f.filename] or frames[-1:]
    return " < ".join(f"{f.filename.rsplit('seguro_desempleo/', 1)[-1]}:{f.lineno} {f.name}"
                      for f in reversed(ours[-3:])) or "?"


class AnsweredErrors:
    """The outermost layer of the application: the framework's server-error layer answers an
    unexpected error with :func:`install`'s last-resort handler (500 problem+json, one log line
    without personal data) and then raises it again for the server to log — with its traceback
    and message, which may quote the request's data. Here it ends; the answer has been sent."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with contextlib.suppress(Exception):
            await self.app(scope, receive, send)


def install_database_handlers(app: FastAPI, refusals: tuple[type[Exception], ...],
                              refusal: Callable[[BaseException], str | None]) -> None:
    """Database trouble as problem+json: a lost race is 409, a missing schema or a busy database 503.

    *refusals* are the driver's error classes and *refusal* names the kind of each
    (``storage/errors.py``, where database errors are translated once; the composition root passes
    them, so ``api/`` imports no SQLAlchemy)."""

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        kind = refusal(exc)
        if kind == "conflict":
            return problem(409, "the change conflicts with a record written meanwhile; reload and try again",
                           code="conflict", instance=request.url.path)
        if kind == "busy":
            r = problem(503, "the database is busy with another change; try again in a moment",
                        code="database-busy", instance=request.url.path)
            r.headers["Retry-After"] = "2"
            return r
        if kind == "schema-missing":
            return problem(503, "the database is not initialised ('seguro-desempleo db init')",
                           code="database-unavailable", instance=request.url.path)
        if kind == "unavailable":
            return problem(503, "the database is not available; try again later", code="database-unavailable",
                           instance=request.url.path)
        if kind == "schema-outdated":
            return problem(503, "the database schema is missing or out of date ('seguro-desempleo db upgrade')",
                           code="database-unavailable", instance=request.url.path)
        return problem(422, "the database refused a value of the request", code="invalid-input",
                       instance=request.url.path)

    for cls in refusals:
        app.add_exception_handler(cls, _database)
