"""Deterministic scenarios: shocks applied to an assumption set (art. 10: studies before any change
of rate, benefit or coverage, and the stabilisation reserve's purpose, recessions).

A scenario is a list of yearly shocks relative to the base path, counted from a shock year:

- ``employment`` Δg: change in employment growth → insurable earnings and contributors level
  L_t = Π_{s≤t}(1 + Δg_s);
- ``wages`` Δw: change in average insurable wage growth → earnings level W_t = Π_{s≤t}(1 + Δw_s); the
  average benefit follows the wage level of the previous year W_{t−1} (it is the average of the last
  12 months' pay, art. 5);
- ``unemployment`` Δu: percentage-point change in the unemployment rate u_t; beneficiaries scale by
  (1 + η·Δu_t/u_t)·L_t with claims elasticity η (default 1: claims proportional to unemployment);
- ``take_up`` and ``coverage`` multipliers on beneficiaries and earnings from the shock year on;
- ``real_interest`` Δr on the real interest rate.

Not modelled: second-round effects on inflation; the ILO set has no claims elasticity, so η is an
assumption of this tool (documented in docs/actuarial.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from seguro_desempleo.actuarial.assumptions import Assumptions
from seguro_desempleo.errors import NotFoundError

D = Decimal
ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Scenario:
    name: str
    label: str
    description: str
    employment: tuple[Decimal, ...] = ()
    wages: tuple[Decimal, ...] = ()
    unemployment: tuple[Decimal, ...] = ()
    take_up: Decimal = ONE
    earnings_coverage: Decimal = ONE
    beneficiaries_coverage: Decimal = ONE
    real_interest: Decimal = ZERO
    persistent_wages: Decimal = ZERO
    elasticity: Decimal = ONE
    notes: tuple[str, ...] = field(default=())


def _t(*values: str) -> tuple[Decimal, ...]:
    return tuple(D(v) for v in values)


SCENARIOS: dict[str, Scenario] = {s.name: s for s in (
    Scenario("base", "Escenario base", "The assumption set as given."),
    Scenario("recession-2009", "Recesión tipo 2009",
             "Peru 2009: GDP growth fell from 9.1 % to 1.1 %; formal employment growth slowed ~4 pp, "
             "urban unemployment +0.6 pp, real wages flat. Two shock years, then recovery.",
             employment=_t("-0.04", "-0.01", "0.02"), wages=_t("-0.02", "-0.01"),
             unemployment=_t("0.010", "0.006", "0.002")),
    Scenario("recession-2020", "Recesión tipo 2020 (COVID-19)",
             "Peru 2020 per the ILO macro table: employment −11.3 %, unemployment 7.4 % vs 3.9 % in normal "
             "years (+3.5 pp); half the job loss recovered the next year.",
             employment=_t("-0.113", "0.06", "0.03"), wages=_t("-0.02", "0.00"),
             unemployment=_t("0.035", "0.031", "0.010")),
    Scenario("low-wage-growth", "Menor crecimiento salarial",
             "Average insurable wage grows 1 pp a year less than in the base.",
             persistent_wages=D("-0.01")),
    Scenario("high-take-up", "Mayor tasa de uso", "25 % more beneficiaries than the base from the shock year.",
             take_up=D("1.25")),
    Scenario("coverage-small-firms", "Ampliación a pequeñas empresas (segunda disp. compl. final)",
             "Coverage extended to small firms: insurable earnings +12 %, beneficiaries +20 % (higher "
             "turnover, lower pay). Illustrative magnitudes, not from the ILO study.",
             earnings_coverage=D("1.12"), beneficiaries_coverage=D("1.20")),
    Scenario("low-interest", "Rentabilidad real nula", "Real return on the reserve 0 instead of 2 %.",
             real_interest=D("-0.02")),
)}


def get_scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        raise NotFoundError(f"unknown scenario '{name}' (known: {', '.join(SCENARIOS)})", field="scenario") from None


def apply_scenario(a: Assumptions, scenario: Scenario | str, shock_year: int | None = None) -> Assumptions:
    """The assumption set with the scenario's shocks from *shock_year* (default: first benefit year + 1)."""
    s = get_scenario(scenario) if isinstance(scenario, str) else scenario
    start = a.benefit_start_year + 1 if shock_year is None else shock_year
    emp_level, wage_level = D(1), D(1)
    wage_levels: dict[int, Decimal] = {}
    earnings, beneficiaries, benefit, real = {}, {}, {}, {}
    for year in a.years:
        k = year - start
        if k >= 0:
            emp_level *= 1 + (s.employment[k] if k < len(s.employment) else D(0))
            wage_level *= 1 + (s.wages[k] if k < len(s.wages) else D(0)) + s.persistent_wages
        wage_levels[year] = wage_level
        on = k >= 0
        cov_e = s.earnings_coverage if on else D(1)
        cov_b = s.beneficiaries_coverage * s.take_up if on else D(1)
        earnings[year] = a.insurable_earnings[year] * emp_level * wage_level * cov_e
        du = s.unemployment[k] if 0 <= k < len(s.unemployment) else D(0)
        u = a.macro.get("unemployment_rate", {}).get(year, D("0.04"))
        claims = (1 + s.elasticity * du / u) * emp_level * cov_b
        if year in a.average_monthly_beneficiaries:
            beneficiaries[year] = a.average_monthly_beneficiaries[year] * claims
            benefit[year] = a.average_monthly_benefit[year] * wage_levels.get(year - 1, D(1))
        real[year] = a.real_interest_rate[year] + s.real_interest
    return a.replace(name=f"{a.name}+{s.name}", insurable_earnings=earnings, average_monthly_beneficiaries=beneficiaries,
                     average_monthly_benefit=benefit, real_interest_rate=real)
