"""Solvency metrics of the fund and the art. 8 reserve test (PL 5510/2022-CR).

- PAYG cost rate π_t = (B_t + A_t)/E_t; benefit cost rate β_t = B_t/E_t;
- ILO reserve ratio ρ_t = R_t/(B_t + A_t) (years of spending); US reserve ratio RR_t = R_t/E_t;
- margin m_t = c_t − π_t (what the rate leaves for the reserve);
- average high-cost rate AHCR = mean of the 3 highest yearly β on a high-cost (stress) path, and
  the high-cost multiple AHCM_t = RR_t / AHCR (US DOL; ≥ 1 is the ACUC 1995 standard).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from seguro_desempleo.actuarial.projection import Projection
from seguro_desempleo.errors import InputError


def average_high_cost_rate(path: Projection, highest: int = 3) -> Decimal:
    """AHCR = mean of the *highest* largest benefit cost rates β_t of a (stress) projection."""
    rates = sorted((row.benefit_cost_rate for row in path.rows), reverse=True)[:highest]
    if not rates or max(rates) == 0:
        raise InputError("the high-cost path pays no benefits", field="high_cost_path")
    return sum(rates, Decimal(0)) / len(rates)


@dataclass(frozen=True)
class YearMetrics:
    year: int
    payg_rate: Decimal
    benefit_cost_rate: Decimal
    reserve_ratio: Decimal
    reserve_to_earnings: Decimal
    margin: Decimal
    high_cost_multiple: Decimal | None

    def to_dict(self) -> dict[str, str | int | None]:
        return {k: (v if v is None or isinstance(v, int) else str(v)) for k, v in self.__dict__.items()}


def solvency_metrics(p: Projection, ahcr: Decimal | None = None) -> list[YearMetrics]:
    """Every metric per year; the high-cost multiple only if an AHCR is given."""
    out = []
    for row in p.rows:
        hcm = row.reserve_to_earnings / ahcr if ahcr else None
        out.append(YearMetrics(year=row.year, payg_rate=row.payg_rate, benefit_cost_rate=row.benefit_cost_rate,
                               reserve_ratio=row.reserve_ratio, reserve_to_earnings=row.reserve_to_earnings,
                               margin=row.contribution_rate - row.payg_rate, high_cost_multiple=hcm))
    return out


@dataclass(frozen=True)
class ReserveTest:
    """Art. 8 (reading of the ILO study it rests on): R_T ≥ K · (B_T + A_T) in the last year T."""

    year: int
    reserve: Decimal
    spending: Decimal
    multiple: Decimal
    required_multiple: Decimal

    @property
    def passes(self) -> bool:
        return self.multiple >= self.required_multiple

    def to_dict(self) -> dict[str, str | int | bool]:
        return {"year": self.year, "reserve": str(self.reserve), "spending": str(self.spending),
                "multiple": str(self.multiple), "required_multiple": str(self.required_multiple),
                "passes": self.passes}


def reserve_test(p: Projection, required_multiple: Decimal | None = None) -> ReserveTest:
    """The stabilisation-reserve test: reserve at the end of the horizon over that year's spending."""
    k = p.assumptions.reserve_target_multiple if required_multiple is None else required_multiple
    last = p.last
    return ReserveTest(year=last.year, reserve=last.reserve, spending=last.spending,
                       multiple=last.reserve_ratio, required_multiple=k)
