"""Issued acts over HTTP (issue 26 item 9): list a claim's acts, fetch one as issued (HTML or PDF,
the stored bytes), and record the day it was notified (the appeal term runs from it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from seguro_desempleo.api.auth import Role
from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import _claim_for

router = APIRouter(prefix="/api/v1")


class NotificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notified_on: str = Field(max_length=10, description="YYYY-MM-DD or dd/mm/aaaa")


@router.get("/claims/{claim_id}/acts", tags=["decisiones"], summary="The claim's issued acts (Ley 27444)")
def list_acts(claim_id: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    _claim_for(ctx, p, claim_id)
    return {"items": [a.to_dict() for a in ctx.service.acts_for(claim_id)]}


@router.get("/acts/{number}", tags=["decisiones"], summary="An issued act as issued (HTML or PDF)",
            response_class=Response, responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def get_act(number: str, p: CurrentPrincipal, ctx: Ctx,
            format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html") -> Response:
    from seguro_desempleo.services.claims_app import act_bytes

    assert ctx.service.acts is not None
    _claim_for(ctx, p, ctx.service.acts.get(number).claim_id)
    data = act_bytes(ctx, number, format)
    ctx.uow.commit()                      # a PDF printed for the first time is kept
    if format == "pdf":
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{number}.pdf"'})
    return Response(data, media_type="text/html; charset=utf-8")


@router.post("/acts/{number}/notification", tags=["decisiones"], summary="Record the act's notification date")
def notify(number: str, body: NotificationIn, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    require(p, Role.CASEWORKER)
    act = ctx.service.record_notification(number, day(request, body.notified_on, "notified_on"), actor=actor(p))
    ctx.uow.commit()
    return act.to_dict()
