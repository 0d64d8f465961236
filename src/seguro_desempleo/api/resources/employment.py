"""The employment service: obligations, outcomes and placements (arts. 7 and 12)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import DateText, Limit, R, _claim_for, _In, _now
from seguro_desempleo.employment_service.obligations import Outcome, Placement, PlacementSource
from seguro_desempleo.employment_service.obligations import parse_kind as parse_obligation_kind
from seguro_desempleo.errors import InputError
from seguro_desempleo.periods import parse_date

router = APIRouter(prefix="/api/v1")


class ObligationIn(_In):
    kind: str = Field(max_length=20)
    due_date: str = Field(max_length=10)


class OutcomeIn(_In):
    outcome: str = Field(max_length=14, description="complied or not_complied")
    just_cause: str = Field(default="", max_length=8)
    date: DateText = None


class PlacementIn(_In):
    start_date: str = Field(max_length=10)
    employer_ruc: str = Field(max_length=11)
    source: str = Field(default="employment_service", max_length=20)


@router.get("/claims/{claim_id}/obligations", tags=["servicio de empleo"], summary="A claim's obligations")
def claim_obligations(claim_id: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    _claim_for(ctx, p, claim_id)
    return {"items": [o.to_dict() for o in ctx.employment.obligations(claim_id)]}


@router.post("/claims/{claim_id}/obligations", tags=["servicio de empleo"], status_code=201,
             summary="Schedule an obligation (employment officer)")
def schedule_obligation(claim_id: str, body: ObligationIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    require(p, R.EMPLOYMENT_OFFICER)
    ctx.claims.get(claim_id)
    ob = ctx.employment.schedule(claim_id, parse_obligation_kind(body.kind), parse_date(body.due_date,
                                                                                          field="due_date"))
    ctx.audit.append(who=actor(p), when=_now(), action="obligation.schedule", entity=f"obligation:{ob.id}",
                     before=None, after=ob.to_dict())
    ctx.uow.commit()
    return ob.to_dict()


@router.get("/obligations/overdue", tags=["servicio de empleo"], summary="Pending obligations past due (officer)")
def overdue(request: Request, p: CurrentPrincipal, ctx: Ctx, limit: Limit = 200) -> dict[str, Any]:
    require(p, R.EMPLOYMENT_OFFICER, R.CASEWORKER)
    return {"items": [o.to_dict() for o in ctx.employment.overdue(day(request, None, "today"), limit)]}


@router.post("/obligations/{obligation_id}/outcome", tags=["servicio de empleo"],
             summary="Record an outcome (employment officer); unjustified non-compliance suspends payment")
def record_outcome(obligation_id: str, body: OutcomeIn, request: Request, p: CurrentPrincipal,
                   ctx: Ctx) -> dict[str, Any]:
    require(p, R.EMPLOYMENT_OFFICER)
    try:
        oc = Outcome(body.outcome)
    except ValueError:
        raise InputError(f"'{body.outcome}' is not an outcome (complied|not_complied)", field="outcome") from None
    on = day(request, body.date, "date")
    before = ctx.employment.get(obligation_id)
    ob = ctx.employment.record_outcome(obligation_id, oc, on, just_cause=body.just_cause, recorded_by=actor(p))
    ctx.audit.append(who=actor(p), when=_now(), action="obligation.outcome", entity=f"obligation:{ob.id}",
                     before=before.to_dict(), after=ob.to_dict())
    c = ctx.service.apply_obligations(ob.claim_id, on, actor=actor(p))
    ctx.uow.commit()
    return {**ob.to_dict(), "claim_state": c.state.value}


@router.post("/claims/{claim_id}/placements", tags=["servicio de empleo"], status_code=201,
             summary="Record a placement (employment officer)")
def placement(claim_id: str, body: PlacementIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.domain.registry import validate_ruc

    require(p, R.EMPLOYMENT_OFFICER)
    ctx.claims.get(claim_id)
    try:
        source = PlacementSource(body.source)
    except ValueError:
        raise InputError(f"'{body.source}' is not a placement source", field="source") from None
    pl = Placement(claim_id, parse_date(body.start_date, field="start_date"), validate_ruc(body.employer_ruc), source)
    ctx.employment.record_placement(pl)
    ctx.audit.append(who=actor(p), when=_now(), action="placement.record", entity=f"claim:{claim_id}",
                     before=None, after=pl.to_dict())
    ctx.uow.commit()
    return pl.to_dict()
