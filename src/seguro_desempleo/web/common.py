"""What every role page shares: the role and row checks, a unit of work per request, the date.

A page handler starts with :func:`require` (the role; 303 to the log-in page without a session,
403 with another role) and checks rows through :class:`~seguro_desempleo.domain.access.Principal`
(``check_worker`` / ``check_employer``), so changing an id in the URL shows a 403 page, never
another person's data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import Request

from seguro_desempleo import bootstrap
from seguro_desempleo.domain import access
from seguro_desempleo.domain.access import Principal, Role
from seguro_desempleo.errors import PermissionDeniedError

log = logging.getLogger(__name__)


class PageDenied(Exception):
    """A page the principal may not see (rendered as an HTML 401/403 page, never problem+json)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def require(request: Request, *roles: Role) -> Principal:
    from seguro_desempleo.web.routes import principal_of

    principal = principal_of(request)
    if principal is None:
        raise PageDenied(401, "login_required")
    try:
        access.require(principal, *roles)       # the one access policy (domain/access.py)
    except PermissionDeniedError:
        raise PageDenied(403, "forbidden_role") from None
    return principal


def worker_id_of(principal: Principal) -> int:
    """The worker id a worker principal acts for (its subject is the worker's id)."""
    try:
        return int(principal.subject or "")
    except ValueError:
        raise PageDenied(403, "forbidden_row") from None


def check_worker(principal: Principal, worker_id: int | str) -> None:
    if not principal.may_see_worker(str(worker_id)):
        raise PageDenied(403, "forbidden_row")


def check_employer(principal: Principal, ruc: str) -> None:
    if not principal.may_see_employer(ruc):
        raise PageDenied(403, "forbidden_row")


@contextmanager
def unit_of_work(request: Request) -> Iterator[Any]:
    """One transaction for the request; the handler commits what it changes.

    A database without the schema (``db init`` not run) or unreachable gives a 503 page that says
    so, never a stack trace."""
    try:
        with bootstrap.unit_of_work(request.app.state.db_url) as uow:
            yield uow
    except Exception as exc:
        reason = bootstrap.database_unavailable(exc)
        if reason is None:
            raise
        from seguro_desempleo.errors import database_busy

        log.error("database unavailable on %s: %s", request.url.path, reason)
        raise PageDenied(503, "database_busy" if database_busy(exc) else "database_not_ready") from None


TODAY_ENV = bootstrap.TODAY_ENV
"""``YYYY-MM-DD``: pin the service date of the pages (to show a demo database at its last month)."""


def today(request: Request) -> dt.date:
    """The service date (``bootstrap.service_date``): ``app.state.web_today`` (tests) or the
    application's pinned ``today`` (``create_app(today=...)``), else ``$SEGURO_WEB_TODAY``, else today."""
    return bootstrap.service_date(request.app.state)
