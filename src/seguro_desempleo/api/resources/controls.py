"""Money controls (issue 25): flagged months, the four-eyes approval, fund alerts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field, StrictBool

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, require
from seguro_desempleo.api.resources.common import Limit, R, _claim_summary, _In, _now
from seguro_desempleo.errors import InputError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period

router = APIRouter(prefix="/api/v1")


class ReviewIn(_In):
    accept: StrictBool = Field(description="true: the month counts toward eligibility; false: it never does")


class ApprovalIn(_In):
    approve: StrictBool = Field(description="true: the award is paid; false: the claim is denied")


@router.get("/reviews", tags=["controles"], summary="Declared months flagged as implausible, waiting for "
                                                    "staff (caseworker)")
def list_reviews(p: CurrentPrincipal, ctx: Ctx, status: Annotated[str, Query(max_length=10)] = "pending",
                 limit: Limit = 200) -> dict[str, Any]:
    from seguro_desempleo.services.controls import controls

    require(p, R.CASEWORKER)
    if status not in ("pending", "accepted", "rejected"):
        raise InputError("status is pending, accepted or rejected", field="status")
    items = controls(ctx).review_queue(status=status, limit=limit)
    return {"items": [{**r, "period": format_period(int(r["period"])),
                       "remuneration": cents_to_str(int(r["remuneration"]))} for r in items]}


@router.post("/reviews/{review_id}", tags=["controles"], summary="Accept or reject a flagged month (caseworker)")
def decide_review(review_id: str, body: ReviewIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.controls import controls

    require(p, R.CASEWORKER)
    row = controls(ctx).decide_review(review_id, body.accept, actor=actor(p), now=_now())
    ctx.uow.commit()
    return {**row, "period": format_period(int(row["period"]))}


@router.get("/approvals", tags=["controles"], summary="Awards waiting for a second staff member (caseworker)")
def list_approvals(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.controls import controls

    require(p, R.CASEWORKER)
    return {"items": [{**r, "total": cents_to_str(int(r["total"]))}
                      for r in controls(ctx).approval_queue()]}


@router.post("/claims/{claim_id}/approval", tags=["controles"],
             summary="Second staff member's approval of a held award (maker-checker; never the maker)")
def approve_award(claim_id: str, body: ApprovalIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    require(p, R.CASEWORKER)
    c = ctx.service.approve_award(claim_id, approve=body.approve, actor=actor(p))
    ctx.uow.commit()
    return _claim_summary(c)


@router.get("/fund-alerts", tags=["controles"], summary="Payment runs the fund could not pay in full "
                                                        "(caseworker, board, analyst)")
def list_fund_alerts(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.controls import controls

    require(p, R.CASEWORKER, R.BOARD, R.ANALYST)
    return {"items": [{**a, "period": format_period(int(a["period"])),
                       "shortfall": cents_to_str(int(a["shortfall"])),
                       "available": cents_to_str(int(a["available"]))} for a in controls(ctx).fund_alerts()]}
