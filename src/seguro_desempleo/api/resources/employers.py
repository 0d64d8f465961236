"""Employers: the register, the size history and its four-eyes review, declarations in force."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field, StrictBool

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import READ_ROLES, Limit, Offset, R, _In, _now
from seguro_desempleo.errors import NotFoundError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period

router = APIRouter(prefix="/api/v1")


class EmployerIn(_In):
    ruc: str = Field(min_length=1, max_length=11)
    name: str = Field(min_length=1, max_length=200)
    size_class: str | None = Field(default=None, max_length=10)
    annual_sales_uit: str | None = Field(default=None, max_length=20)
    sector: str = Field(default="private", max_length=10)
    region: str | None = Field(default=None, max_length=40)


def _employer_dict(e: Any) -> dict[str, Any]:
    return {"id": e.id, "ruc": e.ruc, "name": e.name, "size_class": e.size_class, "size_source": e.size_source,
            "sector": e.sector, "region": e.region,
            "annual_sales_uit": None if e.annual_sales_uit is None else format(e.annual_sales_uit, "f")}


@router.get("/employers", tags=["empleadores"], summary="Employers (staff)")
def list_employers(p: CurrentPrincipal, ctx: Ctx, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    require(p, *READ_ROLES)
    return {"total": ctx.uow.employers.count(),
            "items": [_employer_dict(e) for e in ctx.uow.employers.list(limit=limit, offset=offset)]}


@router.get("/employers/{ruc}", tags=["empleadores"], summary="One employer (staff, or the employer itself)")
def get_employer(ruc: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    p.check_employer(ruc)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    return _employer_dict(e)


@router.post("/employers", tags=["empleadores"], status_code=201,
             summary="Register or update an employer (admin, caseworker, or the employer for its own RUC)")
def register_employer(body: EmployerIn, request: Request, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.registry import register_employer as register

    if p.role is R.EMPLOYER:
        p.check_employer(body.ruc)
    else:
        require(p, R.CASEWORKER)
    before = ctx.uow.employers.by_ruc(body.ruc)
    e = register(ctx.uow, body.ruc, body.name, size_class=body.size_class, annual_sales_uit=body.annual_sales_uit,
                 sector=body.sector, region=body.region, params=request.app.state.params,
                 at=day(request, None, "at"), declared_by_employer=p.role is R.EMPLOYER, by=actor(p))
    ctx.audit.append(who=actor(p), when=_now(), action="employer.register", entity=f"employer:{e.ruc}",
                     before=_employer_dict(before) if before else None, after=_employer_dict(e))
    ctx.uow.commit()
    return _employer_dict(e)


class SizeReviewIn(_In):
    accept: StrictBool


@router.get("/employers/{ruc}/sizes", tags=["empleadores"],
            summary="The employer's size history: confirmed, pending and rejected sizes (issue 25)")
def employer_sizes(ruc: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    p.check_employer(ruc)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None or e.id is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    return {"ruc": e.ruc, "size_class": e.size_class, "items": [r.to_dict() for r in ctx.uow.employer_sizes.history(e.id)]}


@router.post("/employers/{ruc}/sizes/{size_id}/review", tags=["empleadores"],
             summary="Staff accept or reject a size the employer declared (four eyes)")
def review_employer_size(ruc: str, size_id: int, body: SizeReviewIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    require(p, R.CASEWORKER)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None or e.id is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    if not any(r.id == size_id for r in ctx.uow.employer_sizes.history(e.id)):
        raise NotFoundError(f"no size record {size_id} for RUC '{ruc}'", field="size_id")
    from seguro_desempleo.services import employer_size

    # an accepted size re-liquidates the months it now covers (issue 26), as the CLI and the web do
    rec = employer_size.review_size(ctx.uow, size_id, accept=body.accept, by=actor(p))
    ctx.audit.append(who=actor(p), when=_now(), action="employer.size_review", entity=f"employer:{ruc}",
                     before={"size_id": size_id, "status": "pending"}, after=rec.to_dict())
    ctx.uow.commit()
    return rec.to_dict()


@router.get("/employers/{ruc}/declarations", tags=["empleadores"],
            summary="An employer's declarations in force by month")
def employer_declarations(ruc: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    p.check_employer(ruc)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    rows = ctx.uow.reads.active_declarations(e.id)
    return {"ruc": ruc, "items": [{"period": format_period(r.period), "version": r.version, "workers": r.workers,
                                   "total_due": cents_to_str(r.total_due), "employer_due": cents_to_str(r.employer_due),
                                   "cts_due": cents_to_str(r.cts_due)}
                                  for r in rows]}
