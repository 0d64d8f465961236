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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from seguro_desempleo.claims.audit import ChainReport, verify_chain
from seguro_desempleo.claims.service import ClaimService, PaymentRun
from seguro_desempleo.claims.sql_adapters import SqlHistoryProvider, SqlLedgerPoster
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.storage.claims_repositories import (
    SqlAuditSink,
    SqlClaimRepository,
    SqlEmploymentService,
    SqlPaymentStore,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork


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
    claims, payments, audit = SqlClaimRepository(s), SqlPaymentStore(s), SqlAuditSink(s)
    employment, history = SqlEmploymentService(s), SqlHistoryProvider(uow, registered=registered)
    svc = ClaimService(claims=claims, history=history, payments=payments, ledger=SqlLedgerPoster(uow),
                       audit=audit, employment=employment, params=params or default_parameters(),
                       schedule_obligations=schedule_obligations)
    if clock is not None:
        svc.clock = clock
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


def verify_audit(uow: SqlUnitOfWork) -> ChainReport:
    """Check the whole hash chain of the audit log."""
    return verify_chain(SqlAuditSink(uow.session).records())


def claim_view(ctx: ClaimsContext, claim_id: str, today: dt.date | None = None) -> dict[str, Any]:
    """The claim with its installments, payments, obligations and appeals (JSON-ready)."""
    from seguro_desempleo.periods import format_period

    claim = ctx.claims.get(claim_id)
    today = today or dt.date.today()
    out = claim.to_dict()
    if out.get("decision"):
        out["decision"] = {k: v for k, v in out["decision"].items() if k != "trace"}
    out["installments"] = [{"number": i.number, "period": format_period(i.period), "amount": i.amount}
                           for i in ctx.service.plan(claim)]
    out["payments"] = [{"key": p.key, "number": p.number, "period": format_period(p.period), "amount": p.amount,
                        "paid_on": p.paid_on.isoformat()} for p in ctx.payments.payments(claim.id)]
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
    payee = ctx.history.payee(claim.worker_ref)
    number = f"RES-{claim.decision.decided_on.year}-{claim.id.split('-', 1)[-1]}"
    lctx = LetterContext(number, payee.name, "DNI" if payee.doc_type == "01" else payee.doc_type,
                         payee.doc_number, issued_on=claim.decided_on)
    if fmt == "pdf":
        return render_resolution_pdf(claim.decision, lctx)
    return render_resolution_html(claim.decision, lctx).encode("utf-8")


def summary(ctx: ClaimsContext) -> dict[str, Any]:
    """Totals for the board and the demo: fund, contributions, claims by outcome/reason/sex, benefits."""
    from sqlalchemy import Integer, cast, func, select

    from seguro_desempleo.domain.ledger import Accounts
    from seguro_desempleo.services import ledger
    from seguro_desempleo.storage.claims_models import BenefitPaymentRow, ClaimRow
    from seguro_desempleo.storage.models import ContributionRow, WorkerRow

    s = ctx.uow.session
    balances = {b.code: b.balance for b in ledger.balances(ctx.uow)}
    contrib = s.execute(select(func.count(), func.coalesce(func.sum(ContributionRow.contribution), 0))
                        .where(ContributionRow.active.is_(True))).one()
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
    return {
        "fund_balance": int(balances.get(Accounts.BANK, 0)),
        "contributions": {"worker_months": int(contrib[0]), "amount": int(contrib[1])},
        "contribution_income": int(balances.get(Accounts.CONTRIBUTION_INCOME_EMPLOYER, 0))
        + int(balances.get(Accounts.CONTRIBUTION_INCOME_CTS, 0)),
        "benefits_expense": int(balances.get(Accounts.BENEFITS_EXPENSE, 0)),
        "claims": {"total": len(rows), "by_outcome": outcome, "by_state": dict(sorted(by_state.items())),
                   "denied_by_reason": dict(sorted(by_reason.items()))},
        "benefits_paid": {"installments": n_paid, "amount": total_paid},
        "by_sex": dict(sorted(by_sex.items())),
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
    return ctx.service.run_payments(period, on, actor=actor, sequence=sequence)
