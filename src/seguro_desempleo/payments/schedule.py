"""Installments due per claim × month, overpayments after re-employment and their recovery.

The decision (art. 5 of PL 5510/2022-CR) gives five monthly amounts (70, 65, 60, 55, 50 % of the
insurable remuneration). This module places them on calendar months and decides, for a payment
run of month *M*, which are due. Everything is céntimos (int).

Readings where the bill is silent (documented in docs/payments.md):

- **Benefit months** (issue 26, item 2; art. 7 "período de carencia" then art. 5 "cinco meses
  continuos"): the benefit starts the day after the waiting period's last day
  (:func:`benefit_start`) and benefit month *k* runs, by Código Civil art. 183.2, from that day
  number of month *k − 1* after it to the day before the same day number of the next month
  (:func:`benefit_month_dates`). Installment *k* pays benefit month *k* once it has run: it is
  booked to the calendar month in which that benefit month ends (:func:`first_benefit_period`),
  and a run of that month pays it. No day between the waiting period and the benefit goes
  uncovered; a waiting period ending on the 1st no longer pays its own last day.
- **Re-employment** ends the benefit. With the benefit's dates known (:func:`plan_installments`
  given ``benefit_start`` and ``reemployment_date``), the benefit month in which the worker is
  re-employed is paid pro rata of its days out of work (calendar days, half-up to the céntimo) and
  later months are cancelled; without them (older callers) no installment covering the month of
  re-employment or a later one is due. Installments already paid for cancelled months are
  overpayments (:func:`overpayments`), recovered by :func:`recovery_plan`.
- **Suspension for unjustified non-compliance** with the employment-service obligations: the
  installments whose months fall in a suspension are *withheld* and not paid later (the benefit
  is for months of active job search); compliance resumes payment from the next month.
- **Arrears.** A run pays every installment whose month has come and is not yet paid, so a claim
  approved late (or reversed on appeal) gets all its past months in one run.
- **Idempotency.** Each installment has the key ``<claim_id>#<n>``: the store keeps paid keys
  unique, so running a month twice pays nobody twice.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from seguro_desempleo.errors import InputError
from seguro_desempleo.money import cents_to_str
from seguro_desempleo.periods import format_period, period_of


class BenefitLike(Protocol):
    @property
    def month(self) -> int: ...
    @property
    def rate(self) -> Decimal: ...
    @property
    def amount(self) -> int: ...


def idempotency_key(claim_id: str, number: int) -> str:
    """``"C-000123#3"``: the claim × installment key the store keeps unique."""
    if not claim_id or "#" in claim_id:
        raise InputError(f"claim id '{claim_id}' cannot be part of a payment key", field="claim_id")
    return f"{claim_id}#{number}"


def add_months(day: dt.date, months: int) -> dt.date:
    """*day* moved by whole calendar months (Código Civil art. 183.2: the same day number; the
    month's last day when it has no such day)."""
    m = day.year * 12 + day.month - 1 + months
    year, month = divmod(m, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def benefit_start(waiting_end: dt.date) -> dt.date:
    """The first day of benefit: the day after the waiting period's last day (``waiting_end``, as
    ``rules.waiting.waiting_period_end`` gives it: separation + waiting days)."""
    return waiting_end + dt.timedelta(days=1)


def benefit_month_dates(start: dt.date, number: int) -> tuple[dt.date, dt.date]:
    """(first day, last day) of benefit month *number* (1-based) for a benefit starting on *start*."""
    first = add_months(start, number - 1)
    return first, add_months(start, number) - dt.timedelta(days=1)


def first_benefit_period(waiting_end: dt.date) -> int:
    """Month index of installment 1: the calendar month in which benefit month 1 (from the day after
    the waiting period) ends; installment *k* is ``first + k - 1``, the month benefit month *k*
    ends. Issue 26, item 2: before, installment 1 *covered* the first calendar month starting after
    the waiting period, leaving 6–36 days uncovered with 7 days of waiting and paying the waiting
    period's last day when it fell on the 1st."""
    return period_of(benefit_month_dates(benefit_start(waiting_end), 1)[1])


def prorated(amount: int, first: dt.date, last: dt.date, reemployment_date: dt.date | None) -> int:
    """The part of a benefit month's *amount* for the days out of work before *reemployment_date*
    (calendar days of that benefit month, half-up to the céntimo)."""
    if reemployment_date is None or reemployment_date > last:
        return amount
    if reemployment_date <= first:
        return 0
    days = (reemployment_date - first).days
    total = (last - first).days + 1
    return (2 * amount * days + total) // (2 * total)


class InstallmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    DUE = "due"
    PAID = "paid"
    WITHHELD = "withheld"          # month under suspension for unjustified non-compliance
    CANCELLED = "cancelled"        # month of or after re-employment


@dataclass(frozen=True)
class Installment:
    claim_id: str
    number: int                    # 1..5
    period: int                    # month index the installment covers
    rate: Decimal
    amount: int                    # céntimos (pro rata for the benefit month of a re-employment)
    starts: dt.date | None = None  # the benefit month's first day, when the plan knows the dates
    ends: dt.date | None = None
    cancelled: bool = False        # benefit month starting on or after the re-employment

    @property
    def key(self) -> str:
        return idempotency_key(self.claim_id, self.number)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "claim_id": self.claim_id, "number": self.number,
                "period": format_period(self.period), "rate": format(self.rate, "f"),
                "amount": cents_to_str(self.amount)}


def plan_installments(claim_id: str, benefits: Sequence[BenefitLike], first_period: int, *,
                      benefit_start: dt.date | None = None,
                      reemployment_date: dt.date | None = None) -> list[Installment]:
    """The claim's installments on the calendar, before suspension.

    With *benefit_start* each installment carries its benefit month's dates, and a
    *reemployment_date* pays the month it falls in pro rata and cancels the later ones."""
    out = []
    for b in benefits:
        if b.amount < 0:
            raise InputError(f"installment {b.month} has a negative amount", field="benefits")
        period = first_period + b.month - 1
        if benefit_start is None:
            out.append(Installment(claim_id, b.month, period, Decimal(b.rate), int(b.amount)))
            continue
        first, last = benefit_month_dates(benefit_start, b.month)
        amount = prorated(int(b.amount), first, last, reemployment_date)
        out.append(Installment(claim_id, b.month, period, Decimal(b.rate), amount, first, last,
                               cancelled=reemployment_date is not None and reemployment_date <= first))
    return out


def installment_status(inst: Installment, run_period: int, *, paid_keys: Collection[str],
                       reemployment_period: int | None = None,
                       suspended_periods: Collection[int] = ()) -> InstallmentStatus:
    if inst.key in paid_keys:
        return InstallmentStatus.PAID
    if inst.cancelled:
        return InstallmentStatus.CANCELLED
    # A plan with dates already applied the re-employment (pro rata); an older plan cancels by month.
    if inst.starts is None and reemployment_period is not None and inst.period >= reemployment_period:
        return InstallmentStatus.CANCELLED
    if inst.period in suspended_periods:
        return InstallmentStatus.WITHHELD
    return InstallmentStatus.DUE if inst.period <= run_period else InstallmentStatus.SCHEDULED


def installments_due(installments: Iterable[Installment], run_period: int, *, paid_keys: Collection[str],
                     reemployment_period: int | None = None,
                     suspended_periods: Collection[int] = ()) -> list[Installment]:
    """Installments a run for *run_period* must pay: month come, unpaid, not cancelled or withheld."""
    return [i for i in installments
            if installment_status(i, run_period, paid_keys=paid_keys, reemployment_period=reemployment_period,
                                  suspended_periods=suspended_periods) is InstallmentStatus.DUE]


def is_exhausted(installments: Iterable[Installment], *, paid_keys: Collection[str],
                 reemployment_period: int | None = None, suspended_periods: Collection[int] = ()) -> bool:
    """Nothing left to pay, ever: every installment paid, cancelled or withheld."""
    far = 10**9
    return not installments_due(installments, far, paid_keys=paid_keys,
                                reemployment_period=reemployment_period, suspended_periods=suspended_periods)


# --------------------------------------------------------------------------------------------
# Overpayments


@dataclass(frozen=True)
class Payment:
    """An installment paid (what the ledger and the store record)."""

    key: str
    claim_id: str
    number: int
    period: int
    amount: int
    paid_on: dt.date


@dataclass(frozen=True)
class Overpayment:
    key: str
    claim_id: str
    period: int
    amount: int
    reason: str


def overpayments(paid: Iterable[Payment], reemployment_period: int,
                 entitled: Mapping[str, int] | None = None) -> list[Overpayment]:
    """Payments for months of or after re-employment: money to recover (issue 5, point 3).

    With *entitled* (installment key → what is owed once the re-employment is known: the pro rata
    amount of the benefit month it falls in, 0 for later months; :func:`entitlements`), the
    overpayment of each payment is what it paid above that; without it, every payment for the
    month of re-employment or later."""
    if entitled is None:
        return [Overpayment(p.key, p.claim_id, p.period, p.amount,
                            f"pagado por {format_period(p.period)}, mes de reempleo o posterior "
                            f"(reempleo en {format_period(reemployment_period)})")
                for p in paid if p.period >= reemployment_period]
    out = []
    for p in paid:
        excess = p.amount - entitled.get(p.key, p.amount)
        if excess > 0:
            out.append(Overpayment(p.key, p.claim_id, p.period, excess,
                                   f"pagado por {format_period(p.period)} más de lo que corresponde tras el "
                                   f"reempleo (reempleo en {format_period(reemployment_period)})"))
    return out


def entitlements(plan: Iterable[Installment]) -> dict[str, int]:
    """Installment key → amount owed under *plan* (0 when cancelled by a re-employment)."""
    return {i.key: 0 if i.cancelled else i.amount for i in plan}


@dataclass(frozen=True)
class RecoveryInstallment:
    period: int
    amount: int


def recovery_plan(total: int, start_period: int, *, months: int | None = None,
                  max_monthly: int | None = None) -> list[RecoveryInstallment]:
    """Split *total* céntimos into monthly recoveries from *start_period*.

    Give either *months* (equal parts; the remainder céntimos go to the first months) or
    *max_monthly* (that much each month, the rest in the last). The parts always add up to *total*.
    """
    if total < 0:
        raise InputError("an overpayment to recover cannot be negative", field="total")
    if (months is None) == (max_monthly is None):
        raise InputError("give either months or max_monthly for a recovery plan", field="months")
    if total == 0:
        return []
    if months is not None:
        if months < 1:
            raise InputError(f"a recovery plan needs at least one month, got {months}", field="months")
        base, extra = divmod(total, months)
        parts = [base + (1 if k < extra else 0) for k in range(months)]
        parts = [p for p in parts if p > 0]
    else:
        assert max_monthly is not None
        if max_monthly < 1:
            raise InputError("max_monthly must be at least one céntimo", field="max_monthly")
        full, rest = divmod(total, max_monthly)
        parts = [max_monthly] * full + ([rest] if rest else [])
    return [RecoveryInstallment(start_period + k, p) for k, p in enumerate(parts)]
