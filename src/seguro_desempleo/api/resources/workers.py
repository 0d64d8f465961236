"""Workers: the register, contributions, claims and the employment-service registration (art. 7)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import Field

from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.api.resources.common import DateText, R, _claim_summary, _In, _now, _worker_id
from seguro_desempleo.errors import PermissionDeniedError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period

router = APIRouter(prefix="/api/v1")


class WorkerIn(_In):
    doc_type: str = Field(default="01", max_length=2)
    doc_number: str = Field(min_length=1, max_length=15)
    sex: str | None = Field(default=None, max_length=1)
    birth_date: DateText = None
    region: str | None = Field(default=None, max_length=40)


def _worker_dict(w: Any) -> dict[str, Any]:
    # The document number is personal data: shown to the worker and to staff, never logged.
    return {"id": w.id, "doc_type": w.doc_type, "doc_number": w.doc_number, "sex": w.sex,
            "birth_date": w.birth_date.isoformat() if w.birth_date else None, "region": w.region}


@router.post("/workers", tags=["trabajadores"], status_code=201, summary="Register a worker (caseworker)")
def register_worker(body: WorkerIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.domain.registry import validate_document
    from seguro_desempleo.services.registry import register_worker as register

    require(p, R.CASEWORKER)
    # The same document again updates the worker: the audit keeps what it was.
    known = ctx.uow.workers.by_document(body.doc_type, validate_document(body.doc_type, body.doc_number))
    before = None if known is None else {"id": known.id, "sex": known.sex, "region": known.region}
    w = register(ctx.uow, body.doc_type, body.doc_number, sex=body.sex, birth_date=body.birth_date,
                 region=body.region)
    ctx.audit.append(who=actor(p), when=_now(), action="worker.update" if known else "worker.register",
                     entity=f"worker:{w.id}", before=before, after={"id": w.id, "sex": w.sex, "region": w.region})
    ctx.uow.commit()
    return _worker_dict(w)


@router.get("/workers/{worker_id}", tags=["trabajadores"], summary="One worker (staff, or the worker)")
def get_worker(worker_id: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    p.check_worker(worker_id)
    return _worker_dict(ctx.uow.workers.get(_worker_id(worker_id)))


@router.get("/workers/{worker_id}/contributions", tags=["trabajadores"],
            summary="Months declared for the worker, all employers summed")
def worker_contributions(worker_id: str, p: CurrentPrincipal, ctx: Ctx, request: Request) -> dict[str, Any]:
    p.check_worker(worker_id)
    wid = _worker_id(worker_id)
    ctx.uow.workers.get(wid)
    recs = ctx.uow.contributions.for_worker(wid, params=ctx.service.params)  # baseline + instruments (0424)
    return {"worker_id": wid, "items": [{"period": format_period(r.period), "insurable_pay": cents_to_str(r.insurable_pay),
                                         "contribution": cents_to_str(r.contribution)} for r in recs]}


@router.get("/workers/{worker_id}/claims", tags=["trabajadores"], summary="A worker's claims")
def worker_claims(worker_id: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    p.check_worker(worker_id)
    ref = str(_worker_id(worker_id))
    return {"items": [_claim_summary(c) for c in ctx.claims.search(worker_ref=ref, limit=500)]}


class EsRegistrationIn(_In):
    registered_on: DateText = Field(default=None, max_length=10,
                                    description="date of the registration (YYYY-MM-DD); default today")
    channel: str = Field(max_length=16, description="centro_empleo | empleos_peru | other")
    reference: str = Field(default="", max_length=120, description="office or reference (optional)")


@router.post("/workers/{worker_id}/employment-registration", tags=["trabajadores"], status_code=201,
             summary="Record the worker's registration with the employment service (art. 7)")
def record_es_registration(worker_id: str, body: EsRegistrationIn, request: Request, p: CurrentPrincipal,
                           ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.claims_app import record_employment_registration

    if p.role is R.WORKER:
        p.check_worker(worker_id)
    else:
        require(p, R.EMPLOYMENT_OFFICER, R.CASEWORKER)
    _worker_id(worker_id)
    row = record_employment_registration(ctx, worker_id, day(request, body.registered_on, "registered_on"),
                                         body.channel, actor=actor(p), reference=body.reference,
                                         self_declared=p.role is R.WORKER, today=day(request, None, "today"))
    ctx.uow.commit()
    return row


@router.get("/workers/{worker_id}/employment-registration", tags=["trabajadores"],
            summary="The worker's registrations with the employment service (art. 7)")
def list_es_registrations(worker_id: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.claims_app import employment_registrations

    if p.role is R.EMPLOYER:
        raise PermissionDeniedError("employers do not see employment-service records")
    p.check_worker(worker_id)
    _worker_id(worker_id)
    items = employment_registrations(ctx, worker_id)
    return {"worker_id": int(worker_id), "registered": bool(items), "items": items}
