"""Appeals: reconsideración and apelación with their deadline clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import (
    READ_ROLES,
    DateText,
    Limit,
    Offset,
    R,
    _claim_for,
    _claim_summary,
    _In,
)
from seguro_desempleo.claims.appeals import AppealOutcome
from seguro_desempleo.claims.appeals import parse_kind as parse_appeal_kind
from seguro_desempleo.errors import InputError
from seguro_desempleo.money import cents_to_str

router = APIRouter(prefix="/api/v1")


class AppealIn(_In):
    kind: str = Field(default="reconsideracion", max_length=16)
    filed_on: DateText = None
    grounds: str = Field(default="", max_length=4000)


class ResolutionIn(_In):
    outcome: str = Field(max_length=14, description="upheld, rejected or inadmissible")
    date: DateText = None


def _appeal_dict(a: Any, today: dt.date) -> dict[str, Any]:
    return {**a.to_dict(), "clock": a.clock(today).to_dict() if a.outcome is AppealOutcome.PENDING else None}


@router.post("/claims/{claim_id}/appeals", tags=["recursos"], status_code=201,
             summary="File a reconsideración or apelación within 15 business days")
def file_appeal(claim_id: str, body: AppealIn, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    _claim_for(ctx, p, claim_id)
    if p.role is not R.WORKER:
        require(p, R.CASEWORKER)
    on = day(request, body.filed_on, "filed_on")
    a = ctx.service.file_appeal(claim_id, parse_appeal_kind(body.kind), on, actor=actor(p), grounds=body.grounds)
    ctx.uow.commit()
    return _appeal_dict(a, on)


@router.get("/appeals", tags=["recursos"], summary="Appeals with their deadline clock (staff)")
def list_appeals(request: Request, p: CurrentPrincipal, ctx: Ctx, pending: bool = False, limit: Limit = 100,
                 offset: Offset = 0) -> dict[str, Any]:
    require(p, *READ_ROLES)
    today = day(request, None, "today")
    return {"items": [_appeal_dict(a, today) for a in ctx.claims.appeals(pending_only=pending, limit=limit,
                                                                         offset=offset)]}


@router.post("/appeals/{appeal_id}/resolution", tags=["recursos"],
             summary="Resolve an appeal (caseworker); upheld against a denial re-runs the claim and pays arrears")
def resolve_appeal(appeal_id: str, body: ResolutionIn, request: Request, p: CurrentPrincipal,
                   ctx: Ctx) -> dict[str, Any]:
    require(p, R.CASEWORKER)
    try:
        oc = AppealOutcome(body.outcome)
    except ValueError:
        raise InputError(f"'{body.outcome}' is not an outcome (upheld|rejected|inadmissible)",
                         field="outcome") from None
    on = day(request, body.date, "date")
    a, c, paid = ctx.service.resolve_appeal(appeal_id, oc, on, actor=actor(p))
    ctx.uow.commit()
    return {**_appeal_dict(a, on), "claim": _claim_summary(c), "arrears_paid": cents_to_str(sum(x.amount for x in paid))}
