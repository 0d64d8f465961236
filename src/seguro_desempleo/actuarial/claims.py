"""The claims chain: from insured workers to beneficiaries and the average benefit (arts. 3, 5, 6).

For assumption sets that describe *why* people claim instead of giving N and b (a ``claims:`` block):

- claims per year      K_t = I_t · σ · v · q · u · (1 − e)
  (insured × separation rate × involuntary share (art. 3: despido, cese colectivo, término de
  contrato) × share meeting 12 contributions in 24 months (art. 7) × take-up × (1 − share re-employed
  within the waiting period, art. 7));
- beneficiaries        N_t = K_t · d̄ / 12 (d̄ = mean months paid, at most the schedule's length);
- survival             s_m = (1 − h)^{m−1}, m = 1…M, with the exit hazard h solved so that Σ s_m = d̄;
- leavers' wage        w^L_t = λ · E_{t−1} / (12 · contributors_{t−1}) (pay of the 12 months before
  the separation, art. 5, so last year's average wage);
- average benefit      b_t = Σ_m s_m · mean_i(benefit_{i,m}) / Σ_m s_m, with benefit_{i,m} from the rules
  (``rules.benefits.benefit_schedule``: rate by month, floor and cap per claimant, céntimos) over a
  lognormal leavers' wage distribution with mean w^L_t and log-sd ς (999 quantile points).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from statistics import NormalDist
from typing import Any

import numpy as np

from seguro_desempleo.errors import ParameterError
from seguro_desempleo.parameters.model import Snapshot
from seguro_desempleo.rules.benefits import benefit_schedule

D = Decimal
CHAIN_FIELDS = ("separation_rate", "involuntary_share", "qualifying_share", "take_up", "reemployed_in_waiting_share",
                "mean_duration_months", "leavers_wage_ratio", "wage_log_sd")
QUANTILES = 999


@dataclass(frozen=True)
class ClaimsChain:
    separation_rate: Decimal
    involuntary_share: Decimal
    qualifying_share: Decimal
    take_up: Decimal
    reemployed_in_waiting_share: Decimal
    mean_duration_months: Decimal
    leavers_wage_ratio: Decimal
    wage_log_sd: Decimal

    @property
    def claim_rate(self) -> Decimal:
        """σ · v · q · u · (1 − e): claims per insured worker per year."""
        return (self.separation_rate * self.involuntary_share * self.qualifying_share * self.take_up
                * (1 - self.reemployed_in_waiting_share))


def parse_chain(raw: Mapping[str, Any], where: str) -> tuple[ClaimsChain, dict[str, str]]:
    values: dict[str, Decimal] = {}
    sources: dict[str, str] = {}
    for fld in CHAIN_FIELDS:
        entry = raw.get(fld)
        if entry is None:
            raise ParameterError("missing figure", field=f"claims.{fld}", where=where)
        value = entry.get("value") if isinstance(entry, Mapping) else entry
        try:
            values[fld] = D(str(value))
        except ArithmeticError:
            raise ParameterError(f"'{value}' is not a number", field=f"claims.{fld}", where=where) from None
        if values[fld] < 0:
            raise ParameterError(f"must not be negative (got {value})", field=f"claims.{fld}", where=where)
        if fld.endswith(("_share", "_rate")) and fld != "separation_rate" and values[fld] > 1:
            raise ParameterError(f"a share must be at most 1 (got {value})", field=f"claims.{fld}", where=where)
        if isinstance(entry, Mapping) and "source" in entry:
            sources[f"claims.{fld}"] = str(entry["source"])
    return ClaimsChain(**values), sources


def claims_per_year(insured: Decimal, chain: ClaimsChain) -> Decimal:
    """K = I · σ · v · q · u · (1 − e)."""
    return insured * chain.claim_rate


def beneficiaries(claims: Decimal, mean_duration_months: Decimal) -> Decimal:
    """N = K · d̄ / 12 (average number paid in a month)."""
    return claims * mean_duration_months / 12


def survival(mean_duration: Decimal, months: int) -> list[Decimal]:
    """s_m = (1 − h)^{m−1} with h such that Σ_{m=1}^{M} s_m = d̄ (bisection; d̄ is clipped to [1, M])."""
    target = min(max(mean_duration, D(1)), D(months))

    def total(h: Decimal) -> Decimal:
        return sum(((1 - h) ** m for m in range(months)), D(0))

    lo, hi = D(0), D(1)
    for _ in range(80):
        mid = (lo + hi) / 2
        if total(mid) > target:
            lo = mid
        else:
            hi = mid
    h = (lo + hi) / 2
    return [(1 - h) ** m for m in range(months)]


def leavers_wage_grid(mean_wage: Decimal, log_sd: Decimal) -> np.ndarray[Any, np.dtype[np.int64]]:
    """999 quantiles of a lognormal with the given mean (soles) → céntimos (int64)."""
    s = float(log_sd)
    mu = np.log(float(mean_wage)) - s * s / 2
    z = np.array([NormalDist().inv_cdf((k + 0.5) / QUANTILES) for k in range(QUANTILES)])
    return np.rint(np.exp(mu + s * z) * 100).astype(np.int64)


def average_benefit(mean_wage: Decimal, log_sd: Decimal, snap: Snapshot,
                    survival_weights: Sequence[Decimal]) -> Decimal:
    """b = Σ_m s_m · mean_i(benefit_{i,m}) / Σ_m s_m in soles, benefits from the rules of art. 5."""
    grid = leavers_wage_grid(mean_wage, log_sd)
    schedule = benefit_schedule(grid, snap)
    monthly_means = [D(int(schedule[:, m].sum())) / len(grid) / 100 for m in range(schedule.shape[1])]
    weights = list(survival_weights)[: len(monthly_means)]
    return sum((w * b for w, b in zip(weights, monthly_means, strict=False)), D(0)) / sum(weights, D(0))
