"""Properties of the law as code (Hypothesis)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.rules import benefits, financing
from seguro_desempleo.rules.evaluate import ContributionMonth, evaluate_case
from tests.rules.strategies import claim_cases

PARAMS = default_parameters()
SNAP = PARAMS.at(dt.date(2025, 6, 1))


@settings(max_examples=150, deadline=None)
@given(case=claim_cases(), extra=st.integers(0, 23), pay=st.integers(1, 2_000_000))
def test_more_contributions_never_make_an_eligible_worker_ineligible(case, extra, pay) -> None:  # type: ignore[no-untyped-def]
    before = evaluate_case(case, PARAMS)
    sep_month = case.separation_date.year * 12 + case.separation_date.month - 1
    month = sep_month - extra
    kept = tuple(m for m in case.contributions if m.period != month)
    old = next((m for m in case.contributions if m.period == month), None)
    new_pay = max(pay, old.remuneration) if old else pay
    after_case = dataclasses.replace(case, contributions=(*kept, ContributionMonth(month, new_pay, True)))
    after = evaluate_case(after_case, PARAMS)
    assert after.contributions_in_window >= before.contributions_in_window
    if before.eligible:
        assert after.eligible


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 10**10), min_size=1, max_size=50))
def test_benefits_never_increase_month_to_month(insurable) -> None:  # type: ignore[no-untyped-def]
    sched = benefits.benefit_schedule(np.array(insurable, dtype=np.int64), SNAP)
    assert (np.diff(sched, axis=1) <= 0).all()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10**11), min_size=1, max_size=50))
def test_split_always_sums_to_the_exact_half_up_total(bases) -> None:  # type: ignore[no-untyped-def]
    base = np.array(bases, dtype=np.int64)
    split = financing.contribution_due(base, SNAP)
    assert (split.employer + split.cts == split.total).all()
    assert (split.employer >= 0).all() and (split.cts >= 0).all()
    for b, total, emp in zip(bases, split.total, split.employer, strict=True):
        exact = (Decimal(b) * Decimal("0.0116")).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert int(total) == int(exact)
        assert int(emp) == int((Decimal(b) * Decimal("0.0058")).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert abs(int(split.cts[bases.index(b)]) - int(emp)) <= 1


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 10**11))
def test_benefit_amounts_are_exact_half_up_cents(insurable) -> None:  # type: ignore[no-untyped-def]
    sched = benefits.benefit_schedule(np.array([insurable], dtype=np.int64), SNAP)[0]
    for amount, rate in zip(sched, SNAP["benefits.rates"], strict=True):
        exact = (Decimal(insurable) * rate).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        assert int(amount) == int(exact)


@settings(max_examples=100, deadline=None)
@given(case=claim_cases())
def test_total_is_the_sum_of_installments_and_zero_when_ineligible(case) -> None:  # type: ignore[no-untyped-def]
    d = evaluate_case(case, PARAMS)
    assert d.total == sum(a for _, _, a in d.benefits)
    if not d.eligible:
        assert d.total == 0 and d.benefits == []
    else:
        assert len(d.benefits) == 5
        assert all(r.met for r in d.requirements)


@settings(max_examples=150, deadline=None)
@given(case=claim_cases(), offset=st.integers(-3, 3))
def test_the_waiting_period_is_served_only_by_days_without_work(case, offset) -> None:  # type: ignore[no-untyped-def]
    """Art. 7: the carencia is days of unemployment from the day after the separation. A
    re-employment on or before its last day leaves it unserved (separation 20/03, 7 days:
    21/03-27/03; back at work on 27/03 is six days); the day after, it is served — in the
    explained rules and in the compiled kernel alike."""
    from seguro_desempleo.rules.evaluate import batch_from_cases, evaluate_batch

    days = int(SNAP["requirements.waiting_period_days"])
    last_day = case.separation_date + dt.timedelta(days=days)
    reemp = last_day + dt.timedelta(days=offset)
    claim = max(case.claim_date, last_day)
    c = dataclasses.replace(case, reemployment_date=reemp, claim_date=claim)
    explained = evaluate_case(c, PARAMS)
    waiting = next(r for r in explained.requirements if r.key == "waiting_period")
    assert waiting.met is (offset > 0)
    if offset <= 0:
        assert "Volvió a trabajar" in waiting.detail
    snap = PARAMS.at(c.claim_date)
    fast = evaluate_batch(batch_from_cases([c], PARAMS, snap), snap, fast=True)
    assert bool(fast.waiting_met[0]) is (offset > 0)
