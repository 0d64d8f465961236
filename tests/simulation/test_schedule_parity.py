"""Issue 26, item 2: the simulation pays a claimant back at work what operations would pay — the
benefit days between the waiting period and the new job, pro rata of the benefit months."""

from __future__ import annotations

import datetime as dt

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.payments.schedule import benefit_start, first_benefit_period, plan_installments
from seguro_desempleo.rules.benefits import benefit_schedule
from seguro_desempleo.simulation.engine import SIM_START, benefit_month_days, prorate_months


class _B:
    def __init__(self, month: int, amount: int) -> None:
        self.month, self.rate, self.amount = month, 0, amount


@settings(max_examples=80, deadline=None)
@given(t=st.integers(0, 59), waiting=st.sampled_from([7, 15, 30]), days=st.integers(0, 80),
       ir=st.integers(113_000, 2_000_000))
def test_simulation_pays_what_operations_would(t: int, waiting: int, days: int, ir: int) -> None:
    snap = default_parameters().at(dt.date(2026, 1, 1))
    full = benefit_schedule(np.array([ir], dtype=np.int64), snap)          # (1, 5)
    row = benefit_month_days(t + 1, waiting, full.shape[1])[t]
    sim = prorate_months(full, np.array([days - waiting - 1]), row, np.array([full.shape[1]]))[0]
    sep = (SIM_START + t).astype("datetime64[D]").astype(dt.date) + dt.timedelta(days=14)
    wend = sep + dt.timedelta(days=waiting)
    plan = plan_installments("C-1", [_B(k + 1, int(a)) for k, a in enumerate(full[0])], first_benefit_period(wend),
                             benefit_start=benefit_start(wend), reemployment_date=sep + dt.timedelta(days=days))
    ops = [0 if i.cancelled else i.amount for i in plan]
    assert sim.tolist() == ops


def test_thirty_days_of_waiting_pays_fewer_days_than_seven() -> None:
    """Back at work 40 days after the separation: 32 benefit days with 7 days of waiting, 9 with 30
    (what the waiting_30_days design saves, as operations would pay it)."""
    snap = default_parameters().at(dt.date(2026, 1, 1))
    full = benefit_schedule(np.array([300_000], dtype=np.int64), snap)
    paid = {}
    for w in (7, 30):
        row = benefit_month_days(1, w, 5)[0]
        paid[w] = int(prorate_months(full, np.array([40 - w - 1]), row, np.array([5])).sum())
    assert paid[7] > paid[30] > 0
