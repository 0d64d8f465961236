"""The claims use cases (issue 5), written against the Protocols of :mod:`.ports`.

Each method is a few lines over the pure modules: the rules decide (:func:`evaluate_case`), the
state machine checks the move (:mod:`.state`), :mod:`seguro_desempleo.payments.schedule` says what
is due, :mod:`seguro_desempleo.employment_service.obligations` says when payment is suspended,
:mod:`.appeals` keeps the Ley 27444 clock. Every state change is written to the audit sink.

Transactions are the caller's business (one unit of work per method call in the storage layer);
this class holds no state of its own, so two instances over one store behave like two
caseworkers: the version check makes exactly one of two concurrent decisions win.

Logs carry claim ids and states only, never a DNI or a name.

The class is assembled from one module per concern (issue 24): :mod:`.service_base` (the stores,
the audited state change, acts), :mod:`.service_decisions` (filing and deciding),
:mod:`.service_payments` (re-employment, obligations, payment runs) and this module (appeals).
Every name importers used from here is still importable from here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from seguro_desempleo.claims import appeals as appeals_mod
from seguro_desempleo.claims.acts import (
    ActKind,
    ActLetter,
    IssuedAct,
)
from seguro_desempleo.claims.appeals import Appeal, AppealKind, AppealOutcome
from seguro_desempleo.claims.decision import (
    limit_to_unemployment,
)
from seguro_desempleo.claims.ports import (
    Claim,
    LedgerEntry,
    LedgerKind,
)
from seguro_desempleo.claims.service_base import (
    LATE_REEMPLOYMENT_MONTHS,
    OVERRIDE_TARGETS,
    PAYABLE,
    AutoDecideRun,
    PaymentRun,
    S,
    ServiceCore,
    fund_cut,
    payment_order,
    waiting_end,
)
from seguro_desempleo.claims.service_payments import PaymentsMixin
from seguro_desempleo.errors import ConflictError, InputError
from seguro_desempleo.money import format_soles
from seguro_desempleo.payments.schedule import (
    Payment,
    benefit_start,
    first_benefit_period,
)
from seguro_desempleo.periods import format_date_pe, format_period, period_of

__all__ = ["LATE_REEMPLOYMENT_MONTHS", "OVERRIDE_TARGETS", "PAYABLE", "AutoDecideRun", "ClaimService",
           "PaymentRun", "ServiceCore", "fund_cut", "payment_order", "waiting_end"]


class ClaimService(PaymentsMixin):
    """The claims use cases over the ports; this module adds the appeals (Ley 27444)."""


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
