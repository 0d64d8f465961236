"""Employer payments against declared contributions, and arrears with interest.

A payment is for one employer-month. It settles the contributions receivable of that month
(employer part and the part deducted from the CTS, in proportion to what was declared); what
exceeds the amount outstanding is held as unapplied receipts. Interest paid with it is income.

Arrears: for each active declaration not fully paid, the outstanding amount, the due date, and
simple interest of ``financing.arrears_monthly_interest`` per month or part of a month late.

Reading (pending the regulation): contributions are due on day :data:`DUE_DAY` of the month after
the period, an approximation of SUNAT's monthly schedule (which runs by the RUC's last digit).
Whether a declared-but-unpaid month counts for the worker is ``requirements.count_declared_unpaid_months``
(default yes, protecting the worker as Chile's AFC does); see ``storage.history``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text

from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.domain.registry import validate_ruc
from seguro_desempleo.errors import InputError, NotFoundError
from seguro_desempleo.money import apply_rate, cents_to_str, rate_to_scaled
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import format_period, month_index
from seguro_desempleo.services import ledger
from seguro_desempleo.storage.uow import SqlUnitOfWork

DUE_DAY = 15


def due_date(period: int) -> dt.date:
    """The day the contributions of *period* are due (day 15 of the next month; a reading)."""
    year, month0 = divmod(period + 1, 12)
    return dt.date(year, month0 + 1, DUE_DAY)


def months_late(period: int, on: dt.date) -> int:
    """Whole or part months elapsed after the due date (0 when paid on time)."""
    due = due_date(period)
    if on <= due:
        return 0
    months = month_index(on.year, on.month) - month_index(due.year, due.month)
    if on.day > due.day:
        months += 1
    return max(months, 1)


@dataclass(frozen=True)
class PaymentResult:
    payment_id: int
    ledger_entry_id: int
    applied: int
    unapplied: int
    outstanding_after: int


def record_payment(uow: SqlUnitOfWork, ruc: str, period: int, amount: int, paid_on: dt.date, *,
                   interest: int = 0, reference: str | None = None) -> PaymentResult:
    """Record an employer payment (céntimos) for one declared month and post it to the ledger."""
    ruc = validate_ruc(ruc)
    if amount <= 0:
        raise InputError("payment amount must be positive", field="amount")
    if interest < 0:
        raise InputError("interest cannot be negative", field="interest")
    employer = uow.employers.by_ruc(ruc)
    if employer is None or employer.id is None:
        raise NotFoundError(f"no employer with RUC {ruc}", field="ruc")
    decl = uow.declarations.active(employer.id, period)
    if decl is None:
        raise NotFoundError(f"RUC {ruc} has no declaration for {format_period(period)}", field="period")
    uow.payments.check_new_reference(reference)  # before anything is written
    already = uow.payments.paid_for(employer.id, period)
    outstanding = max(decl.total_due - already, 0)
    applied = min(amount, outstanding)
    unapplied = amount - applied
    emp_due, _cts_due = _parts(uow, decl.id or 0)
    # Split what is applied between the two receivables in proportion to the declared parts,
    # cumulatively, so that a month paid in full leaves both receivables at exactly zero.
    settled = min(already, decl.total_due)
    to_employer = ((settled + applied) * emp_due // decl.total_due - settled * emp_due // decl.total_due
                   if decl.total_due else 0)
    to_cts = applied - to_employer
    lines = [(Accounts.BANK, amount + interest, 0), (Accounts.RECEIVABLE_EMPLOYER, 0, to_employer),
             (Accounts.RECEIVABLE_CTS, 0, to_cts), (Accounts.UNAPPLIED_RECEIPTS, 0, unapplied),
             (Accounts.ARREARS_INTEREST_INCOME, 0, interest)]
    entry = ledger.post(uow, "employer.payment", lines, ref=f"employer:{ruc}:{format_period(period)}", at=paid_on)
    pid = uow.payments.add(employer.id, period, amount, interest, paid_on, reference, entry)
    return PaymentResult(pid, entry, applied, unapplied, outstanding - applied)


def _parts(uow: SqlUnitOfWork, declaration_id: int) -> tuple[int, int]:
    row = uow.connection().execute(text("SELECT employer_due, cts_due FROM declaration WHERE id = :i"),
                                   {"i": declaration_id}).one()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class Arrear:
    ruc: str
    period: int
    due: int
    paid: int
    outstanding: int
    due_date: dt.date
    months_late: int
    interest: int

    def as_dict(self) -> dict[str, object]:
        return {"ruc": self.ruc, "period": format_period(self.period), "due": cents_to_str(self.due),
                "paid": cents_to_str(self.paid), "outstanding": cents_to_str(self.outstanding),
                "due_date": self.due_date.isoformat(), "months_late": self.months_late,
                "interest": cents_to_str(self.interest)}


def arrears(uow: SqlUnitOfWork, at: dt.date, *, ruc: str | None = None, params: ParameterSet | None = None,
            limit: int | None = None) -> list[Arrear]:
    """Declared months not fully paid whose due date has passed by *at*, with interest to *at*."""
    snap = (params or default_parameters()).at(at)
    rate = rate_to_scaled(snap["financing.arrears_monthly_interest"], name="financing.arrears_monthly_interest")
    q = ("SELECT e.ruc, d.period, d.total_due, COALESCE((SELECT SUM(p.amount) FROM employer_payment p "
         "WHERE p.employer_id = d.employer_id AND p.period = d.period), 0) AS paid "
         "FROM declaration d JOIN employer e ON e.id = d.employer_id WHERE d.status = 'active' AND d.total_due > 0")
    params_sql: dict[str, object] = {}
    if ruc is not None:
        q += " AND e.ruc = :ruc"
        params_sql["ruc"] = validate_ruc(ruc)
    q += " ORDER BY e.ruc, d.period"
    out: list[Arrear] = []
    for r, period, due, paid in uow.connection().execute(text(q), params_sql):
        outstanding = int(due) - int(paid)
        late = months_late(int(period), at)
        if outstanding <= 0 or late == 0:
            continue
        interest = int(apply_rate(outstanding * late, rate))
        out.append(Arrear(r, int(period), int(due), int(paid), outstanding, due_date(int(period)), late, interest))
        if limit is not None and len(out) >= limit:
            break
    return out
