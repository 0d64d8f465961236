"""Contribution-rate solvers (PL 5510/2022-CR arts. 8 and 10: the rate must cover benefits and admin
costs and build a stabilisation reserve).

All solvers bisect in Decimal on the rate c ∈ [lo, hi] until hi − lo < ``RATE_TOLERANCE`` (1e-12, i.e.
1e-10 percentage points; on the ILO set about 1 sol of reserve in 2028): the reserve is monotone increasing in c (contributions rise with c, admin costs
do not fall, interest on a larger reserve is larger), so bisection cannot miss the root. A target
outside [f(lo), f(hi)] raises :class:`~seguro_desempleo.errors.InputError` naming the target.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from seguro_desempleo.actuarial.assumptions import Assumptions
from seguro_desempleo.actuarial.projection import nominal_interest_rate, project
from seguro_desempleo.errors import InputError

RATE_TOLERANCE = Decimal("1e-12")
RATE_MAX = Decimal("0.5")


def bisect(f: Callable[[Decimal], Decimal], lo: Decimal, hi: Decimal, *, target: str,
           tol: Decimal = RATE_TOLERANCE) -> Decimal:
    """Root of an increasing f on [lo, hi] by bisection; returns the upper end (f ≥ 0 there)."""
    f_lo, f_hi = f(lo), f(hi)
    if f_lo > 0 or f_hi < 0:
        raise InputError(f"target cannot be reached with a rate in [{lo}, {hi}] "
                         f"(gap at ends: {f_lo:.6g}, {f_hi:.6g})", field=target)
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if f(mid) >= 0:
            hi = mid
        else:
            lo = mid
    return hi


def round_up_rate(rate: Decimal, places: int = 2) -> Decimal:
    """The rate in percent rounded up to *places* decimals (how 1.16 % is quoted)."""
    return (rate * 100).quantize(Decimal(1).scaleb(-places), rounding=ROUND_CEILING)


def _up_to(a: Assumptions, year: int | None) -> Assumptions:
    """The assumptions cut at the horizon *year* (default: their last year), checked in range."""
    horizon = a.last_year if year is None else year
    if not a.first_year <= horizon <= a.last_year:
        raise InputError(f"year {horizon} outside {a.first_year}-{a.last_year}", field="year")
    return a.replace(last_year=horizon)


def solve_reserve_multiple(a: Assumptions, multiple: Decimal, year: int | None = None) -> Decimal:
    """Level rate c with R_T(c) = K · (B_T + A_T) at the horizon T (default the last year).

    K = 2 is the ILO target quoted in the bill (p. 25); rounded up to two decimals it gives 1.16 %.
    """
    if multiple < 0:
        raise InputError(f"must not be negative (got {multiple})", field="reserve_multiple")
    sub = _up_to(a, year)

    def gap(c: Decimal) -> Decimal:
        last = project(sub, c).last
        return last.reserve - multiple * last.spending

    return bisect(gap, Decimal(0), RATE_MAX, target="reserve_multiple")


def solve_high_cost_multiple(a: Assumptions, multiple: Decimal, ahcr: Decimal, year: int | None = None) -> Decimal:
    """Level rate with AHCM_T = (R_T / E_T) / AHCR = target at the horizon T (US DOL solvency standard, ≥ 1)."""
    if multiple < 0:
        raise InputError(f"must not be negative (got {multiple})", field="high_cost_multiple")
    sub = _up_to(a, year)

    def gap(c: Decimal) -> Decimal:
        last = project(sub, c).last
        return last.reserve - multiple * ahcr * last.insurable_earnings

    return bisect(gap, Decimal(0), RATE_MAX, target="high_cost_multiple")


def payg_rates(a: Assumptions) -> dict[int, Decimal]:
    """π_t = (B_t + A_t)/E_t for each year: the rate that balances each year on its own."""
    return {row.year: row.payg_rate for row in project(a).rows}


def general_average_premium(a: Assumptions, multiple: Decimal = Decimal(0)) -> Decimal:
    """GAP = [Σ vᵗ(B_t+A_t) + vⁿ·K·(B_n+A_n) − F₀] / Σ vᵗE_t, t = 1…n, v from the nominal i_t.

    Year-end discounting (vᵗ = Π_{s≤t} 1/(1+i_s)); K = 0 is the pure GAP. Admin costs are taken
    from the base projection (they do not depend on c when proportional to earnings).
    """
    rows = project(a).rows
    num = -a.opening_reserve
    den = Decimal(0)
    v = Decimal(1)
    for row in rows:
        v = v / (1 + nominal_interest_rate(a.real_interest_rate[row.year], a.inflation(row.year)))
        num += v * row.spending
        den += v * row.insurable_earnings
    num += v * multiple * rows[-1].spending
    return num / den


@dataclass(frozen=True)
class RollingRate:
    year: int
    break_even: Decimal
    rate: Decimal
    reserve: Decimal


def rolling_break_even(a: Assumptions, horizon: int = 7, max_change: Decimal = Decimal("0.0005"),
                       initial_rate: Decimal | None = None) -> list[RollingRate]:
    """Canada's EI rule (EI Act s. 66): each year set the rate that brings the balance to zero at the
    end of the next *horizon* years (truncated at the last projection year), moving at most
    *max_change* (0.05 pp) from last year's rate.

    c*_t solves R_{min(t+h−1, T)}(c) = 0 with rates before t already fixed; c_t = clip(c*_t, c_{t−1} ± Δ).
    """
    if horizon < 1:
        raise InputError("must be at least 1", field="horizon")
    if max_change < 0:
        raise InputError("must not be negative", field="max_change")
    fixed: dict[int, Decimal] = {}
    previous = a.contribution_rate if initial_rate is None else initial_rate
    out: list[RollingRate] = []
    for year in a.years:
        end = min(year + horizon - 1, a.last_year)
        sub = a.replace(last_year=end)

        def gap(c: Decimal, year: int = year, sub: Assumptions = sub) -> Decimal:
            rates = {**fixed, **{y: c for y in range(year, sub.last_year + 1)}}
            return project(sub, rates).last.reserve

        if gap(Decimal(0)) >= 0:
            star = Decimal(0)  # the reserve already covers the window at a zero rate
        elif gap(RATE_MAX) < 0:
            raise InputError(f"no rate up to {RATE_MAX * 100} % balances the window ending {end}", field="break_even")
        else:
            star = bisect(gap, Decimal(0), RATE_MAX, target="break_even")
        rate = star if not out and initial_rate is None else min(max(star, previous - max_change), previous + max_change)
        fixed[year] = rate
        previous = rate
        reserve = project(a.replace(last_year=year), fixed).last.reserve
        out.append(RollingRate(year=year, break_even=star, rate=rate, reserve=reserve))
    return out
