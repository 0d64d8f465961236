"""Installments due, idempotency, overpayments and recovery, the bank file and reconciliation."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.decision import BenefitLine
from seguro_desempleo.errors import FormatError, InputError
from seguro_desempleo.payments.bank_file import (
    RECORD_LENGTH,
    LineStatus,
    PaymentFile,
    PaymentLine,
    PayMethod,
    ascii_upper,
    read_payment_file,
    reconcile,
    write_payment_file,
)
from seguro_desempleo.payments.schedule import (
    InstallmentStatus,
    Payment,
    benefit_month_dates,
    benefit_start,
    first_benefit_period,
    idempotency_key,
    installment_status,
    installments_due,
    is_exhausted,
    overpayments,
    plan_installments,
    recovery_plan,
)
from seguro_desempleo.periods import parse_period

RATES = [Decimal(".70"), Decimal(".65"), Decimal(".60"), Decimal(".55"), Decimal(".50")]
BENEFITS = [BenefitLine(k + 1, r, int(300000 * r)) for k, r in enumerate(RATES)]
APR = parse_period("2025-04")


def test_first_benefit_month() -> None:
    assert first_benefit_period(dt.date(2025, 3, 17)) == APR
    # Issue 26, item 2: a waiting period ending on 01/04 is not paid; benefit month 1 runs
    # 02/04–01/05 and is paid with May (before: April, which paid the waiting period's last day).
    assert first_benefit_period(dt.date(2025, 4, 1)) == APR + 1
    # Benefit month 1 runs from the day after the waiting period: 18/03–17/04, paid with April.
    assert benefit_month_dates(benefit_start(dt.date(2025, 3, 17)), 1) == (dt.date(2025, 3, 18), dt.date(2025, 4, 17))
    # A re-employment 12 days into the benefit pays those 12 days (before: nothing).
    plan = plan_installments("C-1", BENEFITS, APR, benefit_start=dt.date(2025, 3, 18),
                             reemployment_date=dt.date(2025, 3, 30))
    assert plan[0].amount == (2 * 210000 * 12 + 31) // (2 * 31) and all(i.cancelled for i in plan[1:])


def test_plan_and_due_with_arrears() -> None:
    plan = plan_installments("C-1", BENEFITS, APR)
    assert [i.period - APR for i in plan] == [0, 1, 2, 3, 4]
    assert plan[0].key == "C-1#1" and plan[0].amount == 210000
    due = installments_due(plan, APR + 2, paid_keys=set())       # approved late: three months at once
    assert [i.number for i in due] == [1, 2, 3]
    assert installments_due(plan, APR + 2, paid_keys={"C-1#1", "C-1#2", "C-1#3"}) == []


def test_reemployment_cancels_from_that_month_and_suspension_withholds() -> None:
    plan = plan_installments("C-1", BENEFITS, APR)
    st_ = [installment_status(i, APR + 4, paid_keys={"C-1#1"}, reemployment_period=APR + 3,
                              suspended_periods={APR + 1}) for i in plan]
    assert st_ == [InstallmentStatus.PAID, InstallmentStatus.WITHHELD, InstallmentStatus.DUE,
                   InstallmentStatus.CANCELLED, InstallmentStatus.CANCELLED]
    assert not is_exhausted(plan, paid_keys={"C-1#1"}, reemployment_period=APR + 3, suspended_periods={APR + 1})
    assert is_exhausted(plan, paid_keys={"C-1#1", "C-1#3"}, reemployment_period=APR + 3,
                        suspended_periods={APR + 1})


def test_bad_keys_refused() -> None:
    with pytest.raises(InputError, match="claim_id"):
        idempotency_key("C#1", 1)


@settings(deadline=None)
@given(st.integers(0, 8), st.sets(st.integers(1, 5)), st.integers(0, 7) | st.none())
def test_running_a_month_twice_pays_nobody_twice(run: int, already: set[int], reemp: int | None) -> None:
    plan = plan_installments("C-9", BENEFITS, APR)
    paid = {f"C-9#{n}" for n in already}
    first = installments_due(plan, APR + run, paid_keys=paid, reemployment_period=None if reemp is None else APR + reemp)
    paid |= {i.key for i in first}
    again = installments_due(plan, APR + run, paid_keys=paid, reemployment_period=None if reemp is None else APR + reemp)
    assert again == []
    assert all(i.period <= APR + run for i in first)
    if reemp is not None:
        assert all(i.period < APR + reemp for i in first)


def test_overpayment_and_recovery() -> None:
    paid = [Payment(f"C-1#{n}", "C-1", n, APR + n - 1, BENEFITS[n - 1].amount, dt.date(2025, 4 + n, 5))
            for n in (1, 2, 3)]
    over = overpayments(paid, APR + 1)
    assert [o.key for o in over] == ["C-1#2", "C-1#3"]
    total = sum(o.amount for o in over)
    assert total == 195000 + 180000
    plan = recovery_plan(total, APR + 4, months=4)
    assert [p.amount for p in plan] == [93750] * 4
    assert [p.amount for p in recovery_plan(100001, APR, months=3)] == [33334, 33334, 33333]
    assert [p.amount for p in recovery_plan(250, APR, max_monthly=100)] == [100, 100, 50]
    with pytest.raises(InputError, match="either months or max_monthly"):
        recovery_plan(100, APR)


@settings(deadline=None)
@given(st.integers(0, 10**9), st.integers(1, 36))
def test_recovery_adds_up(total: int, months: int) -> None:
    plan = recovery_plan(total, APR, months=months)
    assert sum(p.amount for p in plan) == total
    assert len(plan) <= months
    assert max((p.amount for p in plan), default=0) - min((p.amount for p in plan), default=0) <= 1


def _file(lines: tuple[PaymentLine, ...]) -> PaymentFile:
    return PaymentFile(dt.date(2025, 5, 5), parse_period("2025-04"), lines)


LINES = (
    PaymentLine("C-1#1", "01", "12345678", "Peña Quispe, José", 210000),
    PaymentLine("C-2#3", "01", "87654321", "Huamán Ñahui, María", 99999, PayMethod.ACCOUNT, "0" * 18 + "12"),
)


def test_write_then_read_round_trips() -> None:
    text = write_payment_file(_file(LINES))
    rows = text.split("\r\n")
    assert rows[-1] == "" and all(len(r) == RECORD_LENGTH for r in rows[:-1])
    assert rows[-2].startswith("T000002000000000309999")
    back = read_payment_file(text)
    assert back.total == 309999 and back.lines[0].beneficiary == "PENA QUISPE, JOSE"
    assert back.lines[1].account == "0" * 18 + "12" and back.period == parse_period("2025-04")


def test_ascii_upper() -> None:
    assert ascii_upper("  Ñuñez  del Águila ") == "NUNEZ DEL AGUILA"


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda rows: rows.__setitem__(1, rows[1][:-1]), "line 2: record has 119 characters"),
    (lambda rows: rows.__setitem__(1, rows[1][:104] + "0000000210001" + rows[1][117:]), "line 4, field 'total'"),
    (lambda rows: rows.__delitem__(2), "line 3, field 'count'"),
    (lambda rows: rows.__setitem__(1, rows[1][:46] + "X" + rows[1][47:]), "line 4, field 'checksum'"),
    (lambda rows: rows.__setitem__(0, "X" + rows[0][1:]), "line 1: first record must be the header"),
])
def test_reader_names_the_broken_line(mutate: Callable[[list[str]], None], message: str) -> None:
    rows = write_payment_file(_file(LINES)).split("\r\n")[:-1]
    mutate(rows)
    with pytest.raises(FormatError) as e:
        read_payment_file("\r\n".join(rows) + "\r\n")
    assert message in e.value.one_line()


def test_writer_refuses_bad_lines() -> None:
    with pytest.raises(InputError, match="payment line 1, field 'account'"):
        write_payment_file(_file((PaymentLine("C-1#1", "01", "1", "A", 1, PayMethod.ACCOUNT, "123"),)))
    with pytest.raises(InputError, match="appears twice"):
        write_payment_file(_file((LINES[0], LINES[0])))
    with pytest.raises(InputError, match="field 'doc_type'"):
        write_payment_file(_file((dataclasses.replace(LINES[0], doc_type="99"),)))


def test_reconcile_bank_answer() -> None:
    sent = _file((*LINES, PaymentLine("C-3#1", "01", "11111111", "Rojas", 5000)))
    answer = _file((dataclasses.replace(LINES[0], status=LineStatus.PAID),
                    dataclasses.replace(LINES[1], status=LineStatus.RETURNED, return_code="01"),
                    PaymentLine("C-9#1", "01", "2", "X", 7, status=LineStatus.PAID)))
    answer_back = read_payment_file(write_payment_file(answer))
    r = reconcile(sent, answer_back)
    assert r.paid == ("C-1#1",)
    assert r.returned == (("C-2#3", "01", 99999),) and r.returned_total == 99999
    assert r.missing == ("C-3#1",) and r.unexpected == ("C-9#1",) and not r.clean


amounts = st.integers(1, 10**12)
keys = st.from_regex(r"C-[0-9]{1,8}#[1-5]", fullmatch=True)
names = st.text(st.characters(codec="utf-8", categories=["L", "Zs"]), max_size=50)


@settings(deadline=None)
@given(st.lists(st.tuples(keys, amounts, names), max_size=20, unique_by=lambda t: t[0]))
def test_round_trip_property(rows: list[tuple[str, int, str]]) -> None:
    pf = _file(tuple(PaymentLine(k, "01", "12345678", n, a) for k, a, n in rows))
    back = read_payment_file(write_payment_file(pf))
    assert back.total == pf.total and [x.payment_key for x in back.lines] == [k for k, _, _ in rows]
    assert [x.amount for x in back.lines] == [a for _, a, _ in rows]


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.sets(st.integers(1, 5)), st.none() | st.integers(0, 14),
                          st.sets(st.integers(0, 14))), min_size=1, max_size=20),
       st.integers(0, 14))
def test_bulk_due_mask_matches_the_one_claim_rule(claims: list[tuple[int, set[int], int | None, set[int]]],
                                                  run: int) -> None:
    import numpy as np

    from seguro_desempleo.payments.bulk import NO_REEMPLOYMENT, due_mask, run_totals

    firsts, paid, reemp, withheld, expected = [], [], [], [], []
    amounts = np.array([[b.amount for b in BENEFITS]] * len(claims), dtype=np.int64)
    for i, (f, done, r, susp) in enumerate(claims):
        plan = plan_installments(f"C-{i}", BENEFITS, APR + f)
        keys = {f"C-{i}#{n}" for n in done}
        periods = {APR + s for s in susp}
        due = installments_due(plan, APR + run, paid_keys=keys,
                               reemployment_period=None if r is None else APR + r, suspended_periods=periods)
        expected.append([inst.number in {d.number for d in due} for inst in plan])
        firsts.append(APR + f)
        paid.append([n in done for n in range(1, 6)])
        reemp.append(NO_REEMPLOYMENT if r is None else APR + r)
        withheld.append([inst.period in periods for inst in plan])
    mask = due_mask(np.array(firsts), np.array(paid), APR + run, reemployment_period=np.array(reemp),
                    withheld=np.array(withheld))
    assert mask.tolist() == expected
    count, total = run_totals(amounts, mask)
    assert count == sum(map(sum, expected))
    assert total == sum(a for row, e in zip(amounts.tolist(), expected, strict=True)
                        for a, x in zip(row, e, strict=True) if x)
