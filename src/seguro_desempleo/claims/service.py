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
from decimal import Decimal
from typing import Any

from seguro_desempleo.claims import appeals as appeals_mod
from seguro_desempleo.claims import plausibility
from seguro_desempleo.claims.acts import (
    ActKind,
    ActLetter,
    ActStore,
    IssuedAct,
    act_number,
    new_act,
    render_act_html,
)
from seguro_desempleo.claims.appeals import Appeal, AppealKind, AppealOutcome
from seguro_desempleo.claims.decision import (
    FILING_DEADLINE_PARAMETER,
    LetterContext,
    StoredDecision,
    check_filing_deadline,
    decision_record,
    limit_to_unemployment,
    render_resolution_html,
)
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
from seguro_desempleo.claims.state import STATE_LABELS_ES, ClaimState, ClaimStatus, transition
from seguro_desempleo.domain.dates import check_date, check_run
from seguro_desempleo.employment_service.adapter import EmploymentServiceAdapter
from seguro_desempleo.employment_service.obligations import suspended_on, suspended_periods
from seguro_desempleo.employment_service.plan import obligation_plan
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.money import cents_to_str, format_soles
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.payments.bank_file import PaymentFile, PaymentLine, reconcile
from seguro_desempleo.payments.schedule import (
    Installment,
    Overpayment,
    Payment,
    benefit_start,
    entitlements,
    first_benefit_period,
    installments_due,
    is_exhausted,
    overpayments,
    plan_installments,
    recovery_plan,
)
from seguro_desempleo.periods import format_date_pe, format_period, period_of
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, evaluate_case

log = logging.getLogger(__name__)

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


class ClaimService:
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

    # ------------------------------------------------------------------ filing

    def file_claim(self, worker_ref: str, claim_date: dt.date, *, actor: str) -> Claim:
        """A new claim after the worker's separation; one open claim per worker, and one claim per
        contingency (worker, separation) ever: a denial is revisited only by reconsideración or
        apelación (:meth:`file_appeal`), never by filing again (decision 0305)."""
        check_date(claim_date, self.params, field="claim_date")
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
        if create is not None:        # PostgreSQL: number, insert and both checks in one statement
            claim = create(worker_ref, claim_date, sep.date)
        else:
            claim = None
            if self.claims.open_claim_for(worker_ref) is None:
                self._refuse_same_contingency(worker_ref, sep.date)
                claim_id = self.claims.next_id()
                claim = Claim(claim_id, worker_ref, claim_date, sep.date, ClaimStatus(claim_id))
                self.claims.add(claim)
        if claim is None:
            current = self.claims.open_claim_for(worker_ref)
            if current is None:
                self._refuse_same_contingency(worker_ref, sep.date)
            which = f" {current.id} ({current.state.value})" if current is not None else ""
            raise ConflictError(f"the worker already has an open claim{which}; one open claim per worker")
        self.audit.append(who=actor, when=self.clock(), action="claim.file", entity=f"claim:{claim.id}",
                          before=None, after={"state": claim.state.value, "version": claim.version,
                                              "filed_on": claim_date.isoformat()})
        log.info("claim %s filed", claim.id)
        return claim

    def _refuse_same_contingency(self, worker_ref: str, separation: dt.date) -> None:
        """409 when the contingency (worker, separation) already has a claim, in any state."""
        find = getattr(self.claims, "claim_for_contingency", None)
        existing = find(worker_ref, separation) if find is not None else None
        if existing is None:
            return
        if existing.state is S.DENIED:
            raise ConflictError(f"el cese del {format_date_pe(separation)} ya tiene la solicitud {existing.id}, "
                                "denegada; una denegación se revisa solo por reconsideración o apelación, "
                                "no con una nueva solicitud")
        raise ConflictError(f"el cese del {format_date_pe(separation)} ya tiene la solicitud {existing.id} "
                            f"({existing.state.value}); una contingencia da derecho a una sola solicitud")

    # ------------------------------------------------------------------ deciding

    def case_for(self, claim: Claim, on: dt.date) -> ClaimCase:
        return self._case(claim, on)[0]

    def _case(self, claim: Claim, on: dt.date) -> tuple[ClaimCase, list[int]]:
        """The case the rules decide, and the flagged months it counts because staff accepted them."""
        prefetch = getattr(self.history, "prefetch", None)
        if prefetch is not None:        # the SQL adapter: the reads below in one round trip
            prefetch(claim.worker_ref, claim.separation_date)
        sep = self.history.last_separation(claim.worker_ref, on_or_before=claim.separation_date)
        if sep is None:
            raise ConflictError("the separation on record changed since filing", where=f"claim {claim.id}")
        evaluated_on = max(claim.filed_on, on)  # the evaluation date (docs/claims.md), for every requirement
        contributions, accepted = self._plausible(claim.worker_ref,
                                                  self.history.contributions(claim.worker_ref, period_of(sep.date)),
                                                  evaluated_on)
        return ClaimCase(
            id=claim.id, separation_date=sep.date, claim_date=evaluated_on,
            termination_cause=sep.termination_cause, employer_size=sep.employer_size,
            registered_with_employment_service=self.history.registered_with_employment_service(
                claim.worker_ref, evaluated_on, since=sep.date),
            contributions=contributions,
            contract_type=sep.contract_type, sector=sep.sector,
            reemployment_date=self.history.reemployment_start(claim.worker_ref, sep.date),
        ), accepted

    def _plausible(self, worker_ref: str, months: tuple[ContributionMonth, ...],
                   on: dt.date) -> tuple[tuple[ContributionMonth, ...], list[int]]:
        """The months that count (flagged months only once staff accepted them) and the accepted
        flagged months; new flags join the review queue (:mod:`.plausibility`, issue 25)."""
        if "controls.declared_pay_ceiling" not in self.params:
            return months, []
        flagged = plausibility.flags(months, self.params.at(on))
        reviews_of = getattr(self.claims, "month_reviews", None)
        reviews = reviews_of(worker_ref) if reviews_of is not None else {}
        # months flagged at intake (a late or self-qualifying first declaration, source 'import'):
        # the history leaves them out until accepted; an accepted one is still a month the award
        # rests on, so it asks for the second approval as the pay flags do
        at_intake = sorted(m.period for m in months if reviews.get(m.period) == "accepted"
                           and all(f.period != m.period for f in flagged))
        if not flagged:
            return months, at_intake
        new = [f for f in flagged if f.period not in reviews]
        add = getattr(self.claims, "flag_months", None)
        if new and add is not None:
            add(worker_ref, [(f.period, f.remuneration, f.reasons) for f in new], at=self.clock().isoformat())
            log.info("worker months flagged for review: %d", len(new))
        kept, accepted = plausibility.counted(months, flagged, reviews)
        return kept, sorted(set(accepted) | set(at_intake))

    def evaluate(self, claim: Claim, on: dt.date) -> StoredDecision:
        return self._evaluate(claim, on)[0]

    def _evaluate(self, claim: Claim, on: dt.date) -> tuple[StoredDecision, list[int]]:
        case, accepted = self._case(claim, on)
        return decision_record(evaluate_case(case, self.params, cause_labels=self.cause_labels,
                                             contract_labels=self.contract_labels),
                               claim_id=claim.id, decided_on=on), accepted

    def _needs_second_approval(self, claim: Claim, rec: StoredDecision, accepted: list[int], *,
                               actor: str) -> None:
        """Maker-checker (issue 25): an award above ``controls.second_approval_amount`` or resting
        on flagged months staff accepted is held (not paid) until another staff member approves it."""
        request = getattr(self.claims, "request_approval", None)
        if request is None or "controls.second_approval_amount" not in self.params:
            return
        limit = int(Decimal(str(self.params.at(rec.decided_on)["controls.second_approval_amount"])) * 100)
        total = sum(b.amount for b in rec.benefits)
        reasons = []
        if total > limit:
            reasons.append(f"prestación total {format_soles(total)} sobre {format_soles(limit)}")
        if accepted:
            reasons.append("descansa en meses observados: " + ", ".join(format_period(p) for p in accepted))
        if not reasons:
            return
        why = "; ".join(reasons)
        request(claim.id, total=total, reasons=why, maker=actor, at=self.clock().isoformat())
        self.audit.append(who=actor, when=self.clock(), action="claim.approval_requested", entity=f"claim:{claim.id}",
                          before=None, after={"total": total, "reasons": why, "maker": actor})

    def approve_award(self, claim_id: str, *, approve: bool, actor: str) -> Claim:
        """The second staff member's approval (or rejection: the claim is denied) of a held award.
        The maker cannot be the checker (the database's CHECK too); both are in the audit."""
        check = getattr(self.claims, "check_award", None)
        if check is None:
            raise ConflictError("this store keeps no approvals", where=f"claim {claim_id}")
        claim = self.claims.get(claim_id)
        row = check(claim_id, approve, checker=actor, at=self.clock().isoformat())
        self.audit.append(who=actor, when=self.clock(), action="claim.award_" + ("approved" if approve else "rejected"),
                          entity=f"claim:{claim_id}", before={"status": "pending", "maker": row["maker"]},
                          after={"status": row["status"], "maker": row["maker"], "checker": actor})
        if not approve and claim.state is S.APPROVED:
            claim = self._move(claim, S.DENIED, actor=actor, reason="rechazada por el segundo funcionario")
        return claim

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
        return self._decide(claim, claim_date, actor=actor, expected_version=claim.version, new_claim=True)

    def _decide(self, claim: Claim, on: dt.date, *, actor: str, expected_version: int | None,
                new_claim: bool = False) -> Claim:
        """*new_claim*: filed in this same call (no act issued for it yet: its decision is act 1)."""
        if claim.state not in (S.FILED, S.WAITING):
            raise ConflictError(f"claim is already {claim.state.value}; only filed or waiting claims are decided",
                                where=f"claim {claim.id}")
        check_date(on, self.params, field="date")
        rec, accepted = self._evaluate(claim, on)
        failed = [r["requirement"] for r in rec.reasons if not r["met"]]
        wait_end = waiting_end(rec)
        reemp = self.history.reemployment_start(claim.worker_ref, claim.separation_date)
        kept = self._kept_job(claim)
        if failed == ["waiting_period"] and wait_end > on and (reemp is None or reemp > wait_end) and not kept:
            if claim.state is S.WAITING:
                return claim
            return self._move(claim, S.WAITING, actor=actor, expected_version=expected_version,
                              reason=f"carencia hasta {format_date_pe(wait_end)}")
        # Issue 26 item 3: a new job already on record, or a job kept, is read at the decision.
        first = first_benefit_period(wait_end)
        rec = limit_to_unemployment(rec, first_period=first, reemployment_date=reemp, kept_job=kept,
                                    benefit_start=benefit_start(wait_end))
        rec = self._filing_deadline(claim, rec)
        failed = [r["requirement"] for r in rec.reasons if not r["met"]]
        if rec.eligible:
            claim = self._move(claim, S.APPROVED, actor=actor, expected_version=expected_version,
                               reason="cumple los requisitos", decision=rec, decided_on=on, first_period=first,
                               reemployment_date=reemp)
            self._needs_second_approval(claim, rec, accepted, actor=actor)
            self._schedule_obligations(claim, on)
            self._issue_decision(claim, on, actor, first=new_claim)
            return claim
        claim = self._move(claim, S.DENIED, actor=actor, expected_version=expected_version,
                           reason="no cumple: " + ", ".join(failed), decision=rec, decided_on=on,
                           reemployment_date=reemp)
        self._issue_decision(claim, on, actor, first=new_claim)
        return claim

    def _filing_deadline(self, claim: Claim, rec: StoredDecision) -> StoredDecision:
        """Issue 26 item 9: the claim filed within the deadline (a parameter: the bill is silent)."""
        snap = self.params.at(claim.separation_date)
        try:
            read = snap.read(FILING_DEADLINE_PARAMETER)
        except (KeyError, InputError):
            return rec                    # a parameter set without the deadline: none applies
        days = int(snap[FILING_DEADLINE_PARAMETER])
        version = {"name": read.name, "effective_date": read.effective_date.isoformat(),
                   "value": read.as_dict()["value"], "reference": read.reference}
        return check_filing_deadline(rec, filed_on=claim.filed_on, separation_date=claim.separation_date,
                                     days=days, parameter=version)

    def _kept_job(self, claim: Claim) -> bool:
        """Another job still held after the separation (a history without the check: none)."""
        kept = getattr(self.history, "kept_job", None)
        return bool(kept(claim.worker_ref, claim.separation_date)) if kept is not None else False

    def auto_decide(self, on: dt.date, *, actor: str = "system:auto-decide") -> AutoDecideRun:
        """The daily job (issue 26 item 2): decide every claim whose waiting period has ended by *on*.

        Claims in ``waiting`` (looked at during the waiting period), and claims still ``filed``
        that were filed before their waiting period was served, are decided with the rules as of
        *on* — approved or denied with their resolución — not left for a caseworker. Idempotent:
        a decided claim is no longer a candidate, and a claim whose period is not over stays as
        it is. One claim that cannot be decided (a record to correct) is reported, not fatal.
        """
        decided: list[tuple[str, str]] = []
        failed: list[tuple[str, str]] = []
        waiting = 0
        for claim in sorted(self.claims.in_states([S.FILED, S.WAITING]), key=lambda c: c.id):
            days = int(self.params.at(claim.separation_date)["requirements.waiting_period_days"])
            end = claim.separation_date + dt.timedelta(days=days)
            if claim.state is S.FILED and claim.filed_on >= end:
                continue                    # filed after the waiting period: the caseworker's queue
            if end > on:
                waiting += 1
                continue
            try:
                new = self._decide(claim, on, actor=actor, expected_version=claim.version)
            except (ConflictError, InputError) as exc:     # messages name the claim, never the worker
                failed.append((claim.id, str(exc)))
                continue
            if new.state is S.WAITING:
                waiting += 1
            else:
                decided.append((new.id, new.state.value))
        log.info("auto-decide %s: %d decided, %d waiting, %d failed", on.isoformat(), len(decided), waiting,
                 len(failed))
        return AutoDecideRun(on, tuple(decided), waiting, tuple(failed))

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
        day = on or self.clock().date()
        if to_state is S.DENIED:
            changes = {"decision": self.evaluate(claim, day), "decided_on": day}
        was = claim.state
        claim = self._move(claim, to_state, actor=actor, expected_version=expected_version,
                           reason=f"modificado por gestor: {text}", **changes)
        # Issue 26 item 9: the caseworker's change is an act, issued with it (same transaction).
        if to_state is S.DENIED:
            self._issue_decision(claim, day, actor)
        elif was in PAYABLE or was is S.EXHAUSTED:
            self._issue(claim, ActKind.CLOSURE, day, ActLetter(
                ActKind.CLOSURE,
                grounds=[f"La solicitud {claim.id} se encontraba {STATE_ES[was]}.",
                         f"Motivo expuesto por la oficina: {text}"],
                resolves=["DAR POR CONCLUIDA la prestación por desempleo: no se pagan las cuotas pendientes "
                          "desde la fecha de la presente resolución."],
                articles=["PL 5510/2022-CR, arts. 5 y 6", "Ley 27444 (TUO D.S. 004-2019-JUS), art. 3"]),
                f"Conclusión por la oficina: {text[:200]}", actor)
        return claim

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
        reemployment = _not_yet_read(claim, claim.reemployment_date)
        return plan_installments(claim.id, _plan_benefits(claim, reemployment), claim.first_period,
                                 benefit_start=benefit_start(waiting_end(claim.decision)),
                                 reemployment_date=reemployment)

    def record_reemployment(self, claim_id: str, start: dt.date, *, actor: str,
                            on: dt.date | None = None) -> tuple[Claim, list[Overpayment]]:
        """Suspend the remaining installments from the month of *start*; book overpayments.

        *on* dates the acts issued (suspension, overpayment); default: today by the clock."""
        claim = self.claims.get(claim_id)
        check_date(start, self.params, field="start_date")
        if start <= claim.separation_date:
            raise InputError(f"re-employment on {format_date_pe(start)} is not after the separation on "
                             f"{format_date_pe(claim.separation_date)}", field="start_date")
        entitled = None
        if claim.decision is not None and claim.first_period is not None:  # pro rata (issue 26, item 2)
            reemployment = _not_yet_read(claim, start)
            entitled = entitlements(plan_installments(
                claim.id, _plan_benefits(claim, reemployment), claim.first_period,
                benefit_start=benefit_start(waiting_end(claim.decision)),
                reemployment_date=reemployment))
        over = overpayments(self.payments.payments(claim.id), period_of(start), entitled)
        for o in over:
            self.ledger.post(LedgerEntry(f"{LedgerKind.OVERPAYMENT_RECEIVABLE.value}:{o.key}",
                                         LedgerKind.OVERPAYMENT_RECEIVABLE, claim.id, o.amount, o.period,
                                         start, o.reason))
        plan = []
        if over:
            plan = recovery_plan(sum(o.amount for o in over), period_of(start) + 1, months=self.recovery_months)
            self.audit.append(who=actor, when=self.clock(), action="claim.overpayment", entity=f"claim:{claim.id}",
                              before=None, after={"keys": [o.key for o in over],
                                                  "total": sum(o.amount for o in over),
                                                  "recovery": [[format_period(r.period), r.amount] for r in plan]})
        day = on or self.clock().date()
        if claim.state in (S.APPROVED, S.PAYING) or (claim.state is S.SUSPENDED
                                                    and claim.suspension_reason is not SuspensionReason.REEMPLOYMENT):
            claim = self._move(claim, S.SUSPENDED, actor=actor, reason=f"reempleo desde {format_date_pe(start)}",
                               reemployment_date=start, suspension_reason=SuspensionReason.REEMPLOYMENT)
            self._issue(claim, ActKind.SUSPENSION, day, ActLetter(
                ActKind.SUSPENSION,
                grounds=[f"Consta que el (la) asegurado(a) inició un nuevo empleo el {format_date_pe(start)}. "
                         "La prestación cubre el desempleo (art. 6): no se pagan los días desde esa fecha; "
                         "el mes de prestación en que empezó el nuevo empleo se paga por sus días sin empleo "
                         "(pro rata)."],
                resolves=[f"SUSPENDER el pago de la prestación desde el {format_date_pe(start)}; las cuotas "
                          "de los días de desempleo anteriores que estén pendientes se pagan."],
                articles=["PL 5510/2022-CR, arts. 5 y 6"]),
                f"Suspensión por nuevo empleo desde {format_date_pe(start)}", actor)
        elif claim.state in (S.EXHAUSTED, S.CLOSED) and claim.reemployment_date is None:
            # Found after the last installment (late payroll): keep the date so it is booked once.
            claim = self._update(claim, actor=actor, action="claim.reemployment_found",
                                 reemployment_date=start)
        # A filed or waiting claim needs nothing here: its decision reads the re-employment itself.
        if over:
            total = sum(o.amount for o in over)
            self._issue(claim, ActKind.OVERPAYMENT, day, ActLetter(
                ActKind.OVERPAYMENT,
                grounds=[f"Se pagaron cuotas por meses de empleo (nuevo empleo desde {format_date_pe(start)}): "
                         f"{format_soles(total)} a devolver al fondo."],
                resolves=[f"DISPONER la devolución de {format_soles(total)} en {len(plan)} cuotas mensuales "
                          "según el cronograma adjunto."],
                articles=["PL 5510/2022-CR, arts. 5 y 6"],
                rows=[(f"Pagado por {format_period(o.period)}", format_soles(o.amount)) for o in over]
                + [(f"Devolución {format_period(r.period)}", format_soles(r.amount)) for r in plan]),
                f"Pagos indebidos: {format_soles(total)} a devolver", actor)
        return claim, over

    def apply_obligations(self, claim_id: str, on: dt.date, *, actor: str) -> Claim:
        """Suspend on unjustified non-compliance; resume once the worker complies."""
        claim = self.claims.get(claim_id)
        if claim.suspension_reason is SuspensionReason.REEMPLOYMENT or claim.state not in PAYABLE:
            return claim
        s = suspended_on(self.employment.obligations(claim.id), on)
        if s is not None and claim.state is not S.SUSPENDED:
            claim = self._move(claim, S.SUSPENDED, actor=actor, reason=s.reason_es(),
                               suspension_reason=SuspensionReason.OBLIGATIONS)
            self._issue(claim, ActKind.SUSPENSION, on, ActLetter(
                ActKind.SUSPENSION, grounds=[s.reason_es()],
                resolves=["SUSPENDER el pago de la prestación mientras subsista el incumplimiento; las cuotas de "
                          "los meses suspendidos no se pagan."],
                articles=["PL 5510/2022-CR, art. 7 y tercera disposición complementaria final"]),
                "Suspensión por incumplimiento de obligaciones con el servicio de empleo", actor)
            return claim
        if s is None and claim.state is S.SUSPENDED:
            to = S.PAYING if self.payments.payments(claim.id) else S.APPROVED
            claim = self._move(claim, to, actor=actor, reason="cumplió sus obligaciones", suspension_reason=None)
            self._issue(claim, ActKind.RESUMPTION, on, ActLetter(
                ActKind.RESUMPTION, grounds=["El (la) asegurado(a) cumplió sus obligaciones con el servicio de empleo."],
                resolves=["REANUDAR el pago de la prestación desde el mes siguiente."],
                articles=["PL 5510/2022-CR, art. 7"]),
                "Reanudación del pago", actor)
        return claim

    # ------------------------------------------------------------------ paying

    def _due(self, claim: Claim, period: int, on: dt.date) -> list[Installment]:
        """The installments of *claim* due in a run for *period* (arrears included)."""
        paid_keys = {p.key for p in self.payments.payments(claim.id)}
        reemp = period_of(claim.reemployment_date) if claim.reemployment_date else None
        withheld = suspended_periods(self.employment.obligations(claim.id), on)
        return installments_due(self.plan(claim), period, paid_keys=paid_keys, reemployment_period=reemp,
                                suspended_periods=withheld)

    def available_cash(self) -> int | None:
        """The fund's cash (the ledger's bank account) or ``None`` when the store has no ledger balance."""
        read = getattr(self.ledger, "available_cash", None)
        return read() if read is not None else None

    def held_claims(self) -> set[str]:
        """Claims whose award waits for a second staff member (maker-checker): not paid meanwhile."""
        read = getattr(self.claims, "held_claims", None)
        return set(read()) if read is not None else set()

    def _pay(self, claim: Claim, period: int, on: dt.date, actor: str,
             allowed: Collection[str] | None = None) -> tuple[Claim, list[Payment]]:
        """Pay what is due for *claim* up to *period* (arrears included), once per installment;
        with *allowed*, only those installment keys (what the fund can pay)."""
        plan = self.plan(claim)
        paid_keys = {p.key for p in self.payments.payments(claim.id)}
        reemp = period_of(claim.reemployment_date) if claim.reemployment_date else None
        withheld = suspended_periods(self.employment.obligations(claim.id), on)
        done = []
        for inst in installments_due(plan, period, paid_keys=paid_keys, reemployment_period=reemp,
                                     suspended_periods=withheld):
            if allowed is not None and inst.key not in allowed:
                continue                      # the fund cannot pay it now: it stays due
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
            if claim.suspension_reason is SuspensionReason.REEMPLOYMENT or _cut_at_decision(claim):
                # Nothing more is owed: close, so a later separation can open a new claim.
                claim = self._move(claim, S.CLOSED, actor=actor, reason="reempleo: cuotas anteriores pagadas")
                self._issue(claim, ActKind.CLOSURE, on, ActLetter(
                    ActKind.CLOSURE,
                    grounds=[f"El (la) asegurado(a) inició un nuevo empleo el {format_date_pe(claim.reemployment_date)}"
                             if claim.reemployment_date else "El (la) asegurado(a) inició un nuevo empleo.",
                             f"Se pagaron las {len(paid_keys)} cuotas de los meses de desempleo anteriores."],
                    resolves=["DAR POR CONCLUIDA la prestación por desempleo."],
                    articles=["PL 5510/2022-CR, arts. 5 y 6"]),
                    "Conclusión por nuevo empleo: cuotas anteriores pagadas", actor)
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

        The run is bounded (issue 25): its date lies in the date policy's window and its period
        is not after the month of its date (:func:`~seguro_desempleo.domain.dates.check_run`);
        claims awaiting a second approval are not paid; and it pays no more than the fund's cash
        (:meth:`available_cash`), in :func:`payment_order` — what it cannot pay stays due and is
        listed in ``unpaid`` (the caller raises the alert).
        """
        check_run(period, on, self.params)
        held = self.held_claims()
        available = self.available_cash()
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
                    over.extend(self.record_reemployment(claim.id, start, actor=actor, on=on)[1])
        staged: list[tuple[Claim, ClaimState]] = []
        held_now: list[str] = []
        items: list[tuple[tuple[Any, ...], str, int]] = []
        due_by_key: dict[str, Installment] = {}
        for claim in self._candidates(PAYABLE, only):
            if claim.id in held:
                held_now.append(claim.id)
                continue
            before = claim.state
            start = self.history.reemployment_start(claim.worker_ref, claim.separation_date)
            if start is not None and claim.reemployment_date is None:
                claim, ov = self.record_reemployment(claim.id, start, actor=actor, on=on)
                over.extend(ov)
            claim = self.apply_obligations(claim.id, on, actor=actor)
            staged.append((claim, before))
            for inst in self._due(claim, period, on):
                items.append((payment_order(inst.period, claim.id, inst.number), inst.key, inst.amount))
                due_by_key[inst.key] = inst
        allowed, left = fund_cut(items, available)
        for claim, before in staged:
            claim, done = self._pay(claim, period, on, actor, allowed=allowed)
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
        run = PaymentRun(period, tuple(paid), bank, tuple(suspended), tuple(resumed), tuple(exhausted), tuple(over),
                         available=available, unpaid=tuple(due_by_key[k] for k in left), held=tuple(held_now))
        log.info("payment run %s: %s", format_period(period), run.summary())
        return run

    def reconcile_returns(self, sent: PaymentFile, answer: PaymentFile, on: dt.date, *, actor: str) -> list[str]:
        """Book returned payments back to the fund; their installments become due again."""
        rec = reconcile(sent, answer)
        for key, code, amount in rec.returned:
            claim_id = key.split("#", 1)[0]
            number = int(key.split("#", 1)[1].split("d", 1)[0])   # "C-1#3" or a difference "C-1#3d1"
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
                    grounds: str = "", act: str | None = None) -> Appeal:
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
        appealed = self._appealed_act(claim, act)
        if appealed is not None:
            # Issue 26 item 9: the term runs from the act's notification as recorded, not from its
            # date; an act with no notification on record is notified by the filing itself
            # (Ley 27444, art. 27.2: notificación tácita), so the filing is in time.
            notified = appealed.notified_on or filed_on
        appeal = appeals_mod.file_appeal(f"{claim.id}-A{len(previous) + 1}", claim.id, kind, notified_on=notified,
                                         filed_on=filed_on, grounds=grounds)
        self.claims.add_appeal(appeal)
        after = appeal.to_dict() | ({"act": appealed.number} if appealed is not None else {})
        self.audit.append(who=actor, when=self.clock(), action="appeal.file", entity=f"appeal:{appeal.id}",
                          before=None, after=after)
        return appeal

    def _appealed_act(self, claim: Claim, number: str | None) -> IssuedAct | None:
        """The act an appeal is against: the one named, else the claim's latest act."""
        if self.acts is None:
            if number:
                raise ConflictError("issued acts are not stored here", where=f"claim {claim.id}")
            return None
        if number:
            act = self.acts.get(number)
            if act.claim_id != claim.id:
                raise InputError(f"act {number} is not an act of claim {claim.id}", field="act")
            return act
        acts = self.acts.acts_for(claim.id)
        return acts[-1] if acts else None

    def resolve_appeal(self, appeal_id: str, outcome: AppealOutcome, on: dt.date, *,
                       actor: str) -> tuple[Appeal, Claim, list[Payment]]:
        """Resolve; an upheld appeal against a denial re-runs the claim and pays the arrears."""
        appeal = appeals_mod.resolve_appeal(self.claims.get_appeal(appeal_id), outcome, on)
        claim = self.claims.get(appeal.claim_id)
        paid: list[Payment] = []
        rows: list[tuple[str, str]] = []
        kind, says = ActKind.APPEAL_RESOLUTION, {
            AppealOutcome.UPHELD: "DECLARAR FUNDADO el recurso.",
            AppealOutcome.REJECTED: "DECLARAR INFUNDADO el recurso; la resolución impugnada se mantiene.",
            AppealOutcome.INADMISSIBLE: "DECLARAR IMPROCEDENTE el recurso."}[outcome]
        if outcome is AppealOutcome.UPHELD and claim.state is not S.DENIED:
            claim, paid, rows = self._change_amount(claim, appeal, on, actor)
            kind, says = ActKind.AMOUNT_CHANGE, ("DECLARAR FUNDADO el recurso y MODIFICAR el monto de la prestación "
                                                 "según el cuadro; las diferencias de las cuotas ya pagadas se pagan.")
        if outcome is AppealOutcome.UPHELD and claim.state is S.DENIED:
            rec, accepted = self._evaluate(claim, claim.decided_on or on)     # as of the reversed decision
            reemp = self.history.reemployment_start(claim.worker_ref, claim.separation_date)
            rec = limit_to_unemployment(rec, first_period=first_benefit_period(waiting_end(rec)),
                                        reemployment_date=reemp, kept_job=self._kept_job(claim),
                                        benefit_start=benefit_start(waiting_end(rec)))
            if not rec.eligible:
                failed = ", ".join(r["requirement"] for r in rec.reasons if not r["met"])
                raise ConflictError(f"the rules still deny the claim ({failed}); correct the records the "
                                    "appeal relies on before upholding it", where=f"claim {claim.id}")
            claim = self._move(claim, S.APPROVED, actor=actor, reason=f"recurso {appeal.id} fundado",
                               decision=rec, decided_on=on, first_period=first_benefit_period(waiting_end(rec)),
                               reemployment_date=reemp)
            self._needs_second_approval(claim, rec, accepted, actor=actor)
            self._schedule_obligations(claim, on)
            claim = self.apply_obligations(claim.id, on, actor=actor)
            if claim.id not in self.held_claims():
                due = self._due(claim, period_of(on), on)
                allowed, _left = fund_cut([(payment_order(i.period, claim.id, i.number), i.key, i.amount)
                                           for i in due], self.available_cash())
                claim, paid = self._pay(claim, period_of(on), on, actor, allowed=allowed)
            assert claim.decision is not None
            rows = [(f"Cuota {b.month}", format_soles(b.amount)) for b in claim.decision.benefits]
            says += f" OTORGAR la prestación en {len(claim.decision.benefits)} pagos mensuales."
        self.claims.save_appeal(appeal)
        self.audit.append(who=actor, when=self.clock(), action="appeal.resolve", entity=f"appeal:{appeal.id}",
                          before={"outcome": "pending"}, after={"outcome": appeal.outcome.value})
        self._issue(claim, kind, on, ActLetter(
            kind, grounds=[f"El {appeals_mod.KIND_LABELS_ES[appeal.kind]} {appeal.id}, presentado el "
                           f"{format_date_pe(appeal.filed_on)}."],
            resolves=[says], articles=[appeals_mod.ARTICLE_FILING], rows=rows),
            f"Recurso {appeal.id}: {appeal.outcome.value}", actor)
        return appeal, claim, paid

    def _change_amount(self, claim: Claim, appeal: Appeal, on: dt.date,
                       actor: str) -> tuple[Claim, list[Payment], list[tuple[str, str]]]:
        """An appeal upheld against the amount (issue 26 item 9): the rules are run again as of the
        appealed decision, on the records as corrected; the higher amounts replace the decision's
        and the difference of every installment already paid is paid now."""
        old = claim.decision
        if old is None or claim.decided_on is None or claim.first_period is None:
            raise ConflictError("the claim has no award whose amount could change", where=f"claim {claim.id}")
        rec = self.evaluate(claim, claim.decided_on)
        rec = limit_to_unemployment(rec, first_period=claim.first_period, reemployment_date=claim.reemployment_date,
                                    kept_job=self._kept_job(claim), benefit_start=benefit_start(waiting_end(rec)))
        if not rec.eligible or len(rec.benefits) != len(old.benefits) or rec.total <= old.total:
            raise ConflictError(f"the rules give no higher amount than {format_soles(old.total)}; correct the "
                                "records the appeal relies on before upholding it", where=f"claim {claim.id}")
        new = dataclasses.replace(claim, status=dataclasses.replace(claim.status, version=claim.version + 1),
                                  decision=rec)
        self.claims.save(new, expected_version=claim.version)
        self.audit.append(who=actor, when=self.clock(), action="claim.amount_change", entity=f"claim:{claim.id}",
                          before={"version": claim.version, "total": old.total},
                          after={"version": new.version, "total": rec.total, "appeal": appeal.id})
        claim = new
        new_amount = {b.month: b.amount for b in rec.benefits}
        paid_by_number: dict[int, list[Payment]] = {}
        for p in self.payments.payments(claim.id):
            paid_by_number.setdefault(p.number, []).append(p)
        owed = sum(max(0, new_amount.get(n, 0) - sum(p.amount for p in pays)) for n, pays in paid_by_number.items())
        cash = self.available_cash()
        if cash is not None and owed > cash:         # the fund cannot go negative (issue 25)
            raise ConflictError(f"the fund has {format_soles(max(cash, 0))} available and the differences come to "
                                f"{format_soles(owed)}; resolve the appeal when the fund can pay them",
                                where=f"claim {claim.id}")
        done: list[Payment] = []
        for number, pays in sorted(paid_by_number.items()):
            diff = new_amount.get(number, 0) - sum(p.amount for p in pays)
            if diff <= 0:
                continue
            pay = Payment(f"{claim.id}#{number}d{len(pays)}", claim.id, number, pays[0].period, diff, on)
            if not self.payments.record(pay):
                continue
            self.ledger.post(LedgerEntry(f"{LedgerKind.BENEFIT_PAYMENT.value}:{pay.key}:{on.isoformat()}",
                                         LedgerKind.BENEFIT_PAYMENT, claim.id, diff, pay.period, on,
                                         f"diferencia de la cuota {number} (recurso {appeal.id})"))
            self.audit.append(who=actor, when=self.clock(), action="payment.pay", entity=f"payment:{pay.key}",
                              before=None, after={"amount": diff, "period": format_period(pay.period)})
            done.append(pay)
        rows = [(f"Cuota {b.month}", f"{format_soles(o.amount)} → {format_soles(b.amount)}")
                for o, b in zip(old.benefits, rec.benefits, strict=True)]
        return claim, done, rows
