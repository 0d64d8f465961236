"""Calibration targets (data with sources) turned into the integer tables the engine runs on.

``targets.yaml`` holds every fact the synthetic labour market is built on, each with its source
and a ``status`` (verified / assumption). :func:`build_model` solves the monthly transition
probabilities between formal job (F), informal job (I), unemployment (U) and inactivity (N) so
that the target stocks by sex, region and age band are the stationary state of the chain, given the
published flows (formal separations 3.6 %, job finding 40 %, formal job finding 8.8 %). A target
set with no solution (a negative or > 1 probability, shares that do not add up) is refused with a
one-line :class:`~seguro_desempleo.errors.ParameterError` naming the target.

All probabilities become integer thresholds (a uniform 32- or 16-bit draw below the threshold
means "yes"), and wages become integer quantile tables in céntimos: the numpy and compiled
engines then run the same integer arithmetic and agree exactly.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from statistics import NormalDist
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from seguro_desempleo.errors import ParameterError
from seguro_desempleo.parameters import load_yaml

TARGETS_FILE = Path(__file__).resolve().parent / "targets.yaml"

FORMAL, INFORMAL, UNEMPLOYED, INACTIVE = 0, 1, 2, 3
STATUS_NAMES = ("formal", "informal", "unemployed", "inactive")
N_SEX, N_AGE, N_REGION, N_SIZE = 2, 5, 4, 5
"""Group dimensions: sex (men, women), age band, region, firm size (micro…large, none)."""
SIZE_NONE = 4
PUBLIC_CLASS = 4
AGE_BANDS = ((15, 24), (25, 34), (35, 44), (45, 54), (55, 69))
AGE_BAND_LABELS = tuple(f"{a}-{b}" for a, b in AGE_BANDS)
SEX_LABELS = ("men", "women")
SIZE_LABELS = ("micro", "small", "medium", "large", "none")
N_CELL = N_SEX * N_AGE * N_REGION * N_SIZE
WAGE_QUANTILES = 256
U32 = 1 << 32
U16 = 1 << 16

IntArray = npt.NDArray[np.int64]


def load_targets(path: Path | None = None) -> dict[str, Any]:
    """Read the targets file (exact decimals)."""
    p = path or TARGETS_FILE
    try:
        data = load_yaml(p)
    except OSError as exc:
        raise ParameterError(f"cannot read targets: {exc.strerror}", where=str(p)) from None
    if not isinstance(data, dict):
        raise ParameterError("the targets file must be a mapping", where=str(p))
    return data


def _get(t: Mapping[str, Any], dotted: str, where: str) -> Any:
    node: Any = t
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise ParameterError("missing calibration target", field=dotted, where=where)
        node = node[part]
    if isinstance(node, Mapping) and "value" in node:
        node = node["value"]
    return node


def _num(t: Mapping[str, Any], dotted: str, where: str) -> float:
    v = _get(t, dotted, where)
    if not isinstance(v, int | float | Decimal) or isinstance(v, bool):
        raise ParameterError(f"'{v}' is not a number", field=dotted, where=where)
    return float(v)


def _vec(t: Mapping[str, Any], dotted: str, where: str, n: int | None = None) -> list[float]:
    v = _get(t, dotted, where)
    if not isinstance(v, list) or (n is not None and len(v) != n):
        raise ParameterError(f"needs a list of {n} numbers", field=dotted, where=where)
    return [float(x) for x in v]


def _share(x: float, name: str, where: str) -> float:
    if not 0.0 <= x <= 1.0 or math.isnan(x):
        raise ParameterError(f"impossible calibration target: implies a share or probability of {x:.4f} "
                             "(must be between 0 and 1)", field=name, where=where)
    return x


def _shares(v: list[float], name: str, where: str) -> list[float]:
    for x in v:
        _share(x, name, where)
    if abs(sum(v) - 1.0) > 1e-6:
        raise ParameterError(f"impossible calibration target: shares add up to {sum(v):.4f}, not 1",
                             field=name, where=where)
    return v


def thr32(p: float) -> int:
    """Probability → threshold on a uniform 32-bit draw."""
    return min(U32, max(0, round(p * U32)))


def cum16(shares: list[float]) -> IntArray:
    """Cumulative 16-bit thresholds of a discrete distribution (last one is exactly 2**16)."""
    c = np.cumsum(np.asarray(shares, dtype=float))
    out = np.minimum(U16, np.round(c / c[-1] * U16)).astype(np.int64)
    out[-1] = U16
    return out


@dataclass(frozen=True)
class ModelTables:
    """The calibrated labour market as integer tables (shared by both engines)."""

    # stationary shares by (sex, region) and status, for the initial population
    stocks: npt.NDArray[np.float64]          # (2, 4, 5, 4) sex, region, age band, status
    sex_cum: IntArray                         # (2,) 16-bit cumulative: men, women
    region_cum: IntArray                      # (4,)
    age_cum: IntArray                         # (5,)
    deps_thr: int                             # 16-bit
    trans_thr: IntArray                       # (40, 4, 3) cumulative 32-bit thresholds ((sex*4+region)*5+band, from, k)
    dest_code: IntArray                       # (4, 3) destination status of k for each origin
    sep_thr: IntArray                         # (2,) 32-bit, indefinite / modal contract class
    sep_dest_cum: IntArray                    # (4,) 16-bit over F (direct), U, I, N
    cause_codes: IntArray                     # (7,) Tabla 17 codes as ints
    cause_cum: IntArray                       # (2, 7) 16-bit, by contract class
    public_thr: int                           # 16-bit
    size_cum: IntArray                        # (4,) 16-bit over micro, small, medium, large
    contract_codes: IntArray                  # (6,) Tabla 12 codes as ints
    contract_cum: IntArray                    # (6,) 16-bit
    modal: npt.NDArray[np.bool_]              # (100,) Tabla 12 code → fixed-term (modal) contract
    wage_table: IntArray                      # (2, 5, 5, 256) céntimos: sex, age band, class, quantile
    days_max: int                             # job-to-job days drawn uniform in [0, days_max)
    informal_invol_thr: int                   # 16-bit
    takeup_thr: int                           # 16-bit, default take-up
    rmv: int                                  # céntimos
    poverty_line: int                         # céntimos per person-month
    working_age_population: int
    gdp: int                                  # céntimos per year
    rates: dict[str, float]                   # solved monthly rates, for the report


def build_model(targets: Mapping[str, Any] | None = None, *, where: str = "targets.yaml") -> ModelTables:
    """Solve the transition probabilities for the targets; refuse impossible targets."""
    t = targets if targets is not None else load_targets()
    pop = _population(t, where)
    stocks = _stocks(t, pop, where)
    fl = _flows(t, where)
    trans, solved = _transitions(stocks, pop.inf, fl, where)
    F, I, U, N = FORMAL, INFORMAL, UNEMPLOYED, INACTIVE  # noqa: E741
    dest = np.array([[F, F, F], [F, U, N], [F, I, N], [F, U, I]], dtype=np.int64)

    ratio = _num(t, "flows.temporary_to_indefinite_separation_ratio", where)
    temp_stock = _share(_num(t, "formal_jobs.temporary_share_of_stock", where),
                        "formal_jobs.temporary_share_of_stock", where)
    s_ind = fl.s_f / (temp_stock * ratio + (1 - temp_stock))
    _share(s_ind * ratio, "flows.temporary_to_indefinite_separation_ratio", where)
    sep_thr = np.array([thr32(s_ind), thr32(s_ind * ratio)], dtype=np.int64)

    causes = _get(t, "separation_causes", where)
    codes = [int(c) for c in causes["codes"]]
    c_ind = _shares([float(x) for x in causes["indefinite"]], "separation_causes.indefinite", where)
    c_mod = _shares([float(x) for x in causes["modal"]], "separation_causes.modal", where)

    pub = _share(_num(t, "formal_jobs.public_share", where), "formal_jobs.public_share", where)
    sizes = _shares(_vec(t, "formal_jobs.private_size_shares", where, 4), "formal_jobs.private_size_shares", where)
    cm = _get(t, "formal_jobs.contract_mix_at_hire", where)
    ccodes = [int(c) for c in _get(t, "formal_jobs", where)["contract_mix_at_hire"]["codes"]]
    cmix = _shares([float(x) for x in cm], "formal_jobs.contract_mix_at_hire", where)
    modal = np.zeros(100, dtype=bool)
    modal[3:12] = True  # D.Leg. 728 modal contracts, Tabla 12 codes 03-11
    wage = _wage_table(t, pop, stocks, sizes, where)

    days_max = int(_num(t, "flows.days_to_direct_reemployment_max", where))
    if days_max < 1:
        raise ParameterError("must be at least 1 day", field="flows.days_to_direct_reemployment_max", where=where)
    return ModelTables(
        stocks=stocks,
        sex_cum=cum16([1 - pop.women_wap, pop.women_wap]),
        region_cum=cum16(pop.regions),
        age_cum=cum16(pop.ages),
        deps_thr=round(pop.deps * U16),
        trans_thr=trans, dest_code=dest, sep_thr=sep_thr,
        sep_dest_cum=cum16(fl.d),
        cause_codes=np.array(codes, dtype=np.int64),
        cause_cum=np.stack([cum16(c_ind), cum16(c_mod)]),
        public_thr=round(pub * U16),
        size_cum=cum16(sizes),
        contract_codes=np.array(ccodes, dtype=np.int64),
        contract_cum=cum16(cmix),
        modal=modal,
        wage_table=wage,
        days_max=days_max,
        informal_invol_thr=round(_share(_num(t, "flows.informal_loss_involuntary_share", where),
                                            "flows.informal_loss_involuntary_share", where) * U16),
        takeup_thr=round(_share(_num(t, "claims.takeup", where), "claims.takeup", where) * U16),
        rmv=round(_num(t, "economy.rmv", where) * 100),
        poverty_line=round(_num(t, "economy.poverty_line", where) * 100),
        working_age_population=int(pop.wap),
        gdp=round(_num(t, "economy.gdp", where) * 100),
        rates={"separation_indefinite": s_ind, "separation_modal": s_ind * ratio, **solved},
    )


class _Population(NamedTuple):
    """The ``population`` and ``informality`` targets, checked."""

    wap: float                  # working-age population
    employed: float
    u_rate: float               # unemployment rate
    men_emp: float              # men's share of the employed
    women_wap: float            # women's share of the working-age population
    ages: list[float]           # shares of the age bands
    regions: list[float]        # shares of the regions
    deps: float                 # dependants' share
    inf: float                  # informality rate
    gap: float                  # informality gap, women minus men
    offsets: list[float]        # informality offset of each region


def _population(t: Mapping[str, Any], where: str) -> _Population:
    wap = _num(t, "population.working_age_population", where)
    employed = _num(t, "population.employed", where)
    u_rate = _share(_num(t, "population.unemployment_rate", where), "population.unemployment_rate", where)
    men_emp = _share(_num(t, "population.men_share_of_employed", where), "population.men_share_of_employed", where)
    women_wap = _share(_num(t, "population.women_share_of_working_age", where),
                       "population.women_share_of_working_age", where)
    ages = _shares(_vec(t, "population.age_bands", where, N_AGE), "population.age_bands", where)
    regions = _shares(_vec(t, "population.regions", where, N_REGION), "population.regions", where)
    deps = _share(_num(t, "population.dependants_share", where), "population.dependants_share", where)
    inf = _share(_num(t, "informality.rate", where), "informality.rate", where)
    gap = _num(t, "informality.gap_women_minus_men", where)
    offsets = _vec(t, "informality.region_offsets", where, N_REGION)
    if employed <= 0 or wap <= 0 or employed / (1 - u_rate) > wap:
        raise ParameterError("impossible calibration target: the labour force exceeds the working-age population",
                             field="population.employed", where=where)
    return _Population(wap, employed, u_rate, men_emp, women_wap, ages, regions, deps, inf, gap, offsets)


def _stocks(t: Mapping[str, Any], pop: _Population, where: str) -> npt.NDArray[np.float64]:
    """Stocks by sex, region and age band (shares of each cell's working-age population); the age
    profiles are relative and normalised so that the national targets hold."""
    ages, u_rate, men_emp, inf, gap = pop.ages, pop.u_rate, pop.men_emp, pop.inf, pop.gap
    part_rel = _vec(t, "population.age_profiles.participation_relative", where, N_AGE)
    unemp_rel = _vec(t, "population.age_profiles.unemployment_relative", where, N_AGE)
    inf_age = _vec(t, "population.age_profiles.informality_offsets", where, N_AGE)
    stocks = np.zeros((N_SEX, N_REGION, N_AGE, 4))
    inf_sex = (inf - gap * (1 - men_emp), inf - gap * (1 - men_emp) + gap)
    pn = sum(x * y for x, y in zip(ages, part_rel, strict=True))
    for s in range(N_SEX):
        emp_s = pop.employed * (men_emp if s == 0 else 1 - men_emp)
        wap_s = pop.wap * ((1 - pop.women_wap) if s == 0 else pop.women_wap)
        lf_s = emp_s / (1 - u_rate)
        _share(emp_s / wap_s, "population.employed", where)
        _share(1 - lf_s / wap_s, "population.employed", where)
        part = [lf_s / wap_s * x / pn for x in part_rel]
        lf_w = [ages[g] * part[g] for g in range(N_AGE)]
        un = sum(lf_w[g] * unemp_rel[g] for g in range(N_AGE)) / sum(lf_w)
        urate = [u_rate * unemp_rel[g] / un for g in range(N_AGE)]
        emp_w = [lf_w[g] * (1 - urate[g]) for g in range(N_AGE)]
        io = sum(emp_w[g] * inf_age[g] for g in range(N_AGE)) / sum(emp_w)
        for g in range(N_AGE):
            p_g = _share(part[g], "population.age_profiles.participation_relative", where)
            u_g = _share(urate[g], "population.age_profiles.unemployment_relative", where)
            for r in range(N_REGION):
                i_sra = _share(inf_sex[s] + pop.offsets[r] + inf_age[g] - io, "informality.region_offsets", where)
                e = p_g * (1 - u_g)
                stocks[s, r, g] = (e * (1 - i_sra), e * i_sra, p_g * u_g, 1 - p_g)
    return stocks


class _Flows(NamedTuple):
    """The published monthly flows (``flows`` targets), checked."""

    s_f: float                  # formal separation rate
    f_all: float                # job finding rate
    f_f: float                  # formal job finding rate
    d: list[float]              # destinations of a formal separation: F (direct), U, I, N
    u_n: float                  # unemployed to inactive
    i_n: float                  # informal to inactive
    a: list[float]              # split of the exits from inactivity
    h0: float                   # informal to formal, base rate


def _flows(t: Mapping[str, Any], where: str) -> _Flows:
    s_f = _share(_num(t, "flows.formal_separation_rate", where), "flows.formal_separation_rate", where)
    f_all = _share(_num(t, "flows.job_finding_rate", where), "flows.job_finding_rate", where)
    f_f = _share(_num(t, "flows.formal_job_finding_rate", where), "flows.formal_job_finding_rate", where)
    if f_f > f_all:
        raise ParameterError("impossible calibration target: formal job finding exceeds all job finding",
                             field="flows.formal_job_finding_rate", where=where)
    d = _shares(_vec(t, "flows.separation_destinations", where, 4), "flows.separation_destinations", where)
    u_n = _share(_num(t, "flows.unemployed_to_inactive", where), "flows.unemployed_to_inactive", where)
    i_n = _share(_num(t, "flows.informal_to_inactive", where), "flows.informal_to_inactive", where)
    a = _shares(_vec(t, "flows.inactive_exit_split", where, 3), "flows.inactive_exit_split", where)
    h0 = _share(_num(t, "flows.informal_to_formal_base", where), "flows.informal_to_formal_base", where)
    _share(f_all + u_n, "flows.unemployed_to_inactive", where)
    return _Flows(s_f, f_all, f_f, d, u_n, i_n, a, h0)


def _transitions(stocks: npt.NDArray[np.float64], inf: float, fl: _Flows, where: str
                 ) -> tuple[IntArray, dict[str, float]]:
    """The cumulative 32-bit transition thresholds of each (sex, region, age band) cell, and the
    rates solved, by name (for the report)."""
    s_f, f_all, f_f, d, u_n, i_n, a, h0 = fl
    trans = np.zeros((N_SEX * N_REGION * N_AGE, 4, 3), dtype=np.int64)
    solved: dict[str, float] = {}
    for s in range(N_SEX):
        for r in range(N_REGION):
            for g in range(N_AGE):
                pf, pi, pu, pn = stocks[s, r, g]
                # Entries into formal jobs must replace the formal exits of the cell. They come from
                # unemployment (the published 8.8 %, scaled by the cell's formality), inactivity and
                # informal jobs (a base rate), all scaled by one factor so the cell is stationary.
                scale = (pf / (pf + pi)) / (1 - inf)
                e_n = (pf * s_f * d[3] + pu * u_n + pi * i_n) / pn
                needed = pf * s_f * (1 - d[0])
                lam = needed / (pu * f_f * scale + pn * e_n * a[0] * scale + pi * h0)
                f_f_sr = f_f * scale * lam
                h_if = h0 * lam
                a_sr = [a[0] * scale * lam, a[1], 1 - a[0] * scale * lam - a[1]]
                _share(f_f_sr, "flows.formal_job_finding_rate", where)
                _share(a_sr[2], "flows.inactive_exit_split", where)
                f_i_sr = _share(f_all - f_f_sr, "flows.job_finding_rate", where)
                s_iu = (pu * (f_all + u_n) - pf * s_f * d[1] - pn * e_n * a_sr[1]) / pi
                name = f"{SEX_LABELS[s]}/{r}/{AGE_BAND_LABELS[g]}"
                _share(e_n, "flows.inactive_exit_split", where)
                _share(h_if, "flows.formal_job_finding_rate", where)
                _share(s_iu, "flows.job_finding_rate", where)
                _share(h_if + s_iu + i_n, "flows.informal_to_inactive", where)
                solved[f"{name} inactive_exit"] = e_n
                solved[f"{name} informal_to_formal"] = h_if
                solved[f"{name} informal_to_unemployed"] = s_iu
                k = (s * N_REGION + r) * N_AGE + g
                trans[k, INFORMAL] = np.cumsum([thr32(h_if), thr32(s_iu), thr32(i_n)])
                trans[k, UNEMPLOYED] = np.cumsum([thr32(f_f_sr), thr32(f_i_sr), thr32(u_n)])
                trans[k, INACTIVE] = np.cumsum([thr32(e_n * a_sr[0]), thr32(e_n * a_sr[1]),
                                                thr32(e_n * a_sr[2])])
    return trans, solved


def _wage_table(t: Mapping[str, Any], pop: _Population, stocks: npt.NDArray[np.float64], sizes: list[float],
                where: str) -> IntArray:
    """Wage quantiles in céntimos by sex, age band and firm-size class: lognormal of the target
    dispersion around each sex's mean wage, scaled by the size and age factors."""
    ages, regions = pop.ages, pop.regions
    sigma = _num(t, "formal_jobs.wage_dispersion_sigma", where)
    factors = _vec(t, "formal_jobs.wage_size_factors", where, 5)
    norm = sum(sh * f for sh, f in zip(sizes, factors[:4], strict=True))
    nd = NormalDist()
    q = np.array([math.exp(-sigma * sigma / 2 + sigma * nd.inv_cdf((k + 0.5) / WAGE_QUANTILES))
                  for k in range(WAGE_QUANTILES)])
    q /= q.mean()
    age_f = _vec(t, "formal_jobs.wage_age_factors", where, N_AGE)
    wage = np.zeros((N_SEX, N_AGE, 5, WAGE_QUANTILES), dtype=np.int64)
    for s, key in enumerate(("formal_jobs.wage_mean_men", "formal_jobs.wage_mean_women")):
        mean = _num(t, key, where)
        if mean <= 0:
            raise ParameterError("impossible calibration target: a mean wage must be positive", field=key, where=where)
        # age factors are normalised over the formal jobs of this sex, so the sex means hold
        w_age = [ages[g] * sum(regions[r] * stocks[s, r, g, FORMAL] for r in range(N_REGION)) for g in range(N_AGE)]
        a_norm = sum(w * f for w, f in zip(w_age, age_f, strict=True)) / sum(w_age)
        for g in range(N_AGE):
            for c in range(5):
                wage[s, g, c] = np.maximum(100, np.round(mean * factors[c] / norm * age_f[g] / a_norm * q * 100)
                                           ).astype(np.int64)
    return wage


def moments_targets(t: Mapping[str, Any] | None = None) -> list[tuple[str, float, str, str]]:
    """(name, value, source, status) of the targets marked ``moment: true``."""
    t = t if t is not None else load_targets()
    out: list[tuple[str, float, str, str]] = []
    for group, items in t.items():
        if not isinstance(items, Mapping):
            continue
        for key, row in items.items():
            if isinstance(row, Mapping) and row.get("moment"):
                v = row["value"]
                out.append((f"{group}.{key}", float(v) if not isinstance(v, list) else float("nan"),
                            str(row.get("source", "")), str(row.get("status", ""))))
    return out
