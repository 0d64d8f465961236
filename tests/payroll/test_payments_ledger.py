"""Employer payments, rectifications and the ledger: arrears to a date, interest on late
payments, the receivables of a month whatever the rectifications (both engines)."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seguro_desempleo.bootstrap import import_files
from seguro_desempleo.errors import InputError
from seguro_desempleo.services import ledger
from seguro_desempleo.services.employer_payments import (
    InterestRates,
    arrears,
    due_date,
    months_late,
    reconcile_all,
    reconcile_months,
    record_payment,
)
from seguro_desempleo.storage.uow import SqlUnitOfWork
from tests.payroll.helpers import dni, make_ruc, write_rem

MAR = 2025 * 12 + 2          # 2025-03, due 2025-04-15
TODAY = dt.date(2026, 6, 30)
RATE = 9000                  # 0.9 % a month, in parts per million (the law's value since 2021)
_rucs = itertools.count(5000)


def _declare(engine: sa.Engine, tmp: Path, ruc: str, pays: list[int], *, hook: bool = True) -> None:
    """Import (or rectify) 2025-03 for *ruc*: one worker per pay (soles). The import reconciles
    the months it rectified; *hook* False imports without that call (books left lagging, as a
    database written before the call existed, or by an import that failed to make it)."""
    from unittest import mock

    from seguro_desempleo.services import employer_payments

    d = Path(tempfile.mkdtemp(dir=tmp))
    f = write_rem(d, ruc, "2025-03", [("01", dni(i + 1), "0121", p, p) for i, p in enumerate(pays)])
    with SqlUnitOfWork(engine) as uow, contextlib.ExitStack() as stack:
        if not hook:
            stack.enter_context(mock.patch.object(employer_payments, "reconcile_months", lambda *a, **k: 0))
        import_files([f], uow=uow, today=dt.date(2025, 12, 31))
        uow.commit()


def _pay(engine: sa.Engine, ruc: str, amount: int, on: dt.date, interest: int = 0) -> Any:
    with SqlUnitOfWork(engine) as uow:
        r = record_payment(uow, ruc, MAR, amount, on, interest=interest, today=TODAY)
        uow.commit()
    return r


def _bal(engine: sa.Engine) -> dict[str, int]:
    with SqlUnitOfWork(engine) as uow:
        return {b.code: b.balance for b in ledger.balances(uow)}


def _month(engine: sa.Engine, ruc: str) -> tuple[int, int, int]:
    """(total_due, employer_due, cts_due) of the active declaration."""
    with SqlUnitOfWork(engine) as uow:
        row = uow.connection().execute(sa.text(
            "SELECT d.total_due, d.employer_due, d.cts_due FROM declaration d JOIN employer e ON e.id = "
            "d.employer_id WHERE e.ruc = :r AND d.period = :p AND d.status = 'active'"), {"r": ruc, "p": MAR}).one()
    return int(row[0]), int(row[1]), int(row[2])


def _arrear(engine: sa.Engine, ruc: str, at: dt.date) -> Any:
    with SqlUnitOfWork(engine) as uow:
        rows = arrears(uow, at, ruc=ruc)
    assert len(rows) <= 1
    return rows[0] if rows else None


def _checked(engine: sa.Engine) -> None:
    with SqlUnitOfWork(engine) as uow:
        assert ledger.trial_balance(uow).balanced
        ledger.verify(uow)


# ------------------------------------------------------------------ 1. arrears --at a date

def test_arrears_at_a_date_ignores_later_payments(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(next(_rucs))
    _declare(engine, tmp_path, ruc, [5000])
    before = _arrear(engine, ruc, dt.date(2025, 5, 31))
    assert (before.outstanding, before.months_late, before.interest) == (5800, 2, 104)
    _pay(engine, ruc, 5800, dt.date(2025, 6, 30))
    at_may = _arrear(engine, ruc, dt.date(2025, 5, 31))
    assert at_may == before                                    # the June payment did not exist yet
    with SqlUnitOfWork(engine) as uow:
        assert arrears(uow, dt.date(2025, 4, 15), ruc=ruc) == []   # not yet due


def test_late_payment_without_interest_leaves_it_owed_listed_and_posted(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(next(_rucs))
    _declare(engine, tmp_path, ruc, [5000])
    b0 = _bal(engine)
    r = _pay(engine, ruc, 5800, dt.date(2025, 6, 30))           # 3 months late, no interest
    assert (r.applied, r.outstanding_after, r.interest_fixed, r.interest_owed) == (5800, 0, 157, 157)
    for at in (dt.date(2025, 7, 1), dt.date(2027, 1, 1)):      # fixed when paid: the same later on
        a = _arrear(engine, ruc, at)
        assert (a.outstanding, a.paid, a.months_late, a.interest, a.interest_paid) == (0, 5800, 3, 157, 0)
    b1 = _bal(engine)
    assert b1["1230"] - b0["1230"] == 157 and b1["4200"] - b0["4200"] == 157
    assert b1["1210"] - b0["1210"] == -2900 and b1["1220"] - b0["1220"] == -2900
    r = _pay(engine, ruc, 0, dt.date(2025, 7, 10), interest=157)  # the interest alone
    assert (r.applied, r.unapplied, r.interest_owed) == (0, 0, 0)
    assert _arrear(engine, ruc, dt.date(2025, 7, 10)) is None
    assert _arrear(engine, ruc, dt.date(2025, 7, 9)).interest == 157   # not yet paid on the 9th
    b2 = _bal(engine)
    assert b2["1230"] == b0["1230"] and b2["4200"] - b0["4200"] == 157 and b2["1010"] - b1["1010"] == 157
    _checked(engine)


def test_partial_late_payments_accrue_interest_on_each_part(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(next(_rucs))
    _declare(engine, tmp_path, ruc, [5000])
    _pay(engine, ruc, 2000, dt.date(2025, 4, 10))               # on time
    _pay(engine, ruc, 1000, dt.date(2025, 5, 1), interest=9)    # 1 month late, its interest paid
    a = _arrear(engine, ruc, dt.date(2025, 6, 20))              # 2800 still out, 3 months late
    assert (a.outstanding, a.months_late, a.interest_paid) == (2800, 3, 9)
    assert a.interest == round((1000 * 1 + 2800 * 3) * 0.009) - 9
    _pay(engine, ruc, 2800, dt.date(2025, 6, 20), interest=a.interest)
    assert _arrear(engine, ruc, dt.date(2025, 6, 20)) is None
    _checked(engine)


def test_interest_rates_follow_each_month_of_lateness() -> None:
    class Params:   # the rate went from 1.2 % to 0.9 % on 2025-06-01
        def at(self, on: dt.date) -> dict[str, Decimal]:
            return {"financing.arrears_monthly_interest": Decimal("0.012" if on < dt.date(2025, 6, 1) else "0.009")}

    rates = InterestRates(Params())
    # 2025-03 is late from 2025-04-16: months beginning Apr 16 and May 16 at 1.2 %, Jun 16 at 0.9 %.
    assert rates.over(MAR, 3) == 12_000 + 12_000 + 9_000
    assert rates.over(MAR, 0) == 0


# ------------------------------------------------------------------ 2. rectifications

@pytest.mark.parametrize("hook", [True, False], ids=["reconciled-at-import", "reconciled-at-payment"])
def test_rectifications_after_payments_keep_the_receivables_right(engine: sa.Engine, tmp_path: Path,
                                                                   hook: bool) -> None:
    ruc = make_ruc(next(_rucs))
    b0 = _bal(engine)

    def delta() -> dict[str, int]:
        b = _bal(engine)
        return {k: b[k] - b0[k] for k in ("1010", "1210", "1220", "1230", "2300", "4200")}

    _declare(engine, tmp_path, ruc, [5000], hook=hook)                   # 58.00
    _pay(engine, ruc, 5800, dt.date(2025, 4, 10))
    _declare(engine, tmp_path, ruc, [1130], hook=hook)                   # down to 13.11
    if hook:   # the overpayment of 44.89 moved to aportes recibidos por aplicar
        assert delta() == {"1010": 5800, "1210": 0, "1220": 0, "1230": 0, "2300": 4489, "4200": 0}
    r = _pay(engine, ruc, 100, dt.date(2025, 5, 10))
    assert (r.applied, r.unapplied) == (0, 100)
    assert delta()["2300"] == 4589 and delta()["1210"] == delta()["1220"] == 0
    _declare(engine, tmp_path, ruc, [6000], hook=hook)                   # up to 69.60
    a = _arrear(engine, ruc, dt.date(2025, 6, 1))
    assert a.outstanding == 1060
    if hook:   # the 59.00 received is applied; the receivables hold exactly what arrears says
        d = delta()
        assert d["2300"] == 0 and d["1210"] + d["1220"] == 1060
    _pay(engine, ruc, 1060, dt.date(2025, 6, 10))
    d = delta()
    assert d["1010"] == 6960 and d["1210"] == 0 and d["1220"] == 0 and d["2300"] == 0
    # Interest: the 1.00 counts from the rise as paid 2025-05-10 (1 month late), 10.60 2 months late.
    assert d["1230"] == d["4200"] == round((100 * 1 + 1060 * 2) * 0.009) == _arrear(engine, ruc, TODAY).interest
    with SqlUnitOfWork(engine) as uow:
        assert reconcile_all(uow, at=TODAY) == 0                       # nothing left to correct
    _checked(engine)


def test_reconcile_is_idempotent_and_skips_months_without_payments(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(next(_rucs))
    _declare(engine, tmp_path, ruc, [5000])
    _pay(engine, ruc, 5800, dt.date(2025, 4, 1))
    _declare(engine, tmp_path, ruc, [2000], hook=False)
    with SqlUnitOfWork(engine) as uow:
        emp = uow.employers.by_ruc(ruc)
        assert emp is not None and emp.id is not None
        assert reconcile_months(uow, [(emp.id, MAR), (emp.id, MAR + 1), (10**6, MAR)], at=TODAY) == 1
        assert reconcile_months(uow, [(emp.id, MAR)], at=TODAY) == 0
        assert reconcile_months(uow, [], at=TODAY) == 0
        uow.commit()
    _checked(engine)


# ------------------------------------------------------------------ 3. validations

def test_payment_dates_and_limit_are_checked(engine: sa.Engine, tmp_path: Path) -> None:
    ruc = make_ruc(next(_rucs))
    _declare(engine, tmp_path, ruc, [5000])
    with SqlUnitOfWork(engine) as uow:
        with pytest.raises(InputError, match="in the future") as e:
            record_payment(uow, ruc, MAR, 100, TODAY + dt.timedelta(days=1), today=TODAY)
        assert e.value.field == "paid_on"
        with pytest.raises(InputError, match="before the month it pays") as e:
            record_payment(uow, ruc, MAR, 100, dt.date(2025, 2, 28), today=TODAY)
        assert e.value.field == "paid_on"
        with pytest.raises(InputError, match="positive"):
            record_payment(uow, ruc, MAR, 0, dt.date(2025, 3, 1), today=TODAY)
        with pytest.raises(InputError, match="negative"):
            record_payment(uow, ruc, MAR, -1, dt.date(2025, 3, 1), interest=5, today=TODAY)
        r = record_payment(uow, ruc, MAR, 100, dt.date(2025, 3, 1), today=TODAY)  # an advance in the month
        assert r.applied == 100
        for bad in (0, -1):
            with pytest.raises(InputError, match="at least 1") as e:
                arrears(uow, TODAY, limit=bad)
            assert e.value.field == "limit"
        assert len(arrears(uow, TODAY, ruc=ruc, limit=1)) == 1


# ------------------------------------------------------------------ properties

def _oracle(due: int, emp_due: int, payments: list[tuple[int, dt.date, int]]) -> dict[str, int]:
    """What the month's books must hold, computed independently: payments in date order (same
    date: order of recording), simple interest at 0.9 % per month or part late on each part."""
    paid = sum(a for a, _, _ in payments)
    ipaid = sum(i for _, _, i in payments)
    remaining, scaled = due, 0
    for amount, on, _ in sorted(payments, key=lambda p: p[1]):
        part = min(amount, remaining)
        remaining -= part
        scaled += part * months_late(MAR, on) * RATE
    fixed = (scaled + 500_000) // 1_000_000
    applied = min(paid, due)
    to_emp = applied * emp_due // due if due else 0
    return {"1010": paid + ipaid, "1210": emp_due - to_emp, "1220": (due - emp_due) - (applied - to_emp),
            "2300": paid - applied, "1230": max(fixed - ipaid, 0), "4200": max(fixed, ipaid)}


_pays = st.lists(st.integers(1130, 9000), min_size=1, max_size=3)
_op = st.one_of(
    st.tuples(st.just("rectify"), _pays),
    st.tuples(st.just("pay"), st.integers(0, 12_000), st.integers(0, 200), st.integers(0, 300)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(first=_pays, ops=st.lists(_op, min_size=1, max_size=6), hook=st.booleans())
def test_property_month_books_match_declaration_and_payments(engine: sa.Engine, first: list[int],
                                                             ops: list[tuple[Any, ...]], hook: bool) -> None:
    """Whatever the rectifications and payments: the month's receivables are what is still
    outstanding (exactly zero once paid in full), the excess is in 2300, 1230/4200 hold the
    interest fixed on late parts, and arrears agrees with the ledger."""
    tmp = Path(tempfile.mkdtemp())
    ruc = make_ruc(next(_rucs))
    b0 = _bal(engine)
    _declare(engine, tmp, ruc, first, hook=hook)
    payments: list[tuple[int, dt.date, int]] = []
    reconciled = True
    for op in ops:
        if op[0] == "rectify":
            _declare(engine, tmp, ruc, op[1], hook=hook)
            reconciled = hook
        else:
            _, amount, day, interest = op
            if amount == 0 and interest == 0:
                continue
            on = dt.date(2025, 3, 1) + dt.timedelta(days=day)
            _pay(engine, ruc, amount, on, interest)
            payments.append((amount, on, interest))
            reconciled = True
        if not reconciled:
            continue
        due, emp_due, cts_due = _month(engine, ruc)
        assert due == emp_due + cts_due
        b = _bal(engine)
        got = {k: b[k] - b0[k] for k in ("1010", "1210", "1220", "2300", "1230", "4200")}
        assert got == _oracle(due, emp_due, payments)
        if sum(a for a, _, _ in payments) >= due:
            assert got["1210"] == 0 and got["1220"] == 0
    if not reconciled:
        with SqlUnitOfWork(engine) as uow:
            emp = uow.employers.by_ruc(ruc)
            assert emp is not None and emp.id is not None
            reconcile_months(uow, [(emp.id, MAR)], at=TODAY)
            uow.commit()
    due, emp_due, _ = _month(engine, ruc)
    b = _bal(engine)
    got = {k: b[k] - b0[k] for k in ("1010", "1210", "1220", "2300", "1230", "4200")}
    assert got == _oracle(due, emp_due, payments)
    a = _arrear(engine, ruc, TODAY)
    outstanding = got["1210"] + got["1220"]
    if a is None:
        assert outstanding == 0 and got["1230"] == 0
    else:
        assert a.outstanding == outstanding and a.due == due
        if a.outstanding == 0:
            assert a.interest == got["1230"]
    assert due_date(MAR) == dt.date(2025, 4, 15)
    _checked(engine)
