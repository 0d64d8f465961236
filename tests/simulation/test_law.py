"""Claims in the simulation are decided by the law's own code (rules.evaluate)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from seguro_desempleo.parameters import default_parameters
from seguro_desempleo.rules import SIZE_CODES
from seguro_desempleo.rules.benefits import benefit_schedule
from seguro_desempleo.rules.evaluate import ClaimCase, ContributionMonth, evaluate_case
from seguro_desempleo.simulation import engine
from seguro_desempleo.simulation.designs import (
    SIM_DATE,
    compile_design,
    load_design,
    monthly_amount,
    snapshot,
)
from seguro_desempleo.simulation.population import RING, State, empty_state
from tests.simulation.helpers import MODEL

T = 40  # month index of the separation (2026-01 + 40 = 2029-05)


def _person(months_worked: list[int], wage: int, size: str = "large") -> State:
    st = empty_state(1)
    st.sector[0], st.size[0], st.contract[0], st.wage[0], st.tenure[0] = 0, SIZE_CODES.index(size), 1, wage, 30
    mask = 0
    st.ring[0] = 0
    for j in months_worked:  # bit j = month T - j (the history after month T was recorded)
        mask |= 1 << j
        if j < RING:
            st.ring[0, (T - j) % RING] = wage
    st.mask[0] = mask
    return st


def test_decide_claims_equals_evaluate_case() -> None:
    des = load_design("bill")
    d = compile_design(des, MODEL)
    snap = snapshot(des)
    params = default_parameters()
    for worked, size, wage in (([*range(0, 12)], "large", 300_000), ([*range(0, 11)], "medium", 95_000),
                               ([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22], "large", 250_055),
                               ([*range(0, 24)], "small", 500_000)):
        st = _person(worked, wage, size)
        _invol, _cov_inv, _elig, benef, ir, months = engine.decide_claims(
            st, np.array([0]), T, np.array([3]), np.array([-1]), np.array([True]), d, snap)
        sep_month = engine.SIM_START + T
        sep = (sep_month.astype("datetime64[D]") + np.timedelta64(14, "D")).astype(dt.date)
        y, m = divmod(int(sep_month.astype(int)), 12)
        case = ClaimCase(
            id="x", separation_date=sep, claim_date=sep + dt.timedelta(days=30), termination_cause="03",
            employer_size=size, registered_with_employment_service=True,
            contributions=tuple(ContributionMonth(period=(1970 + y) * 12 + m - j, remuneration=wage) for j in worked),
        )
        decision = evaluate_case(case, params, SIM_DATE)
        assert bool(benef[0]) == decision.eligible, (worked, size)
        assert int(ir[0]) == decision.insurable_remuneration
        assert int(months[0]) == 5


def test_bill_amounts_are_the_art5_schedule() -> None:
    des = load_design("bill")
    d = compile_design(des, MODEL)
    snap = snapshot(des)
    ir = np.array([100_000, 300_055, 1], dtype=np.int64)
    sched = benefit_schedule(ir, snap)
    for k in range(5):
        np.testing.assert_array_equal(monthly_amount(ir, np.full(3, k), np.zeros(3, bool), d, snap), sched[:, k])
    assert sched[1].tolist() == [210_039, 195_036, 180_033, 165_030, 150_028]


def test_structural_switches() -> None:
    brazil = load_design("brazil")
    d = compile_design(brazil, MODEL)
    ir = np.array([100_000, 163_850, 200_000, 900_000], dtype=np.int64)
    got = monthly_amount(ir, np.zeros(4, np.int64), np.zeros(4, bool), d, snapshot(brazil))
    # floor one RMV; 80 % to S/ 1,638.50; + 50 % of the excess up to S/ 2,723.30; hence the maximum S/ 1,853.20
    assert got.tolist() == [113_000, 131_080, 131_080 + 18_075, 185_320]
    uru = load_design("uruguay")
    du = compile_design(uru, MODEL)
    amt = monthly_amount(np.array([200_000, 200_000]), np.array([0, 0]), np.array([False, True]), du, snapshot(uru))
    assert amt.tolist() == [132_000, 158_400]  # 66 %, plus 20 % for dependants
    ecu = load_design("ecuador")
    de = compile_design(ecu, MODEL)
    assert de.waiting_extra == 60 and de.fixed_amount == 113_000
    assert monthly_amount(np.array([500_000]), np.array([3]), np.array([False]), de, snapshot(ecu)).tolist() == [113_000]


def test_reemployment_within_the_waiting_period_and_short_histories_are_screened_out() -> None:
    """Issue 29, item 3 of the bridge: the simulation's claims per contributor are not inflated by claims the
    law screens out. A worker back in a formal job before the waiting period is served (art. 7: 7 days in the
    bill, up to 30 in a design) or with 11 contributions in 24 months never becomes a beneficiary; one back
    at work after the period did serve it and is paid (pro rata, engine.prorate_months)."""
    for name, waiting in (("bill", 7), ("waiting_30_days", 30)):
        des = load_design(name)
        d = compile_design(des, MODEL)
        snap = snapshot(des)
        st = _person([*range(0, 24)], 300_000)
        days = np.array([0, 3, waiting - 1, waiting, waiting + 1, 40, -1])
        n = days.shape[0]
        many = State(**{f: np.repeat(getattr(st, f), n, axis=0) for f in st.__dataclass_fields__})
        _i, _c, _e, benef, _ir, _m = engine.decide_claims(
            many, np.arange(n), T, np.full(n, 3), days, np.ones(n, dtype=bool), d, snap)
        assert benef.tolist() == [False, waiting < 3, False, False, True, True, True], (name, benef.tolist())
        short = _person([*range(0, 11)], 300_000)
        *_, benef_short, _ir2, _m2 = engine.decide_claims(
            short, np.array([0]), T, np.array([3]), np.array([-1]), np.array([True]), d, snap)
        assert not benef_short[0]
