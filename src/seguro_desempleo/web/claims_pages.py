"""Claims pages of the worker (file, decision, payments, obligations, appeal), the caseworker
(queue, case with its trace, decide or override with a reason, appeals with their clocks, the
monthly payment run with its preview and bank file) and the employment-service officer
(obligations to record with just-cause codes, placements).

Every handler opens one unit of work, builds the claims service over it
(``services.claims_app.claims_context``), and commits only what it changes. Every state change
goes through :class:`~seguro_desempleo.claims.service.ClaimService`, which writes the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from seguro_desempleo.claims.appeals import AppealKind, AppealOutcome, clock, filing_deadline
from seguro_desempleo.claims.ports import Claim
from seguro_desempleo.claims.service import OVERRIDE_TARGETS
from seguro_desempleo.claims.state import STATE_LABELS_ES, ClaimState
from seguro_desempleo.domain.access import Principal, Role
from seguro_desempleo.domain.identifiers import canonical_worker_ref
from seguro_desempleo.employment_service.obligations import (
    KIND_LABELS_ES,
    Outcome,
    Placement,
    PlacementSource,
    just_causes,
)
from seguro_desempleo.errors import InputError, SeguroError
from seguro_desempleo.payments.bank_file import write_payment_file
from seguro_desempleo.payments.schedule import installment_status
from seguro_desempleo.periods import format_period, parse_date, parse_period, period_of
from seguro_desempleo.web.common import PageDenied, check_worker, require, today, unit_of_work, worker_id_of
from seguro_desempleo.web.routes import render

S = ClaimState
OFFICER_HORIZON_DAYS = 31
"""The officer sees obligations overdue or due within this many days."""
STAFF_CLAIMS = (Role.CASEWORKER,)
"""What a caseworker may set against the rules' outcome, with a written reason (audited).
Approving what the rules deny goes through an appeal, which re-runs the rules on corrected records."""


@contextmanager
def claims(request: Request) -> Iterator[Any]:
    from seguro_desempleo.services.claims_app import claims_context

    pinned = today(request)
    clock = None
    if pinned != dt.date.today():      # a pinned service date (demo, tests) also dates the audit log
        def clock() -> dt.datetime:
            return dt.datetime.combine(pinned, dt.datetime.now(dt.UTC).timetz())
    with unit_of_work(request) as uow:
        yield claims_context(uow, params=request.app.state.params, clock=clock)


def _filing_error(exc: SeguroError) -> str:
    """A plain-Spanish key for the usual reasons a claim cannot be filed (the one-line detail stays)."""
    if "separation" in exc.message and exc.field == "worker":
        return "no_separation"
    if "open claim" in exc.message:
        return "open_claim_exists"
    return exc.one_line()


def _actor(principal: Principal) -> str:
    from seguro_desempleo.domain.access import actor

    return actor(principal)     # one format with the API's (decision 0320)


def _claim_for(ctx: Any, principal: Principal, claim_id: str) -> Claim:
    """The claim *claim_id* as *principal* may see it. A worker asking for a claim that is not
    theirs gets 403 whether or not it exists (as the API answers), so ids cannot be probed."""
    try:
        claim: Claim = ctx.claims.get(claim_id)
    except SeguroError:
        if principal.role is Role.WORKER:
            raise PageDenied(403, "forbidden_row") from None
        raise PageDenied(404, "not_found") from None
    if principal.role is Role.WORKER:
        check_worker(principal, claim.worker_ref)
    return claim


def claim_view(ctx: Any, claim: Claim, on: dt.date) -> dict[str, Any]:
    """What the claim pages show: schedule with each installment's status, payments, obligations,
    appeals with their clocks, the filing deadline of a new appeal."""
    svc = ctx.service
    plan = svc.plan(claim)
    payments = ctx.payments.payments(claim.id)
    paid_keys = {p.key for p in payments}
    obligations = ctx.employment.obligations(claim.id)
    from seguro_desempleo.employment_service.obligations import suspended_periods

    withheld = suspended_periods(obligations, on)
    reemp = period_of(claim.reemployment_date) if claim.reemployment_date else None
    schedule = [(i, installment_status(i, period_of(on), paid_keys=paid_keys, reemployment_period=reemp,
                                       suspended_periods=withheld).value) for i in plan]
    appeals = [(a, a.clock(on) if a.outcome is AppealOutcome.PENDING else None) for a in ctx.claims.appeals_for(claim.id)]
    deadline = None
    acts = svc.acts_for(claim.id)
    if claim.decided_on is not None and not any(c for _, c in appeals):
        notified = max([claim.decided_on, *(a.resolved_on for a, _ in appeals if a.resolved_on)])
        if acts:        # issue 26 item 9: the term runs from the latest act's recorded notification
            notified = acts[-1].notified_on
        try:
            deadline = clock(filing_deadline(notified), on) if notified else None
        except OverflowError:       # a decision dated at the calendar's end (year 9999): no deadline to show
            deadline = None
    unnotified = bool(acts) and claim.decided_on is not None and deadline is None and not any(c for _, c in appeals)
    from seguro_desempleo.services.claims_app import employment_registrations

    try:
        registrations = employment_registrations(ctx, claim.worker_ref)
    except SeguroError:
        registrations = []
    return {"claim": claim, "state_label": STATE_LABELS_ES[claim.state], "schedule": schedule,
            "es_registrations": registrations,
            "payments": payments, "obligations": obligations, "appeals": appeals, "appeal_deadline": deadline,
            "acts": acts, "appeal_unnotified": unnotified,
            "kind_labels": {k.value: v for k, v in KIND_LABELS_ES.items()}, "just_causes": just_causes(),
            "period": format_period}


def _regions(ctx: Any, refs: list[str]) -> dict[str, str]:
    """Region of each worker reference (bound parameters: a stored reference is never SQL text)."""
    ids = sorted({int(r) for r in refs if r.isascii() and r.isdigit() and 0 < len(r) <= 10})
    if not ids:
        return {}
    return {str(i): r or "—" for i, r in ctx.uow.workers.regions(ids).items()}


def _form_version(value: object, current: int) -> int:
    """The claim version a form was drawn from (its optimistic lock), or the claim's own when absent."""
    if value is None:
        return current
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InputError("the form's claim version is not a whole number; reload the page", field="version")
    return int(text)


def _yes_no(form: Any, field: str, message: str) -> bool:
    """A form's "1" (yes) or "0" (no); anything else is refused with ``message`` naming ``field``."""
    choice = {"1": True, "0": False}.get(str(form.get(field, "")))
    if choice is None:
        raise InputError(message, field=field)
    return choice


router = APIRouter()
"""The pages of this module; ``install(app)`` includes it."""


# ------------------------------------------------------------------ worker
@router.get("/trabajador/solicitud", response_class=HTMLResponse, include_in_schema=False)
def claim_form(request: Request) -> HTMLResponse:
    require(request, Role.WORKER)
    return render(request, "claim_file.html", error=None, today=today(request))


@router.post("/trabajador/solicitud", include_in_schema=False)
async def file_claim(request: Request) -> Response:
    principal = require(request, Role.WORKER)
    wid = worker_id_of(principal)
    form = await request.form()
    if form.get("confirm") != "1":
        return render(request, "claim_file.html", status_code=422, error="confirm_required",
                      today=today(request))
    try:
        with claims(request) as ctx:
            claim = ctx.service.file_claim(str(wid), today(request), actor=_actor(principal))
            ctx.uow.commit()
    except SeguroError as exc:
        return render(request, "claim_file.html", status_code=exc.http_status, error=_filing_error(exc),
                      detail=exc.one_line(), today=today(request))
    return RedirectResponse(f"/trabajador/reclamos/{claim.id}", status_code=303)


@router.get("/trabajador/reclamos", response_class=HTMLResponse, include_in_schema=False)
def my_claims(request: Request) -> HTMLResponse:
    principal = require(request, Role.WORKER)
    wid = worker_id_of(principal)
    with claims(request) as ctx:
        ids = ctx.uow.reads.claim_ids_of_worker(str(wid))
        mine = [ctx.claims.get(i) for i in ids]
    return render(request, "claim_list.html", claims=mine, labels=STATE_LABELS_ES)


@router.get("/trabajador/reclamos/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
def my_claim(claim_id: str, request: Request) -> HTMLResponse:
    principal = require(request, Role.WORKER, Role.CASEWORKER)
    on = today(request)
    with claims(request) as ctx:
        claim = _claim_for(ctx, principal, claim_id)
        view = claim_view(ctx, claim, on)
    return render(request, "claim_worker.html", error=None, **view)


@router.post("/trabajador/reclamos/{claim_id}/recurso", include_in_schema=False)
async def appeal(claim_id: str, request: Request) -> Response:
    principal = require(request, Role.WORKER)
    form = await request.form()
    on = today(request)
    with claims(request) as ctx:
        claim = _claim_for(ctx, principal, claim_id)
        try:
            kind = AppealKind(str(form.get("kind", "")))
            grounds = str(form.get("grounds", "")).strip()[:2000]
            if not grounds:
                raise PageDenied(422, "grounds_required")
            ctx.service.file_appeal(claim.id, kind, on, actor=_actor(principal), grounds=grounds)
            ctx.uow.commit()
        except (SeguroError, ValueError, PageDenied) as exc:
            view = claim_view(ctx, claim, on)
            msg = exc.message if isinstance(exc, PageDenied) else (
                exc.one_line() if isinstance(exc, SeguroError) else "kind_required")
            return render(request, "claim_worker.html", status_code=422, error=msg, **view)
    return RedirectResponse(f"/trabajador/reclamos/{claim_id}#recursos", status_code=303)


@router.get("/trabajador/reclamos/{claim_id}/resolucion", response_class=HTMLResponse, include_in_schema=False)
def letter(claim_id: str, request: Request) -> HTMLResponse:
    from seguro_desempleo.claims.acts import ActKind
    from seguro_desempleo.claims.decision import LetterContext, render_resolution_html

    principal = require(request, Role.WORKER, Role.CASEWORKER)
    with claims(request) as ctx:
        claim = _claim_for(ctx, principal, claim_id)
        if claim.decision is None:
            raise PageDenied(404, "not_decided")
        issued = [a for a in ctx.service.acts_for(claim.id) if a.kind is ActKind.DECISION]
        if issued:          # issue 26 item 9: the act as issued, not re-rendered
            return HTMLResponse(issued[-1].html.decode("utf-8"))
        payee = ctx.history.payee(claim.worker_ref)
    html = render_resolution_html(claim.decision, LetterContext(
        resolution_number=f"RES-{claim.id}", worker_name=payee.name, document_type="DNI",
        document_number=payee.doc_number, issued_on=claim.decided_on,
        reemployment_date=claim.reemployment_date))
    return HTMLResponse(html)


@router.get("/trabajador/reclamos/{claim_id}/actos/{number}", response_class=HTMLResponse, include_in_schema=False)
def issued_act(claim_id: str, number: str, request: Request) -> HTMLResponse:
    """An issued act exactly as issued (issue 26 item 9)."""
    principal = require(request, Role.WORKER, Role.CASEWORKER)
    with claims(request) as ctx:
        claim = _claim_for(ctx, principal, claim_id)
        act = next((a for a in ctx.service.acts_for(claim.id) if a.number == number), None)
        if act is None or not act.verify():
            raise PageDenied(404, "not_found")
    return HTMLResponse(act.html.decode("utf-8"))


# ------------------------------------------------------------------ caseworker
@router.get("/gestion", response_class=HTMLResponse, include_in_schema=False)
def queue(request: Request) -> HTMLResponse:
    require(request, *STAFF_CLAIMS)
    on = today(request)
    state = request.query_params.get("estado", "")
    region = request.query_params.get("region", "")
    try:
        min_age = int(request.query_params.get("antiguedad", "") or 0)
    except ValueError:
        min_age = 0
    wanted = ClaimState(state) if state in {s.value for s in ClaimState} else None
    with claims(request) as ctx:
        listed = ctx.claims.in_states([wanted] if wanted else list(ClaimState))
        regions = _regions(ctx, [c.worker_ref for c in listed])
        all_regions = ctx.uow.reads.worker_regions()
        counts = ctx.claims.count_by_state()
    rows = [(c, (on - c.filed_on).days, regions.get(c.worker_ref, "—")) for c in listed]
    rows = [r for r in rows if r[1] >= min_age and (not region or r[2] == region)]
    rows.sort(key=lambda r: -r[1])
    return render(request, "queue.html", rows=rows, states=list(ClaimState), labels=STATE_LABELS_ES,
                  state=state, region=region, min_age=min_age, regions=all_regions, counts=counts)


def _case_page(request: Request, ctx: Any, claim: Claim, error: str | None = None,
               status: int = 200) -> HTMLResponse:
    on = today(request)
    preview = None
    if claim.state in (S.FILED, S.WAITING):
        try:
            preview = ctx.service.evaluate(claim, on)
        except SeguroError as exc:
            error = error or exc.one_line()
    audit = ctx.audit.for_entity(f"claim:{claim.id}")
    return render(request, "case.html", status_code=status, error=error, preview=preview, audit=audit,
                  override_targets=OVERRIDE_TARGETS, **claim_view(ctx, claim, on))


@router.get("/gestion/casos/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
def case(claim_id: str, request: Request) -> HTMLResponse:
    principal = require(request, *STAFF_CLAIMS)
    with claims(request) as ctx:
        return _case_page(request, ctx, _claim_for(ctx, principal, claim_id))


@router.post("/gestion/casos/{claim_id}/decidir", include_in_schema=False)
async def decide(claim_id: str, request: Request) -> Response:
    principal = require(request, *STAFF_CLAIMS)
    form = await request.form()
    with claims(request) as ctx:
        claim = _claim_for(ctx, principal, claim_id)
        try:
            version = _form_version(form.get("version"), claim.version)
            ctx.service.decide(claim.id, today(request), actor=_actor(principal), expected_version=version)
            ctx.uow.commit()
        except SeguroError as exc:
            ctx.uow.rollback()
            return _case_page(request, ctx, ctx.claims.get(claim_id), exc.one_line(), exc.http_status)
    return RedirectResponse(f"/gestion/casos/{claim_id}", status_code=303)


@router.post("/gestion/casos/{claim_id}/modificar", include_in_schema=False)
async def override(claim_id: str, request: Request) -> Response:
    """Set the claim against the rules' outcome with a written reason (audited with the actor)."""
    principal = require(request, *STAFF_CLAIMS)
    form = await request.form()
    reason = str(form.get("reason", "")).strip()[:500]
    with claims(request) as ctx:
        claim = _claim_for(ctx, principal, claim_id)
        target = str(form.get("to", ""))
        if target not in {s.value for s in OVERRIDE_TARGETS}:
            return _case_page(request, ctx, claim, "override_target", 422)
        if len(reason) < 10:
            return _case_page(request, ctx, claim, "reason_required", 422)
        try:
            version = _form_version(form.get("version"), claim.version)
            ctx.service.override(claim.id, ClaimState(target), reason=reason, actor=_actor(principal),
                                 expected_version=version, on=today(request))
            ctx.uow.commit()
        except SeguroError as exc:
            ctx.uow.rollback()
            return _case_page(request, ctx, ctx.claims.get(claim_id), exc.one_line(), exc.http_status)
    return RedirectResponse(f"/gestion/casos/{claim_id}", status_code=303)


@router.get("/gestion/recursos", response_class=HTMLResponse, include_in_schema=False)
def appeals_page(request: Request) -> HTMLResponse:
    require(request, *STAFF_CLAIMS)
    on = today(request)
    with claims(request) as ctx:
        rows = [(a, a.clock(on)) for a in ctx.claims.appeals(limit=500)]
    rows.sort(key=lambda r: (r[0].outcome is not AppealOutcome.PENDING, r[1].days_left - r[1].days_overdue))
    return render(request, "appeals.html", rows=rows, outcomes=[o for o in AppealOutcome
                                                                 if o is not AppealOutcome.PENDING],
                  error=None)


@router.post("/gestion/recursos/{appeal_id}/resolver", include_in_schema=False)
async def resolve(appeal_id: str, request: Request) -> Response:
    principal = require(request, *STAFF_CLAIMS)
    form = await request.form()
    on = today(request)
    with claims(request) as ctx:
        try:
            outcome = AppealOutcome(str(form.get("outcome", "")))
            ctx.service.resolve_appeal(appeal_id, outcome, on, actor=_actor(principal))
            ctx.uow.commit()
        except (SeguroError, ValueError) as exc:
            ctx.uow.rollback()
            rows = [(a, a.clock(on)) for a in ctx.claims.appeals(limit=500)]
            return render(request, "appeals.html", status_code=422, rows=rows,
                          outcomes=[o for o in AppealOutcome if o is not AppealOutcome.PENDING],
                          error=exc.one_line() if isinstance(exc, SeguroError) else "outcome_required")
    return RedirectResponse("/gestion/recursos", status_code=303)


def _run_period(request: Request, raw: str | None) -> int:
    if raw:
        try:
            return parse_period(raw)
        except SeguroError:
            pass
    return period_of(today(request))


# ------------------------------------------------------------------ controls (issue 25)
def _controls_page(request: Request, error: str | None, status: int) -> HTMLResponse:
    from seguro_desempleo.services.controls import controls

    with claims(request) as ctx:
        reviews = controls(ctx).review_queue()
        approvals = controls(ctx).approval_queue()
    return render(request, "controls.html", status_code=status, error=error, reviews=reviews,
                  approvals=approvals, period_label=format_period)


@router.get("/gestion/controles", response_class=HTMLResponse, include_in_schema=False)
def controls(request: Request) -> HTMLResponse:
    """The review queue (flagged declared months) and the awards awaiting a second approval."""
    require(request, *STAFF_CLAIMS)
    return _controls_page(request, None, 200)


@router.post("/gestion/controles/meses/{review_id}", include_in_schema=False)
async def review_month_form(review_id: str, request: Request) -> Response:
    from seguro_desempleo.services.controls import controls

    principal = require(request, *STAFF_CLAIMS)
    form = await request.form()
    with claims(request) as ctx:
        try:
            accept = _yes_no(form, "accept", "elija aceptar o rechazar")
            controls(ctx).decide_review(review_id, accept, actor=_actor(principal))
            ctx.uow.commit()
        except SeguroError as exc:
            ctx.uow.rollback()
            return _controls_page(request, exc.one_line(), exc.http_status)
    return RedirectResponse("/gestion/controles", status_code=303)


@router.post("/gestion/controles/aprobaciones/{claim_id}", include_in_schema=False)
async def approval_form(claim_id: str, request: Request) -> Response:
    principal = require(request, *STAFF_CLAIMS)
    form = await request.form()
    with claims(request) as ctx:
        try:
            approve = _yes_no(form, "approve", "elija aprobar o rechazar")
            ctx.service.approve_award(claim_id, approve=approve, actor=_actor(principal))
            ctx.uow.commit()
        except SeguroError as exc:
            ctx.uow.rollback()
            return _controls_page(request, exc.one_line(), exc.http_status)
    return RedirectResponse("/gestion/controles", status_code=303)


@router.get("/gestion/pagos", response_class=HTMLResponse, include_in_schema=False)
def payment_preview(request: Request) -> HTMLResponse:
    """The monthly run computed inside a transaction that is rolled back: nothing is paid."""
    principal = require(request, *STAFF_CLAIMS)
    period = _run_period(request, request.query_params.get("periodo"))
    from seguro_desempleo.services.claims_app import bulk_run_payments
    from seguro_desempleo.services.controls import controls

    with claims(request) as ctx:
        try:
            run = bulk_run_payments(ctx, period, today(request), actor=_actor(principal))
        except SeguroError as exc:         # a period after the run date's month, a date out of range
            ctx.uow.rollback()
            return render(request, "error.html", status_code=exc.http_status, message=exc.one_line())
        ctx.uow.rollback()
        alerts = controls(ctx).fund_alerts(limit=6)
    return render(request, "payment_run.html", run=run, alerts=alerts, period=format_period(period),
                  period_label=format_period)


@router.post("/gestion/pagos", include_in_schema=False)
async def payment_run(request: Request) -> Response:
    principal = require(request, *STAFF_CLAIMS)
    form = await request.form()
    period = _run_period(request, str(form.get("periodo", "")))
    from seguro_desempleo.services.claims_app import bulk_run_payments

    def execute() -> tuple[Any, str]:
        with claims(request) as ctx:
            result = bulk_run_payments(ctx, period, today(request), actor=_actor(principal))
            text_ = write_payment_file(result.bank_file)
            ctx.uow.commit()
            return result, text_

    run, body = await run_in_threadpool(execute)      # a national run must not block the event loop
    name = f"pagos_{format_period(period)}_{run.bank_file.sequence:02d}.txt"
    return Response(body, media_type="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ------------------------------------------------------------------ employment-service officer
@router.get("/empleo", response_class=HTMLResponse, include_in_schema=False)
def officer(request: Request) -> HTMLResponse:
    require(request, Role.EMPLOYMENT_OFFICER)
    return _officer_page(request, None, 200)


def _officer_page(request: Request, error: str | None, status: int) -> HTMLResponse:
    on = today(request)
    horizon = on + dt.timedelta(days=OFFICER_HORIZON_DAYS)
    with claims(request) as ctx:
        active = ctx.claims.in_states([S.APPROVED, S.PAYING, S.SUSPENDED])
        rows = []
        for c in active:
            obs = ctx.employment.obligations(c.id)
            # what is due now or within a month; later sessions wait their turn
            rows.append((c, [o for o in obs if o.outcome is Outcome.PENDING and o.due_date <= horizon],
                         [o for o in obs if o.outcome is not Outcome.PENDING]))
        placements = ctx.employment.placements()
    rows.sort(key=lambda r: min([o.due_date for o in r[1]] or [dt.date.max]))
    return render(request, "officer.html", status_code=status, rows=rows, placements=placements, today=on,
                  labels=STATE_LABELS_ES, kind_labels={k.value: v for k, v in KIND_LABELS_ES.items()},
                  just_causes=just_causes(), error=error)


def _officer_write(request: Request, work: Callable[[Any], None]) -> Response:
    """Run one officer form's *work* in a transaction: committed and back to /empleo, or rolled
    back and the page again with the one-line reason (nothing half-written)."""
    with claims(request) as ctx:
        try:
            work(ctx)
            ctx.uow.commit()
        except SeguroError as exc:
            ctx.uow.rollback()
            return _officer_page(request, exc.one_line(), 422)
    return RedirectResponse("/empleo", status_code=303)


@router.post("/empleo/obligaciones/{obligation_id}", include_in_schema=False)
async def record(obligation_id: str, request: Request) -> Response:
    principal = require(request, Role.EMPLOYMENT_OFFICER)
    form = await request.form()
    on = today(request)
    try:
        outcome = Outcome(str(form.get("outcome", "")))
    except ValueError:
        return _officer_page(request, "outcome_required", 422)
    cause = str(form.get("just_cause", "")) if outcome is Outcome.NOT_COMPLIED else ""

    def work(ctx: Any) -> None:
        ob = ctx.employment.record_outcome(obligation_id, outcome, on, just_cause=cause,
                                           recorded_by=_actor(principal))
        ctx.service.apply_obligations(ob.claim_id, on, actor=_actor(principal))

    return _officer_write(request, work)


@router.post("/empleo/inscripciones", include_in_schema=False)
async def es_registration(request: Request) -> Response:
    from seguro_desempleo.services.claims_app import record_employment_registration

    principal = require(request, Role.EMPLOYMENT_OFFICER)
    form = await request.form()

    def work(ctx: Any) -> None:
        worker = canonical_worker_ref(str(form.get("worker_id", "")), field="worker_id")
        raw = str(form.get("registered_on", "")).strip()
        on = parse_date(raw, field="registered_on") if raw else today(request)
        record_employment_registration(ctx, worker, on, str(form.get("channel", "")), actor=_actor(principal),
                                       reference=str(form.get("reference", ""))[:120])

    return _officer_write(request, work)


@router.post("/empleo/colocaciones", include_in_schema=False)
async def placement(request: Request) -> Response:
    from seguro_desempleo.domain.registry import validate_ruc

    principal = require(request, Role.EMPLOYMENT_OFFICER)
    form = await request.form()

    def work(ctx: Any) -> None:
        claim_id = str(form.get("claim_id", ""))
        ctx.claims.get(claim_id)
        start = parse_date(str(form.get("start_date", "")), field="start_date")
        ruc = validate_ruc(str(form.get("employer_ruc", "")).strip(), field="employer_ruc")
        ctx.employment.record_placement(Placement(claim_id, start, ruc, PlacementSource.EMPLOYMENT_SERVICE))
        ctx.service.record_reemployment(claim_id, start, actor=_actor(principal))

    return _officer_write(request, work)


def install(app: FastAPI) -> None:
    app.include_router(router)
