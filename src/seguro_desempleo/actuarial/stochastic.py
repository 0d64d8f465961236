"""Stochastic scenarios: a regime-switching unemployment process driving claims and earnings, monthly.

Model (month m, year y(m); base path from the assumption set, extended past its last year if needed):

- regime s_m ∈ {normal, recession}: Markov chain, P(normal→recession) = p_enter, P(recession→normal) = p_exit;
- unemployment gap x_m = u_m − ū_y: x_m = φ·x_{m−1} + μ_{s_m} + σ·ε_m, ε ~ N(0, 1), x_0 = 0;
- beneficiaries N_m = max(0, N̄_y · (1 + η·x_m/ū_y)); earnings E_m = Ē_y/12 · (1 − ū_y − x_m)/(1 − ū_y);
- flows C_m = c·E_m, A_m = a·E_m (or a·C_m, a·B_m), B_m = N_m·b̄_y/1000, T_m = T̄_y/12;
- reserve R_m = R_{m−1}·(1 + j_y) + F_m·(1 + j_y)^½ with j_y = (1 + i_y)^{1/12} − 1 and F_m = C+T−B−A.

These paths are model quantities, computed in float64 (thousands of soles): a distribution, not a
published money figure. The deterministic valuation stays in Decimal (:mod:`.projection`). Runs are
reproducible from the seed; both the vectorised engine and the per-path loop draw the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from seguro_desempleo.actuarial.assumptions import Assumptions, extend_to
from seguro_desempleo.actuarial.projection import nominal_interest_rate
from seguro_desempleo.errors import CapacityError, InputError

try:  # numba is a declared dependency; the numpy engine stays the readable reference
    from numba import njit

    HAVE_NUMBA = True
except ImportError:  # pragma: no cover
    HAVE_NUMBA = False

F64 = npt.NDArray[np.float64]
ENGINES = ("auto", "numpy", "numba")
NUMBA_FROM_RUNS = 5_000  # below this the compile-free numpy engine is as fast
MAX_CELLS = 50_000_000  # runs × months kept in memory at once (float64: 400 MB)


@dataclass(frozen=True)
class RegimeModel:
    """Parameters of the unemployment process (monthly). Defaults: a recession every ~10 years lasting
    ~12 months and adding ~2.5 pp of unemployment at its peak; σ = 0.1 pp a month; claims elasticity η = 1."""

    p_enter: float = 1 / 120
    p_exit: float = 1 / 12
    phi: float = 0.95
    mu_normal: float = 0.0
    mu_recession: float = 0.003
    sigma: float = 0.001
    elasticity: float = 1.0

    def validate(self) -> None:
        for name in ("p_enter", "p_exit"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise InputError(f"probability out of [0, 1]: {value}", field=name)
        if self.sigma < 0:
            raise InputError(f"must not be negative: {self.sigma}", field="sigma")
        if not -1 < self.phi < 1:
            raise InputError(f"must be in (-1, 1): {self.phi}", field="phi")


@dataclass(frozen=True)
class MonthlyBase:
    """The base path as monthly float arrays (length = months)."""

    years: list[int]
    earnings: F64
    beneficiaries: F64
    benefit: F64
    transfers: F64
    unemployment: F64
    monthly_interest: F64
    opening_reserve: float
    admin_rate: float
    admin_basis: str


def monthly_base(a: Assumptions, years: int) -> MonthlyBase:
    """Annual assumptions → monthly arrays over *years* years from the set's first year."""
    if years < 1:
        raise InputError("must be at least 1", field="years")
    ext = extend_to(a, a.first_year + years - 1)
    ys = ext.years
    rep = lambda values: np.repeat(np.array(values, dtype=np.float64), 12)  # noqa: E731
    started = [y >= ext.benefit_start_year for y in ys]
    u = [float(ext.macro.get("unemployment_rate", {}).get(y, Decimal("0.04"))) for y in ys]
    i = [float(nominal_interest_rate(ext.real_interest_rate[y], ext.inflation(y))) for y in ys]
    return MonthlyBase(
        years=ys,
        earnings=rep([float(ext.insurable_earnings[y]) / 12 for y in ys]),
        beneficiaries=rep([float(ext.average_monthly_beneficiaries.get(y, 0)) if s else 0.0
                           for y, s in zip(ys, started, strict=True)]),
        benefit=rep([float(ext.average_monthly_benefit.get(y, 0)) / 1000 for y in ys]),
        transfers=rep([float(ext.non_contributory_transfers.get(y, 0)) / 12 for y in ys]),
        unemployment=rep(u),
        monthly_interest=rep([(1 + r) ** (1 / 12) - 1 for r in i]),
        opening_reserve=float(ext.opening_reserve),
        admin_rate=float(ext.admin_cost_rate),
        admin_basis=ext.admin_cost_basis,
    )


def draws(seed: int, months: int, runs: int) -> Iterator[tuple[F64, F64]]:
    """The random numbers, month by month: (ε_m, U_m) each of shape (runs,)."""
    rng = np.random.default_rng(seed)
    for _ in range(months):
        yield rng.standard_normal(runs), rng.random(runs)


@dataclass(frozen=True)
class StochasticResult:
    years: list[int]
    reserve: F64           # (runs, years) year-end reserve, thousands of soles
    spending: F64          # (runs, years) B + A in the year
    unemployment: F64      # (runs, years) average unemployment rate in the year
    depletion_month: npt.NDArray[np.int64]  # first month with R < 0, −1 if never
    min_reserve: F64

    @property
    def reserve_ratio(self) -> F64:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.spending > 0, self.reserve / np.maximum(self.spending, 1e-12), np.nan)

    def fan(self, values: F64 | None = None, percentiles: tuple[float, ...] = (5, 25, 50, 75, 95)) -> dict[float, F64]:
        """Percentiles per year of *values* (default the year-end reserve)."""
        data = self.reserve if values is None else values
        return {p: np.nanpercentile(data, p, axis=0) for p in percentiles}

    def depletion_probability(self) -> F64:
        """P(min_{m ≤ end of year} R_m < 0), by year."""
        months = (np.arange(len(self.years)) + 1) * 12
        dep = self.depletion_month
        return np.array([np.mean((dep >= 0) & (dep < m)) for m in months])

    def time_to_depletion_years(self) -> F64:
        """Years until first depletion for the runs that deplete (empty if none)."""
        dep = self.depletion_month
        return (dep[dep >= 0] + 1) / 12.0


def simulate(a: Assumptions, *, runs: int, seed: int, years: int | None = None, rate: float | None = None,
             model: RegimeModel | None = None, engine: str = "auto") -> StochasticResult:
    """Vectorised engine: all runs advance together, one month at a time (arrays of shape (runs,)).

    ``engine``: ``numpy`` (array expressions, the reference), ``numba`` (the same formulas fused in one
    compiled pass per month) or ``auto`` (numba from 5,000 runs). Both use the same draws.
    """
    m = model or RegimeModel()
    m.validate()
    if runs < 1:
        raise InputError("must be at least 1", field="runs")
    if engine not in ENGINES:
        raise InputError(f"unknown engine '{engine}' ({'|'.join(ENGINES)})", field="engine")
    use_numba = HAVE_NUMBA and (engine == "numba" or (engine == "auto" and runs >= NUMBA_FROM_RUNS))
    n_years = years or (a.last_year - a.first_year + 1)
    months = n_years * 12
    if runs * n_years > MAX_CELLS:
        raise CapacityError(f"{runs} runs × {n_years} years is too large; split into batches of "
                            f"{MAX_CELLS // n_years} runs", field="runs")
    base = monthly_base(a, n_years)
    c = float(a.contribution_rate) if rate is None else rate
    if c < 0:
        raise InputError(f"must not be negative: {c}", field="rate")
    reserve = np.full(runs, base.opening_reserve)
    gap = np.zeros(runs)
    recession = np.zeros(runs, dtype=bool)
    out_r = np.empty((runs, n_years))
    out_s = np.zeros((runs, n_years))
    out_u = np.zeros((runs, n_years))
    depletion = np.full(runs, -1, dtype=np.int64)
    min_r = np.full(runs, np.inf)
    mu = np.empty(runs)
    basis_code = {"insurable_earnings": 0, "contributions": 1}.get(base.admin_basis, 2)
    for k, (eps, unif) in enumerate(draws(seed, months, runs)):
        if use_numba:
            j = float(base.monthly_interest[k])
            _month_kernel(reserve, gap, recession, eps, unif, depletion, min_r, out_s, out_u, out_r, k, k // 12,
                          k % 12 == 11, m.p_enter, m.p_exit, m.phi, m.mu_normal, m.mu_recession, m.sigma,
                          m.elasticity, float(base.unemployment[k]), float(base.beneficiaries[k]),
                          float(base.earnings[k]), float(base.benefit[k]), float(base.transfers[k]), c,
                          base.admin_rate, basis_code, j, float(np.sqrt(1 + j)))
            continue
        recession = np.where(recession, unif >= m.p_exit, unif < m.p_enter)
        np.copyto(mu, m.mu_normal)
        mu[recession] = m.mu_recession
        gap = m.phi * gap + mu + m.sigma * eps
        ub = base.unemployment[k]
        n = np.maximum(0.0, base.beneficiaries[k] * (1 + m.elasticity * gap / ub))
        e = base.earnings[k] * (1 - ub - gap) / (1 - ub)
        contrib = c * e
        ben = n * base.benefit[k]
        adm = base.admin_rate * (e if base.admin_basis == "insurable_earnings"
                                 else contrib if base.admin_basis == "contributions" else ben)
        j = base.monthly_interest[k]
        reserve = reserve * (1 + j) + (contrib + base.transfers[k] - ben - adm) * np.sqrt(1 + j)
        y = k // 12
        out_s[:, y] += ben + adm
        out_u[:, y] += (ub + gap) / 12
        newly = (reserve < 0) & (depletion < 0)
        depletion[newly] = k
        np.minimum(min_r, reserve, out=min_r)
        if k % 12 == 11:
            out_r[:, y] = reserve
    return StochasticResult(base.years, out_r, out_s, out_u, depletion, min_r)


def simulate_loop(a: Assumptions, *, runs: int, seed: int, years: int | None = None, rate: float | None = None,
                  model: RegimeModel | None = None) -> StochasticResult:
    """The straightforward baseline: one path at a time in plain Python (same draws, same formulas)."""
    m = model or RegimeModel()
    n_years = years or (a.last_year - a.first_year + 1)
    months = n_years * 12
    base = monthly_base(a, n_years)
    c = float(a.contribution_rate) if rate is None else rate
    all_draws = list(draws(seed, months, runs))
    out_r = np.empty((runs, n_years))
    out_s = np.zeros((runs, n_years))
    out_u = np.zeros((runs, n_years))
    depletion = np.full(runs, -1, dtype=np.int64)
    min_r = np.full(runs, np.inf)
    for p in range(runs):
        reserve, gap, recession, low = base.opening_reserve, 0.0, False, float("inf")
        for k in range(months):
            eps, unif = float(all_draws[k][0][p]), float(all_draws[k][1][p])
            recession = unif >= m.p_exit if recession else unif < m.p_enter
            gap = m.phi * gap + (m.mu_recession if recession else m.mu_normal) + m.sigma * eps
            ub = float(base.unemployment[k])
            n = max(0.0, float(base.beneficiaries[k]) * (1 + m.elasticity * gap / ub))
            e = float(base.earnings[k]) * (1 - ub - gap) / (1 - ub)
            contrib = c * e
            ben = n * float(base.benefit[k])
            adm = base.admin_rate * (e if base.admin_basis == "insurable_earnings"
                                     else contrib if base.admin_basis == "contributions" else ben)
            j = float(base.monthly_interest[k])
            reserve = reserve * (1 + j) + (contrib + float(base.transfers[k]) - ben - adm) * (1 + j) ** 0.5
            y = k // 12
            out_s[p, y] += ben + adm
            out_u[p, y] += (ub + gap) / 12
            if reserve < 0 and depletion[p] < 0:
                depletion[p] = k
            low = min(low, reserve)
            if k % 12 == 11:
                out_r[p, y] = reserve
        min_r[p] = low
    return StochasticResult(base.years, out_r, out_s, out_u, depletion, min_r)


def rate_for_depletion_probability(a: Assumptions, *, alpha: float, runs: int, seed: int, years: int | None = None,
                                   model: RegimeModel | None = None, tol: float = 1e-6) -> float:
    """Lowest level rate c with P(depletion by the horizon) ≤ α, by bisection on c ∈ [0, 0.5] with
    common random numbers (same seed for every c, so P is monotone in c). Tolerance *tol* on c."""
    if not 0 <= alpha < 1:
        raise InputError(f"must be in [0, 1): {alpha}", field="alpha")

    def prob(c: float) -> float:
        return float(simulate(a, runs=runs, seed=seed, years=years, rate=c, model=model).depletion_probability()[-1])

    lo, hi = 0.0, 0.5
    if prob(hi) > alpha:
        raise InputError(f"P(depletion) ≤ {alpha} cannot be reached with a rate ≤ 50 %", field="alpha")
    while hi - lo > tol:
        mid = (lo + hi) / 2
        if prob(mid) <= alpha:
            hi = mid
        else:
            lo = mid
    return hi


def _month_kernel_py(reserve: F64, gap: F64, recession: npt.NDArray[np.bool_], eps: F64, unif: F64,
                     depletion: npt.NDArray[np.int64], min_r: F64, out_s: F64, out_u: F64, out_r: F64, k: int,
                     y: int, year_end: bool, p_enter: float, p_exit: float, phi: float, mu_n: float, mu_r: float,
                     sigma: float, elasticity: float, ub: float, n_base: float, e_base: float, b_base: float,
                     transfer: float, c: float, admin_rate: float, basis: int, j: float, sqrt_j: float) -> None:
    """One month for every path in one pass (compiled by numba); same formulas as the numpy engine."""
    for p in range(reserve.shape[0]):
        rec = unif[p] >= p_exit if recession[p] else unif[p] < p_enter
        recession[p] = rec
        g = phi * gap[p] + (mu_r if rec else mu_n) + sigma * eps[p]
        gap[p] = g
        n = n_base * (1 + elasticity * g / ub)
        if n < 0.0:
            n = 0.0
        e = e_base * (1 - ub - g) / (1 - ub)
        contrib = c * e
        ben = n * b_base
        adm = admin_rate * (e if basis == 0 else contrib if basis == 1 else ben)
        r = reserve[p] * (1 + j) + (contrib + transfer - ben - adm) * sqrt_j
        reserve[p] = r
        out_s[p, y] += ben + adm
        out_u[p, y] += (ub + g) / 12
        if r < 0 and depletion[p] < 0:
            depletion[p] = k
        if r < min_r[p]:
            min_r[p] = r
        if year_end:
            out_r[p, y] = r


_month_kernel = njit(cache=True)(_month_kernel_py) if HAVE_NUMBA else _month_kernel_py
