"""Sensitivity (tornado): the required rate (reserve multiple K at the horizon) and the final reserve
ratio ρ_T when one assumption moves down and up, all else equal.

Shifts: beneficiaries (incidence × take-up × duration) ±10 %, average benefit (replacement, caps) ±10 %,
insurable earnings (coverage × density × wages) ±5 %, wage growth ±1 pp a year (earnings and, one year
later, benefits), real interest ±1 pp, admin-cost rate ±0.05 pp, benefit start one year earlier/later.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from seguro_desempleo.actuarial.assumptions import Assumptions
from seguro_desempleo.actuarial.projection import project
from seguro_desempleo.actuarial.solvers import solve_reserve_multiple

D = Decimal
Shift = Callable[[Assumptions, int], Assumptions]  # (set, direction ±1) → shifted set


def _scale(field: str, pct: str) -> Shift:
    def shift(a: Assumptions, sign: int) -> Assumptions:
        f = 1 + sign * D(pct)
        return a.replace(**{field: {y: v * f for y, v in getattr(a, field).items()}})
    return shift


def _wage_growth(a: Assumptions, sign: int) -> Assumptions:
    g = sign * D("0.01")
    earn = {y: v * (1 + g) ** (y - a.first_year) for y, v in a.insurable_earnings.items()}
    ben = {y: v * (1 + g) ** max(0, y - 1 - a.first_year) for y, v in a.average_monthly_benefit.items()}
    return a.replace(insurable_earnings=earn, average_monthly_benefit=ben)


def _interest(a: Assumptions, sign: int) -> Assumptions:
    return a.replace(real_interest_rate={y: v + sign * D("0.01") for y, v in a.real_interest_rate.items()})


def _admin(a: Assumptions, sign: int) -> Assumptions:
    return a.replace(admin_cost_rate=max(D(0), a.admin_cost_rate + sign * D("0.0005")))


def _start(a: Assumptions, sign: int) -> Assumptions:
    start = a.benefit_start_year + sign
    # an earlier start reuses the first benefit year's figures for the extra year
    first = min(a.average_monthly_beneficiaries)
    n = dict(a.average_monthly_beneficiaries)
    b = dict(a.average_monthly_benefit)
    if start < first:
        n[start], b[start] = n[first], b[first]
    return a.replace(benefit_start_year=start, average_monthly_beneficiaries=n, average_monthly_benefit=b)


SHIFTS: dict[str, tuple[str, str, Shift]] = {
    "beneficiaries": ("Beneficiarios (incidencia × uso × duración)", "±10 %", _scale("average_monthly_beneficiaries", "0.10")),
    "average_benefit": ("Prestación promedio", "±10 %", _scale("average_monthly_benefit", "0.10")),
    "insurable_earnings": ("Ingresos asegurables (cobertura, densidad)", "±5 %", _scale("insurable_earnings", "0.05")),
    "wage_growth": ("Crecimiento salarial", "±1 pp/año", _wage_growth),
    "real_interest": ("Rentabilidad real de la reserva", "±1 pp", _interest),
    "admin_cost_rate": ("Gastos administrativos (% de ingresos asegurables)", "±0,05 pp", _admin),
    "benefit_start": ("Inicio de prestaciones", "∓1 año", _start),
}


@dataclass(frozen=True)
class TornadoBar:
    name: str
    label: str
    shift: str
    rate_low: Decimal
    rate_high: Decimal
    ratio_low: Decimal
    ratio_high: Decimal

    @property
    def swing(self) -> Decimal:
        return abs(self.rate_high - self.rate_low)

    def to_dict(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.__dict__.items()}


def tornado(a: Assumptions, multiple: Decimal | None = None) -> list[TornadoBar]:
    """One bar per assumption, widest swing of the required rate first."""
    k = a.reserve_target_multiple if multiple is None else multiple
    bars = []
    for name, (label, shift_text, shift) in SHIFTS.items():
        low, high = shift(a, -1), shift(a, +1)
        bars.append(TornadoBar(
            name=name, label=label, shift=shift_text,
            rate_low=solve_reserve_multiple(low, k), rate_high=solve_reserve_multiple(high, k),
            ratio_low=project(low).last.reserve_ratio, ratio_high=project(high).last.reserve_ratio))
    return sorted(bars, key=lambda bar: bar.swing, reverse=True)
