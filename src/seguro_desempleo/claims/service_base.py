"""The claims service's foundations (issue 24: ``claims/service.py`` split by concern).

The module-level helpers, the run summaries and :class:`ServiceCore` — the stores the use cases
work with, the audited state change and the issuing of acts. The use cases build on it in
:mod:`.service_decisions` (filing and deciding), :mod:`.service_payments` (re-employment,
obligations, payment runs) and :mod:`.service` (appeals, and :class:`~.service.ClaimService`).

Logs carry claim ids and states only, never a DNI or a name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from seguro_desempleo.claims.acts import (
    ActKind,
    ActLetter,
    ActStore,
    IssuedAct,
    act_number,
    new_act,
    render_act_html,
)
from seguro_desempleo.claims.decision import (
    LetterContext,
    StoredDecision,
    render_resolution_html,
)
from seguro_desempleo.claims.ports import (
    AuditSink,
    Claim,
    ClaimRepository,
    HistoryProvider,
    LedgerPoster,
    PaymentStore,
)
from seguro_desempleo.claims.state import STATE_LABELS_ES, ClaimState, transition
from seguro_desempleo.employment_service.adapter import EmploymentServiceAdapter
from seguro_desempleo.errors import ConflictError
from seguro_desempleo.money import cents_to_str, format_soles
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.payments.bank_file import PaymentFile
from seguro_desempleo.payments.schedule import (
    Installment,
    Overpayment,
    Payment,
)
from seguro_desempleo.periods import format_period

log = logging.getLogger("seguro_desempleo.claims.service")  # the name it logged under before the split

S = ClaimState
STATE_ES = {s: label for s, label in STATE_LABELS_ES.items()}
PAYABLE = (S.APPROVED, S.PAYING, S.SUSPENDED)
OVERRIDE_TARGETS = (S.DENIED, S.CLOSED)
"""States a caseworker may set against the rules' course (:meth:`ClaimService.override`)."""
LATE_REEMPLOYMENT_MONTHS = 3
"""PLAME is declared the month after, and rectified later: exhausted claims are re-checked this long."""


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def waiting_end(rec: StoredDecision) -> dt.date:
    """The date the waiting period is served, from the decision's trace (art. 7)."""
    for r in rec.trace.get("requirements", []):
        if r["requirement"] == "waiting_period":
            return dt.date.fromisoformat(r["values"]["waiting_end"])
    raise ConflictError("the decision's trace has no waiting period", where=f"claim {rec.claim_id}")


def payment_order(period: int, claim_id: str, number: int) -> tuple[int, int, str, int]:
    """The order in which a run pays when the fund cannot pay everything due (decision 0306):
    the oldest installment month first, then the claim filed first (claim numbers are given in
    filing order), then the installment number."""
    return (period, len(claim_id), claim_id, number)


def fund_cut(items: list[tuple[tuple[Any, ...], str, int]], available: int | None) -> tuple[set[str], list[str]]:
    """(keys paid, keys left due) for *items* ``(order, key, amount)`` with *available* cash: in
    order, each paid while the cash lasts; from the first that does not fit, the rest stays due
    (no later, smaller installment jumps the queue). ``None``: no limit known (in-memory stores)."""
    if available is None:
        return {k for _, k, _ in items}, []
    paid: set[str] = set()
    left: list[str] = []
    cash = max(0, available)
    for _, key, amount in sorted(items):
        if left or amount > cash:
            left.append(key)
            continue
        cash -= amount
        paid.add(key)
    return paid, left


def _cut_at_decision(claim: Claim) -> bool:
    """The decision awarded fewer months because of a re-employment on record (issue 26 item 3)."""
    cut: dict[str, Any] | None = claim.decision.trace.get("reemployment") if claim.decision is not None else None
    return cut is not None and int(cut["months_awarded"]) < int(cut["months_decided"])


def _not_yet_read(claim: Claim, reemployment: dt.date | None) -> dt.date | None:
    """*reemployment*, unless the decision already cut the benefits at a new job on or before it:
    then its benefits are cut and the last one pro rata (issue 26 items 2 and 3), and a plan must
    not prorate again. The earliest new job governs: a later one (another record of the return to
    work, a later job) cuts nothing more; an earlier one found later is returned (it governs)."""
    cut: dict[str, Any] | None = claim.decision.trace.get("reemployment") if claim.decision is not None else None
    if cut is not None and reemployment is not None and reemployment.isoformat() >= str(cut.get("date")):
        return None
    return reemployment


def _plan_benefits(claim: Claim, reemployment: dt.date | None) -> tuple[Any, ...]:
    """The decision's benefits a plan cuts at *reemployment* (as :func:`_not_yet_read` returns it):
    when that is an earlier new job than the one the decision cut at, the month the decision paid
    pro rata is restored to its full installment first, so it is prorated once, from the full
    amount (no double pro rata). A decision recorded without the full amount keeps its benefits."""
    assert claim.decision is not None
    benefits = tuple(claim.decision.benefits)
    cut: dict[str, Any] | None = claim.decision.trace.get("reemployment")
    if reemployment is None or cut is None or "full_amount" not in cut or not benefits:
        return benefits
    return (*benefits[:-1], dataclasses.replace(benefits[-1], amount=int(cut["full_amount"])))


@dataclass(frozen=True)
class AutoDecideRun:
    """What :meth:`ClaimService.auto_decide` did on one day."""

    on: dt.date
    decided: tuple[tuple[str, str], ...]      # (claim id, new state)
    still_waiting: int
    failed: tuple[tuple[str, str], ...]       # (claim id, reason)

    def summary(self) -> dict[str, Any]:
        return {"date": self.on.isoformat(), "decided": len(self.decided),
                "approved": sum(1 for _, s in self.decided if s == S.APPROVED.value),
                "denied": sum(1 for _, s in self.decided if s == S.DENIED.value),
                "still_waiting": self.still_waiting, "failed": len(self.failed),
                "claims": [{"id": i, "state": s} for i, s in self.decided],
                "errors": [{"id": i, "reason": r} for i, r in self.failed]}


@dataclass(frozen=True)
class PaymentRun:
    period: int
    paid: tuple[Payment, ...]
    bank_file: PaymentFile
    suspended: tuple[str, ...]          # claims suspended by this run
    resumed: tuple[str, ...]
    exhausted: tuple[str, ...]
    overpayments: tuple[Overpayment, ...]
    available: int | None = None        # the fund's cash when the run started (None: not known)
    unpaid: tuple[Installment, ...] = ()  # due but not paid: the fund could not pay them (still due)
    held: tuple[str, ...] = ()          # claims awaiting a second staff approval (maker-checker)

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.paid)

    @property
    def shortfall(self) -> int:
        """What the fund lacked to pay everything due (céntimos)."""
        return sum(i.amount for i in self.unpaid)

    def summary(self) -> dict[str, Any]:
        return {"period": format_period(self.period), "payments": len(self.paid), "total": cents_to_str(self.total),
                "suspended": len(self.suspended), "resumed": len(self.resumed),
                "exhausted": len(self.exhausted), "overpayments": len(self.overpayments),
                "unpaid": len(self.unpaid), "shortfall": cents_to_str(self.shortfall), "held": len(self.held)}


class ServiceCore:
    """The stores and the shared steps of :class:`~seguro_desempleo.claims.service.ClaimService`."""

    #: Tabla 17 / Tabla 12 labels for the explanations (set by the composition; codes alone if unset).
    cause_labels: Mapping[str, str] | None = None
    contract_labels: Mapping[str, str] | None = None

    def __init__(self, *, claims: ClaimRepository, history: HistoryProvider, payments: PaymentStore,
                 ledger: LedgerPoster, audit: AuditSink, employment: EmploymentServiceAdapter,
                 params: ParameterSet, clock: Callable[[], dt.datetime] = _utcnow,
                 recovery_months: int = 6, schedule_obligations: bool = True,
                 acts: ActStore | None = None) -> None:
        self.claims = claims
        self.history = history
        self.payments = payments
        self.ledger = ledger
        self.audit = audit
        self.employment = employment
        self.params = params
        self.clock = clock
        self.recovery_months = recovery_months
        self.schedule_obligations = schedule_obligations
        self.acts = acts
        """Where issued acts are kept (issue 26 item 9); ``None``: acts are not stored (unit tests)."""
        self._one_statement_filing = getattr(claims, "dialect", "") == "postgresql"

    # ------------------------------------------------------------------ state changes + audit

    def _move(self, claim: Claim, to: ClaimState, *, actor: str, expected_version: int | None = None,
              reason: str = "", **changes: Any) -> Claim:
        expected = claim.version if expected_version is None else expected_version
        status, rec = transition(claim.status, to, expected_version=expected, at=self.clock(), actor=actor,
                                 reason=reason)
        new = dataclasses.replace(claim, status=status, **changes)
        self.claims.save(new, expected_version=expected)
        self.audit.append(who=actor, when=rec.at, action=f"claim.{rec.action}", entity=f"claim:{claim.id}",
                          before={"state": rec.from_state.value, "version": rec.from_version},
                          after={"state": rec.to_state.value, "version": rec.to_version, "reason": reason})
        log.info("claim %s: %s -> %s (v%d)", claim.id, rec.from_state.value, rec.to_state.value, rec.to_version)
        return new

    def _update(self, claim: Claim, *, actor: str, action: str, **changes: Any) -> Claim:
        """Change fields without a state change (still a new version, still audited)."""
        new = dataclasses.replace(claim, status=dataclasses.replace(claim.status, version=claim.version + 1),
                                  **changes)
        self.claims.save(new, expected_version=claim.version)
        self.audit.append(who=actor, when=self.clock(), action=action, entity=f"claim:{claim.id}",
                          before={"version": claim.version},
                          after={"version": new.version, **{k: _plain(v) for k, v in changes.items()}})
        return new

    # ------------------------------------------------------------------ issued acts (Ley 27444)

    def _next_number(self, claim: Claim, on: dt.date) -> str:
        assert self.acts is not None
        acts = self.acts.acts_for(claim.id)
        return act_number(claim.id, on.year, 1) if not acts else f"{acts[0].number}-{len(acts) + 1:02d}"

    def _store_act(self, claim: Claim, kind: ActKind, on: dt.date, number: str, summary: str, html: str,
                   actor: str) -> IssuedAct:
        assert self.acts is not None
        act = new_act(number, claim.id, kind, on, summary, html)
        self.acts.add(act)
        self.audit.append(who=actor, when=self.clock(), action=f"act.{kind.value}", entity=f"act:{number}",
                          before=None, after={"claim": claim.id, "issued_on": on.isoformat(),
                                              "content_sha256": act.content_sha256})
        return act

    def _issue_decision(self, claim: Claim, on: dt.date, actor: str, *, first: bool = False) -> IssuedAct | None:
        """The resolución of *claim*'s decision, rendered once and stored (the letter is this act).
        *first*: the claim has no act yet (filed and decided in one call): its number is known
        without reading the claim's acts."""
        if self.acts is None or claim.decision is None:
            return None
        payee = self.history.payee(claim.worker_ref)
        number = act_number(claim.id, on.year, 1) if first else self._next_number(claim, on)
        ctx = LetterContext(number, payee.name, "DNI" if payee.doc_type == "01" else payee.doc_type,
                            payee.doc_number, issued_on=on, reemployment_date=claim.reemployment_date)
        d = claim.decision
        summary = (f"Procedente: {format_soles(d.total)} en {len(d.benefits)} pagos mensuales" if d.eligible else
                   "Improcedente: " + ", ".join(r["requirement"] for r in d.reasons if not r["met"]))
        return self._store_act(claim, ActKind.DECISION, on, number, summary,
                               render_resolution_html(d, ctx), actor)

    def _issue(self, claim: Claim, kind: ActKind, on: dt.date, letter: ActLetter, summary: str,
               actor: str) -> IssuedAct | None:
        """Issue an act other than the decision (suspension, closure, overpayment, …)."""
        if self.acts is None:
            return None
        payee = self.history.payee(claim.worker_ref)
        number = self._next_number(claim, on)
        html = render_act_html(letter, number=number, claim_id=claim.id, issued_on=on, worker_name=payee.name,
                               document_type="DNI" if payee.doc_type == "01" else payee.doc_type,
                               document_number=payee.doc_number)
        return self._store_act(claim, kind, on, number, summary, html, actor)

    def record_notification(self, number: str, on: dt.date, *, actor: str) -> IssuedAct:
        """Record the day an act was notified (once); the appeal term runs from it (art. 218.2)."""
        if self.acts is None:
            raise ConflictError("issued acts are not stored here")
        self.acts.set_notified(number, on)
        act = self.acts.get(number)
        self.audit.append(who=actor, when=self.clock(), action="act.notify", entity=f"act:{number}",
                          before={"notified_on": None}, after={"notified_on": on.isoformat()})
        return act

    def acts_for(self, claim_id: str) -> list[IssuedAct]:
        self.claims.get(claim_id)           # NotFoundError for an unknown claim
        return self.acts.acts_for(claim_id) if self.acts is not None else []

