"""Rate solvers, solvency metrics, scenarios and sensitivity on the ilo-2021 set."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.actuarial import solvers
from seguro_desempleo.actuarial.assumptions import Assumptions, extend_to, load_assumptions
from seguro_desempleo.actuarial.metrics import average_high_cost_rate, reserve_test, solvency_metrics
from seguro_desempleo.actuarial.projection import investment_income, project
from seguro_desempleo.actuarial.scenarios import SCENARIOS, apply_scenario, get_scenario
from seguro_desempleo.actuarial.sensitivity import tornado
from seguro_desempleo.errors import InputError, NotFoundError

D = Decimal
ILO = load_assumptions("ilo-2021")


def test_reserve_multiple_two_lands_on_the_bills_rate() -> None:
    """K = 2 at 2028, rounded up to two decimals, is the 1.16 % of art. 8."""
    rate = solvers.solve_reserve_multiple(ILO, D(2))
    assert D("0.01159") < rate < D("0.0116")
    assert solvers.round_up_rate(rate) == D("1.16")
    last = project(ILO, rate).last
    assert abs(last.reserve - 2 * last.spending) < D("0.01")  # within 10 soles


def test_reserve_multiple_zero_is_cheaper_and_unreachable_target_is_an_error() -> None:
    assert solvers.solve_reserve_multiple(ILO, D(0)) < solvers.solve_reserve_multiple(ILO, D(2))
    with pytest.raises(InputError, match="reserve_multiple"):
        solvers.solve_reserve_multiple(ILO, D(1000))
    with pytest.raises(InputError, match="reserve_multiple"):
        solvers.solve_reserve_multiple(ILO, D(-1))


def test_high_cost_multiple_solver_and_horizon_year() -> None:
    ahcr = average_high_cost_rate(project(apply_scenario(ILO, "recession-2020")))
    rate = solvers.solve_high_cost_multiple(ILO, D(1), ahcr)
    last = project(ILO, rate).last
    assert abs(last.reserve_to_earnings / ahcr - 1) < D("1e-6")
    early = solvers.solve_reserve_multiple(ILO, D(2), 2025)
    assert early > solvers.solve_reserve_multiple(ILO, D(2))  # less time to build the reserve
    with pytest.raises(InputError, match="year 2035 outside 2021-2028"):
        solvers.solve_reserve_multiple(ILO, D(2), 2035)


def test_payg_rates_equal_spending_over_earnings() -> None:
    rates = solvers.payg_rates(ILO)
    assert rates[2021] == D("0.0025")
    assert abs(rates[2028] - D("0.0100044")) < D("1e-7")


def test_gap_with_terminal_multiple_is_close_to_the_level_rate() -> None:
    """GAP(K=2) (year-end discounting) and the solved level rate differ only by timing conventions."""
    pure = solvers.general_average_premium(ILO)
    funded = solvers.general_average_premium(ILO, D(2))
    level = solvers.solve_reserve_multiple(ILO, D(2))
    assert pure < funded
    assert abs(funded - level) < D("0.0002")


def test_rolling_break_even_respects_the_maximum_change() -> None:
    rows = solvers.rolling_break_even(ILO, horizon=7, max_change=D("0.0005"), initial_rate=D("0.0116"))
    previous = D("0.0116")
    for row in rows:
        assert abs(row.rate - previous) <= D("0.0005") + D("1e-12")
        previous = row.rate
    free = solvers.rolling_break_even(ILO, horizon=7)
    # unconstrained: the reserve ends at zero at the end of the last window
    assert abs(free[-1].reserve) < D("0.01")


def test_rolling_break_even_edges() -> None:
    rich = ILO.replace(opening_reserve=D(100_000_000))
    assert all(r.break_even == 0 for r in solvers.rolling_break_even(rich))
    with pytest.raises(InputError, match="break_even"):
        solvers.rolling_break_even(ILO.replace(opening_reserve=D(-10_000_000_000)))
    with pytest.raises(InputError, match="horizon"):
        solvers.rolling_break_even(ILO, horizon=0)


def test_metrics_and_reserve_test() -> None:
    p = project(ILO)
    test = reserve_test(p)
    assert test.passes and test.year == 2028 and D("2.005") < test.multiple < D("2.006")
    stress = project(apply_scenario(ILO, "recession-2020"))
    ahcr = average_high_cost_rate(stress)
    rows = solvency_metrics(p, ahcr)
    assert rows[-1].high_cost_multiple is not None and rows[-1].high_cost_multiple > 0
    assert rows[0].margin == D("0.0116") - D("0.0025")
    assert not reserve_test(stress).passes


def test_scenarios_hurt_the_fund_and_unknown_is_an_error() -> None:
    base = project(ILO).last.reserve
    for name in SCENARIOS:
        if name == "base":
            assert project(apply_scenario(ILO, name)).last.reserve == base
        else:
            assert project(apply_scenario(ILO, name)).last.reserve < base, name
    with pytest.raises(NotFoundError, match="scenario"):
        get_scenario("boom")


def test_tornado_is_sorted_and_moves_the_right_way() -> None:
    bars = tornado(ILO)
    assert [b.swing for b in bars] == sorted((b.swing for b in bars), reverse=True)
    by = {b.name: b for b in bars}
    assert by["beneficiaries"].rate_high > by["beneficiaries"].rate_low
    assert by["real_interest"].rate_high < by["real_interest"].rate_low


def test_extension_keeps_growth() -> None:
    ext = extend_to(ILO, 2030)
    g = ext.insurable_earnings[2028] / ext.insurable_earnings[2027]
    assert ext.insurable_earnings[2030] == ext.insurable_earnings[2029] * g
    assert len(project(ext).rows) == 10


@settings(max_examples=40, deadline=None)
@given(st.decimals(min_value=D("0.001"), max_value=D("0.05"), places=5))
def test_reserve_is_increasing_in_the_rate(rate: Decimal) -> None:
    """Why bisection is safe: R_T(c) is strictly increasing in c."""
    assert project(ILO, rate + D("0.0001")).last.reserve > project(ILO, rate).last.reserve


@settings(max_examples=40, deadline=None)
@given(st.decimals(min_value=D(0), max_value=D(10_000_000), places=3),
       st.decimals(min_value=D(-1_000_000), max_value=D(1_000_000), places=3),
       st.decimals(min_value=D(0), max_value=D("0.2"), places=6))
def test_crediting_conventions_are_ordered(opening: Decimal, flow: Decimal, rate: Decimal) -> None:
    """Half-year compound interest lies between year-end and year-start crediting for a positive flow."""
    end = investment_income(opening, flow, rate, "year_end")
    mid = investment_income(opening, flow, rate, "half_year_compound")
    start = investment_income(opening, flow, rate, "year_start")
    lo, hi = sorted((end, start))
    assert lo - D("1e-20") <= mid <= hi + D("1e-20")


def _assumptions_type_is_frozen(a: Assumptions) -> None:  # pragma: no cover - typing aid
    _ = a.years
