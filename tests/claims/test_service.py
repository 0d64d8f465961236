"""The claims use cases end to end on the in-memory ports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest

from seguro_desempleo.claims.appeals import AppealKind, AppealOutcome
from seguro_desempleo.claims.audit import verify_chain
from seguro_desempleo.claims.memory import (
    InMemoryAuditSink,
    InMemoryClaimRepository,
    InMemoryHistory,
    InMemoryLedger,
    InMemoryPaymentStore,
    WorkerHistory,
)
from seguro_desempleo.claims.ports import LedgerKind, Payee, Separation, SuspensionReason
from seguro_desempleo.claims.service import ClaimService
from seguro_desempleo.claims.state import ClaimState
from seguro_desempleo.employment_service.adapter import InMemoryEmploymentService
from seguro_desempleo.employment_service.obligations import ObligationKind, Outcome
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.payments.bank_file import LineStatus, read_payment_file, write_payment_file
from seguro_desempleo.periods import month_index, parse_period
from seguro_desempleo.rules.evaluate import ContributionMonth

S = ClaimState
D = dt.date
SEP = D(2025, 3, 10)
APR, MAY, JUN, JUL, AUG, SEP_ = (parse_period(f"2025-{m:02d}") for m in range(4, 10))
DNI = "45781236"


def history(months: int = 26, cause: str = "03") -> WorkerHistory:
    first = month_index(2025, 3) - months
    return WorkerHistory(
        separation=Separation(SEP, cause, "20100047218", "large"),
        contributions=[ContributionMonth(first + k, 300000) for k in range(months)],
        payee=Payee("01", DNI, "Quispe Mamani, Rosa"))


class World:
    def __init__(self, params: ParameterSet) -> None:
        self.repo = InMemoryClaimRepository()
        self.hist = InMemoryHistory()
        self.pay = InMemoryPaymentStore()
        self.ledger = InMemoryLedger()
        self.audit = InMemoryAuditSink()
        self.es = InMemoryEmploymentService()
        self.svc = self.service(params)

    def service(self, params: ParameterSet) -> ClaimService:
        return ClaimService(claims=self.repo, history=self.hist, payments=self.pay, ledger=self.ledger,
                            audit=self.audit, employment=self.es, params=params,
                            clock=lambda: dt.datetime(2025, 6, 1, tzinfo=dt.UTC))


@pytest.fixture
def w(params: ParameterSet) -> World:
    world = World(params)
    world.hist.workers["W1"] = history()
    return world


def test_file_decide_pay_five_months_and_exhaust(w: World) -> None:
    c = w.svc.file_claim("W1", D(2025, 3, 20), actor="worker:W1")
    assert c.state is S.FILED
    c = w.svc.decide(c.id, D(2025, 3, 21), actor="cw:1")
    assert c.state is S.APPROVED and c.first_period == APR and c.decision is not None
    assert c.decision.total == 900000
    r1 = w.svc.run_payments(APR, D(2025, 5, 5), actor="system")
    assert [p.key for p in r1.paid] == [f"{c.id}#1"] and r1.total == 210000
    assert w.repo.get(c.id).state is S.PAYING
    again = w.svc.run_payments(APR, D(2025, 5, 5), actor="system")
    assert again.paid == () and again.bank_file.lines == ()
    for m in (MAY, JUN, JUL, AUG):
        w.svc.run_payments(m, D(2025, 9, 5), actor="system")
    assert w.repo.get(c.id).state is S.EXHAUSTED
    assert w.ledger.balance(LedgerKind.BENEFIT_PAYMENT) == 900000
    assert verify_chain(w.audit.records).ok


def test_bank_file_of_a_run_round_trips(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    run = w.svc.run_payments(MAY, D(2025, 6, 5), actor="system")       # April and May: arrears
    assert [line.amount for line in run.bank_file.lines] == [210000, 195000]
    back = read_payment_file(write_payment_file(run.bank_file))
    assert back.lines[0].beneficiary == "QUISPE MAMANI, ROSA" and back.total == 405000
    # The bank returns the May installment: it goes back to the fund and is due again.
    answer = dataclasses.replace(back, lines=(
        dataclasses.replace(back.lines[0], status=LineStatus.PAID),
        dataclasses.replace(back.lines[1], status=LineStatus.RETURNED, return_code="03")))
    returned = w.svc.reconcile_returns(run.bank_file, answer, D(2025, 6, 20), actor="system")
    assert returned == [f"{c.id}#2"]
    assert w.ledger.balance(LedgerKind.PAYMENT_RETURNED) == 195000
    again = w.svc.run_payments(MAY, D(2025, 6, 25), actor="system")
    assert [p.key for p in again.paid] == [f"{c.id}#2"]
    net = w.ledger.balance(LedgerKind.BENEFIT_PAYMENT) - w.ledger.balance(LedgerKind.PAYMENT_RETURNED)
    assert net == 405000                                 # paid twice, returned once


def test_claim_refusals_are_one_line(w: World) -> None:
    with pytest.raises(NotFoundError, match="field 'worker'"):
        w.svc.file_claim("W404", D(2025, 3, 20), actor="w")
    with pytest.raises(InputError) as e:
        w.svc.file_claim("W1", D(2025, 3, 1), actor="w")
    assert e.value.one_line() == ("field 'claim_date': claim dated 01/03/2025, before the separation on "
                                  "10/03/2025")
    c = w.svc.file_claim("W1", D(2025, 3, 20), actor="w")
    with pytest.raises(ConflictError, match=f"open claim {c.id} \\(filed\\)"):
        w.svc.file_claim("W1", D(2025, 3, 21), actor="w")


def test_waiting_period_then_approval(w: World) -> None:
    c = w.svc.file_claim("W1", D(2025, 3, 12), actor="w")
    c = w.svc.decide(c.id, D(2025, 3, 12), actor="cw")
    assert c.state is S.WAITING
    assert w.svc.decide(c.id, D(2025, 3, 14), actor="cw").state is S.WAITING
    assert w.svc.decide(c.id, D(2025, 3, 17), actor="cw").state is S.APPROVED


def test_two_caseworkers_exactly_one_wins(w: World, params: ParameterSet) -> None:
    c = w.svc.file_claim("W1", D(2025, 3, 20), actor="w")
    other = w.service(params)
    seen = w.repo.get(c.id).version
    w.svc.decide(c.id, D(2025, 3, 21), actor="cw:1", expected_version=seen)
    with pytest.raises(ConflictError):
        other.decide(c.id, D(2025, 3, 21), actor="cw:2", expected_version=seen)
    assert w.repo.get(c.id).state is S.APPROVED


def test_reemployment_suspends_and_books_overpayment(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(JUN, D(2025, 6, 5), actor="system")                  # April, May, June paid
    w.hist.workers["W1"].reemployment = D(2025, 5, 16)                      # new employer declares May
    run = w.svc.run_payments(JUL, D(2025, 7, 5), actor="system")
    assert run.paid == ()
    assert [o.key for o in run.overpayments] == [f"{c.id}#2", f"{c.id}#3"]
    # Issue 26 item 2: benefit month 2 (18/04–17/05) is owed for its 28 days before 16/05
    # (1,950.00 × 28/30 = 1,820.00): 130.00 overpaid; month 3 (June) wholly: 1,800.00.
    assert w.ledger.balance(LedgerKind.OVERPAYMENT_RECEIVABLE) == 13000 + 180000
    got = w.repo.get(c.id)
    assert got.state is S.CLOSED and got.reemployment_date == D(2025, 5, 16)
    assert any(r.action == "claim.overpayment" for r in w.audit.records)
    # a later separation may open a new claim
    w.hist.workers["W1"].separation = Separation(D(2025, 11, 30), "03", "20100047218", "large")
    assert w.svc.file_claim("W1", D(2025, 12, 10), actor="w").state is S.FILED


def test_reemployment_before_all_paid_keeps_arrears_before_that_month(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.hist.workers["W1"].reemployment = D(2025, 6, 2)
    run = w.svc.run_payments(JUL, D(2025, 7, 5), actor="system")
    # Benefit months 18/03–17/04 and 18/04–17/05 in full; 18/05–17/06 for the 15 days before the
    # re-employment on 02/06 (60 % × 3000 × 15/31 = 870.97, issue 26 item 2); then nothing.
    assert [(p.key, p.amount) for p in run.paid] == [(f"{c.id}#1", 210000), (f"{c.id}#2", 195000),
                                                     (f"{c.id}#3", 87097)]
    assert run.overpayments == () and w.repo.get(c.id).state is S.CLOSED
    assert w.repo.get(c.id).suspension_reason is SuspensionReason.REEMPLOYMENT


def test_missed_counselling_suspends_and_compliance_resumes(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(APR, D(2025, 5, 5), actor="system")
    ob = w.es.schedule(c.id, ObligationKind.COUNSELLING, D(2025, 5, 12))
    w.es.record_outcome(ob.id, Outcome.NOT_COMPLIED, D(2025, 5, 12), recorded_by="officer:3")
    run = w.svc.run_payments(MAY, D(2025, 6, 5), actor="system")
    assert run.suspended == (c.id,) and run.paid == ()
    again = w.es.schedule(c.id, ObligationKind.COUNSELLING, D(2025, 6, 16))
    w.es.record_outcome(again.id, Outcome.COMPLIED, D(2025, 6, 16))
    run = w.svc.run_payments(JUL, D(2025, 8, 5), actor="system")
    assert run.resumed == (c.id,)
    assert [p.number for p in run.paid] == [4]          # May and June withheld, July paid
    w.svc.run_payments(AUG, D(2025, 9, 5), actor="system")
    assert w.repo.get(c.id).state is S.EXHAUSTED
    assert w.ledger.balance(LedgerKind.BENEFIT_PAYMENT) == 210000 + 165000 + 150000


def test_appeal_reversal_pays_arrears(w: World) -> None:
    w.hist.workers["W1"] = history(months=8)            # payroll import missed months: denied
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    assert c.state is S.DENIED
    appeal = w.svc.file_appeal(c.id, AppealKind.RECONSIDERATION, D(2025, 4, 8), actor="worker:W1",
                               grounds="boletas de pago")
    assert appeal.filing_deadline == D(2025, 4, 11)     # 15 business days after 21/03
    with pytest.raises(ConflictError, match="still pending"):
        w.svc.file_appeal(c.id, AppealKind.APPEAL, D(2025, 4, 9), actor="worker:W1")
    w.hist.workers["W1"] = history(months=26)           # the employer's amended declarations
    appeal, c, paid = w.svc.resolve_appeal(appeal.id, AppealOutcome.UPHELD, D(2025, 6, 10), actor="cw:boss")
    assert c.state is S.PAYING and [p.number for p in paid] == [1, 2, 3]
    assert appeal.outcome is AppealOutcome.UPHELD
    assert verify_chain(w.audit.records).ok


def test_late_appeal_refused(w: World) -> None:
    w.hist.workers["W1"] = history(months=8)
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    with pytest.raises(InputError, match="out of time"):
        w.svc.file_appeal(c.id, AppealKind.APPEAL, D(2025, 5, 2), actor="w")


def test_no_dni_or_name_in_logs(w: World, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(MAY, D(2025, 6, 5), actor="system")
    assert c.id in caplog.text
    assert DNI not in caplog.text and "Quispe" not in caplog.text
    assert all(DNI not in str(r.to_dict()) for r in w.audit.records)


def test_reemployment_found_after_exhaustion_books_overpayments_once(w: World) -> None:
    c = w.svc.decide(w.svc.file_claim("W1", D(2025, 3, 20), actor="w").id, D(2025, 3, 21), actor="cw")
    w.svc.run_payments(AUG, D(2025, 9, 5), actor="system")
    assert w.repo.get(c.id).state is S.EXHAUSTED
    w.hist.workers["W1"].reemployment = D(2025, 6, 20)          # a late PLAME shows June
    run = w.svc.run_payments(SEP_, D(2025, 10, 5), actor="system")
    # Issue 26 item 2: benefit month 3 (18/05–17/06) was before the re-employment on 20/06: owed;
    # month 4 (18/06–17/07) is owed for 2 days (1,650.00 × 2/30 = 110.00); month 5 not at all.
    assert [o.key for o in run.overpayments] == [f"{c.id}#4", f"{c.id}#5"]
    got = w.repo.get(c.id)
    assert got.state is S.EXHAUSTED and got.reemployment_date == D(2025, 6, 20)
    n_audit = len(w.audit.records)
    assert w.svc.run_payments(SEP_ + 1, D(2025, 11, 5), actor="system").overpayments == ()
    assert len(w.audit.records) == n_audit
    assert w.ledger.balance(LedgerKind.OVERPAYMENT_RECEIVABLE) == 154000 + 150000
    assert verify_chain(w.audit.records).ok
