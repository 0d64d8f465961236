"""Claims and decisions: filing, the decision with its letter, re-employment."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import Field, StrictBool
from starlette.concurrency import run_in_threadpool

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import (
    CASE_ROLES,
    DateText,
    Limit,
    Offset,
    R,
    _claim_for,
    _claim_summary,
    _decided_summary,
    _In,
)
from seguro_desempleo.claims.state import parse_state
from seguro_desempleo.domain.access import may_file
from seguro_desempleo.employment_service.obligations import Placement, PlacementSource
from seguro_desempleo.errors import NotFoundError, PermissionDeniedError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period, parse_date

router = APIRouter(prefix="/api/v1")


class ClaimIn(_In):
    worker_id: str | None = Field(default=None, max_length=12, description="Registry worker id (staff)")
    claim_date: DateText = None
    decide: StrictBool = Field(default=False, description=(
        "Caseworker (or admin) only: decide the claim at once with the rules, as of the claim date, "
        "in the filing's transaction; the answer carries the decision as POST /claims/{id}/decision "
        "does (a claim still in its waiting period is answered in state 'waiting', without a "
        "decision); only true or false"))


class DecideIn(_In):
    date: DateText = None
    expected_version: int | None = Field(default=None, ge=1, le=2**31 - 1)


class ReemploymentIn(_In):
    start_date: str = Field(max_length=10)
    employer_ruc: str = Field(default="", max_length=11)




@router.post("/claims", tags=["solicitudes"], status_code=201,
             summary="File a claim (the worker for themself, or a caseworker for a worker, who may "
                     "decide it at once)")
async def file_claim(body: ClaimIn, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    # async with one explicit hop to the thread pool for the database work: a sync handler would
    # also send its answer's validation through the pool (a second hop per request).
    ref = may_file(p, body.worker_id)       # the one access policy (domain/access.py)
    if body.decide:
        require(p, *CASE_ROLES)
    on = day(request, body.claim_date, "claim_date")

    def work() -> dict[str, Any]:
        if body.decide:
            c = ctx.service.file_and_decide(ref, on, actor=actor(p))
        else:
            c = ctx.service.file_claim(ref, on, actor=actor(p))
        ctx.uow.commit()
        return _decided_summary(c) if body.decide else _claim_summary(c)
    return await run_in_threadpool(work)


@router.get("/claims", tags=["solicitudes"], summary="Claims (staff: all; a worker: their own)")
def list_claims(p: CurrentPrincipal, ctx: Ctx, state: Annotated[str | None, Query(max_length=12)] = None,
                worker_id: Annotated[str | None, Query(max_length=12)] = None,
                limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    if p.role is R.WORKER:
        worker_id = p.subject
    elif p.role is R.EMPLOYER:
        raise PermissionDeniedError("employers do not see claims")
    st = parse_state(state) if state else None
    items = ctx.claims.search(worker_ref=worker_id, state=st, limit=limit, offset=offset)
    return {"items": [_claim_summary(c) for c in items]}


@router.get("/claims/{claim_id}", tags=["solicitudes"], summary="A claim with installments, payments, "
            "obligations and appeals")
def get_claim(claim_id: str, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.claims_app import claim_view

    _claim_for(ctx, p, claim_id)
    return claim_view(ctx, claim_id, day(request, None, "today"))


@router.post("/claims/{claim_id}/decision", tags=["decisiones"],
             summary="Decide with the rules (caseworker); 409 if someone decided it meanwhile")
async def decide(claim_id: str, body: DecideIn, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    require(p, *CASE_ROLES)
    on = day(request, body.date, "date")

    def work() -> dict[str, Any]:       # one hop to the thread pool (see file_claim)
        c = ctx.service.decide(claim_id, on, actor=actor(p), expected_version=body.expected_version)
        ctx.uow.commit()
        return _decided_summary(c)
    return await run_in_threadpool(work)


@router.get("/claims/{claim_id}/decision", tags=["decisiones"],
            summary="The stored decision: reasons, articles, parameter versions and trace")
def get_decision(claim_id: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    c = _claim_for(ctx, p, claim_id)
    if c.decision is None:
        raise NotFoundError("the claim has no decision yet", field="claim_id")
    return c.decision.to_dict()


@router.get("/claims/{claim_id}/letter", tags=["decisiones"], summary="The resolución (HTML or PDF)",
            response_class=Response, responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def letter(claim_id: str, p: CurrentPrincipal, ctx: Ctx,
           format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html") -> Response:
    from seguro_desempleo.services.claims_app import decision_letter

    _claim_for(ctx, p, claim_id)
    data = decision_letter(ctx, claim_id, format)
    if format == "pdf":
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="resolucion-{claim_id}.pdf"'})
    return HTMLResponse(data.decode("utf-8"))


@router.post("/claims/{claim_id}/reemployment", tags=["solicitudes"],
             summary="Record a re-employment (caseworker or employment officer)")
def reemployment(claim_id: str, body: ReemploymentIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    require(p, R.CASEWORKER, R.EMPLOYMENT_OFFICER)
    start = parse_date(body.start_date, field="start_date")
    c, over = ctx.service.record_reemployment(claim_id, start, actor=actor(p))
    if body.employer_ruc:
        from seguro_desempleo.domain.registry import validate_ruc

        ctx.employment.record_placement(Placement(c.id, start, validate_ruc(body.employer_ruc),
                                                  PlacementSource.PAYROLL))
    ctx.uow.commit()
    return {**_claim_summary(c), "overpayments": [{"key": o.key, "period": format_period(o.period),
                                                   "amount": cents_to_str(o.amount)} for o in over]}
