"""Benefit payments and the monthly payment run."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field, StrictBool

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import READ_ROLES, DateText, Limit, Offset, R, _claim_for, _In
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period, parse_period

router = APIRouter(prefix="/api/v1")


class PaymentRunIn(_In):
    period: str = Field(max_length=7, description="YYYY-MM")
    date: DateText = None
    sequence: int = Field(default=1, ge=1, le=999)
    preview: StrictBool = Field(default=False, description=(
        "Compute the run and roll it back: what it would pay, what the fund cannot pay (shortfall), "
        "nothing written"))


@router.get("/payments", tags=["pagos"], summary="Benefit payments (staff; a worker: their own)")
def list_payments(p: CurrentPrincipal, ctx: Ctx, claim_id: Annotated[str | None, Query(max_length=24)] = None,
                  period: Annotated[str | None, Query(max_length=7)] = None,
                  limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    ids: list[str] | None = None
    if claim_id is not None:
        _claim_for(ctx, p, claim_id)
        ids = [claim_id]
    elif p.role is R.WORKER:
        ids = [c.id for c in ctx.claims.search(worker_ref=p.subject, limit=500)]
    else:
        require(p, *READ_ROLES)
    month = parse_period(period) if period else None
    items = ctx.payments.search(claim_ids=ids, period=month, limit=limit, offset=offset)
    return {"items": [{"key": x.key, "claim_id": x.claim_id, "number": x.number, "period": format_period(x.period),
                       "amount": cents_to_str(x.amount), "paid_on": x.paid_on.isoformat()}
                      for x in items]}


@router.post("/payment-runs", tags=["pagos"], status_code=201,
             summary="The monthly payment run (caseworker): pays once, returns the bank file")
def payment_run(body: PaymentRunIn, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.payments.bank_file import write_payment_file

    require(p, R.CASEWORKER)
    from seguro_desempleo.services.claims_app import bulk_run_payments

    run = bulk_run_payments(ctx, parse_period(body.period), day(request, body.date, "date"), actor=actor(p),
                       sequence=body.sequence)
    funds = {"available": None if run.available is None else cents_to_str(run.available),
             "unpaid_keys": [i.key for i in run.unpaid[:500]], "held": list(run.held)}
    if body.preview:
        ctx.uow.rollback()
        return {**run.summary(), **funds, "preview": True}
    text = write_payment_file(run.bank_file)
    ctx.uow.commit()
    return {**run.summary(), **funds, "bank_file": text}
