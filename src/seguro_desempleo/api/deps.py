"""Dependencies shared by the API resources: the caller, one unit of work per request, the date.

A handler that changes anything calls ``ctx.uow.commit()`` at its end; an exception before it
rolls the whole request back (nothing written, the error answered as problem+json).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from seguro_desempleo import bootstrap
from seguro_desempleo.api.auth import Principal, Role
from seguro_desempleo.domain import access
from seguro_desempleo.errors import InputError
from seguro_desempleo.periods import parse_date
from seguro_desempleo.services.claims_app import ClaimsContext, claims_context


async def _principal(request: Request) -> Principal:
    # async: a token check is a few microseconds of CPU; a sync dependency would cost a hop
    # through the thread pool on every request.
    from seguro_desempleo.api.app import current_principal

    return current_principal(request, request.headers.get("authorization"))


CurrentPrincipal = Annotated[Principal, Depends(_principal)]


async def claims_ctx(request: Request) -> AsyncIterator[ClaimsContext]:
    # async: opening the unit of work does no I/O (the connection is taken at the first
    # statement, in the handler's thread); a sync generator would cost two thread-pool hops.
    with bootstrap.unit_of_work(request.app.state.db_url) as uow:
        yield claims_context(uow, params=request.app.state.params)


Ctx = Annotated[ClaimsContext, Depends(claims_ctx)]


# The one access policy and the one audit format (domain/access.py), re-exported for the handlers.
actor = access.actor
require = access.require


def day(request: Request, text: str | None, field: str) -> dt.date:
    """A date from the request, or the service date (``app.state.today`` pins it for demos)."""
    if text:
        return parse_date(text, field=field)
    return service_date(request)


TODAY_ENV = bootstrap.TODAY_ENV
"""``YYYY-MM-DD``: the service date ``serve`` pins for a demo database (decision 0381); the pages
read the same variable (``web.common.today``), so the API and the pages agree on the day."""


def service_date(request: Request) -> dt.date:
    """The service date, by the pages' rule (``bootstrap.service_date``): the application's pinned
    ``today`` (``create_app(today=...)``) or ``web_today``, else ``$SEGURO_WEB_TODAY``, else today."""
    return bootstrap.service_date(request.app.state, ("today", "web_today"))


def worker_ref_of(p: Principal) -> str:
    if p.role is not Role.WORKER or not p.subject:
        raise InputError("give the worker id", field="worker_id")
    return p.subject
