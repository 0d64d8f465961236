"""Property (Hypothesis): with a new job on record at the decision, what the decision awards is
exactly what the monthly runs pay — only months before the new job, never more than five, never
an overpayment to recover — and the decision's acts verify."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.claims.acts import InMemoryActStore
from seguro_desempleo.claims.memory import (
    InMemoryAuditSink,
    InMemoryClaimRepository,
    InMemoryHistory,
    InMemoryLedger,
    InMemoryPaymentStore,
    WorkerHistory,
)
from seguro_desempleo.claims.ports import Separation
from seguro_desempleo.claims.service import ClaimService, waiting_end
from seguro_desempleo.employment_service.adapter import InMemoryEmploymentService
from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.payments.schedule import benefit_month_dates, benefit_start
from seguro_desempleo.periods import first_day, month_index, period_of
from seguro_desempleo.rules.evaluate import ContributionMonth

PARAMS = default_parameters()


@settings(max_examples=60, deadline=None)
@given(sep_day=st.integers(0, 400), reemp_after=st.one_of(st.none(), st.integers(1, 260)),
       pay=st.integers(120000, 900000), kept=st.booleans())
def test_decision_awards_what_the_runs_pay(sep_day: int, reemp_after: int | None, pay: int, kept: bool) -> None:
    sep = dt.date(2025, 1, 1) + dt.timedelta(days=sep_day)
    reemp = sep + dt.timedelta(days=reemp_after) if reemp_after is not None else None
    first = month_index(sep.year, sep.month) - 26
    hist = InMemoryHistory()
    hist.workers["W"] = WorkerHistory(Separation(sep, "03", "20100047218", "large"),
                                      [ContributionMonth(first + k, pay) for k in range(26)],
                                      reemployment=reemp, kept_job=kept)
    pays, ledger = InMemoryPaymentStore(), InMemoryLedger()
    svc = ClaimService(claims=InMemoryClaimRepository(), history=hist, payments=pays, ledger=ledger,
                       audit=InMemoryAuditSink(), employment=InMemoryEmploymentService(), params=PARAMS,
                       schedule_obligations=False, acts=InMemoryActStore(),
                       clock=lambda: dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    filed = sep + dt.timedelta(days=10)
    c = svc.decide(svc.file_claim("W", filed, actor="w").id, filed, actor="cw")
    assert c.decision is not None and len(c.decision.benefits) <= 5
    if kept:
        assert c.state.value == "denied" and c.decision.benefits == ()
    if c.state.value == "approved" and reemp is not None:
        # Issue 26 items 2 and 3: benefit month k runs from the day after the waiting period; only
        # the months that START before the new job are awarded (the one it falls in pro rata).
        # (Was: the installment's calendar month before the month of re-employment.)
        start = benefit_start(waiting_end(c.decision))
        for b in c.decision.benefits:
            assert benefit_month_dates(start, b.month)[0] < reemp
        n = len(c.decision.benefits)
        if n < 5:
            assert benefit_month_dates(start, n + 1)[0] >= reemp
    for period in range(period_of(filed), period_of(filed) + 8):
        svc.run_payments(period, first_day(period) + dt.timedelta(days=24), actor="run")
    assert sum(p.amount for p in pays.all()) == (c.decision.total if c.decision.eligible else 0)
    assert ledger.balance("overpayment_receivable") == 0
    assert all(a.verify() for a in svc.acts_for(c.id)) and svc.acts_for(c.id)[0].kind.value == "decision"
