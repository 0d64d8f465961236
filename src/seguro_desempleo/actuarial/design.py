"""The benefit design of the law (arts. 5 and 8) as it enters the valuation.

The ILO set gives beneficiaries N and the average benefit b for the bill's design (70/65/60/55/50 % for
up to five months, 1.16 %). A different design — a ``--param`` override or a reform overlay of
``parameters/`` — rescales them relative to the bill's design:

- average replacement r̄ = Σ_m rate_m · s_m / Σ_m s_m over the months m = 1…M of the schedule, with
  s_m the share of claimants still paid in month m (1 for all months unless given);
- b' = b · r̄'/r̄, then bounded by the floor and cap of art. 5 when they are set (applied to the
  average, an approximation: the rules apply them per claimant);
- N' = N · Σ s'_m / Σ s_m (beneficiary-months per claim; a longer schedule keeps people longer);
- c' = financing.contribution_rate.

Not modelled: the waiting period (art. 7, 7–30 days) and the qualifying condition (12 contributions
in 24 months) change who claims; the ILO set fixes the claimant flow, so a change there needs new
incidence data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from seguro_desempleo.actuarial.assumptions import Assumptions
from seguro_desempleo.actuarial.claims import average_benefit, beneficiaries, claims_per_year, survival
from seguro_desempleo.errors import ParameterError
from seguro_desempleo.parameters.model import ParameterSet, default_parameters

DESIGN_DATE = dt.date(2021, 1, 1)


@dataclass(frozen=True)
class BenefitDesign:
    rates: tuple[Decimal, ...]
    floor: Decimal
    cap: Decimal
    contribution_rate: Decimal

    @classmethod
    def from_snapshot(cls, snap: Mapping[str, Any]) -> BenefitDesign:
        return cls(rates=tuple(Decimal(str(r)) for r in snap["benefits.rates"]),
                   floor=Decimal(str(snap["benefits.floor"])), cap=Decimal(str(snap["benefits.cap"])),
                   contribution_rate=Decimal(str(snap["financing.contribution_rate"])))


def average_replacement(rates: Sequence[Decimal], survival: Sequence[Decimal] | None = None) -> Decimal:
    """r̄ = Σ rate_m·s_m / Σ s_m (s_m = 1 for every month when not given)."""
    s = list(survival) if survival is not None else [Decimal(1)] * len(rates)
    total = sum(s[: len(rates)], Decimal(0))
    if total == 0:
        return Decimal(0)
    return sum((r * w for r, w in zip(rates, s, strict=False)), Decimal(0)) / total


def apply_design(a: Assumptions, params: ParameterSet, base: ParameterSet | None = None) -> Assumptions:
    """Rescale N, b and c of *a* from the bill's design (*base*, default the law) to *params*.

    A set with a claims chain is recomputed from the chain under *params* instead (exact per-claimant
    floor and cap from the rules).
    """
    if a.claims is not None:
        new_rate = BenefitDesign.from_snapshot(params.at(DESIGN_DATE)).contribution_rate
        old_rate = BenefitDesign.from_snapshot((base or default_parameters()).at(DESIGN_DATE)).contribution_rate
        out = apply_chain(a, params)
        return out if new_rate == old_rate else out.replace(contribution_rate=new_rate)
    old = BenefitDesign.from_snapshot((base or default_parameters()).at(DESIGN_DATE))
    new = BenefitDesign.from_snapshot(params.at(DESIGN_DATE))
    if new == old:
        return a
    factor_b = average_replacement(new.rates) / average_replacement(old.rates)
    factor_n = Decimal(len(new.rates)) / Decimal(len(old.rates))

    def bound(value: Decimal) -> Decimal:
        value = value * factor_b
        if new.floor > 0:
            value = max(value, new.floor)
        if new.cap > 0:
            value = min(value, new.cap)
        return value

    rate = a.contribution_rate if new.contribution_rate == old.contribution_rate else new.contribution_rate
    return a.replace(
        average_monthly_benefit={y: bound(v) for y, v in a.average_monthly_benefit.items()},
        average_monthly_beneficiaries={y: v * factor_n for y, v in a.average_monthly_beneficiaries.items()},
        contribution_rate=rate,
    )


def apply_chain(a: Assumptions, params: ParameterSet | None = None) -> Assumptions:
    """N_t and b_t from the claims chain (see :mod:`.claims`) under the benefit design of *params*.

    N_t = I_t · claim rate · d̄/12; b_t from the rules over the leavers' wages of year t − 1.
    """
    chain = a.claims
    if chain is None:
        return a
    snap = (params or default_parameters()).at(DESIGN_DATE)
    months = len(snap["benefits.rates"])
    duration = min(chain.mean_duration_months, Decimal(months))
    weights = survival(duration, months)
    n_series: dict[int, Decimal] = {}
    b_series: dict[int, Decimal] = {}
    for year in range(a.benefit_start_year, a.last_year + 1):
        prev = year - 1
        if prev not in a.insurable_earnings or prev not in a.contributors or a.contributors[prev] == 0:
            raise ParameterError(f"the claims chain needs earnings and contributors for {prev}",
                                 field="series.contributors", where=a.where)
        n_series[year] = beneficiaries(claims_per_year(a.insured[year], chain), duration)
        wage = a.insurable_earnings[prev] * 1000 / (12 * a.contributors[prev])
        b_series[year] = average_benefit(chain.leavers_wage_ratio * wage, chain.wage_log_sd, snap, weights)
    return a.replace(average_monthly_beneficiaries=n_series, average_monthly_benefit=b_series)
