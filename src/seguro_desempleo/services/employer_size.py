"""An employer's size confirmed with an earlier date re-liquidates its declared months (issue 26,
item 1's follow-up; PL 5510/2022-CR art. 3 and the Segunda disposición final).

Art. 3 charges the 1.16 % (art. 8) only to employers inside the phase in force, by their size in
that month (``rules.coverage.employer_covered``; the payroll import applies it through
``storage.employer_sizes.employer_months_charged``). A size that enters the record *later* with an
*earlier* effective date — an employer's own declaration, pending until a different staff member
reviews it (issue 25), or staff correcting the record from a date — changes which of the months
already imported are charged. :func:`reliquidate` brings them in line:

- a month now outside the phase: its dues become 0; a month now inside: its dues are what the
  import would have charged (``rules.financing.monthly_amounts`` over its workers' insurable pay,
  each month by its own parameters: the law's baseline plus the instruments, issue 28);
- the ledger gets the difference as new entries (``payroll.reliquidated``: receivables against
  contribution income, employer part and CTS part) — posted entries are never rewritten;
- payments already made for the month are reapplied to the new dues
  (``employer_payments.reconcile_months``: money paid for a month no longer due waits in 2300,
  aportes recibidos por aplicar, for refund or application);
- one audit record (hash-chained) per employer re-liquidated, with each month's dues before and
  after.

Idempotent: a month whose charged status did not change is not touched (a charged month keeps the
dues it was charged; one not charged keeps 0), so running it again posts nothing. The reads and the
writes go through the unit of work's ``employer_sizes`` port (``storage.employer_sizes.SqlEmployerSizes``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from seguro_desempleo.domain.ledger import Accounts, signed_line
from seguro_desempleo.parameters import ParameterSet
from seguro_desempleo.periods import format_period, period_of
from seguro_desempleo.rules.financing import monthly_amounts
from seguro_desempleo.services import ledger
from seguro_desempleo.services.governance import parameters_for

EVENT = "payroll.reliquidated"
"""The ledger event (and audit action) of a re-liquidation."""


def ledger_ref(ruc: str, period: int) -> str:
    """The ``ref`` of a month's re-liquidation entry (not the payments' ``employer:…`` ref, whose
    entries are the month's payment books)."""
    return f"reliquidation:{ruc}:{format_period(period)}"


@dataclass(frozen=True)
class MonthChange:
    period: int
    before: int            # total due before (céntimos)
    after: int
    employer_delta: int
    cts_delta: int


@dataclass
class Reliquidation:
    employer_id: int
    ruc: str
    since: int                                   # first month looked at (index)
    months: list[MonthChange] = field(default_factory=list)

    @property
    def delta(self) -> int:
        return sum(m.after - m.before for m in self.months)

    def as_dict(self) -> dict[str, Any]:
        from seguro_desempleo.money import cents_to_str

        return {"ruc": self.ruc, "since": format_period(self.since), "delta": cents_to_str(self.delta),
                "months": [{"period": format_period(m.period), "before": cents_to_str(m.before),
                            "after": cents_to_str(m.after)} for m in self.months]}


def reliquidate(uow: Any, employer_id: int, since: dt.date, *, actor: str, on: dt.date,
                params: ParameterSet | None = None) -> Reliquidation:
    """Re-liquidate the employer's active declarations of the months from *since* (the size's
    effective date) by the sizes now on record; post the differences, reapply payments, audit.
    Returns what changed (nothing: no entry, no audit record)."""
    ps = parameters_for(uow, params)
    who = uow.employer_sizes.employer(employer_id)
    first = period_of(since)
    if who is None:
        return Reliquidation(employer_id, "", first)
    ruc = who[0]
    out = Reliquidation(employer_id, ruc, first)
    months = uow.employer_sizes.declared_months(employer_id, first)
    if not months:
        return out
    charged = uow.employer_sizes.months_charged(ruc, [m.period for m in months], ps)
    entries = []
    for m, now_charged in zip(months, charged, strict=True):
        was_charged = m.total_due > 0
        if now_charged == was_charged:
            continue
        if now_charged:
            amounts = monthly_amounts(list(m.pays), [m.period] * len(m.pays), ps)
            total, emp = int(amounts.total.sum()), int(amounts.employer.sum())
            if total == 0:
                continue                 # nothing to charge (a month without pay)
        else:
            total, emp = 0, 0
        cts = total - emp
        d_emp, d_cts = emp - m.employer_due, cts - m.cts_due
        uow.employer_sizes.set_dues(m.declaration_id, total, emp, cts)
        out.months.append(MonthChange(m.period, m.total_due, total, d_emp, d_cts))
        entries.append(([signed_line(Accounts.RECEIVABLE_EMPLOYER, d_emp), signed_line(Accounts.RECEIVABLE_CTS, d_cts),
                         signed_line(Accounts.CONTRIBUTION_INCOME_EMPLOYER, d_emp),
                         signed_line(Accounts.CONTRIBUTION_INCOME_CTS, d_cts)], ledger_ref(ruc, m.period)))
    if not out.months:
        return out
    ledger.post_many(uow, EVENT, entries, at=on)
    from seguro_desempleo.services.employer_payments import reconcile_months

    # Payments made for these months are applied to the new dues (an excess waits in 2300).
    reconcile_months(uow, [(employer_id, m.period) for m in out.months], at=on, params=ps)
    uow.governance.audit(actor, EVENT, f"employer:{ruc}", {format_period(m.period): m.before for m in out.months},
                         out.as_dict())
    return out


def review_size(uow: Any, size_id: int, *, accept: bool, by: str, today: dt.date | None = None,
                params: ParameterSet | None = None) -> Any:
    """Staff accept or reject a size the employer declared (four eyes, ``storage.employer_sizes.review``);
    an accepted size re-liquidates the months it now covers (from its effective date)."""
    rec = uow.employer_sizes.review(size_id, accept=accept, by=by, today=today)
    if accept:
        reliquidate(uow, rec.employer_id, rec.valid_from, actor=by, on=today or dt.date.today(), params=params)
    return rec


def record_size(uow: Any, employer_id: int, size: str, *, source: str, by: str, valid_from: dt.date | None = None,
                sales_uit: Any = None, today: dt.date | None = None, params: ParameterSet | None = None) -> Any:
    """Record a size (``storage.employer_sizes.record_size``); one confirmed at once (sales, staff)
    re-liquidates the months from its effective date."""
    rec = uow.employer_sizes.record_size(employer_id, size, source=source, by=by, valid_from=valid_from, sales_uit=sales_uit,
                                today=today)
    if rec.status == "confirmed":
        reliquidate(uow, employer_id, rec.valid_from, actor=by, on=today or dt.date.today(), params=params)
    return rec
