"""The claims use cases (issue 5), written against the Protocols of :mod:`.ports`.

Each method is a few lines over the pure modules: the rules decide (:func:`evaluate_case`), the
state machine checks the move (:mod:`.state`), :mod:`seguro_desempleo.payments.schedule` says what
is due, :mod:`seguro_desempleo.employment_service.obligations` says when payment is suspended,
:mod:`.appeals` keeps the Ley 27444 clock. Every state change is written to the audit sink.

Transactions are the caller's business (one unit of work per method call in the storage layer);
this class holds no state of its own, so two instances over one store behave like two
caseworkers: the version check makes exactly one of two concurrent decisions win.

Logs carry claim ids and states only, never a DNI or a name.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from seguro_desempleo.claims import appeals as appeals_mod
from seguro_desempleo.claims.appeals import Appeal, AppealKind, AppealOutcome
from seguro_desempleo.claims.decision import StoredDecision, decision_record
from seguro_desempleo.claims.ports import (
    AuditSink,
    Claim,
    ClaimRepository,
    HistoryProvider,
    LedgerEntry,
    LedgerKind,
    LedgerPoster,
    PaymentStore,
    SuspensionReason,
)
from seguro_desempleo.claims.state import ClaimState, ClaimStatus, transition
from seguro_desempleo.employment_service.adapter import EmploymentServiceAdapter
from seguro_desempleo.employment_service.obligations import suspended_on, suspended_periods
from seguro_desempleo.employment_service.plan import obligation_plan
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.payments.bank_file import PaymentFile, PaymentLine, reconcile
from seguro_desempleo.payments.schedule import (
    Installment,
    Overpayment,
    Payment,
    first_benefit_period,
    installments_due,
    is_exhausted,
    overpayments,
    plan_installments,
    recovery_plan,
)
from seguro_desempleo.periods import format_date_pe, format_period, period_of
from seguro_desempleo.rules.evaluate import ClaimCase, evaluate_case

log = logging.getLogger(__name__)

S = ClaimState
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


@dataclass(frozen=True)
class PaymentRun:
    period: int
    paid: tuple[Payment, ...]
    bank_file: PaymentFile
    suspended: tuple[str, ...]          # claims suspended by this run
    resumed: tuple[str, ...]
    exhausted: tuple[str, ...]
    overpayments: tuple[Overpayment, ...]

    @property
    def total(self) -> int:
        return sum(p.amount for p in self.paid)

    def summary(self) -> dict[str, Any]:
        return {"period": format_period(self.period), "payments": len(self.paid), "total": cents_to_str(self.total),
                "suspended": len(self.suspended), "resumed": len(self.resumed),
                "exhausted": len(self.exhausted), "overpayments": len(self.overpayments)}


class ClaimService:
    #: Tabla 17 / Tabla 12 labels for the explanations (set by the composition; codes alone if unset).
    cause_labels: Mapping[str, str] | None = None
    contract_labels: Mapping[str, str] | None = None

    def __init__(self, *, claims: ClaimRepository, history: HistoryProvider, payments: PaymentStore,
                 ledger: LedgerPoster, audit: AuditSink, employment: EmploymentServiceAdapter,
                 params: ParameterSet, clock: Callable[[], dt.datetime] = _utcnow,
                 recovery_months: int = 6, schedule_obligations: bool = True) -> None:
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

    # ------------------------------------------------------------------ filing

    def file_claim(self, worker_ref: str, claim_date: dt.date, *, actor: str) -> Claim:
        """A new claim after the worker's separation; one open claim per worker."""
        if not self.history.known_worker(worker_ref):
            raise NotFoundError("no insured worker with this reference", field="worker")
        sep = self.history.last_separation(worker_ref)
        if sep is None:
            raise InputError("the worker has no separation on record (T-Registro); a claim needs one",
                             field="worker")
        if claim_date < sep.date:
            raise InputError(f"claim dated {format_date_pe(claim_date)}, before the separation on "
                             f"{format_date_pe(sep.date)}", field="claim_date")
        create = getattr(self.claims, "create_open", None) if self._one_statement_filing else None
        claim: Claim | None
        if create is not None:        # PostgreSQL: number, insert and the open-claim check at once
            claim = create(worker_ref, claim_date, sep.date)
        else:
            claim = None
            if self.claims.open_claim_for(worker_ref) is None:
                claim_id = self.claims.next_id()
                claim = Claim(claim_id, worker_ref, claim_date, sep.date, ClaimStatus(claim_id))
                self.claims.add(claim)
        if claim is None:
            current = self.claims.open_claim_for(worker_ref)
            which = f" {current.id} ({current.state.value})" if current is not None else ""
            raise ConflictError(f"the worker already has an open claim{which}; one open claim per worker")
        self.audit.append(who=actor, when=self.clock(), action="claim.file", entity=f"claim:{claim.id}",
                          before=None, after={"state": claim.state.value, "version": claim.version,
                                              "filed_on": claim_date.isoformat()})
        log.info("claim %s filed", claim.id)
        return claim

    # ------------------------------------------------------------------ deciding

    def case_for(self, claim: Claim, on: dt.date) -> ClaimCase:
        prefetch = getattr(self.history, "prefetch", None)
        if prefetch is not None:        # the SQL adapter: the reads below in one round trip
            prefetch(claim.worker_ref, claim.separation_date)
        sep = self.history.last_separation(claim.worker_ref, on_or_before=claim.separation_date)
        if sep is None:
            raise ConflictError("the separation on record changed since filing", where=f"claim {claim.id}")
        evaluated_on = max(claim.filed_on, on)  # the evaluation date (docs/claims.md), for every requirement
        return ClaimCase(
            id=claim.id, separation_date=sep.date, claim_date=evaluated_on,
            termination_cause=sep.termination_cause, employer_size=sep.employer_size,
            registered_with_employment_service=self.history.registered_with_employment_service(
                claim.worker_ref, evaluated_on),
            contributions=self.history.contributions(claim.worker_ref, period_of(sep.date)),
            contract_type=sep.contract_type, sector=sep.sector,
            reemployment_date=self.history.reemployment_start(claim.worker_ref, sep.date),
        )

    def evaluate(self, claim: Claim, on: dt.date) -> StoredDecision:
        case = self.case_for(claim, on)
        return decision_record(evaluate_case(case, self.params, at=case.claim_date, cause_labels=self.cause_labels,
                                             contract_labels=self.contract_labels),
                               claim_id=claim.id, decided_on=on)

    def decide(self, claim_id: str, on: dt.date, *, actor: str, expected_version: int | None = None) -> Claim:
        """Decide with the rules; a claim still in its waiting period goes to ``waiting``."""
        return self._decide(self.claims.get(claim_id), on, actor=actor, expected_version=expected_version)

    def file_and_decide(self, worker_ref: str, claim_date: dt.date, *, actor: str) -> Claim:
        """File a claim and decide it at once, as of *claim_date*, in the caller's transaction.

        The caseworker at the counter (or the API's ``"decide": true``): the same two steps as
        :meth:`file_claim` then :meth:`decide` — two audited state changes, the same rules, the
        same decision stored — without reading the new claim back. A claim still in its waiting
        period goes to ``waiting`` and is decided again later with :meth:`decide`.
        """
        claim = self.file_claim(worker_ref, claim_date, actor=actor)
        return self._decide(claim, claim_date, actor=actor, expected_version=claim.version)

    def _decide(self, claim: Claim, on: dt.date, *, actor: str, expected_version: int | None) -> Claim:
        if claim.state not in (S.FILED, S.WAITING):
            raise ConflictError(f"claim is already {claim.state.value}; only filed or waiting claims are decided",
                                where=f"claim {claim.id}")
        rec = self.evaluate(claim, on)
        failed = [r["requirement"] for r in rec.reasons if not r["met"]]
        wait_end = waiting_end(rec)
        if failed == ["waiting_period"] and wait_end > on and \
                self.history.reemployment_start(claim.worker_ref, claim.separation_date) is None:
            if claim.state is S.WAITING:
                return claim
            return self._move(claim, S.WAITING, actor=actor, expected_version=expected_version,
                              reason=f"carencia hasta {format_date_pe(wait_end)}")
        if rec.eligible:
            first = first_benefit_period(wait_end)
            claim = self._move(claim, S.APPROVED, actor=actor, expected_version=expected_version,
                               reason="cumple los requisitos", decision=rec, decided_on=on, first_period=first)
            self._schedule_obligations(claim, on)
            return claim
        return self._move(claim, S.DENIED, actor=actor, expected_version=expected_version,
                          reason="no cumple: " + ", ".join(failed), decision=rec, decided_on=on)

    def override(self, claim_id: str, to_state: ClaimState, *, reason: str, actor: str, expected_version: int,
                 on: dt.date | None = None) -> Claim:
        """A caseworker sets the claim against the rules' course, with a written reason (audited).

        Only :data:`OVERRIDE_TARGETS` (deny, close) and only along the state machine's moves; the
        compare-and-set on *expected_version* makes a stale form fail with a ConflictError. A denial
        stores the rules' evaluation as of *on* (default: today) so the resolución can cite it.
        """
        text = " ".join((reason or "").split())
        if not text:
            raise InputError("an override needs a written reason", field="reason")
        if to_state not in OVERRIDE_TARGETS:
            names = ", ".join(s.value for s in OVERRIDE_TARGETS)
            raise InputError(f"a claim can be overridden only to {names}, not {to_state.value}", field="to_state")
        claim = self.claims.get(claim_id)
        changes: dict[str, Any] = {}
        if to_state is S.DENIED:
            day = on or self.clock().date()
            changes = {"decision": self.evaluate(claim, day), "decided_on": day}
        return self._move(claim, to_state, actor=actor, expected_version=expected_version,
                          reason=f"modificado por gestor: {text}", **changes)

    # ------------------------------------------------------------------ re-employment and obligations

    def _schedule_obligations(self, claim: Claim, on: dt.date) -> None:
        if not self.schedule_obligations or claim.decision is None or claim.first_period is None:
            return
        registered = self.history.registered_with_employment_service(claim.worker_ref, on)
        plan = obligation_plan(on, claim.first_period, len(claim.decision.benefits), registered=registered)
        many = getattr(self.employment, "schedule_many", None)
        if many is not None:          # one statement for the plan (the SQL adapter)
            many(claim.id, [(planned.kind, planned.due_date) for planned in plan])
            return
        for planned in plan:
            self.employment.schedule(claim.id, planned.kind, planned.due_date)

    def plan(self, claim: Claim) -> list[Installment]:
        if claim.decision is None or claim.first_period is None:
            return []
        return plan_installments(claim.id, claim.decision.benefits, claim.first_period)

    def record_reemployment(self, claim_id: str, start: dt.date, *, actor: str) -> tuple[Claim, list[Overpayment]]:
        """Suspend the remaining installments from the month of *start*; book overpayments."""
        claim = self.claims.get(claim_id)
        if start <= claim.separation_date:
            raise InputError(f"re-employment on {format_date_pe(start)} is not after the separation on "
                             f"{format_date_pe(claim.separation_date)}", field="start_date")
        over = overpayments(self.payments.payments(claim.id), period_of(start))
        for o in over:
            self.ledger.post(LedgerEntry(f"{LedgerKind.OVERPAYMENT_RECEIVABLE.value}:{o.key}",
                                         LedgerKind.OVERPAYMENT_RECEIVABLE, claim.id, o.amount, o.period,
                                         start, o.reason))
        if over:
            plan = recovery_plan(sum(o.amount for o in over), period_of(start) + 1, months=self.recovery_months)
            self.audit.append(who=actor, when=self.clock(), action="claim.overpayment", entity=f"claim:{claim.id}",
                              before=None, after={"keys": [o.key for o in over],
                                                  "total": sum(o.amount for o in over),
                                                  "recovery": [[format_period(r.period), r.amount] for r in plan]})
        if claim.state in (S.APPROVED, S.PAYING) or (claim.state is S.SUSPENDED
                                                    and claim.suspension_reason is not SuspensionReason.REEMPLOYMENT):
            claim = self._move(claim, S.SUSPENDED, actor=actor, reason=f"reempleo desde {format_date_pe(start)}",
                               reemployment_date=start, suspension_reason=SuspensionReason.REEMPLOYMENT)
        elif claim.state in (S.EXHAUSTED, S.CLOSED) and claim.reemployment_date is None:
            # Found after the last installment (late payroll): keep the date so it is booked once.
            claim = self._update(claim, actor=actor, action="claim.reemployment_found",
                                 reemployment_date=start)
        # A filed or waiting claim needs nothing here: its decision reads the re-employment itself.
        return claim, over

    def apply_obligations(self, claim_id: str, on: dt.date, *, actor: str) -> Claim:
        """Suspend on unjustified non-compliance; resume once the worker complies."""
        claim = self.claims.get(claim_id)
        if claim.suspension_reason is SuspensionReason.REEMPLOYMENT or claim.state not in PAYABLE:
            return claim
        s = suspended_on(self.employment.obligations(claim.id), on)
        if s is not None and claim.state is not S.SUSPENDED:
            return self._move(claim, S.SUSPENDED, actor=actor, reason=s.reason_es(),
                              suspension_reason=SuspensionReason.OBLIGATIONS)
        if s is None and claim.state is S.SUSPENDED:
            to = S.PAYING if self.payments.payments(claim.id) else S.APPROVED
            return self._move(claim, to, actor=actor, reason="cumplió sus obligaciones", suspension_reason=None)
        return claim

    # ------------------------------------------------------------------ paying

    def _pay(self, claim: Claim, period: int, on: dt.date, actor: str) -> tuple[Claim, list[Payment]]:
        """Pay what is due for *claim* up to *period* (arrears included), once per installment."""
        plan = self.plan(claim)
        paid_keys = {p.key for p in self.payments.payments(claim.id)}
        reemp = period_of(claim.reemployment_date) if claim.reemployment_date else None
        withheld = suspended_periods(self.employment.obligations(claim.id), on)
        done = []
        for inst in installments_due(plan, period, paid_keys=paid_keys, reemployment_period=reemp,
                                     suspended_periods=withheld):
            pay = Payment(inst.key, claim.id, inst.number, inst.period, inst.amount, on)
            if not self.payments.record(pay):
                continue                      # another run paid it meanwhile
            # One attempt per installment per day: a payment the bank returned is paid again later
            # under the same installment key, so the ledger key carries the date.
            self.ledger.post(LedgerEntry(f"{LedgerKind.BENEFIT_PAYMENT.value}:{pay.key}:{on.isoformat()}",
                                         LedgerKind.BENEFIT_PAYMENT,
                                         claim.id, pay.amount, pay.period, on,
                                         f"cuota {inst.number} de {format_period(inst.period)}"))
            self.audit.append(who=actor, when=self.clock(), action="payment.pay", entity=f"payment:{pay.key}",
                              before=None, after={"amount": pay.amount, "period": format_period(pay.period)})
            paid_keys.add(pay.key)
            done.append(pay)
        if done and claim.state is S.APPROVED:
            claim = self._move(claim, S.PAYING, actor=actor, reason=f"primer pago {format_period(period)}")
        if claim.state in (S.PAYING, S.SUSPENDED) and is_exhausted(plan, paid_keys=paid_keys,
                                                                    reemployment_period=reemp,
                                                                    suspended_periods=withheld):
            if claim.suspension_reason is SuspensionReason.REEMPLOYMENT:
                # Nothing more is owed: close, so a later separation can open a new claim.
                claim = self._move(claim, S.CLOSED, actor=actor, reason="reempleo: cuotas anteriores pagadas")
            else:
                claim = self._move(claim, S.EXHAUSTED, actor=actor, reason="prestación agotada")
        return claim, done

    def _candidates(self, states: Collection[ClaimState], only: Collection[str] | None) -> list[Claim]:
        if only is None:
            return sorted(self.claims.in_states(states), key=lambda c: c.id)
        picked = (self.claims.get(cid) for cid in sorted(only))
        return [c for c in picked if c.state in states]

    def run_payments(self, period: int, on: dt.date, *, actor: str, sequence: int = 1,
                     only: Collection[str] | None = None) -> PaymentRun:
        """The monthly run: re-employment and obligations first, then every installment due.

        *only* restricts the run to those claim ids (the bulk run hands the unusual claims here).
        """
        paid: list[Payment] = []
        suspended: list[str] = []
        resumed: list[str] = []
        exhausted: list[str] = []
        over: list[Overpayment] = []
        # Late payroll: claims exhausted in the last LATE_REEMPLOYMENT_MONTHS are checked again.
        for claim in self._candidates([S.EXHAUSTED], only):
            plan = self.plan(claim)
            if claim.reemployment_date is None and plan and plan[-1].period >= period - LATE_REEMPLOYMENT_MONTHS:
                start = self.history.reemployment_start(claim.worker_ref, claim.separation_date)
                if start is not None:
                    over.extend(self.record_reemployment(claim.id, start, actor=actor)[1])
        for claim in self._candidates(PAYABLE, only):
            before = claim.state
            start = self.history.reemployment_start(claim.worker_ref, claim.separation_date)
            if start is not None and claim.reemployment_date is None:
                claim, ov = self.record_reemployment(claim.id, start, actor=actor)
                over.extend(ov)
            claim = self.apply_obligations(claim.id, on, actor=actor)
            claim, done = self._pay(claim, period, on, actor)
            paid.extend(done)
            if claim.state is S.SUSPENDED and before is not S.SUSPENDED:
                suspended.append(claim.id)
            if before is S.SUSPENDED and claim.state is S.PAYING:
                resumed.append(claim.id)
            if claim.state is S.EXHAUSTED:
                exhausted.append(claim.id)
        lines = []
        for p in paid:
            payee = self.history.payee(self.claims.get(p.claim_id).worker_ref)
            lines.append(PaymentLine(p.key, payee.doc_type, payee.doc_number, payee.name, p.amount,
                                     payee.pay_method, payee.account))
        bank = PaymentFile(on, period, tuple(lines), sequence)
        run = PaymentRun(period, tuple(paid), bank, tuple(suspended), tuple(resumed), tuple(exhausted), tuple(over))
        log.info("payment run %s: %s", format_period(period), run.summary())
        return run

    def reconcile_returns(self, sent: PaymentFile, answer: PaymentFile, on: dt.date, *, actor: str) -> list[str]:
        """Book returned payments back to the fund; their installments become due again."""
        rec = reconcile(sent, answer)
        for key, code, amount in rec.returned:
            claim_id = key.split("#", 1)[0]
            number = int(key.split("#", 1)[1])
            pays = [p for p in self.payments.payments(claim_id) if p.number == number]
            period = pays[0].period if pays else sent.period
            self.ledger.post(LedgerEntry(f"{LedgerKind.PAYMENT_RETURNED.value}:{key}:{on.isoformat()}",
                                         LedgerKind.PAYMENT_RETURNED, claim_id, amount, period, on,
                                         f"devuelto por el banco, código {code}"))
            self.payments.remove(key)
            self.audit.append(who=actor, when=self.clock(), action="payment.returned", entity=f"payment:{key}",
                              before={"amount": amount}, after={"return_code": code})
        return [k for k, _, _ in rec.returned]

    # ------------------------------------------------------------------ appeals

    def file_appeal(self, claim_id: str, kind: AppealKind, filed_on: dt.date, *, actor: str,
                    grounds: str = "") -> Appeal:
        claim = self.claims.get(claim_id)
        if claim.decided_on is None:
            raise ConflictError("the claim has no decision to appeal yet", where=f"claim {claim.id}")
        pending = [a for a in self.claims.appeals_for(claim.id) if a.outcome is AppealOutcome.PENDING]
        if pending:
            raise ConflictError(f"appeal {pending[0].id} is still pending", where=f"claim {claim.id}")
        previous = self.claims.appeals_for(claim.id)
        # An apelación after a reconsideración runs from the notification of the reconsideración's
        # result (art. 220); the resolution date stands for its notification.
        notified = max([claim.decided_on, *(a.resolved_on for a in previous if a.resolved_on)])
        appeal = appeals_mod.file_appeal(f"{claim.id}-A{len(previous) + 1}", claim.id, kind, notified_on=notified,
                                         filed_on=filed_on, grounds=grounds)
        self.claims.add_appeal(appeal)
        self.audit.append(who=actor, when=self.clock(), action="appeal.file", entity=f"appeal:{appeal.id}",
                          before=None, after=appeal.to_dict())
        return appeal

    def resolve_appeal(self, appeal_id: str, outcome: AppealOutcome, on: dt.date, *,
                       actor: str) -> tuple[Appeal, Claim, list[Payment]]:
        """Resolve; an upheld appeal against a denial re-runs the claim and pays the arrears."""
        appeal = appeals_mod.resolve_appeal(self.claims.get_appeal(appeal_id), outcome, on)
        claim = self.claims.get(appeal.claim_id)
        paid: list[Payment] = []
        if outcome is AppealOutcome.UPHELD and claim.state is S.DENIED:
            rec = self.evaluate(claim, claim.decided_on or on)     # as of the reversed decision
            if not rec.eligible:
                failed = ", ".join(r["requirement"] for r in rec.reasons if not r["met"])
                raise ConflictError(f"the rules still deny the claim ({failed}); correct the records the "
                                    "appeal relies on before upholding it", where=f"claim {claim.id}")
            claim = self._move(claim, S.APPROVED, actor=actor, reason=f"recurso {appeal.id} fundado",
                               decision=rec, decided_on=on, first_period=first_benefit_period(waiting_end(rec)))
            self._schedule_obligations(claim, on)
            claim = self.apply_obligations(claim.id, on, actor=actor)
            claim, paid = self._pay(claim, period_of(on), on, actor)
        self.claims.save_appeal(appeal)
        self.audit.append(who=actor, when=self.clock(), action="appeal.resolve", entity=f"appeal:{appeal.id}",
                          before={"outcome": "pending"}, after={"outcome": appeal.outcome.value})
        return appeal, claim, paid
