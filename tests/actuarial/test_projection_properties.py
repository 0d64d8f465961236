"""Properties of the projection on random assumption sets (Hypothesis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from seguro_desempleo.actuarial.assumptions import load_assumptions
from seguro_desempleo.actuarial.design import apply_design, average_replacement
from seguro_desempleo.actuarial.projection import project
from seguro_desempleo.actuarial.valuation import Request, build
from seguro_desempleo.parameters.model import default_parameters

D = Decimal
ILO = load_assumptions("ilo-2021")
factors = st.decimals(min_value=D("0.5"), max_value=D("1.5"), places=3)


@settings(max_examples=50, deadline=None)
@given(factors, factors, factors, st.decimals(min_value=D(0), max_value=D("0.05"), places=4),
       st.sampled_from(["half_year_compound", "half_year_simple", "year_end", "year_start"]),
       st.sampled_from(["insurable_earnings", "contributions", "benefits"]),
       st.decimals(min_value=D(0), max_value=D(100_000), places=0))
def test_accounting_identities(fe: Decimal, fn: Decimal, fb: Decimal, rate: Decimal, crediting: str, basis: str,
                               transfer: Decimal) -> None:
    a = ILO.replace(
        insurable_earnings={y: v * fe for y, v in ILO.insurable_earnings.items()},
        average_monthly_beneficiaries={y: v * fn for y, v in ILO.average_monthly_beneficiaries.items()},
        average_monthly_benefit={y: v * fb for y, v in ILO.average_monthly_benefit.items()},
        interest_crediting=crediting, admin_cost_basis=basis,
        non_contributory_transfers={y: transfer for y in ILO.years})
    p = project(a, rate)
    previous = a.opening_reserve
    for row in p.rows:
        assert row.contributions == rate * row.insurable_earnings
        assert row.surplus == row.contributions + row.transfers + row.investment_income - row.benefits - row.admin_costs
        assert row.reserve == previous + row.surplus
        assert (row.benefits == 0) == (row.year < a.benefit_start_year)
        previous = row.reserve


def test_design_average_replacement_and_reform() -> None:
    assert average_replacement([D("0.70"), D("0.65"), D("0.60"), D("0.55"), D("0.50")]) == D("0.6")
    assert average_replacement([D("0.7"), D("0.5")], [D(1), D(0)]) == D("0.7")
    ps = default_parameters()
    assert apply_design(ILO, ps) is ILO
    capped = apply_design(ILO, ps.with_overrides({"benefits.cap": "1200"}))
    assert max(capped.average_monthly_benefit.values()) == D(1200)
    six = apply_design(ILO, ps.with_overrides({"benefits.rates": "0.7,0.65,0.6,0.55,0.5,0.5"}))
    assert six.average_monthly_beneficiaries[2022] == ILO.average_monthly_beneficiaries[2022] * 6 / 5
    # the small-firms reform (2nd final provision) brings in the coverage scenario
    reformed = build(Request(reform="small_firms"))
    assert project(reformed).last.insurable_earnings > project(ILO).last.insurable_earnings
