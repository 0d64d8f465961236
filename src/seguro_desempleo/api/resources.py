"""The insurance's REST resources under ``/api/v1`` (issue 5, point 6).

Employers, workers, payroll uploads, claims, decisions (with the letter), payments and payment
runs, obligations and placements, appeals, the ledger, reports and the audit log. Every handler:

1. authenticates (401) and checks the role and the row (403) through :mod:`.auth`;
2. works in one unit of work (:func:`.deps.claims_ctx`) and commits only at its end;
3. writes each state change to the hash-chained audit log (who, when, what, before/after) — the
   claims service does so for claims, payments and appeals, this module for the rest.

Money in answers is a decimal string in soles (``"1750.00"``); an integer in céntimos only where a
machine needs one, and then its name ends in ``_cents`` (decision 0380).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from starlette.concurrency import run_in_threadpool

from seguro_desempleo.api.auth import STAFF, Principal, Role
from seguro_desempleo.api.deps import Ctx, CurrentPrincipal, actor, day, require
from seguro_desempleo.claims.appeals import AppealOutcome
from seguro_desempleo.claims.appeals import parse_kind as parse_appeal_kind
from seguro_desempleo.claims.ports import Claim
from seguro_desempleo.claims.state import parse_state
from seguro_desempleo.domain.access import may_file
from seguro_desempleo.employment_service.obligations import Outcome, Placement, PlacementSource
from seguro_desempleo.employment_service.obligations import parse_kind as parse_obligation_kind
from seguro_desempleo.errors import CapacityError, InputError, NotFoundError, PermissionDeniedError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period, parse_date, parse_period

router = APIRouter(prefix="/api/v1")

R = Role
CASE_ROLES = (R.CASEWORKER,)
READ_ROLES = tuple(STAFF)
MAX_UPLOAD = 64 * 1024 * 1024

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]
DateText = Annotated[str | None, Field(default=None, max_length=10, description="YYYY-MM-DD or dd/mm/aaaa")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _claim_for(ctx: Ctx, p: Principal, claim_id: str) -> Claim:
    """The claim if the caller may see it (404 before 403 would leak existence: 403 for both)."""
    if p.role is R.EMPLOYER:
        raise PermissionDeniedError("employers do not see claims")
    try:
        claim = ctx.claims.get(claim_id)
    except NotFoundError:
        if p.role is R.WORKER:
            raise PermissionDeniedError("this record belongs to another worker") from None
        raise
    p.check_worker(claim.worker_ref)
    return claim


def _worker_id(text: str) -> int:
    """The one strict parser of worker references (:mod:`seguro_desempleo.domain.identifiers`)."""
    from seguro_desempleo.domain.identifiers import parse_worker_ref

    return parse_worker_ref(text, field="worker_id")


# ============================================================================ employers


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
    from seguro_desempleo.storage import employer_sizes as sizes

    p.check_employer(ruc)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None or e.id is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    return {"ruc": e.ruc, "size_class": e.size_class, "items": [r.to_dict() for r in sizes.history(ctx.uow.session, e.id)]}


@router.post("/employers/{ruc}/sizes/{size_id}/review", tags=["empleadores"],
             summary="Staff accept or reject a size the employer declared (four eyes)")
def review_employer_size(ruc: str, size_id: int, body: SizeReviewIn, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.storage import employer_sizes as sizes

    require(p, R.CASEWORKER)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None or e.id is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    if not any(r.id == size_id for r in sizes.history(ctx.uow.session, e.id)):
        raise NotFoundError(f"no size record {size_id} for RUC '{ruc}'", field="size_id")
    rec = sizes.review(ctx.uow.session, size_id, accept=body.accept, by=actor(p))
    ctx.audit.append(who=actor(p), when=_now(), action="employer.size_review", entity=f"employer:{ruc}",
                     before={"size_id": size_id, "status": "pending"}, after=rec.to_dict())
    ctx.uow.commit()
    return rec.to_dict()


@router.get("/employers/{ruc}/declarations", tags=["empleadores"],
            summary="An employer's declarations in force by month")
def employer_declarations(ruc: str, p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from sqlalchemy import select

    from seguro_desempleo.storage.models import DeclarationRow

    p.check_employer(ruc)
    e = ctx.uow.employers.by_ruc(ruc)
    if e is None:
        raise NotFoundError(f"no employer with RUC '{ruc}'", field="ruc")
    rows = ctx.uow.session.execute(select(DeclarationRow).where(DeclarationRow.employer_id == e.id,
                                                                DeclarationRow.status == "active")
                                   .order_by(DeclarationRow.period)).scalars()
    return {"ruc": ruc, "items": [{"period": format_period(r.period), "version": r.version, "workers": r.workers,
                                   "total_due": cents_to_str(r.total_due), "employer_due": cents_to_str(r.employer_due),
                                   "cts_due": cents_to_str(r.cts_due)}
                                  for r in rows]}


# ============================================================================ workers


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
    recs = ctx.uow.contributions.for_worker(wid, params=request.app.state.params)
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


# ============================================================================ payroll uploads


@router.post("/payroll/uploads", tags=["planillas"], status_code=201,
             summary="Upload PLAME .rem, T-Registro .per or CSV payroll files (multipart)")
async def upload_payroll(request: Request, p: CurrentPrincipal, ctx: Ctx,
                         files: Annotated[list[UploadFile], File(description="one or more files")],
                         partial: Annotated[bool, Form()] = False) -> dict[str, Any]:
    from seguro_desempleo.services.payroll_import import KINDS, import_files

    require(p, R.EMPLOYER, R.CASEWORKER)
    if not files:
        raise InputError("attach at least one file", field="files")
    with tempfile.TemporaryDirectory(prefix="sd_upload_") as tmp:
        paths = []
        total = 0
        names: set[str] = set()
        for f in files:
            name = Path(f.filename or "").name
            if len(name.encode("utf-8")) > 255:
                raise InputError("a file name is longer than 255 bytes", field="files")
            if not name or Path(name).suffix.lower() not in KINDS:
                raise InputError(f"file '{name[:80]}' is not a .rem, .per, .csv or .parquet payroll file",
                                 field="files")
            if name in names:      # the second would overwrite the first: nothing is imported
                raise InputError(f"two files named '{name[:80]}' in one upload; send each once", field="files")
            names.add(name)
            if p.role is R.EMPLOYER and (not p.subject or p.subject not in name):
                raise PermissionDeniedError("an employer uploads only files named with its own RUC")
            data = await f.read()
            total += len(data)
            if total > MAX_UPLOAD:
                raise CapacityError(f"upload larger than {MAX_UPLOAD // 2**20} MiB; use the CLI for national files",
                                    field="files")
            path = Path(tmp) / name
            path.write_bytes(data)
            paths.append(path)
        # An employer's upload is checked line by line too: a CSV or Parquet file names its
        # employers in its rows, and each must be the caller's.
        summary = import_files(paths, uow=ctx.uow, params=request.app.state.params, partial=partial,
                               today=day(request, None, "today"),
                               employer_ruc=p.subject if p.role is R.EMPLOYER else None)
        for r in summary.files:  # the names the caller gave, not the server's temporary paths
            r.file = Path(r.file).name
            r.issues = [dataclasses.replace(i, file=r.file) for i in r.issues]
            r.notices = [dataclasses.replace(i, file=r.file) for i in r.notices]
    reports = [r.as_dict(max_issues=50) for r in summary.files]
    ctx.audit.append(who=actor(p), when=_now(), action="payroll.upload", entity="payroll:upload", before=None,
                     after=[{"file": r["file"], "status": r["status"], "lines": r.get("lines"),
                             "accepted_lines": r.get("accepted_lines")} for r in reports])
    ctx.uow.commit()
    return {"accepted": summary.accepted, "rejected": summary.rejected, "duplicates": summary.duplicates,
            "files": reports}


# ============================================================================ claims and decisions


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


def _decided_summary(c: Claim) -> dict[str, Any]:
    """The answer to a decision: the claim's summary and its decision without the trace (kept
    whole in the store: ``GET /claims/{id}/decision``)."""
    out = _claim_summary(c)
    if c.decision is not None:
        out["decision"] = c.decision.to_dict(trace=False)
    return out


def _claim_summary(c: Claim) -> dict[str, Any]:
    return {"id": c.id, "worker_id": c.worker_ref, "state": c.state.value, "version": c.version,
            "filed_on": c.filed_on.isoformat(), "separation_date": c.separation_date.isoformat(),
            "decided_on": c.decided_on.isoformat() if c.decided_on else None,
            "eligible": c.decision.eligible if c.decision else None,
            "total": cents_to_str(c.decision.total) if c.decision and c.decision.eligible else None}


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


# ============================================================================ payments


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


# ============================================================================ obligations and placements


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


# ============================================================================ appeals


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


# ============================================================================ ledger, reports, audit


@router.get("/ledger/balances", tags=["contabilidad"], summary="Account balances (analyst, board)")
def ledger_balances(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services import ledger

    require(p, R.ANALYST, R.BOARD)
    tb = ledger.trial_balance(ctx.uow)
    return {"balanced": tb.balanced, "accounts": [a.as_dict() for a in tb.accounts]}


@router.get("/reports/summary", tags=["reportes"], summary="Fund, contributions, claims and payments in totals")
def report_summary(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.services.claims_app import summary

    require(p, R.ANALYST, R.BOARD, R.CASEWORKER)
    return summary(ctx)


@router.get("/audit", tags=["auditoría"], summary="Latest audit records (admin), or one entity's")
def audit_records(p: CurrentPrincipal, ctx: Ctx, entity: Annotated[str | None, Query(max_length=80)] = None,
                  limit: Limit = 100) -> dict[str, Any]:
    require(p, R.ADMIN)
    recs = ctx.audit.for_entity(entity, limit) if entity else ctx.audit.recent(limit)
    return {"items": [r.to_dict() for r in recs]}


@router.get("/audit/verify", tags=["auditoría"], summary="Verify the hash chain (admin)")
def audit_verify(p: CurrentPrincipal, ctx: Ctx) -> dict[str, Any]:
    from seguro_desempleo.claims.books import verify_books

    require(p, R.ADMIN, R.BOARD)
    books = verify_books(ctx.uow)        # both chains and the money rows against the log (issue 25)
    rep = books.audit
    return {"ok": books.ok, "checked": rep.checked, "first_broken": rep.first_broken, "reason": rep.reason,
            "message": rep.one_line(), "ledger": books.as_dict()["ledger"], "problems": books.problems,
            "heads": books.heads().to_dict()}


# ============================================================================ money controls (issue 25)


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
