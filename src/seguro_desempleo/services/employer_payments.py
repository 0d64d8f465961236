"""Employer payments against declared contributions, arrears with interest, and the ledger.

A payment is for one employer-month. It settles the contributions receivable of that month
(employer part and the part deducted from the CTS, in proportion to what was declared); what
exceeds the amount outstanding is held as unapplied receipts. Interest paid with it is income.

Interest (``financing.arrears_monthly_interest``, simple, per month or part of a month late): a
contribution paid late carries the interest of the months it was late, fixed when it is paid
(the rate of each month of lateness in force when that month began); what is still outstanding
accrues to the date asked. A rectification is retroactive: the month's current declaration is
taken as what was always due, so a rise is late from the original due date.

The ledger of a month is a function of its current declaration and its payments
(:func:`month_settlement`): the receivables 1210/1220 settled, the excess held in 2300, the
interest fixed on late parts in 1230 until paid, interest income in 4200. Each payment posts the
change it makes; :func:`reconcile_months` posts the change a rectification made (money in 2300
is applied when the month's due rises, an overpayment left by a fall moves to 2300), so a month
paid in full leaves both receivables at exactly zero whatever the rectifications.

Reading (pending the regulation): contributions are due on day :data:`DUE_DAY` of the month after
the period, an approximation of SUNAT's monthly schedule (which runs by the RUC's last digit).
Whether a declared-but-unpaid month counts for the worker is ``requirements.count_declared_unpaid_months``
(default yes, protecting the worker as Chile's AFC does); see ``storage.history``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

from seguro_desempleo.domain.ledger import Accounts
from seguro_desempleo.domain.registry import validate_ruc
from seguro_desempleo.errors import ConflictError, InputError, NotFoundError
from seguro_desempleo.money import RATE_SCALE, cents_to_str, rate_to_scaled
from seguro_desempleo.parameters import ParameterSet, default_parameters
from seguro_desempleo.periods import first_day, format_period, month_index, period_of
from seguro_desempleo.services import ledger
from seguro_desempleo.services.governance import parameters_for

UnitOfWork: TypeAlias = Any
"""The transaction (``bootstrap.unit_of_work``): ``employers``, ``declarations``, ``payments``,
``ledger`` and the months' reads ``employer_months`` (``storage/employer_months.py``)."""

DUE_DAY = 15
RATE_PARAMETER = "financing.arrears_monthly_interest"
REAPPLIED_EVENT = "employer.payment.reapplied"
"""The ledger event that brings a month's books in line with its current declaration."""

_BATCH = 500

# The accounts a month's payments move, other than the bank.
_MONTH_ACCOUNTS = (Accounts.RECEIVABLE_EMPLOYER, Accounts.RECEIVABLE_CTS, Accounts.UNAPPLIED_RECEIPTS,
                   Accounts.INTEREST_RECEIVABLE, Accounts.ARREARS_INTEREST_INCOME)


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


def ledger_ref(ruc: str, period: int) -> str:
    """The ``ref`` of every ledger entry of one employer-month's payments."""
    return f"employer:{ruc}:{format_period(period)}"


def _half_up(scaled: int) -> int:
    """A non-negative amount in céntimos × parts per million, rounded half up to the céntimo."""
    return (scaled + RATE_SCALE // 2) // RATE_SCALE


class InterestRates:
    """The monthly arrears rate in force, by date (parts per million), summed over months late."""

    def __init__(self, params: ParameterSet | None = None) -> None:
        self.params = params or default_parameters()
        self._by_date: dict[dt.date, int] = {}
        self._sums: dict[tuple[int, int], int] = {}

    def on(self, date: dt.date) -> int:
        rate = self._by_date.get(date)
        if rate is None:
            rate = self._by_date[date] = rate_to_scaled(self.params.at(date)[RATE_PARAMETER], name=RATE_PARAMETER)
        return rate

    def over(self, period: int, months: int) -> int:
        """Σ of the rates of the first *months* months late of *period* (each taken on the day
        that month of lateness begins, the day after the due date)."""
        key = (period, months)
        total = self._sums.get(key)
        if total is None:
            total = sum(self.on(due_date(period + k) + dt.timedelta(days=1)) for k in range(months))
            self._sums[key] = total
        return total


@dataclass(frozen=True)
class Payment:
    paid_on: dt.date
    amount: int
    interest: int


@dataclass(frozen=True)
class Settlement:
    """One employer-month under its current declaration and its payments (in date order)."""

    due: int
    paid: int              # contributions paid (interest excluded)
    applied: int           # min(paid, due)
    unapplied: int         # paid beyond the due: aportes recibidos por aplicar
    interest_fixed: int    # interest on the parts paid late, fixed when they were paid
    interest_paid: int
    settled_on: dt.date | None  # the payment that completed the due (None while outstanding)
    late_scaled: int       # interest_fixed before rounding (céntimos × ppm)

    @property
    def outstanding(self) -> int:
        return self.due - self.applied


def month_settlement(period: int, due: int, payments: Iterable[Payment], rates: InterestRates) -> Settlement:
    """Apply *payments* (in date order) to the month's *due*: what each settles, and the interest
    of the months each part was late (simple, at the rates of those months)."""
    remaining, paid, interest_paid, scaled = due, 0, 0, 0
    settled_on: dt.date | None = None
    for p in payments:
        paid += p.amount
        interest_paid += p.interest
        part = min(p.amount, remaining)
        if part > 0:
            remaining -= part
            late = months_late(period, p.paid_on)
            if late:
                scaled += part * rates.over(period, late)
            if remaining == 0:
                settled_on = p.paid_on
    applied = due - remaining
    return Settlement(due, paid, applied, paid - applied, _half_up(scaled), interest_paid, settled_on, scaled)


def _books(s: Settlement, employer_due: int) -> dict[str, int]:
    """What the month's payments should have moved, net debit (debit − credit) per account."""
    to_employer = s.applied * employer_due // s.due if s.due > 0 else 0
    return {Accounts.RECEIVABLE_EMPLOYER: -to_employer,
            Accounts.RECEIVABLE_CTS: -(s.applied - to_employer),
            Accounts.UNAPPLIED_RECEIPTS: -s.unapplied,
            Accounts.INTEREST_RECEIVABLE: max(s.interest_fixed - s.interest_paid, 0),
            Accounts.ARREARS_INTEREST_INCOME: -max(s.interest_fixed, s.interest_paid)}


def _lines(target: dict[str, int], current: dict[str, int]) -> list[tuple[str, int, int]]:
    out = []
    for account in _MONTH_ACCOUNTS:
        d = target.get(account, 0) - current.get(account, 0)
        if d:
            out.append((account, d, 0) if d > 0 else (account, 0, -d))
    return out


@dataclass(frozen=True)
class _Month:
    employer_id: int
    ruc: str
    period: int
    due: int
    employer_due: int
    payments: list[Payment]
    books: dict[str, int]          # net debit per account of the entries with the month's ref


@dataclass(frozen=True)
class PaymentResult:
    payment_id: int
    ledger_entry_id: int
    applied: int
    unapplied: int
    outstanding_after: int
    interest_fixed: int = 0        # change in the month's fixed interest (the part it settled late)
    interest_owed: int = 0         # the month's fixed interest still unpaid after it


def record_payment(uow: UnitOfWork, ruc: str, period: int, amount: int, paid_on: dt.date, *,
                   interest: int = 0, reference: str | None = None, today: dt.date | None = None,
                   params: ParameterSet | None = None) -> PaymentResult:
    """Record an employer payment (céntimos) for one declared month and post it to the ledger.

    *amount* pays contributions, *interest* the arrears interest; either may be 0, not both.

    Refused: a date after *today* (default: the system date) or before the first day of the month
    paid. If the month's books lag a rectification, that is corrected first
    (:data:`REAPPLIED_EVENT`).
    """
    ruc = validate_ruc(ruc)
    if amount < 0:
        raise InputError("payment amount cannot be negative", field="amount")
    if interest < 0:
        raise InputError("interest cannot be negative", field="interest")
    if amount == 0 and interest == 0:
        raise InputError("payment amount must be positive (or pay interest only with amount 0)", field="amount")
    today = today or dt.date.today()
    if paid_on > today:
        raise InputError(f"payment date {paid_on.isoformat()} is in the future (today is {today.isoformat()})",
                         field="paid_on")
    if paid_on < first_day(period):
        raise InputError(f"payment date {paid_on.isoformat()} is before the month it pays, "
                         f"{format_period(period)}", field="paid_on")
    _date_policy(paid_on, period, params)
    employer = uow.employers.by_ruc(ruc)
    if employer is None or employer.id is None:
        raise NotFoundError(f"no employer with RUC {ruc}", field="ruc")
    decl = uow.declarations.active(employer.id, period)
    if decl is None:
        raise NotFoundError(f"RUC {ruc} has no declaration for {format_period(period)}", field="period")
    uow.payments.check_new_reference(reference)  # before anything is written
    rates = InterestRates(parameters_for(uow, params))
    month = _load(uow, [(employer.id, period)]).get((employer.id, period))
    if month is None:  # the month's first payment
        month = _Month(employer.id, ruc, period, decl.total_due, _employer_due(uow, decl.id or 0), [], {})
    _reconcile(uow, month, rates, at=today)
    before = month_settlement(period, month.due, month.payments, rates)
    new = Payment(paid_on, amount, interest)
    # Same-day payments keep their order of recording: the new one goes after them.
    ordered = sorted([*month.payments, new], key=lambda p: p.paid_on)
    after = month_settlement(period, month.due, ordered, rates)
    lines = [(Accounts.BANK, amount + interest, 0),
             *_lines(_books(after, month.employer_due), _books(before, month.employer_due))]
    entry = ledger.post(uow, "employer.payment", lines, ref=ledger_ref(ruc, period), at=paid_on)
    pid = uow.payments.add(employer.id, period, amount, interest, paid_on, reference, entry)
    return PaymentResult(pid, entry, after.applied - before.applied, after.unapplied - before.unapplied,
                         after.outstanding, after.interest_fixed - before.interest_fixed,
                         max(after.interest_fixed - after.interest_paid, 0))


def _date_policy(paid_on: dt.date, period: int, params: ParameterSet | None) -> None:
    """The one date policy (issue 25, decisions 0304 and 0410): the payment's date and the month
    it pays lie within the insurance (not before its start, not after today's tolerance)."""
    from seguro_desempleo.domain import dates

    law = params if params is not None else default_parameters()
    dates.check_date(paid_on, law, field="paid_on")
    if period < period_of(dates.insurance_start(law)):
        raise InputError(f"the month paid, {format_period(period)}, is before the insurance's start "
                         f"({format_period(period_of(dates.insurance_start(law)))})", field="period")


def reconcile_months(uow: UnitOfWork, months: Iterable[tuple[int, int]], *, at: dt.date | None = None,
                     params: ParameterSet | None = None) -> int:
    """Bring the books of these employer-months (``(employer_id, period)``) in line with their
    current declaration and payments; returns the number of entries posted (0 when in line).

    For after an import that rectified months (called by the import with the months it
    superseded): a month without payments needs nothing and costs one query per batch.
    """
    rates = InterestRates(parameters_for(uow, params))
    keys = sorted(set(months))
    posted = 0
    for i in range(0, len(keys), _BATCH):  # each batch: its reads, then its entries in one write
        batch = [(lines, ledger_ref(m.ruc, m.period)) for m in _load(uow, keys[i:i + _BATCH]).values()
                 if (lines := _reconciling_lines(m, rates))]
        posted += len(ledger.post_many(uow, REAPPLIED_EVENT, batch, at=at or dt.date.today()))
    return posted


def reconcile_all(uow: UnitOfWork, *, at: dt.date | None = None, params: ParameterSet | None = None) -> int:
    """:func:`reconcile_months` for every employer-month with a payment (a one-off catch-up)."""
    return reconcile_months(uow, uow.employer_months.paid_months(), at=at, params=params)


def _reconcile(uow: UnitOfWork, month: _Month, rates: InterestRates, *, at: dt.date) -> int:
    lines = _reconciling_lines(month, rates)
    if not lines:
        return 0
    ledger.post(uow, REAPPLIED_EVENT, lines, ref=ledger_ref(month.ruc, month.period), at=at)
    return 1


def _reconciling_lines(month: _Month, rates: InterestRates) -> list[tuple[str, int, int]]:
    """The lines that bring *month*'s books in line with its current declaration and payments
    (none when they are); refused when the ledger's cash for the month is not its payments'."""
    if not month.payments and not any(month.books.values()):
        return []
    s = month_settlement(month.period, month.due, month.payments, rates)
    target = _books(s, month.employer_due)
    cash = s.paid + s.interest_paid
    if month.books.get(Accounts.BANK, 0) != cash:
        raise ConflictError(f"the ledger holds S/ {cents_to_str(month.books.get(Accounts.BANK, 0))} received for "
                            f"{ledger_ref(month.ruc, month.period)}, its payments S/ {cents_to_str(cash)}")
    return _lines(target, month.books)


def _employer_due(uow: UnitOfWork, declaration_id: int) -> int:
    return int(uow.employer_months.employer_due(declaration_id))


def _load(uow: UnitOfWork, keys: Sequence[tuple[int, int]]) -> dict[tuple[int, int], _Month]:
    """The months among *keys* that have payments or ledger entries, with their current
    declaration (none: nothing due), payments in date order and books (one batch)."""
    reads = uow.employer_months
    wanted = set(keys)
    employer_ids = sorted({e for e, _ in keys})
    periods = sorted({p for _, p in keys})
    payments: dict[tuple[int, int], list[Payment]] = {}
    for e, p, on, amount, interest in reads.payments(employer_ids, periods):
        if (int(e), int(p)) in wanted:
            payments.setdefault((int(e), int(p)), []).append(Payment(on, int(amount), int(interest or 0)))
    if not payments:
        return {}
    rucs = reads.rucs(sorted({e for e, _ in payments}))
    dues = reads.active_dues(employer_ids, periods)
    refs = {ledger_ref(rucs[e], p): (e, p) for e, p in payments}
    books: dict[tuple[int, int], dict[str, int]] = {}
    for ref, account, debit, credit in reads.books(sorted(refs)):
        books.setdefault(refs[ref], {})[str(account)] = int(debit or 0) - int(credit or 0)
    out = {}
    for key, paid in payments.items():
        due, emp = dues.get(key, (0, 0))
        out[key] = _Month(key[0], rucs[key[0]], key[1], due, emp, paid, books.get(key, {}))
    return out


@dataclass(frozen=True)
class Arrear:
    ruc: str
    period: int
    due: int
    paid: int
    outstanding: int
    due_date: dt.date
    months_late: int       # to the date asked; for a month paid in full, when it was completed
    interest: int          # still owed at the date asked: accrued − paid
    interest_paid: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"ruc": self.ruc, "period": format_period(self.period), "due": cents_to_str(self.due),
                "paid": cents_to_str(self.paid), "outstanding": cents_to_str(self.outstanding),
                "due_date": self.due_date.isoformat(), "months_late": self.months_late,
                "interest": cents_to_str(self.interest), "interest_paid": cents_to_str(self.interest_paid)}


def arrears(uow: UnitOfWork, at: dt.date, *, ruc: str | None = None, params: ParameterSet | None = None,
            limit: int | None = None) -> list[Arrear]:
    """Declared months whose due date has passed by *at* and that, counting the payments made by
    *at*, are not fully paid or still owe interest (on what is outstanding, to *at*; on parts paid
    late, fixed when paid), oldest first by RUC. The declaration is the current one."""
    if limit is not None and limit < 1:
        raise InputError(f"must be at least 1, got {limit}", field="limit")
    rates = InterestRates(parameters_for(uow, params))
    last = month_index(at.year, at.month) - 1          # the last period whose due date is before *at*
    if due_date(last) >= at:
        last -= 1
    rows = uow.employer_months.arrears_rows(at, last, validate_ruc(ruc) if ruc is not None else None)
    out: list[Arrear] = []
    group: tuple[str, int, int] | None = None
    paid: list[Payment] = []

    def close() -> bool:
        """Add the month in *group* if it is in arrears; True when the limit is reached."""
        assert group is not None
        r, period, due = group
        s = month_settlement(period, due, paid, rates)
        late_now = months_late(period, at)
        accrued = _half_up(s.late_scaled + s.outstanding * rates.over(period, late_now))
        owed = max(accrued - s.interest_paid, 0)
        if s.outstanding > 0 or owed > 0:
            late = late_now if s.outstanding > 0 else months_late(period, s.settled_on or at)
            out.append(Arrear(r, period, due, s.paid, s.outstanding, due_date(period), late, owed, s.interest_paid))
        return limit is not None and len(out) >= limit

    for r, period, due, on, amount, interest in rows:
        key = (str(r), int(period), int(due))
        if key != group:
            if group is not None and close():
                return out
            group, paid = key, []
        if on is not None:
            paid.append(Payment(on, int(amount), int(interest or 0)))
    if group is not None:
        close()
    return out
