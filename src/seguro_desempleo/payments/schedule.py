"""Installments due per claim × month, overpayments after re-employment and their recovery.

The decision (art. 5 of PL 5510/2022-CR) gives five monthly amounts (70, 65, 60, 55, 50 % of the
insurable remuneration). This module places them on calendar months and decides, for a payment
run of month *M*, which are due. Everything is céntimos (int).

Readings where the bill is silent (documented in docs/payments.md):

- **First benefit month.** Installment 1 covers the first calendar month that starts after the
  waiting period is served; when the waiting period ends on the 1st, that month itself
  (:func:`first_benefit_period`). Installment *k* covers the month ``first + k - 1``.
- **Re-employment** (issue 5, point 3) ends the benefit: no installment covering the month of
  re-employment or a later one is due. Installments already paid for those months are
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

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
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


def first_benefit_period(waiting_end: dt.date) -> int:
    """Month index of installment 1: the first month starting on or after the waiting period's end."""
    p = period_of(waiting_end)
    return p if waiting_end.day == 1 else p + 1


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
    amount: int                    # céntimos

    @property
    def key(self) -> str:
        return idempotency_key(self.claim_id, self.number)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "claim_id": self.claim_id, "number": self.number,
                "period": format_period(self.period), "rate": format(self.rate, "f"),
                "amount": cents_to_str(self.amount)}


def plan_installments(claim_id: str, benefits: Sequence[BenefitLike], first_period: int) -> list[Installment]:
    """The claim's installments on the calendar, before re-employment or suspension."""
    out = []
    for b in benefits:
        if b.amount < 0:
            raise InputError(f"installment {b.month} has a negative amount", field="benefits")
        out.append(Installment(claim_id, b.month, first_period + b.month - 1, Decimal(b.rate), int(b.amount)))
    return out


def installment_status(inst: Installment, run_period: int, *, paid_keys: Collection[str],
                       reemployment_period: int | None = None,
                       suspended_periods: Collection[int] = ()) -> InstallmentStatus:
    if inst.key in paid_keys:
        return InstallmentStatus.PAID
    if reemployment_period is not None and inst.period >= reemployment_period:
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


def overpayments(paid: Iterable[Payment], reemployment_period: int) -> list[Overpayment]:
    """Payments for months of or after re-employment: money to recover (issue 5, point 3)."""
    return [Overpayment(p.key, p.claim_id, p.period, p.amount,
                        f"pagado por {format_period(p.period)}, mes de reempleo o posterior "
                        f"(reempleo en {format_period(reemployment_period)})")
            for p in paid if p.period >= reemployment_period]


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
