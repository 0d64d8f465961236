"""Re-employment, employment-service obligations and payment runs of
:class:`~seguro_desempleo.claims.service.ClaimService` (issue 24: split out of ``claims/service.py``,
unchanged)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from seguro_desempleo.claims.acts import (
    ActKind,
    ActLetter,
)
from seguro_desempleo.claims.ports import (
    Claim,
    LedgerEntry,
    LedgerKind,
    SuspensionReason,
)
from seguro_desempleo.claims.service_base import (
    LATE_REEMPLOYMENT_MONTHS,
    PAYABLE,
    PaymentRun,
    S,
    _cut_at_decision,
    _not_yet_read,
    _plan_benefits,
    fund_cut,
    log,
    payment_order,
    waiting_end,
)
from seguro_desempleo.claims.service_decisions import DecisionsMixin
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.domain.dates import check_date, check_run
from seguro_desempleo.employment_service.obligations import suspended_on, suspended_periods
from seguro_desempleo.errors import InputError
from seguro_desempleo.money import format_soles
from seguro_desempleo.payments.bank_file import PaymentFile, PaymentLine, reconcile
from seguro_desempleo.payments.schedule import (
    Installment,
    Overpayment,
    Payment,
    benefit_start,
    entitlements,
    installments_due,
    is_exhausted,
    overpayments,
    plan_installments,
    recovery_plan,
)
from seguro_desempleo.periods import format_date_pe, format_period, period_of


class PaymentsMixin(DecisionsMixin):
    """Re-employment, obligations, payment runs and bank returns."""

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
