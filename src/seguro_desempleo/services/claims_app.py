"""The claims service wired to the database: one :class:`ClaimService` per unit of work.

::

    with SqlUnitOfWork(db_url) as uow:
        svc = claim_service(uow)
        claim = svc.file_claim(worker_ref, today, actor="worker:17")
        uow.commit()

Everything the service writes (claim, payments, ledger, audit, obligations) goes into the one
transaction of *uow*; leaving the block without ``commit`` writes nothing. The web pages and the
API use :func:`claim_service`; the CLI uses :func:`session` (open, call, commit).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple, TypeVar

from seguro_desempleo.claims.audit import ChainReport, verify_chain
from seguro_desempleo.claims.service import ClaimService, PaymentRun
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.storage.claims_repositories import (
    SqlAuditSink,
    SqlClaimRepository,
    SqlEmploymentService,
    SqlPaymentStore,
    SqlRegistrationStore,
)
from seguro_desempleo.storage.claims_sql import SqlHistoryProvider, SqlLedgerPoster, payee_name
from seguro_desempleo.storage.uow import SqlUnitOfWork, driver_connection

log = logging.getLogger(__name__)

_T = TypeVar("_T")


@dataclass
class ClaimsContext:
    """The service plus the concrete stores (for listings the Protocols do not name)."""

    uow: SqlUnitOfWork
    service: ClaimService
    claims: SqlClaimRepository
    payments: SqlPaymentStore
    audit: SqlAuditSink
    employment: SqlEmploymentService
    history: SqlHistoryProvider


def claims_context(uow: SqlUnitOfWork, *, params: ParameterSet | None = None,
                   clock: Callable[[], dt.datetime] | None = None,
                   registered: Callable[[str, dt.date], bool] | None = None,
                   schedule_obligations: bool = True) -> ClaimsContext:
    s = uow.session
    # the law's baseline plus the instruments recorded (issue 28): operations read both; a what-if
    # set passed in (a test's, a reform's) is used as it is — the one rule of governance.parameters_for
    from seguro_desempleo.services.governance import parameters_for

    params = parameters_for(uow, params)
    claims, payments, audit = SqlClaimRepository(s), SqlPaymentStore(s), SqlAuditSink(s)
    employment, history = SqlEmploymentService(s), SqlHistoryProvider(uow, registered=registered, params=params)
    svc = ClaimService(claims=claims, history=history, payments=payments, ledger=SqlLedgerPoster(uow),
                       audit=audit, employment=employment, params=params,
                       schedule_obligations=schedule_obligations, acts=uow.acts)
    if clock is not None:
        svc.clock = clock
    from seguro_desempleo.services.evaluation import code_labels

    svc.cause_labels, svc.contract_labels = code_labels()     # "07 (No renovación…)", not "07"
    return ClaimsContext(uow, svc, claims, payments, audit, employment, history)


def claim_service(uow: SqlUnitOfWork, *, params: ParameterSet | None = None,
                  clock: Callable[[], dt.datetime] | None = None) -> ClaimService:
    """A :class:`ClaimService` over the SQL stores of *uow* (the caller commits)."""
    return claims_context(uow, params=params, clock=clock).service


@contextmanager
def session(db: str | None = None, *, params: ParameterSet | None = None) -> Iterator[ClaimsContext]:
    """Open a unit of work on *db*, yield the claims context, commit if the block succeeds."""
    with SqlUnitOfWork(db) as uow:
        ctx = claims_context(uow, params=params)
        yield ctx
        uow.commit()


REGISTRATION_CHANNELS = ("centro_empleo", "empleos_peru", "other")
"""Where the worker registered with the employment service (art. 7): a Centro de Empleo, the
Empleos Perú platform, or another channel of the service."""


def record_employment_registration(ctx: ClaimsContext, worker_ref: str, registered_on: dt.date, channel: str, *,
                                   actor: str, reference: str = "", self_declared: bool = False,
                                   today: dt.date | None = None) -> dict[str, Any]:
    """Record that the worker registered with the employment service (art. 7) on *registered_on*;
    audited as ``worker.es_registration``. The caller commits.

    *self_declared* (the worker recording it themself): the date is today's (*today*, default the
    machine's) and no other — a worker cannot date their own registration in the past to meet
    art. 7 (issue 25); an earlier date is recorded by the employment service or a caseworker.
    """
    from seguro_desempleo.domain.dates import check_date
    from seguro_desempleo.domain.dates import today as machine_today
    from seguro_desempleo.errors import InputError, NotFoundError
    from seguro_desempleo.periods import format_date_pe

    check_date(registered_on, ctx.service.params, field="registered_on")
    if self_declared and registered_on != (today or machine_today()):
        raise InputError(f"un trabajador registra su inscripción con la fecha de hoy "
                         f"({format_date_pe(today or machine_today())}); una fecha anterior la registra "
                         "el servicio de empleo", field="registered_on")
    if channel not in REGISTRATION_CHANNELS:
        raise InputError(f"unknown channel '{channel}' ({'|'.join(REGISTRATION_CHANNELS)})", field="channel")
    if len(reference) > 120:
        raise InputError("reference longer than 120 characters", field="reference")
    if not ctx.history.known_worker(worker_ref):
        raise NotFoundError(f"no worker {worker_ref} in the registry", field="worker")
    now = ctx.service.clock()
    row = SqlRegistrationStore(ctx.uow.session).add(int(worker_ref), registered_on, channel, reference.strip(),
                                                     actor, now.isoformat())
    ctx.history.forget(worker_ref)      # its cached registration date is stale now
    ctx.audit.append(who=actor, when=now, action="worker.es_registration", entity=f"worker:{worker_ref}",
                     before=None, after=row)
    return row


def employment_registrations(ctx: ClaimsContext, worker_ref: str) -> list[dict[str, Any]]:
    """The worker's registrations with the employment service, oldest first."""
    from seguro_desempleo.errors import NotFoundError

    if not ctx.history.known_worker(worker_ref):
        raise NotFoundError(f"no worker {worker_ref} in the registry", field="worker")
    return SqlRegistrationStore(ctx.uow.session).of_worker(int(worker_ref))


def verify_audit(uow: SqlUnitOfWork) -> ChainReport:
    """Check the whole hash chain of the audit log."""
    return verify_chain(SqlAuditSink(uow.session).records())


def claim_view(ctx: ClaimsContext, claim_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """The claim with its installments, payments, obligations and appeals (JSON-ready)."""
    from seguro_desempleo.money import cents_to_str
    from seguro_desempleo.periods import format_period

    claim = ctx.claims.get(claim_id)
    today = today or dt.date.today()
    out = claim.to_dict()
    if out.get("decision"):
        out["decision"] = {k: v for k, v in out["decision"].items() if k != "trace"}
    out["installments"] = [{"number": i.number, "period": format_period(i.period), "amount": cents_to_str(i.amount)}
                           for i in ctx.service.plan(claim)]
    out["payments"] = [{"key": p.key, "number": p.number, "period": format_period(p.period),
                        "amount": cents_to_str(p.amount), "paid_on": p.paid_on.isoformat()}
                       for p in ctx.payments.payments(claim.id)]
    out["obligations"] = [o.to_dict() for o in ctx.employment.obligations(claim.id)]
    out["appeals"] = [{**a.to_dict(), "clock": a.clock(today).to_dict() if a.outcome.value == "pending" else None}
                      for a in ctx.claims.appeals_for(claim.id)]
    return out


def decision_letter(ctx: ClaimsContext, claim_id: str, fmt: str = "html") -> bytes:
    """The resolución of a decided claim as HTML (UTF-8) or PDF bytes."""
    from seguro_desempleo.claims.decision import LetterContext, render_resolution_html, render_resolution_pdf
    from seguro_desempleo.errors import ConflictError, InputError

    if fmt not in ("html", "pdf"):
        raise InputError(f"unknown letter format '{fmt}' (html|pdf)", field="format")
    claim = ctx.claims.get(claim_id)
    if claim.decision is None:
        raise ConflictError("the claim has no decision yet; a letter follows the decision",
                            where=f"claim {claim.id}")
    from seguro_desempleo.claims.acts import ActKind

    issued = [a for a in ctx.service.acts_for(claim.id) if a.kind is ActKind.DECISION]
    if issued:          # issue 26 item 9: the act as issued, never re-rendered from today's data
        return act_bytes(ctx, issued[-1].number, fmt)
    payee = ctx.history.payee(claim.worker_ref)
    number = f"RES-{claim.decision.decided_on.year}-{claim.id.split('-', 1)[-1]}"
    lctx = LetterContext(number, payee.name, "DNI" if payee.doc_type == "01" else payee.doc_type,
                         payee.doc_number, issued_on=claim.decided_on, reemployment_date=claim.reemployment_date)
    if fmt == "pdf":
        return render_resolution_pdf(claim.decision, lctx)
    return render_resolution_html(claim.decision, lctx).encode("utf-8")


def act_bytes(ctx: ClaimsContext, number: str, fmt: str = "html") -> bytes:
    """An issued act's stored bytes (issue 26 item 9): the HTML as issued; the PDF printed once from
    that HTML and kept, so every later request returns the same bytes. Hashes are checked."""
    from seguro_desempleo.errors import ConflictError, InputError

    if fmt not in ("html", "pdf"):
        raise InputError(f"unknown letter format '{fmt}' (html|pdf)", field="format")
    store = ctx.service.acts
    if store is None:
        raise ConflictError("issued acts are not stored here")
    act = store.get(number)
    if not act.verify():
        raise ConflictError(f"act {number} does not match its hash; it must not be served", where=f"act {number}")
    if fmt == "html":
        return act.html
    if act.pdf is not None:
        return act.pdf
    import weasyprint  # heavy import, only when a PDF is asked for

    pdf = bytes(weasyprint.HTML(string=act.html.decode("utf-8")).write_pdf())
    store.set_pdf(number, pdf)
    return pdf


def summary(ctx: ClaimsContext) -> dict[str, Any]:
    """Totals for the board and the demo: fund, contributions, claims by outcome/reason/sex, benefits."""
    from sqlalchemy import Integer, cast, func, select

    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.money import cents_to_str
    from seguro_desempleo.services import ledger
    from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow
    from seguro_desempleo.storage.models import DeclarationRow, WorkerRow

    s = ctx.uow.session
    balances = {b.code: b.balance for b in ledger.balances(ctx.uow)}
    # The contribution records in force and their dues: the active declarations' counts and sums.
    contrib = s.execute(select(func.coalesce(func.sum(DeclarationRow.workers), 0),
                               func.coalesce(func.sum(DeclarationRow.total_due), 0))
                        .where(DeclarationRow.status == "active")).one()
    rows = s.execute(select(ClaimRow.state, ClaimRow.decision, WorkerRow.sex)
                     .join(WorkerRow, WorkerRow.id == cast(ClaimRow.worker_ref, Integer), isouter=True)).all()
    by_state: dict[str, int] = {}
    by_reason: dict[str, int] = {}
    by_sex: dict[str, dict[str, int]] = {}
    outcome: dict[str, int] = {"approved": 0, "denied": 0, "pending": 0}
    for state, decision, sex in rows:
        by_state[state] = by_state.get(state, 0) + 1
        sx = by_sex.setdefault(sex or "?", {"claims": 0, "approved": 0, "denied": 0, "benefits_paid": 0})
        sx["claims"] += 1
        if not decision:
            outcome["pending"] += 1
            continue
        key = "approved" if decision.get("eligible") else "denied"
        outcome[key] += 1
        sx[key] += 1
        if key == "denied":
            for r in decision.get("reasons", []):
                if not r.get("met"):
                    by_reason[r["requirement"]] = by_reason.get(r["requirement"], 0) + 1
    paid_by_sex = s.execute(select(WorkerRow.sex, func.count(), func.coalesce(func.sum(BenefitPaymentRow.amount), 0))
                            .select_from(BenefitPaymentRow)
                            .join(ClaimRow, ClaimRow.id == BenefitPaymentRow.claim_id)
                            .join(WorkerRow, WorkerRow.id == cast(ClaimRow.worker_ref, Integer), isouter=True)
                            .group_by(WorkerRow.sex)).all()
    for sex, _n, amount in paid_by_sex:
        by_sex.setdefault(sex or "?", {"claims": 0, "approved": 0, "denied": 0, "benefits_paid": 0})[
            "benefits_paid"] = int(amount)
    n_paid, total_paid = ctx.payments.totals()
    placements = ctx.employment.placements()
    # Money as decimal strings in soles, like every JSON answer (decision 0380).
    return {
        "fund_balance": cents_to_str(int(balances.get(Accounts.BANK, 0))),
        "contributions": {"worker_months": int(contrib[0]), "amount": cents_to_str(int(contrib[1]))},
        "contribution_income": cents_to_str(int(balances.get(Accounts.CONTRIBUTION_INCOME_EMPLOYER, 0))
                                            + int(balances.get(Accounts.CONTRIBUTION_INCOME_CTS, 0))),
        "benefits_expense": cents_to_str(int(balances.get(Accounts.BENEFITS_EXPENSE, 0))),
        "claims": {"total": len(rows), "by_outcome": outcome, "by_state": dict(sorted(by_state.items())),
                   "denied_by_reason": dict(sorted(by_reason.items()))},
        "benefits_paid": {"installments": n_paid, "amount": cents_to_str(int(total_paid))},
        "by_sex": {k: {**v, "benefits_paid": cents_to_str(int(v["benefits_paid"]))}
                   for k, v in sorted(by_sex.items())},
        "placements": len(placements),
    }


RUN_LOCK_BASE = 5510_0000
"""Advisory-lock key base for payment runs (plus the month index)."""


def run_payments(ctx: ClaimsContext, period: int, on: dt.date, *, actor: str, sequence: int = 1) -> PaymentRun:
    """The monthly run, serialised per month on PostgreSQL.

    The payment key alone already prevents paying an installment twice; the transaction-level
    advisory lock makes a second concurrent run for the same month wait for the first one's
    commit and then find nothing left to pay, instead of failing on the claims' version checks.
    (SQLite allows one writer at a time anyway.)
    """
    from sqlalchemy import text

    if ctx.uow.dialect == "postgresql":
        ctx.uow.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": RUN_LOCK_BASE + period})
    run = ctx.service.run_payments(period, on, actor=actor, sequence=sequence)
    raise_fund_alert(ctx, run, on, actor=actor)
    return run


def raise_fund_alert(ctx: ClaimsContext, run: PaymentRun, on: dt.date, *, actor: str) -> None:
    """When *run* left installments due for lack of cash: a ``fund_alert`` row (the board's dashboard
    and the caseworkers' run page show it) and an audit record, in the run's transaction (a
    preview, rolled back, writes nothing)."""
    if not run.unpaid:
        return
    from seguro_desempleo.periods import format_period

    now = ctx.service.clock()
    due = run.total + run.shortfall
    ctx.uow.controls.record_fund_alert(period=run.period, run_date=on, available=int(run.available or 0),
                                       due=due, shortfall=run.shortfall, unpaid=len(run.unpaid), raised_by=actor,
                                       raised_at=now.isoformat())
    ctx.audit.append(who=actor, when=now, action="fund.shortfall", entity=f"payment_run:{format_period(run.period)}",
                     before=None, after={"available": int(run.available or 0), "due": due,
                                         "shortfall": run.shortfall, "unpaid": len(run.unpaid)})
    log.warning("payment run %s: the fund lacks %d céntimos; %d installments stay due",
                format_period(run.period), run.shortfall, len(run.unpaid))



_AMOUNT_RE = re.compile(r"^\d+\.\d\d$")
BULK_STATES = ("approved", "paying")
MAX_INSTALLMENTS = 6
"""Installments read per claim by the bulk run (the law pays five; one spare for a reform)."""


def _cents(text: str) -> int:
    from seguro_desempleo.money import parse_soles

    return int(text.replace(".", "")) if _AMOUNT_RE.match(text) else parse_soles(text, field="benefits.amount")


def _latest_by_worker(ctx: ClaimsContext, states: tuple[str, ...]) -> tuple[dict[str, int], dict[str, dt.date]]:
    """Per worker with a claim in *states*: the last month declared with pay, the last employment start."""
    from sqlalchemy import Integer, cast, func, select

    from seguro_desempleo.storage.claims_models import ClaimRow
    from seguro_desempleo.storage.models import ContributionRow, DeclarationRow, EmploymentPeriodRow

    s = ctx.uow.session
    wid = cast(ClaimRow.worker_ref, Integer)
    claimants = select(wid.label("w")).where(ClaimRow.state.in_(states)).subquery()
    q1 = (select(ContributionRow.worker_id, func.max(ContributionRow.period))
          .join(claimants, claimants.c.w == ContributionRow.worker_id)
          .join(DeclarationRow, DeclarationRow.id == ContributionRow.declaration_id)
          .where(DeclarationRow.status == "active", ContributionRow.insurable_pay > 0)
          .group_by(ContributionRow.worker_id))
    q2 = (select(EmploymentPeriodRow.worker_id, func.max(EmploymentPeriodRow.start_date))
          .join(claimants, claimants.c.w == EmploymentPeriodRow.worker_id).group_by(EmploymentPeriodRow.worker_id))
    # .all(): one fetch of every row (iterating the result fetches them one at a time).
    months = {str(w): int(p) for w, p in s.execute(q1).all()}
    starts = {str(w): d for w, d in s.execute(q2).all()}
    return months, starts


def _update_states(ctx: ClaimsContext, updates: list[dict[str, Any]],
                   meanwhile: Callable[[], _T]) -> tuple[int, _T]:
    """Compare-and-set many claims' states; returns how many matched their version, and what
    *meanwhile* returned.

    *meanwhile* is Python work that needs no database: on PostgreSQL it runs while the server
    executes the ``UPDATE`` (sent in psycopg's pipeline mode, its row count read after), so the
    two cores work at once; elsewhere it runs after the update. It must not use the session.
    """
    from sqlalchemy import Table, bindparam, text, update

    from seguro_desempleo.storage.claims_models import ClaimRow

    s = ctx.uow.session
    if ctx.uow.dialect == "postgresql":
        s.execute(text("CREATE TEMP TABLE IF NOT EXISTS stage_claim_state (id varchar(24), v integer, "
                       "state varchar(12), new integer, open_worker varchar(24)) ON COMMIT DROP"))
        s.execute(text("TRUNCATE stage_claim_state"))
        from seguro_desempleo.storage.claims_repositories import copy_text_rows

        raw: Any = driver_connection(s)
        with raw.cursor() as cur:
            copy_text_rows(cur, "COPY stage_claim_state (id, v, state, new, open_worker) FROM STDIN",
                           ((u["b_id"], u["b_v"], u["b_state"], u["b_new"], u["b_open"]) for u in updates))
        with raw.pipeline() as pipeline, raw.cursor() as cur:
            cur.execute("UPDATE claim SET state = t.state, version = t.new, open_worker = t.open_worker "
                        "FROM stage_claim_state t WHERE claim.id = t.id AND claim.version = t.v")
            out = meanwhile()
            pipeline.sync()
            return int(cur.rowcount), out
    C: Table = ClaimRow.__table__  # type: ignore[assignment]
    stmt = (update(C).where(C.c.id == bindparam("b_id"), C.c.version == bindparam("b_v"))
            .values(state=bindparam("b_state"), version=bindparam("b_new"), open_worker=bindparam("b_open")))
    res2 = s.connection().execute(stmt, updates)
    changed = len(updates) if res2.rowcount is None or res2.rowcount < 0 else int(res2.rowcount)
    return changed, meanwhile()


class _BulkRow(NamedTuple):
    """A claim as the bulk run reads it (with its payee from the registry)."""

    id: str
    worker_ref: str
    state: str
    version: int
    first_period: int | None
    separation_date: dt.date
    reemployment_date: dt.date | None
    suspension_reason: str | None
    benefits: str | None
    doc_type: str | None
    doc_number: str | None
    full_name: str | None


def _run_audit_texts(plain: list[Any], done: list[Any], final: dict[str, tuple[Any, int, str]],
                     version: dict[str, int], reasons: dict[str, list[str]], actor: str,
                     now: dt.datetime) -> list[dict[str, Any]]:
    """One audit record per claim the bulk run touched (action ``payment.run``, entity
    ``claim:<id>``): its payments (key, number, period, amount) and its state and version before
    and after, with the reasons of the moves — instead of one record per payment and per move.

    The payloads are rendered as canonical JSON text (keys sorted, compact) and hashed and stored
    as such (:func:`~seguro_desempleo.claims.audit.link_texts`).
    """
    from seguro_desempleo.claims.audit import quote
    from seguro_desempleo.errors import InputError
    from seguro_desempleo.periods import format_period

    if now.tzinfo is None:
        raise InputError("audit time must carry a time zone", field="when")
    when = now.isoformat()
    by_claim: dict[str, list[str]] = {}
    months: dict[int, str] = {}
    for p in done:
        month = months.get(p.period)
        if month is None:
            month = months[p.period] = quote(format_period(p.period))
        item = f'{{"amount":{int(p.amount)},"key":{quote(p.key)},"number":{int(p.number)},"period":{month}}}'
        got = by_claim.get(p.claim_id)
        if got is None:
            by_claim[p.claim_id] = [item]
        else:
            got.append(item)
    quoted: dict[str, str] = {}                         # the few states and reasons, quoted once

    def q(text: str) -> str:
        got = quoted.get(text)
        if got is None:
            got = quoted[text] = quote(text)
        return got
    out: list[dict[str, Any]] = []
    append = out.append
    for r in plain:                                     # claim id order
        cid = r.id
        pays = by_claim.get(cid)
        moved = final.get(cid)
        if pays is None and moved is None:
            continue
        state0 = r.state
        why = reasons.get(cid)
        after = (f'{{"payments":[{",".join(pays) if pays else ""}],'
                 + (f'"reason":{q("; ".join(why))},' if why else "")
                 + f'"state":{q(moved[2] if moved is not None else state0)},"version":{int(version[cid])}}}')
        append({"who": actor, "when": when, "action": "payment.run", "entity": f"claim:{cid}",
                "before_json": f'{{"state":{q(state0)},"version":{int(r.version)}}}', "after_json": after})
    return out


def bulk_run_payments(ctx: ClaimsContext, period: int, on: dt.date, *, actor: str,
                      sequence: int = 1) -> PaymentRun:
    """The national monthly run: the ordinary claims in a few set-based statements.

    Claims that need a judgement — suspended, re-employed (found now or before), with an
    unjustified missed obligation, or exhausted lately (late payroll) — go through
    :meth:`ClaimService.run_payments` one by one, with the same rules; every other approved or
    paying claim is paid in bulk: the due mask of :func:`seguro_desempleo.payments.bulk.due_mask`,
    multi-row ``INSERT … ON CONFLICT DO NOTHING RETURNING``, one ledger entry for the run, one
    audit record per claim touched (its payments and state change, :func:`_run_audit_texts`) in one
    ``COPY``, the state changes (approved → paying → exhausted) as
    compare-and-set updates on the versions read. A claim changed meanwhile makes the run fail
    with a ConflictError (nothing written); run it again.
    """
    import json

    import numpy as np
    from sqlalchemy import Integer, Table, cast, func, literal_column, select, text

    from seguro_desempleo.claims.service import LATE_REEMPLOYMENT_MONTHS, payment_order
    from seguro_desempleo.claims.state import OPEN_STATES
    from seguro_desempleo.domain.dates import check_run
    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.errors import ConflictError
    from seguro_desempleo.payments.bank_file import PaymentFile, PaymentLine
    from seguro_desempleo.payments.bulk import due_mask
    from seguro_desempleo.payments.schedule import Installment, Payment, idempotency_key
    from seguro_desempleo.periods import format_period, period_of
    from seguro_desempleo.services import ledger as ledger_service
    from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow, EsObligationRow
    from seguro_desempleo.storage.models import WorkerRow

    check_run(period, on, ctx.service.params)
    s = ctx.uow.session
    if ctx.uow.dialect == "postgresql":
        s.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": RUN_LOCK_BASE + period})
    held = ctx.service.held_claims()
    C: Table = ClaimRow.__table__  # type: ignore[assignment]
    # The installments' amounts in one JSON extraction per claim (the stored decision also holds
    # the trace: every extra path would parse the whole document again); parsed once per distinct text.
    # The payee's document and name come along (the bank file's lines), from the registry.
    W: Table = WorkerRow.__table__  # type: ignore[assignment]
    result = s.execute(select(C.c.id, C.c.worker_ref, C.c.state, C.c.version, C.c.first_period,
                          C.c.separation_date, C.c.reemployment_date, C.c.suspension_reason,
                          C.c.decision["benefits"].as_string().label("benefits"),
                          W.c.doc_type, W.c.doc_number, W.c.full_name)
                   .select_from(C.outerjoin(W, cast(C.c.worker_ref, Integer) == W.c.id))
                   .where(C.c.state.in_([*BULK_STATES, "suspended", "exhausted"]))
                   .order_by(C.c.id)).tuples()
    # Plain named tuples (attribute reads in C, not Row lookups), from one fetch of every row.
    rows = list(map(_BulkRow._make, result.all()))
    parsed: dict[str | None, tuple[int, ...]] = {None: ()}

    def amounts_of(r: Any) -> tuple[int, ...]:
        got = parsed.get(r.benefits)
        if got is None:
            got = parsed[r.benefits] = tuple(_cents(str(b["amount"])) for b in json.loads(r.benefits))
        return got
    months, starts = _latest_by_worker(ctx, (*BULK_STATES, "suspended", "exhausted"))
    unjustified = {str(c) for c in s.execute(
        select(EsObligationRow.claim_id).where(EsObligationRow.outcome == "not_complied",
                                               EsObligationRow.just_cause == "").distinct()).scalars()}

    def reemployed(r: Any) -> bool:
        m = months.get(r.worker_ref)
        st = starts.get(r.worker_ref)
        return (m is not None and m > period_of(r.separation_date)) or (st is not None and st > r.separation_date)

    special: set[str] = set()
    plain = []
    held_now = []
    for r in rows:
        if r.id in held and r.state != "exhausted":
            held_now.append(r.id)           # awaiting a second staff approval: not paid
            continue
        if r.state == "exhausted":
            n = len(amounts_of(r))
            if r.reemployment_date is None and r.first_period is not None and \
                    r.first_period + n - 1 >= period - LATE_REEMPLOYMENT_MONTHS and reemployed(r):
                special.add(r.id)
            continue
        if r.state == "suspended" or r.reemployment_date is not None or r.suspension_reason is not None \
                or r.id in unjustified or r.first_period is None or reemployed(r):
            special.add(r.id)
        else:
            plain.append(r)
    one = ctx.service.run_payments(period, on, actor=actor, sequence=sequence, only=special) if special else None

    n = len(plain)
    k = MAX_INSTALLMENTS
    amounts = np.zeros((n, k), dtype=np.int64)
    have = np.zeros((n, k), dtype=np.bool_)
    for i, r in enumerate(plain):
        got = amounts_of(r)[:k]
        amounts[i, :len(got)] = got
        have[i, :len(got)] = True
    index = {r.id: i for i, r in enumerate(plain)}
    paid = ~have
    # Installments already paid, as one bit mask per claim (one row per claim, not per payment).
    P: Table = BenefitPaymentRow.__table__  # type: ignore[assignment]
    mask = func.bit_or(literal_column("1").op("<<")(P.c.number - 1)) if ctx.uow.dialect == "postgresql" else None
    if mask is not None:
        got_rows: list[int] = []
        got_bits: list[int] = []
        for cid, bits in s.execute(select(P.c.claim_id, mask).join(C, C.c.id == P.c.claim_id)
                                   .where(C.c.state.in_(BULK_STATES), P.c.number.between(1, k))
                                   .group_by(P.c.claim_id)).all():
            row_i = index.get(cid)
            if row_i is not None:
                got_rows.append(row_i)
                got_bits.append(int(bits))
        if got_rows:
            bits_arr = np.array(got_bits, dtype=np.int64)[:, None] >> np.arange(k, dtype=np.int64)
            paid[np.array(got_rows, dtype=np.int64)] |= (bits_arr & 1).astype(np.bool_)
    else:
        for cid, number in s.execute(select(P.c.claim_id, P.c.number).join(C, C.c.id == P.c.claim_id)
                                     .where(C.c.state.in_(BULK_STATES))).all():
            row_i = index.get(cid)
            if row_i is not None and 1 <= number <= k:
                paid[row_i, number - 1] = True
    first = np.array([r.first_period for r in plain], dtype=np.int64)
    due = due_mask(first, paid, period) if n else np.zeros((0, k), dtype=np.bool_)
    ii, jj = np.nonzero(due)
    ids = [r.id for r in plain]
    # The fund: after the one-by-one part's payments (posted in this transaction), the cash left
    # pays the due installments in payment_order (oldest month, then claim number, then number);
    # from the first that does not fit, the rest stays due (decision 0306).
    available = ctx.service.available_cash()
    unpaid: list[Installment] = list(one.unpaid) if one else []
    if available is not None and len(ii):
        pers = first[ii] + jj
        id_len = np.array([len(ids[i]) for i in ii.tolist()], dtype=np.int64)
        # plain is ordered by claim id; equal-length ids sort as their text: (period, len, row, number)
        order = np.lexsort((jj, ii, id_len, pers))
        cum = np.cumsum(amounts[ii, jj][order], dtype=np.int64)
        budget = max(0, available) if not unpaid else 0
        fits = cum <= budget
        cut = int(fits.sum()) if fits.all() else int(np.argmin(fits))
        for pos in order[cut:].tolist():
            i, j = int(ii[pos]), int(jj[pos])
            unpaid.append(Installment(ids[i], j + 1, int(first[i] + j), Decimal(0), int(amounts[i, j])))
        keep = np.sort(order[:cut])
        ii, jj = ii[keep], jj[keep]
        unpaid.sort(key=lambda u: payment_order(u.period, u.claim_id, u.number))
    new = [Payment(idempotency_key(ids[i], j + 1), ids[i], j + 1, per, amount, on)
           for i, j, per, amount in zip(ii.tolist(), jj.tolist(), (first[ii] + jj).tolist(),
                                        amounts[ii, jj].tolist(), strict=True)]
    inserted = ctx.payments.record_many(new)
    done = [p for p in new if p.key in inserted]
    total = sum(p.amount for p in done)
    if total:
        ledger_service.post(ctx.uow, "claims.benefit_payment", ((Accounts.BENEFITS_EXPENSE, total, 0),
                                                               (Accounts.BANK, 0, total)),
                            ref=f"benefit_run:{format_period(period)}:{on.isoformat()}:{sequence}", at=on)
    # State changes: first payment → paying; nothing left → exhausted (releases the open-claim slot).
    paid_now = paid.copy()
    for p in done:
        paid_now[index[p.claim_id], p.number - 1] = True
    moves: list[tuple[Any, str]] = []
    touched = {p.claim_id for p in done}
    all_paid = np.asarray(paid_now.all(axis=1), dtype=np.bool_).tolist()
    for i, r in enumerate(plain):
        exhausted = all_paid[i]
        if exhausted and (r.id in touched or r.state == "paying"):
            if r.state == "approved":
                moves.append((r, "paying"))
            moves.append((r, "exhausted"))
        elif r.state == "approved" and r.id in touched:
            moves.append((r, "paying"))
    open_values = {st.value for st in OPEN_STATES}
    version = {r.id: r.version for r in plain}
    final: dict[str, tuple[Any, int, str]] = {}          # claim id → (row, version read, final state)
    reasons: dict[str, list[str]] = {}
    first_payment = f"primer pago {format_period(period)}"
    for r, to in moves:
        reasons.setdefault(r.id, []).append(first_payment if to == "paying" else "prestación agotada")
        version[r.id] += 1
        final[r.id] = (r, r.version, to)
    updates = [{"b_id": cid, "b_v": v0, "b_state": to, "b_new": version[cid],
                "b_open": r.worker_ref if to in open_values else None} for cid, (r, v0, to) in final.items()]
    now = ctx.service.clock()

    def audit_and_lines() -> tuple[list[dict[str, Any]], list[PaymentLine]]:
        """The run's audit records and bank lines: Python only (runs during the state update)."""
        texts = _run_audit_texts(plain, done, final, version, reasons, actor, now)
        # The bank file: the one-by-one part's lines, then the bulk part's.
        row_of = {r.id: r for r in plain}
        lines = list(one.bank_file.lines) if one else []
        for p in done:
            r = row_of[p.claim_id]
            if r.doc_type is None or r.doc_number is None:      # no registry row for the reference (outer join)
                lines.append(PaymentLine(p.key, "01", "00000000", payee_name(None, r.worker_ref), p.amount))
            else:
                lines.append(PaymentLine(p.key, r.doc_type, r.doc_number, payee_name(r.full_name, r.worker_ref),
                                         p.amount))
        return texts, lines
    if updates:
        changed, (texts, lines) = _update_states(ctx, updates, audit_and_lines)
        if changed < len(updates):
            raise ConflictError("claims changed while the run was computed; run it again", where="payment run")
    else:
        texts, lines = audit_and_lines()
    ctx.audit.append_texts(texts)
    exhausted_ids = tuple(r.id for r, to in moves if to == "exhausted")
    run = PaymentRun(period, (*(one.paid if one else ()), *done), PaymentFile(on, period, tuple(lines), sequence),
                     one.suspended if one else (), one.resumed if one else (),
                     (*(one.exhausted if one else ()), *exhausted_ids), one.overpayments if one else (),
                     available=(one.available if one else available), unpaid=tuple(unpaid),
                     held=(*(one.held if one else ()), *held_now))
    raise_fund_alert(ctx, run, on, actor=actor)
    return run
